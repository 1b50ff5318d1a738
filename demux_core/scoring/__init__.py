"""Scoring pools with a task model: margins, embeddings, predictions, and margin calibration.

The package itself imports nothing: :mod:`~demux_core.scoring.calibration` loads without torch.
"""
