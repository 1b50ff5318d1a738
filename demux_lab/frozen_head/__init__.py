"""The frozen-head method: the encoder frozen after the warm start, a linear head per round."""
