"""The tool runner: command line -> parameters -> core -> learned and output parameters.

A tool module ends with one line::

    main = tool_main("dmstat", run)

``main(argv=None)`` is the console script; it returns the exit status. It opens ``dmstat.par``
through paramio (PFILES, or the file named by ``@@file``), applies the command line, and calls
``run(p)``. ``p`` reads each value when the core first asks for it, prompting then if the
parameter's mode says so (never without a terminal): a tool that ignores a parameter never
asks for it, as in CIAO. ``run`` returns a dict of output parameters (or None).

After a successful run the learned values (command-line values of learning parameters and
prompted answers) and the outputs are written back to the parameter file, under its lock and
atomically, so ``pget dmstat out_mean`` reads them. A failed run writes nothing. Errors are
one line on stderr and exit status 1: a `ToolError` as ``# dmstat (pyciao 0.1.0): ERROR: ...``,
a parameter problem as the parameter library's ``dmstat: <message> : <name>``.
"""
import os
import sys
from collections.abc import Mapping

from paramio import ParamError, open_params

from . import __version__
from .errors import ToolError
from .messages import error, tool_context


class Params(Mapping):
    """The typed parameters a core sees: ``p.infile`` or ``p["infile"]`` (b→bool, i→int,
    r→float, s/f→str, INDEF→None). Values are read on first use and then kept."""

    def __init__(self, session):
        self._session = session
        self._cache = {}

    def __getitem__(self, name):
        if name not in self._cache:
            if name not in self._session:  # exact names only: abbreviations are for users
                raise KeyError(name)
            self._cache[name] = self._session.typed(name)
        return self._cache[name]

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"no parameter {name!r}") from None

    def __iter__(self):
        return iter(self._session.names())

    def __len__(self):
        return len(self._session.names())

    def __contains__(self, name):
        return name in self._session

    def stack(self, name):
        """The value of ``name`` expanded as a stack: ``a.fits,b.fits``, ``@list.lis``, globs."""
        from .dm.stack import expand_stack  # the Data Model owns the stack syntax

        return expand_stack(self[name])

    def stored(self, name):
        """The value as the parameter file or command line holds it, before ``${VAR}`` and
        ``)redirect`` are resolved (what plist shows first; fluximage's HISTORY record)."""
        return self._session.raw(name)

    @property
    def path(self):
        """The parameter file being used (the user copy, or the ``@@`` file)."""
        return self._session.path


def get_param(p, name, default=None):
    """``p[name]``, or ``default`` when the parameter is absent or INDEF (None). Works on
    `Params` and on the plain namespaces tests hand to a tool's ``run``."""
    try:
        value = p[name]
    except (KeyError, TypeError, IndexError):
        value = getattr(p, name, default)
    return default if value is None else value


def usage(name):
    """The text of ``<tool> --help``: the command line shape and every parameter's default."""
    from paramio.grammar import read_parfile
    from paramio.pfiles import locate

    location = locate(name)
    parfile = read_parfile(location.reference or location.path)
    params = [p for p in parfile.params if p.name != "mode"]
    shown = [p for p in params if not p.hidden]
    hidden = [p for p in params if p.hidden]
    width = max([len(p.name) for p in params] + [8])
    lines = [
        f"{name} (pyciao {__version__})",
        "",
        f"Usage: {name} " + " ".join(p.name for p in shown) + " [name=value ...]",
        "       (name+ / name- set a yes/no parameter; names may be abbreviated)",
    ]
    for title, group in (("Parameters", shown), ("Hidden parameters (default)", hidden)):
        if group:
            lines += ["", title + ":"]
            lines += [f"  {p.name:<{width}}  {p.value:<12} {p.prompt}".rstrip() for p in group]
    lines += [
        "",
        f"Values are read from and remembered in {name}.par: see `plist {name}`,",
        f"`pset {name} name=value` and `punlearn {name}`.",
    ]
    return "\n".join(lines)


def run_tool(name, run, argv, *, stdin=None):
    """Run tool ``name`` (core ``run``) with command-line tokens ``argv``; returns the exit
    status. This is the whole command-line behaviour shared by every tool."""
    argv = list(argv)
    if argv in (["-h"], ["--help"]):
        return _print_then(usage, name)
    if argv == ["--version"]:
        print(f"{name} (pyciao {__version__})")
        return 0
    try:
        _run(name, run, argv, stdin)
        return 0
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except BrokenPipeError:  # `tool ... | head`: the reader left; stop quietly
        _silence_stdout()
    except Exception as err:
        if _is_bug(err) and os.environ.get("PYCIAO_DEBUG"):
            raise
        _report(name, err)
    return 1


def _run(name, run, argv, stdin):
    session = open_params(name, argv, mode="rw", context=name, stdin=stdin)
    if session.list_requested:  # `tool +` lists the parameters, as plist does
        from paramio.listing import plist_text

        sys.stdout.write(plist_text(session))
        return
    p = Params(session)
    with tool_context(name, p["verbose"] if "verbose" in p else 0):
        outputs = run(p)
    if outputs:
        session.set_outputs(outputs)
    session.save()


def _is_bug(err):
    return not isinstance(err, (ToolError, ParamError, OSError))


def _report(name, err):
    """Print ``err`` as one CIAO-style line on stderr."""
    origin = getattr(err, "origin", None)  # e.g. the stack library's own prefix
    if isinstance(err, ToolError) and origin:
        print(f"# {origin} : ERROR: {err}", file=sys.stderr, flush=True)
    elif isinstance(err, ToolError):
        error(err, tool=name)
    elif isinstance(err, ParamError):
        print(err.line(name), file=sys.stderr, flush=True)
    elif isinstance(err, OSError):  # files that cannot be read or written
        error(_describe_os_error(err), tool=name)
    else:  # a bug: one line for the user, the traceback on request
        error(f"internal error ({type(err).__name__}: {err}); "
              "rerun with PYCIAO_DEBUG=1 to see the traceback", tool=name)


def _print_then(function, name):
    try:
        print(function(name))
    except ParamError as err:
        print(err.line(name), file=sys.stderr)
        return 1
    return 0


def _silence_stdout():
    """Point a closed stdout pipe at /dev/null so the exit-time flush stays silent."""
    if sys.stdout is sys.__stdout__:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _describe_os_error(err):
    if err.filename and err.strerror:
        return f"{err.strerror}: {err.filename}"
    return str(err)


def tool_main(name, run):
    """The console-script entry point of tool ``name`` whose core is ``run``.

    Also turns the calling module into the Python API object: ``from pyciao import dmstat``
    then gives a callable whose parameters are attributes (see `runtool`).
    """

    def main(argv=None):
        return run_tool(name, run, sys.argv[1:] if argv is None else argv)

    main.__doc__ = f"Run {name} from the command line; returns the exit status."
    module = sys.modules.get(getattr(run, "__module__", None))
    if module is not None and module.__name__ != "__main__":
        from .runtool import adopt_module

        adopt_module(module, name, run)
    return main
