"""DeMuX core library: readers, the offline default model, scoring, strategies, training."""

__version__ = "0.1.0"
