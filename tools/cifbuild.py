"""cifbuild: write a calibration index file (the XMM-Newton CIF rule) for a folder of
calibration files and a pair of dates.

For every (instrument, calibration type) the constituent chosen is the highest issue whose
validity start (VALDATE) is before the observation date, whose validity end (EVALDATE, if any)
is after it, and whose creation date (DATE) is before the analysis date.
"""
from .errors import ToolError
from .messages import info, warn
from .task import get_param, tool_main


def run(p):
    from .caldb.cif import build_cif, scan_ccf_dir, write_cif
    from .caldb.index import format_date, parse_date
    from .outputs import output_file

    out = str(get_param(p, "calindexset", "ccf.cif")).strip()
    if not out:
        raise ToolError("Please specify calindexset (the output calibration index file)")
    obs_date = parse_date(get_param(p, "observationdate", "now"))
    ana_date = parse_date(get_param(p, "analysisdate", "now"))
    category = None if get_param(p, "ignorecategory", False) else (str(get_param(p, "category", "")).strip() or None)
    rows = scan_ccf_dir(str(get_param(p, "ccfpath", ".")), str(get_param(p, "fileglob", "*.ccf|*.CCF")),
                        bool(get_param(p, "recurse", False)))
    if not rows:
        raise ToolError(f"No calibration files found in {get_param(p, 'ccfpath', '.')}")
    selected = build_cif(rows, obs_date, ana_date, category=category)
    types = {(r.instrument.upper(), r.codename.upper()) for r in rows}
    missing = sorted(types - {(r.instrument.upper(), r.codename.upper()) for r in selected})
    for scope, typeid in missing:
        warn(f"NoMatchingCcfConstituents: no valid {scope} {typeid} for observation date "
             f"{format_date(obs_date)} and analysis date {format_date(ana_date)}")
    with output_file(out, bool(get_param(p, "clobber", True))) as tmp:
        write_cif(tmp, selected, obs_date, ana_date, fullpath=bool(get_param(p, "fullpath", False)))
    info(f"Wrote {out}: {len(selected)} constituents (observation date {format_date(obs_date)}, "
         f"analysis date {format_date(ana_date)})", 1)
    for r in selected:
        info(f"  {r.instrument:<6s} {r.codename:<20s} issue {r.issue}", 2)
    return None


main = tool_main("cifbuild", run)
