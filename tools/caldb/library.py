"""One lookup for calibration products: a real ``$CALDB`` when set, else the bundled library.

    >>> f = lookup("QE", ccd_id=7, obs_date="2005-06-01")
    >>> f.path, f.extension          # the file and HDU the CALDB rule picked

Both sources are CALDB-style libraries (FITS files declaring CCNMnnnn/CVSDnnnn/CBDmnnnn
keywords, listed in ``caldb.indx`` files) and go through the same rule
(:func:`pyciao.caldb.index.select_caldb`).
"""
from __future__ import annotations

import dataclasses
import functools
import glob
import os

from ..errors import ToolError
from ..messages import warn
from .index import CalRow, parse_date, read_caldb_index, select_caldb

__all__ = ["CalFile", "lookup", "fallback_root", "caldb_root", "index_files",
           "DEFAULT_INSTRUMENT"]

#: Which instrument a codename belongs to when the caller does not say.
DEFAULT_INSTRUMENT = {
    "AXEFFA": "HRMA", "VIGNET": "HRMA", "PSFSIZE": "HRMA", "REEF": "HRMA",
    "GEOM": "TEL", "AIMPTS": "TEL", "TDET": "TEL", "SKY": "TEL",
    "QE": "ACIS", "BADPIX": "ACIS", "CONTAM": "ACIS", "FEF_PHA": "ACIS", "DEAD_AREA": "ACIS",
}


@dataclasses.dataclass(frozen=True)
class CalFile:
    """The answer of a lookup: a FITS file and HDU, plus the index row that chose it."""

    path: str
    extension: int
    row: CalRow
    source: str          # "CALDB" (from $CALDB) or "fallback" (bundled with pyciao)

    def __str__(self):
        return f"{self.path}[{self.extension}]"

    def open(self):
        """The selected HDU (astropy), read into memory."""
        from astropy.io import fits

        with fits.open(self.path) as hdul:
            hdu = hdul[self.extension]
            return hdu.copy() if hasattr(hdu, "copy") else hdu


def fallback_root():
    """The bundled calibration library (a CALDB-style tree inside the package)."""
    return os.path.join(os.path.dirname(__file__), "fallback")


def caldb_root():
    """``$CALDB`` if it names a folder, else None."""
    root = os.environ.get("CALDB", "").strip()
    return root if root and os.path.isdir(root) else None


def index_files(root):
    """The ``caldb.indx`` files of a CALDB tree (``data/<mission>/<instr>/caldb.indx`` etc.)."""
    found = []
    for pattern in ("caldb.indx", "data/*/caldb.indx", "data/*/*/caldb.indx"):
        found.extend(sorted(glob.glob(os.path.join(root, pattern))))
    return found


@functools.lru_cache(maxsize=16)
def _rows_for(root, stamp):
    rows = []
    for idx in index_files(root):
        rows.extend(read_caldb_index(idx))
    return tuple(rows)


def _rows(root):
    stamp = tuple((p, os.path.getmtime(p)) for p in index_files(root))
    return _rows_for(root, stamp)


def lookup(product, *, instrument=None, telescope="CHANDRA", detnam=None, filter=None,
           ccd_id=None, obs_date=None, analysis_date=None, caldb=None, fallback=True,
           **bounds):
    """Find calibration ``product`` (a CALDB codename: QE, AXEFFA, VIGNET, BADPIX, GEOM, ...).

    ``obs_date``: observation date (ISO string or datetime; None = any); ``ccd_id`` and any
    other keyword (``datamode="FAINT"``) are matched against the file's boundary conditions.
    ``caldb``: a CALDB root (default ``$CALDB``); when it has no matching dataset the bundled
    library answers instead (with a warning), unless ``fallback=False``.
    ``analysis_date`` is accepted for symmetry with the XMM rule; CALDB releases carry no
    per-file release date, so it is not used here.
    """
    codename = product.upper()
    instrument = (instrument or DEFAULT_INSTRUMENT.get(codename) or "ACIS").upper()
    if ccd_id is not None:
        bounds["CCD_ID"] = int(ccd_id)
    if obs_date is not None:
        parse_date(obs_date)          # report a bad date as a ToolError early
    if analysis_date is not None:
        parse_date(analysis_date)
    query = dict(telescope=telescope, instrument=instrument, detnam=detnam, filter=filter,
                 bounds=bounds)

    root = caldb if caldb is not None else caldb_root()
    if root:
        if not os.path.isdir(root):
            raise ToolError(f"CALDB directory {root} does not exist")
        row = select_caldb(_rows(os.path.abspath(root)), codename, obs_date, **query)
        if row is not None:
            return CalFile(row.path, row.extension, row, "CALDB")
        if not fallback:
            raise ToolError(_not_found(codename, instrument, obs_date, bounds, root))
        warn(f"no {codename} for {instrument} in CALDB {root}; using pyciao's bundled calibration")
    row = select_caldb(_rows(fallback_root()), codename, obs_date, **query)
    if row is None:
        raise ToolError(_not_found(codename, instrument, obs_date, bounds, "pyciao's bundled calibration"))
    return CalFile(row.path, row.extension, row, "fallback")


def _not_found(codename, instrument, obs_date, bounds, where):
    extra = "".join(f" {k}={v}" for k, v in bounds.items())
    date = f" for {obs_date}" if obs_date else ""
    return f"Unable to find a {codename} file for {instrument}{extra}{date} in {where}"
