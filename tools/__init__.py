"""pyciao: CIAO tools re-implemented in Python.

``from pyciao import dmstat`` gives the tool as a callable with its parameters as attributes
(see `pyciao.runtool`). Keep this module light: console scripts such as ``pget`` import
``pyciao.param`` through it, so the API is only built when such a name is asked for.
"""
__version__ = "0.1.0"


def __getattr__(name):
    if name.startswith("_"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from .runtool import api_object

    return api_object(name)
