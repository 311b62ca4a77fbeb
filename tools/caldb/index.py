"""Calibration index rows and the two selection rules behind ``caldb.lookup``.

* Chandra / OGIP CALDB (``caldb.indx``, OGIP CAL/GEN/92-008): keep rows of the right telescope,
  instrument, codename and boundary conditions with quality 0 whose validity starts at or before
  the observation time (and, when a validity end is recorded, ends after it); the latest
  validity start wins, ties going to the row indexed last.
* XMM-Newton CIF rule (SAS cifbuild): of all files of one calibration type, take the highest
  issue whose validity start (VALDATE) is before the observation date, whose validity end
  (EVALDATE, if any) is after it, and whose creation date (DATE) is before the analysis date.

Both rules work on plain :class:`CalRow` objects, so they are tested without any file.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import os
import re

from ..errors import ToolError

__all__ = [
    "CalRow", "parse_date", "format_date", "parse_boundary", "boundaries_match",
    "select_caldb", "select_cif", "rows_from_header", "read_caldb_index", "write_caldb_index",
]

_DATE_RE = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*$")


def parse_date(value, *, now_ok=True):
    """``YYYY-MM-DD[Thh:mm[:ss[.fff]]]`` (or ``now``, or a datetime) -> naive UTC datetime.

    XMM dates such as ``2000-02-06T16:49:60`` (a leap-second style 60) are accepted: the
    seconds roll over into the next minute.
    """
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, _dt.date):
        return _dt.datetime(value.year, value.month, value.day)
    text = str(value).strip()
    if now_ok and text.lower() == "now":
        return _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    m = _DATE_RE.match(text)
    if not m:
        raise ToolError(f"Invalid date '{text}': expected YYYY-MM-DDThh:mm:ss")
    y, mo, d, hh, mm, ss, frac = m.groups()
    try:
        base = _dt.datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0))
    except ValueError as exc:
        raise ToolError(f"Invalid date '{text}': {exc}") from None
    seconds = int(ss or 0) + (float("0." + frac) if frac else 0.0)
    if seconds > 61:
        raise ToolError(f"Invalid date '{text}': seconds out of range")
    return base + _dt.timedelta(seconds=seconds)


def format_date(value):
    """datetime -> ``YYYY-MM-DDThh:mm:ss``."""
    return value.strftime("%Y-%m-%dT%H:%M:%S")


@dataclasses.dataclass
class CalRow:
    """One calibration dataset (a CALDB index row or one XMM CCF constituent)."""

    codename: str                       # CAL_CNAM (CALDB) or TYPEID (XMM)
    path: str                           # file path (absolute, or relative to the index root)
    extension: int = 0                  # HDU number (CAL_XNO)
    telescope: str = "CHANDRA"
    instrument: str = ""                # INSTRUME (CALDB) or SCOPE (XMM)
    detnam: str = "-"
    filter: str = "-"
    boundaries: tuple = ()              # CBD expressions, e.g. ("CCD_ID(3)", "DATAMODE(FAINT,VFAINT)")
    valid_start: _dt.datetime | None = None
    valid_end: _dt.datetime | None = None
    quality: int = 0
    issue: int | None = None            # XMM ISSUE
    release_date: _dt.datetime | None = None   # XMM DATE (file creation)
    category: str = ""                  # XMM CATEGORY
    cal_class: str = "BCF"
    datatype: str = "DATA"
    description: str = ""
    index_date: _dt.datetime | None = None


# --- boundary conditions ------------------------------------------------------------------

_CBD_RE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_\-]*)\s*\((.*)\)\s*([A-Za-z]*)\s*$")


def parse_boundary(expr):
    """``CCD_ID(0)`` / ``DATAMODE(FAINT,VFAINT)`` / ``ENERGY(0.1-10)keV`` -> (NAME, [items]).

    Each item is a string, or a ``(lo, hi)`` float pair for a ``lo-hi`` numeric range.
    Returns None for an empty or ``NONE`` expression.
    """
    if expr is None:
        return None
    text = str(expr).strip()
    if not text or text.upper() in ("NONE", "-"):
        return None
    m = _CBD_RE.match(text)
    if not m:
        raise ToolError(f"Invalid calibration boundary expression '{text}'")
    name, body, _unit = m.groups()
    items = []
    for part in body.split(","):
        part = part.strip()
        rng = re.match(r"^([-+]?[\d.eE+]+)\s*-\s*([-+]?[\d.eE+]+)$", part)
        if rng:
            try:
                items.append((float(rng.group(1)), float(rng.group(2))))
                continue
            except ValueError:
                pass
        items.append(part)
    return name.upper(), items


def _item_matches(item, value):
    if isinstance(item, tuple):
        try:
            v = float(value)
        except (TypeError, ValueError):
            return False
        return item[0] <= v <= item[1]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return float(item) == float(value)
        except ValueError:
            return False
    return item.upper() == str(value).strip().upper()


def boundaries_match(boundaries, bounds):
    """True when every boundary naming a parameter given in ``bounds`` admits its value.

    Parameters the query does not give are not checked (quzcif's ``-`` convention).
    """
    wanted = {k.upper(): v for k, v in (bounds or {}).items() if v is not None}
    for expr in boundaries:
        parsed = parse_boundary(expr)
        if parsed is None:
            continue
        name, items = parsed
        if name not in wanted:
            continue
        if not any(_item_matches(item, wanted[name]) for item in items):
            return False
    return True


def _matches_name(row_value, wanted):
    """CALDB string match: ``-``/``NONE``/empty in a row match anything; else exact (no case)."""
    if wanted is None:
        return True
    rv = (row_value or "").strip().upper()
    if rv in ("", "-", "NONE", "ANY"):
        return True
    return rv == str(wanted).strip().upper()


# --- the two selection rules --------------------------------------------------------------

def select_caldb(rows, codename, obs_date, *, telescope=None, instrument=None, detnam=None,
                 filter=None, bounds=None):
    """The CALDB rule; returns the chosen :class:`CalRow` or None."""
    when = parse_date(obs_date) if obs_date is not None else None
    best = None
    best_key = None
    for i, row in enumerate(rows):
        if row.codename.upper() != codename.upper():
            continue
        if telescope and row.telescope.upper() != telescope.upper():
            continue
        if instrument and row.instrument.upper() != instrument.upper():
            continue
        if not _matches_name(row.detnam, detnam) or not _matches_name(row.filter, filter):
            continue
        if row.quality != 0:
            continue
        if when is not None:
            if row.valid_start is not None and row.valid_start > when:
                continue
            if row.valid_end is not None and not when < row.valid_end:
                continue
        if not boundaries_match(row.boundaries, bounds):
            continue
        key = (row.valid_start or _dt.datetime.min, i)
        if best_key is None or key > best_key:
            best, best_key = row, key
    return best


def select_cif(rows, obs_date, analysis_date, *, category=None):
    """The XMM CIF rule, for every calibration type at once.

    Returns ``{(scope, typeid): CalRow}``: per type, the highest issue with
    VALDATE <= observation date < EVALDATE (when present) and DATE <= analysis date.
    Types with no valid candidate are absent (SAS warns ``NoMatchingCcfConstituents``).
    """
    obs = parse_date(obs_date)
    ana = parse_date(analysis_date)
    chosen = {}
    for row in rows:
        if category and row.category and row.category.upper() != category.upper():
            continue
        if row.valid_start is None or row.valid_start > obs:
            continue
        if row.valid_end is not None and not obs < row.valid_end:
            continue
        if row.release_date is not None and row.release_date > ana:
            continue
        key = (row.instrument.upper(), row.codename.upper())
        old = chosen.get(key)
        if old is None or (row.issue or 0) > (old.issue or 0):
            chosen[key] = row
    return chosen


# --- CALDB headers and index files -------------------------------------------------------

def _header_date(date, time=None):
    if date is None or str(date).strip() in ("", "-"):
        return None
    text = str(date).strip()
    if "T" not in text and time:
        text = f"{text}T{str(time).strip()}"
    return parse_date(text, now_ok=False)


def rows_from_header(header, path, extension):
    """The CALDB datasets an HDU declares (CCLSnnnn, CCNMnnnn, CBDmnnnn, CVSDnnnn, ...)."""
    rows = []
    sets = sorted({k[4:] for k in header.keys() if re.match(r"^CCNM\d{4}$", k)})
    for n in sets:
        bnds = []
        for m in range(1, 10):
            key = f"CBD{m}{n}"
            if key in header and str(header[key]).strip():
                bnds.append(str(header[key]).strip())
        start = _header_date(header.get(f"CVSD{n}"), header.get(f"CVST{n}"))
        end = _header_date(header.get(f"CVED{n}"), header.get(f"CVET{n}")) \
            if f"CVED{n}" in header else None
        rows.append(CalRow(
            codename=str(header[f"CCNM{n}"]).strip(),
            path=path, extension=extension,
            telescope=str(header.get("TELESCOP", "CHANDRA")).strip(),
            instrument=str(header.get("INSTRUME", "")).strip(),
            detnam=str(header.get("DETNAM", "-")).strip() or "-",
            filter=str(header.get("FILTER", "-")).strip() or "-",
            boundaries=tuple(bnds),
            valid_start=start, valid_end=end,
            quality=int(header.get("CAL_QUAL", 0) or 0),
            cal_class=str(header.get(f"CCLS{n}", "BCF")).strip(),
            datatype=str(header.get(f"CDTP{n}", "DATA")).strip(),
            description=str(header.get(f"CDES{n}", "")).strip(),
        ))
    return rows


def index_fits_file(path, relpath=None):
    """Every CALDB dataset declared in the headers of the FITS file ``path``."""
    from astropy.io import fits

    rows = []
    with fits.open(path) as hdul:
        for i, hdu in enumerate(hdul):
            rows.extend(rows_from_header(hdu.header, relpath or path, i))
    return rows


_MJD0 = _dt.datetime(1858, 11, 17)


def _mjd(when):
    return (when - _MJD0).total_seconds() / 86400.0 if when else 0.0


def write_caldb_index(path, rows, *, root):
    """Write an OGIP ``caldb.indx`` for ``rows`` (paths relative to the CALDB ``root``).

    Columns follow OGIP CAL/GEN/92-008; ``CAL_VED``/``CAL_VET`` (validity end, empty when
    open) are our addition so that CXC CVEDnnnn keywords survive indexing.
    """
    import numpy as np
    from astropy.io import fits

    today = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d")
    dirs, files = [], []
    for r in rows:
        rel = os.path.relpath(os.path.join(root, r.path), root) if not os.path.isabs(r.path) \
            else os.path.relpath(r.path, root)
        dirs.append(os.path.dirname(rel) or ".")
        files.append(os.path.basename(rel))
    cbd = np.array([[(list(r.boundaries) + ["NONE"] * 9)[k] for k in range(9)] for r in rows]
                   or np.zeros((0, 9)), dtype="S70").reshape(len(rows), 9)

    def strcol(name, values, width):
        return fits.Column(name=name, format=f"{width}A", array=np.array(values, dtype=f"S{width}"))

    cols = [
        strcol("TELESCOP", [r.telescope for r in rows], 10),
        strcol("INSTRUME", [r.instrument for r in rows], 10),
        strcol("DETNAM", [r.detnam for r in rows], 20),
        strcol("FILTER", [r.filter for r in rows], 10),
        strcol("CAL_DEV", ["ONLINE"] * len(rows), 20),
        strcol("CAL_DIR", dirs, 70),
        strcol("CAL_FILE", files, 40),
        strcol("CAL_CLAS", [r.cal_class for r in rows], 3),
        strcol("CAL_DTYP", [r.datatype for r in rows], 4),
        strcol("CAL_CNAM", [r.codename for r in rows], 20),
        fits.Column(name="CAL_CBD", format="630A", dim="(70,9)", array=cbd),
        fits.Column(name="CAL_XNO", format="1I", array=np.array([r.extension for r in rows], "i2")),
        strcol("CAL_VSD", [r.valid_start.strftime("%Y-%m-%d") if r.valid_start else "" for r in rows], 10),
        strcol("CAL_VST", [r.valid_start.strftime("%H:%M:%S") if r.valid_start else "" for r in rows], 8),
        strcol("CAL_VED", [r.valid_end.strftime("%Y-%m-%d") if r.valid_end else "" for r in rows], 10),
        strcol("CAL_VET", [r.valid_end.strftime("%H:%M:%S") if r.valid_end else "" for r in rows], 8),
        fits.Column(name="REF_TIME", format="1D", unit="d",
                    array=np.array([_mjd(r.valid_start) for r in rows], "f8")),
        fits.Column(name="CAL_QUAL", format="1I", array=np.array([r.quality for r in rows], "i2")),
        strcol("CAL_DATE", [(r.index_date.strftime("%Y-%m-%d") if r.index_date else today)
                            for r in rows], 10),
        strcol("CAL_DESC", [r.description for r in rows], 70),
    ]
    hdu = fits.BinTableHDU.from_columns(cols, name="CIF")
    hdu.header["CIFVERSN"] = ("1992a", "Version of CIF format")
    hdu.header["TELESCOP"] = rows[0].telescope if rows else "CHANDRA"
    hdu.header["CREATOR"] = "pyciao caldb"
    primary = fits.PrimaryHDU()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fits.HDUList([primary, hdu]).writeto(path, overwrite=True)


def read_caldb_index(path):
    """Rows of an OGIP ``caldb.indx``; paths are made absolute from the CALDB root.

    The root is the directory against which CAL_DIR is relative: ``$CALDB`` for a real
    CALDB. We take it as the nearest ancestor of the index in which CAL_DIR exists.
    """
    from astropy.io import fits

    path = os.path.abspath(path)
    with fits.open(path) as hdul:
        data = hdul[1].data
        names = [n.upper() for n in data.columns.names]

        def col(name, default=""):
            return data[name] if name in names else [default] * len(data)

        rows = []
        for i in range(len(data)):
            cal_dir = str(col("CAL_DIR")[i]).strip()
            cal_file = str(col("CAL_FILE")[i]).strip()
            cbd = col("CAL_CBD", ())[i]
            if isinstance(cbd, str):
                cbd = [cbd[k:k + 70] for k in range(0, len(cbd), 70)]
            bnds = tuple(b.strip() for b in cbd if str(b).strip() and str(b).strip().upper() != "NONE")
            vsd = str(col("CAL_VSD")[i]).strip()
            vst = str(col("CAL_VST")[i]).strip()
            ved = str(col("CAL_VED")[i]).strip() if "CAL_VED" in names else ""
            vet = str(col("CAL_VET")[i]).strip() if "CAL_VET" in names else ""
            rows.append(CalRow(
                codename=str(col("CAL_CNAM")[i]).strip(),
                path=_resolve(path, cal_dir, cal_file),
                extension=int(col("CAL_XNO", 0)[i]),
                telescope=str(col("TELESCOP")[i]).strip(),
                instrument=str(col("INSTRUME")[i]).strip(),
                detnam=str(col("DETNAM", "-")[i]).strip() or "-",
                filter=str(col("FILTER", "-")[i]).strip() or "-",
                boundaries=bnds,
                valid_start=_header_date(vsd, vst) if vsd else None,
                valid_end=_header_date(ved, vet) if ved else None,
                quality=int(col("CAL_QUAL", 0)[i]),
                cal_class=str(col("CAL_CLAS", "BCF")[i]).strip(),
                datatype=str(col("CAL_DTYP", "DATA")[i]).strip(),
                description=str(col("CAL_DESC")[i]).strip(),
            ))
    return rows


def _resolve(index_path, cal_dir, cal_file):
    folder = os.path.dirname(index_path)
    candidates = []
    while True:
        candidates.append(os.path.join(folder, cal_dir, cal_file))
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    for c in candidates:
        if os.path.exists(c):
            return c
    return candidates[0]
