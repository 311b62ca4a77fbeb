"""dmgti: good time intervals from limits on the columns of a time-ordered table.

Thread steps (spec dm.md §8.6 context; threads dm_intro, filter, acisfptemp)::

    dmextract "evt2.fits[bin time=::3.24104]" bkg_lc.fits opt=ltc1
    dmgti infile=bkg_lc.fits outfile=acis_gti.fits userlimit="(count_rate>40.0)&&(count_rate<100.0)"
    dmcopy "evt2.fits[@acis_gti.fits]" clean_evt2.fits

``userlimit`` uses the dmtcalc/dmimgcalc expression syntax (``&&``, ``||``, comparisons
either way round). A row that passes covers the time bin it stands for: ``[TIME_MIN,
TIME_MAX)`` when the table has those columns (a dmextract light curve), else
``TIME - TIMEPIXR*TIMEDEL`` to ``TIME + (1-TIMEPIXR)*TIMEDEL`` (the keywords the CIAO help
asks for), else half the spacing to the neighbouring rows. Consecutive passing rows merge
into one interval, and the result is clipped to the TIME column's TLMIN/TLMAX (the light
curve's range: the thread's last GTI ends at the data's end, not at the bin edge).

The output is CIAO's GTI filter file: a null primary, an empty ``FILTER`` table whose data
subspace points at the ``GTI`` block (``TIME`` = ``TABLE`` ``:GTI``), and the ``GTI`` block
(START, STOP). Not supported yet: ``lkupfile`` tables, ``mtlfile`` output (so ``smooth``,
which applies to lookup-table columns, has no effect).
"""
from __future__ import annotations

import numpy as np

from .dm import gti as gtimod
from .dm.expr import parse_expression
from .dm.syntax import parse_virtual_file
from .dm.virtual import open_virtual
from .dm.writer import NewColumn, creator_card, new_table_hdu, null_primary_hdu, write_fits
from .errors import ToolError
from .outputs import check_clobber, output_file
from .task import tool_main

__all__ = ["row_intervals", "gti_from_rows", "select_rows", "make_gti", "run", "main"]


def row_intervals(time, *, time_min=None, time_max=None, timedel=None, timepixr=0.5):
    """(start, stop) of the time bin each row stands for."""
    t = np.asarray(time, dtype=np.float64)
    if time_min is not None and time_max is not None:
        return np.asarray(time_min, np.float64), np.asarray(time_max, np.float64)
    if timedel is not None and timedel > 0:
        return t - timepixr * timedel, t + (1.0 - timepixr) * timedel
    if len(t) < 2:
        raise ToolError("cannot tell the time bin of a single row without TIMEDEL")
    mid = (t[1:] + t[:-1]) / 2.0
    start = np.concatenate([[t[0] - (mid[0] - t[0])], mid])
    stop = np.concatenate([mid, [t[-1] + (t[-1] - mid[-1])]])
    return start, stop


def gti_from_rows(start, stop, good, limits=None, tolerance=0.0):
    """Merge the bins of the passing rows into intervals; clip to ``limits=(lo, hi)``.

    Bins closer than ``tolerance`` (rounding of TIME +- TIMEDEL/2) are joined."""
    good = np.asarray(good, bool)
    a = np.asarray(start, np.float64)[good]
    b = np.asarray(stop, np.float64)[good]
    if len(a) == 0:
        return np.zeros((0, 2))
    order = np.argsort(a, kind="stable")
    a, b = a[order], b[order]
    if tolerance > 0 and len(a) > 1:
        gap = a[1:] - b[:-1]
        close = (gap > 0) & (gap < tolerance)
        b[:-1][close] = a[1:][close]
    iv = gtimod.normalize(np.column_stack([a, b]))
    if limits is not None:
        lo, hi = limits
        iv = gtimod.intersect(iv, [[-np.inf if lo is None else lo, np.inf if hi is None else hi]])
    return iv


def select_rows(view, userlimit):
    """Boolean mask of the rows of a TableView that satisfy ``userlimit``."""
    expr = parse_expression(userlimit)
    if expr.target is not None:
        raise ToolError(f"userlimit must be a condition, not an assignment: '{userlimit}'")
    names = {c.name.lower(): c.name for c in view.columns}
    wanted = [names[n] for n in expr.names if n in names]
    data = view.read(wanted) if wanted else {}
    lower = {k.lower(): v for k, v in data.items()}
    for n, v in lower.items():
        if np.asarray(v).ndim != 1:
            raise ToolError(f"column '{n}' is an array; userlimit needs scalar columns")
    result = expr.evaluate(lambda name: lower[name])
    return np.broadcast_to(np.asarray(result) != 0, (view.nrows,)).copy()


