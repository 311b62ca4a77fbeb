"""Per-call capture of what a tool prints, safe when several threads run tools at once.

The Python API returns a tool's screen output as a string, as CIAO's runtool does. Tools
print through ``sys.stdout``/``sys.stderr``, which every thread shares, so swapping them per
call would mix up concurrent calls. Instead, on first use each stream is wrapped once by a
router that sends text to the buffer of the call running in the current thread (a context
variable), and to the real stream otherwise.
"""
import contextlib
import contextvars
import io
import sys
import threading

_buffer = contextvars.ContextVar("pyciao_capture", default=None)
_install_lock = threading.Lock()


class _Router(io.TextIOBase):
    """A text stream writing to the current call's buffer, or else to the wrapped stream."""

    def __init__(self, stream):
        super().__init__()
        self._stream = stream

    def write(self, text):
        buffer = _buffer.get()
        if buffer is not None:
            return buffer.write(text)
        return self._stream.write(text)

    def flush(self):
        if _buffer.get() is None:
            self._stream.flush()

    def writable(self):
        return True

    def isatty(self):
        return _buffer.get() is None and self._stream.isatty()

    def fileno(self):
        return self._stream.fileno()

    @property
    def encoding(self):  # io.TextIOBase would answer None
        return self._stream.encoding

    @property
    def errors(self):
        return self._stream.errors

    def __getattr__(self, name):  # encoding, errors, buffer, ... of the real stream
        return getattr(self._stream, name)


def _install():
    with _install_lock:
        for name in ("stdout", "stderr"):
            stream = getattr(sys, name)
            if not isinstance(stream, _Router):
                setattr(sys, name, _Router(stream))


@contextlib.contextmanager
def captured_output():
    """Collect stdout and stderr of the block (this thread only), in order, into a StringIO."""
    _install()
    buffer = io.StringIO()
    token = _buffer.set(buffer)
    try:
        yield buffer
    finally:
        _buffer.reset(token)
