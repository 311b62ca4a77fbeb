"""The Python interface of CIAO's ``paramio`` module.

Every function taking ``fp`` accepts an open handle from `paramopen` or a tool / file name
(a name means open, act, close). Errors are `ParamError` subclasses (still ``Exception``s,
so code written for CIAO's bare exceptions keeps working) whose ``str()`` is CIAO's line.
"""
from .errors import ParamError
from .pfiles import fresh_copy, open_location
from .session import ParamSession, open_params
from .storage import directory_lock, write_parfile


def paramopen(filename, mode="r", arglist=None):
    """Open a parameter file. ``arglist`` is a command line *including* the program name
    (``["dmcopy", "in.fits", "out=o.fits", "cl+"]``); with ``filename`` None the tool name
    (or ``@@file``) is taken from it. Modes: ``r``, ``w``, ``rw``, plus ``H`` (never prompt);
    CIAO's ``L`` (lock) is accepted: every write here is locked anyway."""
    args = list(arglist or [])
    if filename is None:
        return open_params(None, args, mode)
    return open_params(filename, args[1:], mode)


def paramclose(fp):
    fp.close()


def _with(fp, mode, action):
    if isinstance(fp, ParamSession):
        return action(fp)
    session = open_params(fp, mode=mode)
    result = action(session)
    session.close()
    return result


def pget(fp, name):
    """The resolved value as a string (no query-mode prompt when ``fp`` is a name)."""
    if isinstance(fp, ParamSession):
        return fp.get(name)
    return _with(fp, "r", lambda s: s.get(name, query=False))


def pgetstr(fp, name):
    return pget(fp, name)


def pgetb(fp, name):
    """1 for yes, 0 for no."""
    return int(_typed(fp, name) is True)


def pgeti(fp, name):
    return _typed(fp, name)


def pgetd(fp, name):
    value = _typed(fp, name)
    return None if value is None else float(value)


def _typed(fp, name):
    if isinstance(fp, ParamSession):
        return fp.typed(name)
    return _with(fp, "r", lambda s: s.typed(name, query=False))


def pquery(fp, name):
    """Like pget, but asks for query-mode parameters (on a terminal) and stores the answer."""
    return _with(fp, "rw", lambda s: s.get(name))


def pset(fp, name, value):
    """Set a parameter (``value`` a string, or a bool/int/float/None converted CIAO's way)."""
    def action(session):
        if isinstance(value, str):
            session.set(name, value)
        else:
            session.set_typed(name, value)

    _with(fp, "rw", action)


pputstr = pputd = pputi = pputb = pset


def punlearn(name):
    """Reset a tool's user copy to the system defaults."""
    from .cli import punlearn_main

    if punlearn_main([name]) != 0:
        raise ParamError(name, message="punlearn failed")


def paccess(fp_or_name, mode_or_name="rw"):
    """``paccess(name[, mode])``: the path that would be used (None if there is none);
    ``paccess(fp, parname)``: 1 if the open file has that parameter, else 0."""
    if isinstance(fp_or_name, ParamSession):
        return int(mode_or_name in fp_or_name)
    try:
        location, parfile = open_location(fp_or_name)
    except ParamError:
        return None
    if "w" in mode_or_name and not location.user_path and location.has_user_area:
        fresh_copy(location, parfile)
    return location.user_path or location.path


def copy_params(name, path):
    """Write the parameter file ``name`` would use (user copy, else system file) to ``path``
    in canonical form and return ``path``: a private copy for a run with ``@@path``."""
    _, parfile = open_location(name)
    with directory_lock(path):
        write_parfile(path, parfile)
    return path


def paramgetpath(fp):
    if isinstance(fp, ParamSession):
        return fp.path
    return open_params(fp, mode="r").path


def plist(fp):
    """The parameter names in file order."""
    return _with(fp, "r", lambda s: s.names())


def plist_names(fp):
    return plist(fp)


def plist_mode(fp, mode):
    """Names of parameters whose mode contains every letter of ``mode`` (S-Lang heritage)."""
    return _with(fp, "r", lambda s: [p.name for p in s.parfile.params
                                     if all(c in p.mode for c in mode)])


def plist_type(fp, ptype):
    """Names of parameters of type ``ptype``."""
    return _with(fp, "r", lambda s: [p.name for p in s.parfile.params if p.type == ptype])