def make_gti(infile, userlimit):
    """(intervals, table view) for ``userlimit`` applied to the table ``infile``."""
    view = open_virtual(infile)
    if view.kind != "table":
        raise ToolError(f"{infile} is not a table")
    tcol = view.column("time")
    if tcol is None:
        raise ToolError(f"block {view.name} has no TIME column")
    good = select_rows(view, userlimit)
    cols = {"time": tcol.name}
    for extra in ("time_min", "time_max"):
        c = view.column(extra)
        if c is not None:
            cols[extra] = c.name
    data = view.read(list(cols.values()))
    t = data[cols["time"]]
    if len(t) > 1 and np.any(np.diff(t) < 0):
        raise ToolError(f"the TIME column of {infile} is not in ascending order")
    h = view.header
    timedel = h.get("TIMEDEL") if isinstance(h.get("TIMEDEL"), (int, float)) else None
    timepixr = float(h.get("TIMEPIXR", 0.5)) if isinstance(h.get("TIMEPIXR", 0.5), (int, float)) else 0.5
    start, stop = row_intervals(t, time_min=data.get(cols.get("time_min")),
                                time_max=data.get(cols.get("time_max")), timedel=timedel,
                                timepixr=timepixr)
    src = view.info.column(tcol.name)
    limits = (src.tlmin, src.tlmax) if src.tlmin is not None or src.tlmax is not None else None
    tol = 1e-7 * float(timedel) if timedel and "time_min" not in cols else 0.0
    return gti_from_rows(start, stop, good, limits, tol), view


def gti_file_hdus(intervals, header=None, history=None):
    """The HDUs of a CIAO GTI filter file: null primary, empty FILTER, GTI."""
    iv = np.asarray(intervals, np.float64).reshape(-1, 2)
    keep = [(k, header[k], header.comments[k]) for k in
            ("MISSION", "TELESCOP", "INSTRUME", "MJDREF", "TIMESYS", "TIMEUNIT", "TSTART", "TSTOP",
             "OBS_ID") if header is not None and k in header]
    filt = new_table_hdu("FILTER", [NewColumn("TIME", np.zeros(0), "s", "S/C TT corresponding to mid-exposure")],
                         history=history,
                         extra_cards=keep + [creator_card("dmgti"),
                                             ("DSTYP1", "TIME", "DM Keyword: Descriptor name."),
                                             ("DSVAL1", "TABLE", "[s]"),
                                             ("DSFORM1", "D", "DM Keyword: Descriptor datatype."),
                                             ("DSUNIT1", "s", "DM Keyword: Descriptor unit."),
                                             ("DSREF1", ":GTI", "")])
    gti = new_table_hdu("GTI", [NewColumn("START", iv[:, 0], "s", "Start of good time interval"),
                                NewColumn("STOP", iv[:, 1], "s", "End of good time interval")],
                        extra_cards=keep)
    return [null_primary_hdu(), filt, gti]


def run(p):
    out = parse_virtual_file(str(p.outfile or ""))
    if not out.path:
        raise ToolError("no output file given")
    check_clobber(out.path, bool(p.clobber))
    limit = str(p.userlimit or "").strip()
    if not limit:
        raise ToolError("no userlimit given")
    for name in ("lkupfile", "mtlfile"):
        v = str(getattr(p, name, "none") or "none").strip()
        if v.lower() != "none":
            raise ToolError(f"{name}={v} is not supported yet (use {name}=none)")
    intervals, view = make_gti(p.infile, limit)
    verbose = int(getattr(p, "verbose", 0) or 0)
    if verbose >= 1:
        print(f"Input MTL file: {p.infile}\nOutput gti file name: {out.path}\n"
              f"Output mtl file name: none\nOutput GTI file: {out.path}", flush=True)
    params = [("infile", p.infile), ("outfile", p.outfile), ("userlimit", limit), ("mtlfile", "none"),
              ("lkupfile", "none"), ("smooth", "yes" if getattr(p, "smooth", True) else "no"),
              ("clobber", "yes" if p.clobber else "no"), ("verbose", verbose)]
    with output_file(out.path, bool(p.clobber)) as tmp:
        write_fits(tmp, gti_file_hdus(intervals, view.header, ("dmgti", params)),
                   compress=out.path.endswith(".gz"))
    return None


main = tool_main("dmgti", run)
