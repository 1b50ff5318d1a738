"""Simulated active-learning experiments: flags, settings, pools, the run, its cache and rows."""
