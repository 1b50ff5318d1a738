"""One active-learning round: its settings and outcome, the round itself, evaluation,
diagnostics and the 2-D projection for the map.

The package itself imports nothing: :mod:`~demux_core.rounds.types` loads without torch.
"""
