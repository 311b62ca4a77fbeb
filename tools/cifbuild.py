"""cifbuild: write a calibration index file (the XMM-Newton CIF rule) for a folder of
calibration files and a pair of dates.

For every (instrument, calibration type) the constituent chosen is the highest issue whose
validity start (VALDATE) is before the observation date, whose validity end (EVALDATE, if any)
is after it, and whose creation date (DATE) is before the analysis date.
"""
from .errors import ToolError
from .messages import info, warn
from .task import tool_main


def _get(p, name, default=None):
    try:
        value = p[name]
    except (KeyError, TypeError):
        value = getattr(p, name, default)
    return default if value is None else value


def run(p):
    from .caldb.cif import build_cif, scan_ccf_dir, write_cif
    from .caldb.index import format_date, parse_date
    from .outputs import output_file

    out = str(_get(p, "calindexset", "ccf.cif")).strip()
    if not out:
        raise ToolError("Please specify calindexset (the output calibration index file)")
    obs_date = parse_date(_get(p, "observationdate", "now"))
    ana_date = parse_date(_get(p, "analysisdate", "now"))
    category = None if _get(p, "ignorecategory", False) else (str(_get(p, "category", "")).strip() or None)
    rows = scan_ccf_dir(str(_get(p, "ccfpath", ".")), str(_get(p, "fileglob", "*.ccf|*.CCF")),
                        bool(_get(p, "recurse", False)))
    if not rows:
        raise ToolError(f"No calibration files found in {_get(p, 'ccfpath', '.')}")
    selected = build_cif(rows, obs_date, ana_date, category=category)
    types = {(r.instrument.upper(), r.codename.upper()) for r in rows}
    missing = sorted(types - {(r.instrument.upper(), r.codename.upper()) for r in selected})
    for scope, typeid in missing:
        warn(f"NoMatchingCcfConstituents: no valid {scope} {typeid} for observation date "
             f"{format_date(obs_date)} and analysis date {format_date(ana_date)}")
    with output_file(out, bool(_get(p, "clobber", True))) as tmp:
        write_cif(tmp, selected, obs_date, ana_date, fullpath=bool(_get(p, "fullpath", False)))
    info(f"Wrote {out}: {len(selected)} constituents (observation date {format_date(obs_date)}, "
         f"analysis date {format_date(ana_date)})", 1)
    for r in selected:
        info(f"  {r.instrument:<6s} {r.codename:<20s} issue {r.issue}", 2)
    return None


main = tool_main("cifbuild", run)
