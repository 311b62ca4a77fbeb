"""XMM-Newton calibration index files (CIF): reading CCF constituents and writing ``ccf.cif``.

A CCF constituent is identified by (scope/instrument, calibration type, issue) and carries the
dates the rule needs: VALDATE (validity start), optional EVALDATE (validity end) and DATE
(when the file was made, compared with the analysis date). We read them from the primary
header; identity keywords missing there are taken from the file name
``<SCOPE>_<TYPEID>_<ISSUE>.CCF``.
"""
from __future__ import annotations

import fnmatch
import os
import re

from ..errors import ToolError
from .index import CalRow, format_date, parse_date, select_cif

__all__ = ["read_ccf", "scan_ccf_dir", "build_cif", "write_cif", "read_cif"]

_NAME_RE = re.compile(r"^(?P<scope>[^_]+)_(?P<type>.+)_(?P<issue>\d+)\.ccf$", re.IGNORECASE)


def read_ccf(path):
    """The :class:`CalRow` of one CCF file."""
    from astropy.io import fits

    try:
        header = fits.getheader(path, 0)
    except (OSError, ValueError) as exc:
        raise ToolError(f"Unable to read calibration file {path}: {exc}") from None
    name = os.path.basename(path)
    m = _NAME_RE.match(name)
    scope = header.get("SCOPE") or header.get("INSTRUME") or (m and m.group("scope"))
    typeid = header.get("TYPEID") or header.get("CCFTYPE") or (m and m.group("type"))
    issue = header.get("ISSUE", None)
    if issue is None and m:
        issue = int(m.group("issue"))
    if not scope or not typeid or issue is None:
        raise ToolError(f"{path}: cannot tell the instrument, type and issue of this CCF file")
    if "VALDATE" not in header:
        raise ToolError(f"{path}: no VALDATE keyword")
    return CalRow(
        codename=str(typeid).strip(),
        path=os.path.abspath(path),
        telescope=str(header.get("TELESCOP", "XMM")).strip(),
        instrument=str(scope).strip(),
        issue=int(issue),
        valid_start=parse_date(header["VALDATE"], now_ok=False),
        valid_end=parse_date(header["EVALDATE"], now_ok=False) if header.get("EVALDATE") else None,
        release_date=parse_date(header["DATE"], now_ok=False) if header.get("DATE") else None,
        category=str(header.get("CATEGORY", "")).strip(),
    )


def scan_ccf_dir(paths, fileglob="*.ccf|*.CCF", recurse=False):
    """Every CCF constituent in the folders ``paths`` (a list, or a ``:``/space separated string)."""
    if isinstance(paths, str):
        paths = [p for p in re.split(r"[:\s]+", paths) if p]
    patterns = [g for g in fileglob.split("|") if g]
    rows = []
    for folder in paths:
        if not os.path.isdir(folder):
            raise ToolError(f"Calibration directory {folder} does not exist")
        walker = os.walk(folder) if recurse else [(folder, [], os.listdir(folder))]
        for dirpath, _dirs, files in walker:
            for fname in sorted(files):
                if any(fnmatch.fnmatchcase(fname, g) for g in patterns):
                    rows.append(read_ccf(os.path.join(dirpath, fname)))
    return rows


def build_cif(rows, obs_date, analysis_date, *, category=None):
    """The constituents the CIF rule selects, sorted by (scope, type)."""
    chosen = select_cif(rows, obs_date, analysis_date, category=category)
    return [chosen[k] for k in sorted(chosen)]


def write_cif(path, selected, obs_date, analysis_date, *, fullpath=False):
    """Write a ``CALINDEX`` table (TELESCOP, SCOPE, TYPEID, ISSUE, CFILENAME, EXPORTED, VALDATE,
    EVALDATE) with the two dates recorded as OBSDATE and ANALDATE keywords."""
    import numpy as np
    from astropy.io import fits

    def s(values, width):
        return np.array(values, dtype=f"S{width}")

    names = [r.path if fullpath else os.path.basename(r.path) for r in selected]
    width = max([len(n) for n in names] + [1])
    cols = [
        fits.Column("TELESCOP", "4A", array=s([r.telescope for r in selected], 4)),
        fits.Column("SCOPE", "6A", array=s([r.instrument for r in selected], 6)),
        fits.Column("TYPEID", "32A", array=s([r.codename for r in selected], 32)),
        fits.Column("ISSUE", "1J", array=np.array([r.issue for r in selected], "i4")),
        fits.Column("CFILENAME", f"{width}A", array=s(names, width)),
        fits.Column("EXPORTED", "1L", array=np.ones(len(selected), bool)),
        fits.Column("VALDATE", "19A", array=s([format_date(r.valid_start) for r in selected], 19)),
        fits.Column("EVALDATE", "19A",
                    array=s([format_date(r.valid_end) if r.valid_end else "" for r in selected], 19)),
    ]
    hdu = fits.BinTableHDU.from_columns(cols, name="CALINDEX")
    hdu.header["OBSDATE"] = (format_date(parse_date(obs_date)), "observation date used for the CIF")
    hdu.header["ANALDATE"] = (format_date(parse_date(analysis_date)), "analysis date used for the CIF")
    hdu.header["CREATOR"] = "cifbuild (pyciao)"
    fits.HDUList([fits.PrimaryHDU(), hdu]).writeto(path, overwrite=True, checksum=True)


def read_cif(path):
    """[(scope, typeid, issue, filename)] from a CIF written by :func:`write_cif`."""
    from astropy.io import fits

    with fits.open(path) as hdul:
        d = hdul["CALINDEX"].data
        return [(str(r["SCOPE"]).strip(), str(r["TYPEID"]).strip(), int(r["ISSUE"]),
                 str(r["CFILENAME"]).strip()) for r in d]
