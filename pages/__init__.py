"""Streamlit pages of DeMuX Studio (render only; all logic is in :mod:`service`)."""
