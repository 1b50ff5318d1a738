"""Teams of annotators: accounts and roles, overlap and agreement, review, time per label."""
