"""Atomic file replacement shared by paramio and the tools (standard library only).

A file is written to a temporary name in its own directory and renamed over the target, so
readers see either the old file or the complete new one, and a failure leaves the old file.
"""
import contextlib
import os
import tempfile


@contextlib.contextmanager
def atomic_path(path, mode=None):
    """Yield a temporary path next to ``path``; rename it to ``path`` if the block succeeds.

    ``mode`` (e.g. 0o644) sets the permissions of the new file; by default an existing
    target keeps its permissions and a new file gets the umask default.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    os.close(fd)
    try:
        yield tmp
        if mode is None:
            try:
                mode = os.stat(path).st_mode & 0o7777
            except FileNotFoundError:
                umask = os.umask(0)
                os.umask(umask)
                mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text_atomic(path, text, encoding="utf-8"):
    """Replace ``path`` with ``text`` atomically."""
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding=encoding) as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
