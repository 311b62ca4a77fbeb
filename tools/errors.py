"""The error type every tool raises for problems a user can fix."""


class ToolError(Exception):
    """A user-facing error.

    The runner prints it as ``# <tool> (pyciao <version>): ERROR: <message>`` on stderr and
    exits with status 1, without a traceback.
    """


class ToolWarning(UserWarning):
    """A warning printed as ``# <tool> (pyciao <version>): WARNING: <message>``."""
