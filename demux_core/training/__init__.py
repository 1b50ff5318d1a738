"""Fine-tuning a task model: the training loop and a round's training recipe."""
