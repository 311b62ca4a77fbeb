"""Finding a tool's parameter file: PFILES, user and system copies, out-of-date user copies.

``PFILES=user1:user2;sys1:sys2`` (also read from PDIRS and UPARM, in that order). The part
before ``;`` holds writable user copies, the part after holds the read-only system files; with
no ``;`` the same list serves both, as in HEASoft. With none of these variables set, the user
directory is ``$HOME/cxcds_param4`` and the system directories are the installed pyciao
``param/`` folder and the current directory. The installed folder (or ``$PYCIAO_PARAM_DIR``)
always ends the system list, so pyciao's tools find their files under any PFILES.

A name containing ``/``, or naming an existing file and ending in ``.par``, is a file path
used directly (read and written in place).
"""
import os
import sys
import time

from .errors import CantCopyReference, ParFileNotFound
from .grammar import read_parfile
from .storage import directory_lock, write_parfile

USER_DIR_DEFAULT = os.path.join("~", "cxcds_param4")
OUT_OF_DATE_WARNING = "Warning:  found possibly out of date user parameter file, renamed to {}"


def system_param_dir():
    """The installed system directory: ``$PYCIAO_PARAM_DIR`` or the ``pyciao.param`` package."""
    override = os.environ.get("PYCIAO_PARAM_DIR")
    if override:
        return _expand(override)
    try:
        import pyciao.param  # a docstring-only package: cheap to import
    except ImportError:
        return None
    return os.path.dirname(os.path.abspath(pyciao.param.__file__))


def _expand(entry):
    for _ in range(10):  # $NAME inside a path entry may itself name another variable
        expanded = os.path.expanduser(os.path.expandvars(entry))
        if expanded == entry:
            break
        entry = expanded
    return entry


def _split_dirs(text):
    return [_expand(d) for d in text.split(":") if d.strip()]


def search_path(environ=None):
    """(user directories, system directories) in search order."""
    environ = os.environ if environ is None else environ
    user, system = [], []
    settings = [environ[v] for v in ("PDIRS", "PFILES", "UPARM") if environ.get(v, "").strip()]
    for setting in settings:
        front, sep, back = setting.partition(";")
        user += _split_dirs(front)
        system += _split_dirs(back.replace(";", ":")) if sep else _split_dirs(front)
    if not settings:
        user = [_expand(USER_DIR_DEFAULT)]
    installed = system_param_dir()
    if installed and installed not in system:
        system.append(installed)
    if not settings:
        system.append(".")
    return user, system


def direct_path(name):
    """The file path for a name that is one (see module docstring), else None."""
    if "/" in name:
        return name if name.endswith(".par") or os.path.isfile(name) else name + ".par"
    if name.endswith(".par") and os.path.isfile(name):
        return name
    return None


def tool_name(name):
    """``dmlist``, ``dmlist.par`` and ``/path/dmlist.par`` all name the tool ``dmlist``."""
    base = os.path.basename(name)
    return base[:-4] if base.endswith(".par") else base


class Location:
    """Where a parameter file is read from and where changes to it go."""

    def __init__(self, tool, path, user_path=None, reference=None, user_dirs=(), direct=False):
        self.tool = tool
        self.path = path  # the file to read
        self.user_path = user_path  # existing user copy (or the direct file), else None
        self.reference = reference  # the system copy, else None
        self.user_dirs = list(user_dirs)
        self.direct = direct

    def writable_path(self):
        """The file changes go to, creating the user directory if needed."""
        if self.user_path:
            return self.user_path
        for folder in self.user_dirs:
            try:
                os.makedirs(folder, exist_ok=True)
            except OSError:
                continue
            if os.access(folder, os.W_OK | os.X_OK):
                self.user_path = os.path.abspath(os.path.join(folder, self.tool + ".par"))
                return self.user_path
        raise CantCopyReference(self.tool)

    @property
    def has_user_area(self):
        return bool(self.user_dirs) or self.direct


def _first_file(folders, filename):
    for folder in folders:
        candidate = os.path.join(folder, filename)
        if os.path.isfile(candidate):
            return os.path.abspath(candidate)
    return None


def locate(name, environ=None):
    """The `Location` of the parameter file for ``name`` (raises ParFileNotFound)."""
    path = direct_path(name)
    tool = tool_name(name)
    if path is not None:
        if not os.path.isfile(path):
            raise ParFileNotFound(name)
        path = os.path.abspath(path)
        return Location(tool, path, user_path=path, direct=True)
    user_dirs, system_dirs = search_path(environ)
    filename = tool + ".par"
    user_copy = _first_file(user_dirs, filename)
    reference = _first_file(system_dirs, filename)
    if user_copy and reference and os.path.samefile(user_copy, reference):
        reference = None  # e.g. PFILES=. : one file is both
    if not (user_copy or reference):
        raise ParFileNotFound(tool)
    return Location(tool, user_copy or reference, user_copy, reference, user_dirs)


def is_out_of_date(user_file, system_file):
    """A user copy is out of date when its parameters differ from the system file's in name,
    order or type. Values, prompts and comments may differ (that is what a user copy is for),
    and so may modes and min/max, which ``pset name.p_mode=…`` legitimately changes."""
    return user_file.structure() != system_file.structure()


def backup_name(path, now=None):
    """``dmstat.par`` -> ``dmstat_20081113.09:29:58.par`` in the same directory."""
    stamp = time.strftime("%Y%m%d.%H:%M:%S", time.localtime(now))
    return f"{path[:-4]}_{stamp}.par"


def open_location(name, environ=None):
    """Locate and read the file for ``name``; returns (Location, ParFile).

    A user copy that is out of date with respect to the system file is renamed out of the way
    (with CIAO's warning) and the system file is used instead.
    """
    location = locate(name, environ)
    parfile = read_parfile(location.path)
    if location.reference and location.user_path:
        reference = read_parfile(location.reference)
        if is_out_of_date(parfile, reference):
            _retire(location.user_path, reference)
            location.user_path = None
            location.path = location.reference
            parfile = reference
    return location, parfile


def _retire(user_path, reference):
    with directory_lock(user_path):
        try:  # another process may have renamed it (or refreshed it) meanwhile
            current = read_parfile(user_path)
        except FileNotFoundError:
            return
        if not is_out_of_date(current, reference):
            return
        target = backup_name(user_path)
        os.replace(user_path, target)
    print(OUT_OF_DATE_WARNING.format(target), file=sys.stderr, flush=True)


def fresh_copy(location, reference_file):
    """Write the system file (canonical form) as the user copy; returns its path."""
    path = location.writable_path()
    with directory_lock(path):
        write_parfile(path, reference_file)
    return path
