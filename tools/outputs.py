"""Output files: the clobber rule and atomic writing, shared by every tool."""
import contextlib
import os

from paramio.atomic import atomic_path

from .errors import ToolError


def check_clobber(path, clobber):
    """Refuse to overwrite ``path`` unless ``clobber`` is set (CIAO's wording)."""
    if path and os.path.exists(path) and not clobber:
        raise ToolError(f"Clobber set to no, and output file {path} exists.")


@contextlib.contextmanager
def output_file(path, clobber):
    """Yield a temporary path to write; it replaces ``path`` only if the block succeeds.

    A failed run therefore never leaves a half-written output (or destroys an old one).
    """
    check_clobber(path, clobber)
    with atomic_path(path) as tmp:
        yield tmp
