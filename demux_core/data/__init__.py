"""Examples and their labels: the example types, label schemas, readers and writers."""
