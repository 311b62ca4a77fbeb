"""CIAO's parameter interface (standard library only)."""
