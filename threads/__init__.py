"""Executable thread recipes and their replay runner."""
