"""Choosing what to label: the strategies (pure numpy), neighbours, the k-NN union, class balance.

Loads without torch; the strategies' registry is :data:`demux_core.selection.strategies.STRATEGIES`.
"""
