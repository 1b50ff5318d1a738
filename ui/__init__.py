"""Streamlit helpers the pages share: the sidebar, the page preamble, browser widgets.

Kept outside ``pages/`` so that no helper module can ever be shown as a page.
"""
