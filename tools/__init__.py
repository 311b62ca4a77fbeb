"""pyciao: CIAO tools re-implemented in Python."""
