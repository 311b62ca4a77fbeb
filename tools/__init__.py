"""pyciao: CIAO tools re-implemented in Python.

Keep this module light: console scripts such as ``pget`` import ``pyciao.param`` through it.
"""
__version__ = "0.1.0"
