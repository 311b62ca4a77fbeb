"""The one exception type of the region library."""
from ...errors import ToolError


class RegionError(ToolError):
    """A region string, file or table that cannot be used.

    The message is CIAO's text where CIAO has one (``circle radius must be positive``,
    ``unable to parse region string: '<s>'``, ...), so the runner prints it as CIAO would.
    """
