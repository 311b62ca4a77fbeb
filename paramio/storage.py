"""Reading and safely rewriting .par files.

Every update is a transaction: take an exclusive ``fcntl.flock`` on the file's directory,
read the file as it is now, apply the changes, write a temporary file in the same directory
and rename it over the original, release the lock. Readers never see a half-written file
and concurrent writers never lose each other's parameters. The directory (not the file) is
locked because the rename replaces the file's inode, and because creating a user copy or
renaming an out-of-date one needs the same exclusion before any file exists.
"""
import os

from .errors import ParamError


class directory_lock:
    """``with directory_lock(path):`` holds an exclusive lock on the directory of ``path``."""

    def __init__(self, path):
        self.folder = os.path.dirname(os.path.abspath(path))
        self.fd = None

    def __enter__(self):
        import fcntl

        self.fd = os.open(self.folder, os.O_RDONLY)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(self.fd)
            raise
        return self

    def __exit__(self, *exc):
        os.close(self.fd)  # closing the descriptor releases the lock


def write_parfile(path, parfile):
    """Replace ``path`` with the canonical text of ``parfile`` atomically (call under the lock)."""
    from .atomic import atomic_path  # tempfile is only needed when writing
    from .render import render

    text = render(parfile)
    try:
        with atomic_path(path) as tmp:
            with open(tmp, "w", encoding="utf-8", errors="surrogateescape", newline="") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())  # a crash right after the rename must not leave it empty
    except OSError as err:
        raise ParamError(path, message=f"can't write parameter file ({err.strerror})") from None
