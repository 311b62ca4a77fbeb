"""The Python API: tools as callables whose parameters are attributes (CIAO's runtool).

    from pyciao import dmstat
    dmstat.median = True
    print(dmstat("img.fits[sky=region(src.reg)]", centroid=False))
    print(dmstat.out_mean)          # output parameters are read back after each run

Every object starts from the system defaults and never reads or writes your parameter files
unless asked (`read_params`, `write_params`). A call runs the tool in this process on its own
copy of the parameter file, in a fresh temporary folder (``$ASCDS_WORK_PATH`` when set), with
``mode=hl`` so that nothing prompts, then reads every value back from that copy. Calls made at
the same time from several threads or processes therefore never share a parameter file. The
call returns what the tool printed (None when nothing), or raises `ToolFailed`.

Names are matched like runtool's: exact, else a unique prefix; a ``-`` in a parameter name
is written ``_`` (``ardlib.AXAF_HRC_I_BADPIX_FILE``). Values are typed (b→bool, i→int,
r→float, s/f→str, INDEF→None); a list for a string or file parameter becomes a stack
(``"a.fits,b.fits"``). Parameter files without a tool (ardlib, geom, colors) give objects that
hold parameters but cannot be called. `make_tool` gives an independent copy of a tool object,
e.g. one per thread.
"""
import importlib
import io
import os
import tempfile
import threading
import types

from paramio import ParamError, ParFileNotFound
from paramio.grammar import read_parfile
from paramio.pfiles import locate
from paramio.render import render
from paramio.session import ParamSession, open_params
from paramio.storage import directory_lock, write_parfile
from paramio.values import base_type, to_text

from .capture import captured_output
from .errors import ToolError


class UnknownParamError(TypeError):
    """A keyword argument that names no parameter of the tool."""


class ToolFailed(ToolError, OSError):
    """A call that ended with a non-zero exit status; ``output`` holds what the tool printed
    (an OSError too, as runtool raised IOError)."""

    def __init__(self, tool, status, output):
        self.tool, self.status, self.output = tool, status, output
        shown = "\n".join("  " + line for line in output.rstrip("\n").splitlines())
        super().__init__(f"{tool} failed (exit status {status}):\n{shown}")

    def __str__(self):
        return self.args[0]


def python_name(name):
    return name.replace("-", "_")


