"""CIAO's parameter interface (standard library only).

Modules: ``grammar`` (the .par parser), ``render`` (canonical writing), ``values`` (types,
ranges, enumerations), ``cmdline`` (command lines), ``pfiles`` (PFILES and user/system
copies), ``storage`` (locked atomic writes), ``session`` (an open file: modes, prompts,
redirects), ``listing`` (plist/pdump/pline layouts), ``cli`` (the p-commands), ``api``
(CIAO's Python ``paramio`` functions, re-exported here).
"""
from .api import (
    copy_params,
    paccess,
    paramclose,
    paramgetpath,
    paramopen,
    pget,
    pgetb,
    pgetd,
    pgeti,
    pgetstr,
    plist,
    plist_mode,
    plist_names,
    plist_type,
    pputb,
    pputd,
    pputi,
    pputstr,
    pquery,
    pset,
    punlearn,
)
from .errors import (
    AmbiguousName,
    BadIndirect,
    BadRange,
    BadSubfield,
    CantCopyReference,
    InvalidEnum,
    NoReference,
    OutOfRange,
    ParamError,
    ParamNotFound,
    ParFileNotFound,
    ParFileSyntax,
    PositionalOverridesName,
    QueryNeedsTerminal,
    TooManyPositional,
    TypeConversion,
)
from .session import ParamSession, TypedParams, effective_mode, open_params, open_text
