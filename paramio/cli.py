"""The parameter commands: punlearn, pset, pget, plist, pdump, pline, paccess, pquery.

Each ``*_main(argv=None)`` returns the exit status: 0 on success, 1 after printing a one-line
CIAO-style error on stderr (``pset: parameter above maximum : verbose``), never a traceback.
"""
import os
import sys

from . import listing, prompt
from .cmdline import parse_command_line
from .errors import VALUE_ERRORS, CantCopyReference, NoReference, ParamError, QueryNeedsTerminal
from .grammar import read_parfile
from .pfiles import fresh_copy, locate, open_location, search_path
from .session import open_params

USAGE = {
    "punlearn": "punlearn toolname [toolname2 ...]",
    "pset": "pset toolname [ [param1[=value1] param2 ...] | [value1] ... ]",
    "pget": "pget [-abort] toolname parameter [parameter2 ...]",
    "plist": "plist toolname [toolname2 ...]",
    "pdump": "pdump toolname",
    "pline": "pline toolname",
    "paccess": "paccess toolname [mode]",
    "pquery": "pquery toolname parameter|- [param=value ...]",
}


class _Usage(Exception):
    pass


def _run(program, body, argv):
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        body(argv)
        return 0
    except ParamError as err:
        message = err.line(program)
    except _Usage:
        message = f"Usage: {USAGE[program]}"
    except BrokenPipeError:  # e.g. `pget … | head -1`: the reader went away; stay quiet
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as err:  # e.g. a parameter file that exists but cannot be read
        message = f"{program}: {err.strerror} : {err.filename or ''}"
    except KeyboardInterrupt:
        message = ""
    try:
        sys.stdout.flush()
    except OSError:
        pass
    print(message, file=sys.stderr, flush=True)
    return 1


def _out(text):
    sys.stdout.write(text)
    sys.stdout.flush()


# ---- pget -----------------------------------------------------------------------------------
def _pget(argv):
    abort = False
    if argv and argv[0] == "-abort":
        abort = True
        argv = argv[1:]
    if len(argv) < 2:
        raise _Usage
    session = open_params(argv[0], mode="r", context="pget")
    for name in argv[1:]:
        _out(session.get(name, query=False, fix=not abort) + "\n")


def pget_main(argv=None):
    return _run("pget", _pget, argv)


# ---- pset -----------------------------------------------------------------------------------
def _pset(argv):
    if not argv:
        raise _Usage
    session = open_params(argv[0], mode="rw", context="pset")
    if len(argv) == 1:
        _ask_every_parameter(session)
    else:
        try:
            assignments = parse_command_line(session.parfile, argv[1:])
        except ParamError as err:
            raise session._error(err) from None
        for a in assignments:  # all checked before anything is written
            session.set(a.name, a.value, a.field)
    if session.changed and not session.location.has_user_area:
        raise CantCopyReference(session.location.tool)  # PFILES has no user directory
    session.save()


def _ask_every_parameter(session):
    """``pset tool`` alone: ask for every parameter, hidden ones included (terminal only)."""
    for p in session.parfile.params:
        if not prompt.can_ask():
            raise session._error(QueryNeedsTerminal(p.name))
        while True:
            answer, at_eof = prompt.ask(p, session.display_value(p))
            if answer is None:
                break
            try:
                session.set(p.name, answer)
                break
            except VALUE_ERRORS as err:
                print(err.line("pset"), file=sys.stderr, flush=True)
        if at_eof:
            break


def pset_main(argv=None):
    return _run("pset", _pset, argv)


# ---- punlearn -------------------------------------------------------------------------------
def _punlearn(argv):
    if not argv:
        raise _Usage
    for name in argv:
        location = locate(name)
        reference = location.reference
        if location.direct:  # a file path: its reference is the system file of that name
            _, system_dirs = search_path()
            reference = next(
                (os.path.join(d, location.tool + ".par") for d in system_dirs
                 if os.path.isfile(os.path.join(d, location.tool + ".par"))),
                None,
            )
        if reference is None:
            raise NoReference(location.tool)
        if location.has_user_area:
            fresh_copy(location, read_parfile(reference))


def punlearn_main(argv=None):
    return _run("punlearn", _punlearn, argv)


# ---- plist, pdump, pline --------------------------------------------------------------------
def _lister(program, render, many):
    def body(argv):
        if not argv or (len(argv) > 1 and not many):
            raise _Usage
        for name in argv:
            _out(render(open_params(name, mode="r", context=program)))

    return body


def plist_main(argv=None):
    return _run("plist", _lister("plist", listing.plist_text, True), argv)


def pdump_main(argv=None):
    return _run("pdump", _lister("pdump", listing.pdump_text, False), argv)


def pline_main(argv=None):
    return _run("pline", _lister("pline", listing.pline_text, False), argv)


# ---- paccess --------------------------------------------------------------------------------
def _paccess(argv):
    if not 1 <= len(argv) <= 2:
        raise _Usage
    mode = argv[1] if len(argv) == 2 else "rw"
    location, parfile = open_location(argv[0])
    if "w" in mode and not location.user_path and location.has_user_area:
        fresh_copy(location, parfile)
    _out(os.path.abspath(location.user_path or location.path) + "\n")


def paccess_main(argv=None):
    return _run("paccess", _paccess, argv)


# ---- pquery ---------------------------------------------------------------------------------
def _pquery(argv):
    if len(argv) < 2:
        raise _Usage
    tool, wanted, assignments = argv[0], argv[1], argv[2:]
    session = open_params(tool, assignments, mode="rw", context="pquery")
    names = sys.stdin.read().split() if wanted == "-" else [wanted]
    for name in names:
        _out(session.get(name) + "\n")
    session.save()


def pquery_main(argv=None):
    return _run("pquery", _pquery, argv)