class ParamSet:
    """The parameters of one parameter file as attributes (``ardlib.AXAF_ACIS0_QE_FILE``)."""

    _kind = "parameter file"

    def __init__(self, name):
        self._set_internal("_name", name)
        self._set_internal("_lock", threading.RLock())
        self.punlearn()

    def _set_internal(self, attr, value):
        object.__setattr__(self, attr, value)

    # ---- names --------------------------------------------------------------------------
    def _params(self):
        """The parameters other than ``mode``, in runtool order: automatic ones first."""
        params = [p for p in self._session.parfile.params if p.name != "mode"]
        return [p for p in params if p.mode == "a"] + [p for p in params if p.mode != "a"]

    def _match(self, attr, error=AttributeError):
        """The real name of the parameter ``attr`` names (exact, or a unique prefix)."""
        names = {python_name(p.name): p.name for p in self._params()}
        if attr in names or attr in names.values():
            return names.get(attr, attr)
        found = [py for py in names if py.startswith(attr)] if attr else []
        if len(found) == 1:
            return names[found[0]]
        if found:
            raise error(f"Multiple matches for {self._name} parameter '{attr}', choose "
                        f"from:\n  {' '.join(found)}")
        raise error(f"There is no parameter for {self._name} that matches '{attr}'")

    # ---- values -------------------------------------------------------------------------
    def _get(self, name):
        with self._lock:
            try:
                return self._session.typed(name, query=False, fix=False)
            except ParamError:  # e.g. a default that is not a valid value: show it as stored
                return self._session.raw(name)

    def _set(self, name, value):
        ptype = self._session.param(name).type
        if isinstance(value, (list, tuple)) and base_type(ptype) in ("s", "f"):
            value = ",".join(str(v) for v in value)
        text = to_text(ptype, value)
        with self._lock:
            try:
                self._session.set(name, text)
            except ParamError as err:
                raise ValueError(f"{self._name}.{name}: {err.message} ({text!r})") from None

    def __getattr__(self, attr):
        if attr.startswith("_"):
            raise AttributeError(attr)
        return self._get(self._match(attr))

    def __setattr__(self, attr, value):
        if attr.startswith("_"):
            raise AttributeError(f"cannot set {attr!r} on {self!r}")
        self._set(self._match(attr), value)

    def __dir__(self):
        return sorted(set(super().__dir__()) | {python_name(p.name) for p in self._params()})

    def __iter__(self):
        """(name, value) pairs, in runtool order."""
        return iter([(python_name(p.name), self._get(p.name)) for p in self._params()])

    # ---- files --------------------------------------------------------------------------
    def punlearn(self):
        """Reset every value to the system default (your parameter files are not touched)."""
        location = locate(self._name)
        system = read_parfile(location.reference or location.path)
        with self._lock:
            self._set_internal("_session", ParamSession(system, None, never_prompt=True))

    def write_params(self, parfile=None):
        """Store the current values in your parameter file for the tool (as pset would), or
        in the file ``parfile`` (``.par`` added when missing), written whole."""
        with self._lock:
            values = [(p.name, p.value) for p in self._session.parfile.params]
            snapshot = self._session.parfile.copy()
        if parfile is None:
            session = open_params(self._name, mode="rw")
            for name, text in values:
                if name in session and name != "mode":
                    session.set(name, text)
            return session.save()
        path = parfile if parfile.endswith(".par") else parfile + ".par"
        with directory_lock(path):
            write_parfile(path, snapshot)
        return path

    def read_params(self, parfile=None):
        """Take the values from your parameter file for the tool, or from file ``parfile``."""
        if parfile is None:
            source = open_params(self._name, mode="rH").parfile
        else:
            source = read_parfile(parfile if parfile.endswith(".par") else parfile + ".par")
        self._take_values(source)

    def _take_values(self, source):
        with self._lock:
            for param in self._session.parfile.params:
                other = source.get(param.name)
                if other is not None and param.name != "mode":
                    param.value = other.value

    # ---- display ------------------------------------------------------------------------
    def __str__(self):
        params = self._params()
        out = [f"Parameters for {self._name}:"]
        for title, group in (("Required", [p for p in params if p.mode == "a"]),
                             ("Optional", [p for p in params if p.mode != "a"])):
            if group:
                out += ["", f"{title} parameters:"]
                for p in group:
                    value = _shown(self._get(p.name))
                    out.append(f"{python_name(p.name):>20} = {value:<15}  {p.prompt}".rstrip())
        return "\n".join(out)

    def __repr__(self):
        return f"<pyciao {self._kind}: {self._name}>"

    def __call__(self, *args, **kwargs):
        raise TypeError(f"'{self._name}' is a parameter file, not a tool: it cannot be run")


def _shown(value):
    return "" if value is None else str(value)


class Tool(ParamSet):
    """A tool: a `ParamSet` that can be called. ``run`` is the core (by default the ``run``
    of module ``pyciao.<name>``)."""

    _kind = "tool"

    def __init__(self, name, run=None):
        self._set_internal("_run", run)
        super().__init__(name)

    def __call__(self, *args, **kwargs):
        """Run the tool; positional arguments fill the parameters in order (required ones
        first), keywords name them. Returns the screen output, or None when empty."""
        with self._lock:
            self._apply_arguments(args, kwargs)
            text = render(self._session.parfile)
        status, output, result = run_private(self._name, self._core(), text)
        if status != 0:
            raise ToolFailed(self._name, status, output)
        self._take_values(result)
        return output if output.strip() else None

    def _apply_arguments(self, args, kwargs):
        params = self._params()
        if len(args) > len(params):
            raise TypeError(f"{self._name} takes at most {len(params)} arguments "
                            f"({len(args)} given)")
        settings = [(p.name, v) for p, v in zip(params, args)]
        settings += [(self._match(k, UnknownParamError), v) for k, v in kwargs.items()]
        for name, value in settings:
            self._set(name, value)

    def _core(self):
        if self._run is None:
            module = importlib.import_module(f"{__package__}.{self._name}")
            self._set_internal("_run", module.run)
        return self._run


