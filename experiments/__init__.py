"""Scripts that regenerate the studies' run outputs (into the git-ignored ``runs/``)."""
