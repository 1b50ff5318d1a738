"""DeMuX Lab: the research harness beside the product library.

Simulated rounds with gold labels (``python -m demux_lab simulate``), studies over their run
folders (``python -m demux_lab study``), the frozen-head method and the reports. It imports
:mod:`demux_core`; nothing in ``demux_core``, ``service``, ``storage``, ``ui`` or ``pages``
imports it (``tests/test_layers.py``).
"""