def _work_dir():
    folder = os.environ.get("ASCDS_WORK_PATH")
    return folder if folder and os.path.isdir(folder) else None


def run_private(name, run, partext):
    """Run core ``run`` as tool ``name`` on a private parameter file holding ``partext``.

    Returns (exit status, everything printed, the parameter file as it was afterwards).
    """
    from .task import run_tool

    with tempfile.TemporaryDirectory(prefix=f"pyciao-{name}-", dir=_work_dir()) as folder:
        path = os.path.join(folder, f"{name}.par")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(partext)
        with captured_output() as output:
            status = run_tool(name, run, [f"@@{path}", "mode=hl"], stdin=io.StringIO())
        return status, output.getvalue(), read_parfile(path)


def _module(name):
    """The module ``pyciao.<name>``, or None when there is none."""
    try:
        return importlib.import_module(f"{__package__}.{name}")
    except ModuleNotFoundError as err:
        if err.name != f"{__package__}.{name}":
            raise
        return None


def _is_tool(module):
    return module is not None and callable(getattr(module, "run", None))


def make_tool(name, run=None):
    """A new, independent object for tool (or parameter file) ``name``."""
    if run is not None:
        return Tool(name, run)
    module = _module(name)
    return Tool(name, module.run) if _is_tool(module) else ParamSet(name)


# ---- tool modules as API objects -----------------------------------------------------------
_adopt_lock = threading.Lock()


class ToolModule(types.ModuleType):
    """A tool module that is also its API object: ``pyciao.dmstat`` keeps its functions
    (``run``, the core) and gains the parameters as attributes and ``__call__``."""

    def _api(self):
        state = self.__dict__
        if state.get("_pyciao_api") is None:
            with _adopt_lock:
                if state.get("_pyciao_api") is None:
                    state["_pyciao_api"] = Tool(state["_pyciao_name"], state["_pyciao_run"])
        return state["_pyciao_api"]

    def __getattr__(self, attr):  # only reached for names the module does not define
        if attr.startswith("_"):
            raise AttributeError(f"module {self.__name__!r} has no attribute {attr!r}")
        try:
            api = self._api()
        except ParamError as err:  # no parameter file: then simply no such attribute
            raise AttributeError(f"module {self.__name__!r} has no attribute {attr!r} "
                                 f"({err})") from None
        return getattr(api, attr)

    def __setattr__(self, attr, value):
        if attr.startswith("_") or attr in self.__dict__:
            super().__setattr__(attr, value)
        else:
            setattr(self._api(), attr, value)

    def __call__(self, *args, **kwargs):
        return self._api()(*args, **kwargs)

    def __iter__(self):
        return iter(self._api())

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(dir(self._api())))

    def __str__(self):
        return str(self._api())


def adopt_module(module, name, run):
    """Make tool module ``module`` (core ``run``) callable with parameter attributes."""
    module.__dict__.setdefault("_pyciao_name", name)
    module.__dict__.setdefault("_pyciao_run", run)
    module.__dict__.setdefault("_pyciao_api", None)
    module.__class__ = ToolModule


_shared = {}


def _shared_paramset(name, package):
    with _adopt_lock:
        if name not in _shared:
            try:
                _shared[name] = ParamSet(name)
            except ParFileNotFound:
                raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        return _shared[name]


def api_object(name):
    """What ``from pyciao import <name>`` gives for a name the package does not define: the
    module ``pyciao.<name>`` (a tool module is callable), or else a shared `ParamSet` for a
    parameter file without a tool (ardlib, colors)."""
    module = _module(name)
    return module if module is not None else _shared_paramset(name, __package__)


def __getattr__(name):
    """``from pyciao.runtool import dmstat, geom``: as ``from pyciao import ...``, except that a
    name that is both a non-tool module and a parameter file gives the parameters (pixlib's
    ``geom.par`` is shadowed by the ``pyciao.geom`` package at the top level)."""
    if name.startswith("_"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = _module(name)
    return module if _is_tool(module) else _shared_paramset(name, __name__)
