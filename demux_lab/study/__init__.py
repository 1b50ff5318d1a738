"""Studies over simulation run folders: win rates, gains, goals and their report."""
