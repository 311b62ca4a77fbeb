"""Writing views back to FITS: image and table HDUs, copied/updated blocks, HISTORY records.

Headers follow what CIAO writes (checked against the obs1479 dmcopy images): the source
block's keywords are carried, the data subspace and the coordinate keywords regenerated,
HDUNAME names the block, every HDU gets fresh DATASUM/CHECKSUM.
"""
from __future__ import annotations

import datetime
import re

import numpy as np
from astropy.io import fits

from .. import __version__
from ..errors import ToolError
from .fitsfile import _COLKEY, OutHDU, column_header_cards, write_fits
from .image import DSS_KEY, MTYPE_KEY, PHYS_KEY, STRUCTURAL_KEY, WORLD_KEY
from .wcs import physical_axis_cards

__all__ = ["creator_card", "image_hdu", "table_hdu", "copy_hdu", "gti_hdu", "history_records",
           "parse_history", "write_view",
           "dataset_hdus", "NewColumn", "new_table_hdu", "null_primary_hdu", "other_hdus"]

_BITPIX = {np.dtype("u1"): 8, np.dtype("i2"): 16, np.dtype("i4"): 32, np.dtype("i8"): 64,
           np.dtype("f4"): -32, np.dtype("f8"): -64}
_FITS_COMMENTS = ["  FITS (Flexible Image Transport System) format is defined in 'Astronomy",
                  "  and Astrophysics', volume 376, page 359; bibcode: 2001A&A...376..359H"]


def creator_card(tool):
    """The CREATOR card a tool stamps on what it makes (CIAO writes ``dmimgthresh - CIAO
    4.12``; dmcopy, which only copies, keeps its input's)."""
    return ("CREATOR", f"{tool} - pyciao {__version__}", "tool that created this output")


def _carried(header, extra_skip=None):
    """Cards of ``header`` minus structure, checksums, DSS and coordinate keys."""
    out, history = [], []
    for card in header.cards:
        k = card.keyword
        if k == "HISTORY":
            history.append(card.value)
            continue
        if k == "COMMENT" and any(str(card.value).strip() == c.strip() for c in _FITS_COMMENTS):
            continue
        if STRUCTURAL_KEY.match(k) or DSS_KEY.match(k) or MTYPE_KEY.match(k) or _COLKEY.match(k):
            continue
        if WORLD_KEY.match(k) or PHYS_KEY.match(k):
            continue
        if extra_skip and extra_skip(k):
            continue
        out.append((k, card.value, card.comment))
    return out, history


def _append(h, cards):
    for k, v, c in cards:
        if k in ("COMMENT", "HISTORY", ""):
            h.add_comment(v) if k == "COMMENT" else (h.add_history(v) if k == "HISTORY" else h.add_blank(v))
        else:
            h.append(fits.Card(k, v, c), end=True)


def history_records(tool, params, start, date=None):
    """CIAO-style HISTORY values: ``TOOL  :dmcopy   <date>`` then ``PARM  :name=value``.

    ``params``: [(name, value text)]; long values continue on ``CONT  :`` records. Each value
    is 64 characters plus the ``ASCnnnnn`` sequence number, as CIAO writes them. ``date``:
    the run's date (default now).
    """
    now = date or datetime.datetime.now().strftime("%Y-%m-%dT%H:%M:%S")
    texts = [f" TOOL  :{tool:<8s} {now}"]
    for name, value in params:
        body = f"{name}={value}"
        first, rest = body[:56], body[56:]
        texts.append(f" PARM  :{first}")
        while rest:
            texts.append(f" CONT  :{rest[:56]}")
            rest = rest[56:]
    return [f"{t:<64s}ASC{start + i:05d}" for i, t in enumerate(texts)]


_RECORD = re.compile(r"^ (TOOL|PARM|CONT)  :(.*)ASC\d{5}\s*$")


def parse_history(values):
    """HISTORY values back into the runs they record, the inverse of ``history_records``:
    [(tool, date, [(name, value), ...])]; a value that is no such record comes back as
    (None, value, None)."""
    out, param = [], None
    for value in (str(v) for v in values):
        m = _RECORD.match(value) if len(value) >= 72 else None
        kind, body = (m.group(1), value[8:64]) if m else (None, value)
        if kind == "TOOL":
            tool, _, date = body.strip().partition(" ")
            out.append((tool, date.strip(), []))
        elif kind == "PARM" and out and out[-1][0] is not None:
            param = [body]
            out[-1][2].append(param)
        elif kind == "CONT" and param is not None and out and out[-1][0] is not None:
            param.append(body)
        else:
            out.append((None, value, None))
            param = None
    return [(tool, date, None if params is None else
             [tuple("".join(p).rstrip().split("=", 1)) if "=" in "".join(p)
              else ("".join(p).rstrip(), "") for p in params])
            for tool, date, params in out]


def _history_start(history):
    last = 0
    for h in history:
        m = re.search(r"ASC(\d{5})\s*$", str(h))
        if m:
            last = int(m.group(1))
    return max(last, len(history)) + 1


def _finish_history(h, carried_history, history):
    for v in carried_history:
        h.add_history(v)
    if history:
        tool, params = history
        recs = history_records(tool, params, _history_start(carried_history))
        for r in recs:
            h.add_history(r)
        if "HISTNUM" in h:
            h["HISTNUM"] = len(carried_history) + len(recs)


# --------------------------------------------------------------------------- images
def image_hdu(view, primary=True, history=None):
    """An OutHDU for an ImageView (primary or IMAGE extension)."""
    data = view.data
    if data.dtype.kind == "b":
        data = data.astype(np.int16)
    if data.dtype not in _BITPIX and data.dtype.newbyteorder("=") not in _BITPIX:
        data = data.astype(np.float64 if data.dtype.kind == "f" else np.int32)
    native = data.dtype.newbyteorder("=")
    bitpix = _BITPIX[native]
    null = view.null if native.kind in "iu" else None
    if view.valid is not None:
        data = data.copy()
        if native.kind == "f":
            data[~view.valid] = np.nan
        elif null is not None:
            data[~view.valid] = null
    h = fits.Header()
    if primary:
        h["SIMPLE"] = (True, "file does conform to FITS standard")
    else:
        h["XTENSION"] = ("IMAGE", "Image extension")
    h["BITPIX"] = (bitpix, "number of bits per data pixel")
    h["NAXIS"] = (data.ndim, "number of data axes")
    for i, n in enumerate(reversed(data.shape), start=1):
        h[f"NAXIS{i}"] = (n, "length of data axis")
    if primary:
        h["EXTEND"] = (True, "FITS dataset may contain extensions")
        for c in _FITS_COMMENTS:
            h.add_comment(c)
    else:
        h["PCOUNT"] = (0, "required keyword; must = 0")
        h["GCOUNT"] = (1, "required keyword; must = 1")
        h["EXTNAME"] = (view.name, "name of this image extension")
    h["HDUNAME"] = (view.name, "ASCDM block name")
    carried, carried_hist = _carried(view.header)
    _append(h, carried)
    if null is not None:
        h["BLANK"] = (int(null), "null pixel value")
    _finish_history(h, carried_hist, history)
    _append(h, view.subspace.cards("image", exclude=view.exclude_dss))
    _append(h, _coordinate_cards(view))
    return OutHDU(h, data.astype(native.newbyteorder(">")).tobytes())


def _coordinate_cards(view):
    cards, mt = [], 0
    done = set()
    for i, ax in enumerate(view.axes):
        if i in done:
            continue
        n = i + 1
        if ax.vector and i + 1 < len(view.axes) and view.axes[i + 1].vector == ax.vector:
            mt += 1
            unit = ax.unit or "pixel"
            cards += [(f"MTYPE{mt}", ax.vector, "DM Keyword: Descriptor name."),
                      (f"MFORM{mt}", f"{ax.name},{view.axes[i + 1].name}", f"[{unit}]")]
            cards += physical_axis_cards(n, ax) + physical_axis_cards(n + 1, view.axes[i + 1])
            done.update({i, i + 1})
        else:
            cards += physical_axis_cards(n, ax)
            done.add(i)
    if view.world:
        if view.world.get("mtype"):
            mt += 1
            cards += [(f"MTYPE{mt}", view.world["mtype"], "DM Keyword: Descriptor name."),
                      (f"MFORM{mt}", view.world["mform"], f"[{view.world.get('unit') or 'deg'}]")]
        cards += list(view.world["cards"])
    return cards


# --------------------------------------------------------------------------- tables
def _renumber_mtypes(cards):
    """MTYPEn/MFORMn pairs renumbered 1..k in their order."""
    numbers = {}
    out = []
    for k, v, c in cards:
        old = k[5:]
        new = numbers.setdefault(old, len(numbers) + 1)
        out.append((k[:5] + str(new), v, c))
    return out


def _bintable_header(dtype, nrows):
    """The structural cards of a binary table of ``nrows`` rows of ``dtype``."""
    h = fits.Header()
    h["XTENSION"] = ("BINTABLE", "binary table extension")
    h["BITPIX"] = (8, "8-bit bytes")
    h["NAXIS"] = (2, "2-dimensional binary table")
    h["NAXIS1"] = (dtype.itemsize, "width of table in bytes")
    h["NAXIS2"] = (nrows, "number of rows in table")
    h["PCOUNT"] = (0, "size of special data area")
    h["GCOUNT"] = (1, "one data group (required keyword)")
    h["TFIELDS"] = (len(dtype.names), "number of fields in each row")
    return h


def table_hdu(view, history=None, order=None, records=None):
    """An OutHDU for a TableView: the selected rows of the visible columns.

    ``order``: a permutation of the selected rows (dmsort); ``records``: stored-layout rows
    to write instead of the view's own (dmmerge: the rows of several inputs converted to
    this view's columns, a structured array with the raw fields ``c<index>``)."""
    cols = view.columns
    pairs = view.column_pairs()
    for vis, src in pairs:
        if src.kind == "vla":
            raise ToolError(f"cannot copy variable-length column '{src.name}'")
    raw = view.raw_selected() if records is None else records
    if order is not None:
        raw = raw[np.asarray(order)]
    nrows = len(raw)
    dtype = np.dtype({"names": [f"f{i}" for i in range(len(pairs))],
                      "formats": [src.raw_dtype for _, src in pairs]})
    out = np.empty(nrows, dtype=dtype)
    for i, (_, src) in enumerate(pairs):
        out[f"f{i}"] = raw[f"c{src.index}"]
    h = _bintable_header(dtype, nrows)
    extname = (view.info.extname or view.name) if view.name == view.info.name else view.name
    h["EXTNAME"] = (extname, "name of this binary table extension")
    if "EXTVER" in view.header:
        h["EXTVER"] = view.header["EXTVER"]
    h["HDUNAME"] = (view.name, "ASCDM block name")
    for n, (vis, src) in enumerate(pairs, start=1):
        _append(h, column_header_cards(vis, n))
    names = {c.name.lower() for c in cols}
    all_names = {c.name.lower() for c in view.info.columns}
    def skip(k):
        if MTYPE_KEY.match(k):
            num = k[5:]
            form = str(view.header.get("MFORM" + num, ""))
            comps = [c.strip().lower() for c in form.split(",")]
            in_table = [c in all_names for c in comps]
            return any(in_table) and not all(c in names for c in comps)
        return False
    header = view.updated_header()
    carried, carried_hist = [], []
    mcards = []
    for card in header.cards:
        k = card.keyword
        if k == "HISTORY":
            carried_hist.append(card.value)
        elif STRUCTURAL_KEY.match(k) or _COLKEY.match(k) or DSS_KEY.match(k):
            continue
        elif MTYPE_KEY.match(k):
            num = k[5:]
            key = "MTYPE" + num
            if key in header and not skip(key):
                mcards.append((k, card.value, card.comment))
        else:
            carried.append((k, card.value, card.comment))
    _append(h, carried)
    _finish_history(h, carried_hist, history)
    _append(h, view.subspace.cards("table"))
    _append(h, _renumber_mtypes(mcards))
    return OutHDU(h, out.tobytes())


def copy_hdu(dataset, info, primary=False):
    """A block copied unchanged (header and data), as an extension or as the primary."""
    h = info.header.copy()
    if primary and "XTENSION" in h:
        raise ToolError("cannot copy an extension into the primary block")
    return OutHDU(h, dataset.raw_bytes(info))


def gti_hdu(dataset, info, intervals):
    """A GTI block with its rows replaced by ``intervals`` (START/STOP columns)."""
    h = info.header.copy()
    cols = info.columns
    if len(cols) < 2 or cols[0].name.upper() != "START" or cols[1].name.upper() != "STOP":
        raise ToolError(f"block {info.name} is not a START/STOP GTI table")
    iv = np.asarray(intervals, "f8").reshape(-1, 2)
    dtype = np.dtype({"names": ["a", "b"], "formats": [cols[0].raw_dtype, cols[1].raw_dtype],
                      "offsets": [cols[0].offset, cols[1].offset], "itemsize": info.rowbytes})
    out = np.zeros(len(iv), dtype=dtype)
    out["a"], out["b"] = iv[:, 0], iv[:, 1]
    h["NAXIS2"] = len(iv)
    h["PCOUNT"] = 0
    return OutHDU(h, out.tobytes())


def _null_primary(source_primary=None):
    h = fits.Header()
    h["SIMPLE"] = (True, "file does conform to FITS standard")
    h["BITPIX"] = (8, "number of bits per data pixel")
    h["NAXIS"] = (0, "number of data axes")
    h["EXTEND"] = (True, "FITS dataset may contain extensions")
    if source_primary is not None:
        carried, hist = _carried(source_primary)
        _append(h, carried)
        for v in hist:
            h.add_history(v)
    return OutHDU(h, b"")


def dataset_hdus(view, history=None, all_blocks=True):
    """The HDUs dmcopy writes for a view: the view first (an image as the primary), then the
    input's other blocks (GTIs updated to the view's subspace)."""
    ds = view.source.dataset if view.kind == "image" and view.source is not None \
        else getattr(view, "dataset", None)
    src_info = view.source.info if view.kind == "image" and view.source is not None \
        else getattr(view, "info", None)
    gtis = {}
    sub = view.source if view.kind == "image" and view.source is not None else view
    if getattr(sub, "gti_changed", False):
        gtis = {k.lower(): v for k, v in sub.gti_intervals().items()}
    hdus = []
    if view.kind == "image":
        hdus.append(image_hdu(view, primary=True, history=history))
    elif view.kind == "table":
        prim = ds.blocks[0] if ds is not None else None
        hdus.append(_null_primary(prim.header if prim is not None and prim.kind == "null" else None))
        hdus.append(table_hdu(view, history=history))
    else:
        hdus.append(_null_primary(view.header))
    if all_blocks and ds is not None:
        hdus.extend(_other_blocks(ds, src_info, gtis))
    return hdus


def _other_blocks(ds, src_info, gtis):
    hdus = []
    for b in ds.blocks:
        if src_info is not None and b.number == src_info.number:
            continue
        if b.number == 1:
            if b.kind == "image":
                hdus.append(_as_extension(ds, b))
            continue
        if b.name.lower() in gtis:
            hdus.append(gti_hdu(ds, b, gtis[b.name.lower()]))
        else:
            hdus.append(copy_hdu(ds, b))
    return hdus


def other_hdus(view):
    """The input's blocks other than the view's own, as dmcopy writes them after it (GTIs
    brought up to date with the view's time filters); for tools that write a new first
    block (dmextract's HISTOGRAM, dmsort's sorted table) and keep the rest of the file."""
    sub = view.source if view.kind == "image" and view.source is not None else view
    ds = getattr(sub, "dataset", None)
    if ds is None:
        return []
    gtis = {}
    if getattr(sub, "gti_changed", False):
        gtis = {k.lower(): v for k, v in sub.gti_intervals().items()}
    return _other_blocks(ds, getattr(sub, "info", None), gtis)


def _as_extension(ds, b):
    """A primary image block re-written as an IMAGE extension."""
    from .image import ImageView
    v = ImageView.from_block(ds, b)
    return image_hdu(v, primary=False)


def write_view(path, view, history=None, all_blocks=True, compress=False):
    """Write a view (and the input's other blocks) to ``path`` (caller handles atomicity);
    ``compress`` gzips the file (as CIAO does for output names ending in .gz)."""
    write_fits(path, dataset_hdus(view, history, all_blocks), compress=compress)


# --------------------------------------------------------------------------- new tables
class NewColumn:
    """A column of a table a tool creates (dmextract's HISTOGRAM, dmgti's GTI ...).

    ``values``: a numpy array (rows first; 2-D for fixed-length vectors such as ``R[2]``);
    ``code`` forces the FITS type letter ('J', 'D', 'I', 'E', 'A' ...), else it follows the
    array's dtype; ``width``: the minimum width of a string column (CIAO's SHAPE is 16A).
    ``keys``: extra column keys by stem (``{'TCTYP': 'DT', 'TCRVL': 0.0}``).
    """

    _CODES = {"f8": "D", "f4": "E", "i2": "I", "i4": "J", "i8": "K", "u1": "B", "b1": "L"}

    def __init__(self, name, values, unit=None, comment=None, *, tlmin=None, tlmax=None,
                 code=None, keys=None, width=None):
        self.name, self.unit, self.comment = name, unit, comment
        self.tlmin, self.tlmax, self.keys = tlmin, tlmax, dict(keys or {})
        v = np.asarray(values)
        if code is None:
            if v.dtype.kind in "US":
                code = "A"
            else:
                code = self._CODES.get(v.dtype.newbyteorder("=").str[1:])
                if code is None:
                    raise ToolError(f"cannot write column '{name}' of type {v.dtype}")
        self.code = code
        if code == "A":
            width = max([len(str(x)) for x in v.ravel()] + [int(width or 1)])
            self.values = np.asarray(v, dtype=f"U{width}")
        else:
            self.values = v

    def info(self, index, offset):
        from .fitsfile import ColumnInfo
        v = self.values
        if self.code == "A":
            repeat = int(self.values.dtype.itemsize // 4)
            nbytes = repeat
        else:
            repeat = int(np.prod(v.shape[1:])) if v.ndim > 1 else 1
            nbytes = repeat * {"L": 1, "B": 1, "I": 2, "J": 4, "K": 8, "E": 4, "D": 8}[self.code]
        return ColumnInfo(name=self.name, index=index, code=self.code, repeat=repeat,
                          offset=offset, nbytes=nbytes, unit=self.unit, comment=self.comment,
                          tlmin=self.tlmin, tlmax=self.tlmax, keys=self.keys,
                          tform=f"{repeat}{self.code}")


def new_table_hdu(name, columns, *, header=None, history=None, subspace=None, mtypes=(),
                  extname=None, extra_cards=()):
    """An OutHDU for a new binary table.

    ``columns``: NewColumn list, in output order. ``header``: a source header whose content
    keywords are carried (structure, column, DSS and coordinate keys are not); its HISTORY
    comes first, then ``history=(tool, params)`` is appended as CIAO HISTORY records.
    ``subspace``: a Subspace whose explicit descriptors are written (table mode);
    ``mtypes``: [(vector name, 'X,Y', unit)] vector declarations; ``extra_cards``: (key,
    value, comment) written after the carried keywords (they replace carried ones)."""
    infos, offset = [], 0
    for i, c in enumerate(columns, start=1):
        ci = c.info(i, offset)
        infos.append(ci)
        offset += ci.nbytes
    nrows = len(columns[0].values) if columns else 0
    dtype = np.dtype({"names": [f"f{i}" for i in range(len(infos))],
                      "formats": [ci.raw_dtype for ci in infos]})
    rows = np.zeros(nrows, dtype=dtype)
    for i, (c, ci) in enumerate(zip(columns, infos)):
        vals = c.values
        if ci.code == "A":
            rows[f"f{i}"] = np.char.encode(vals.astype(str), "ascii")
        else:
            rows[f"f{i}"] = ci.encode(vals).reshape(rows[f"f{i}"].shape)
    h = _bintable_header(dtype, nrows)
    h["EXTNAME"] = (extname or name, "name of this binary table extension")
    h["HDUNAME"] = (name, "ASCDM block name")
    for n, ci in enumerate(infos, start=1):
        _append(h, column_header_cards(ci, n))
    extra = {k for k, _, _ in extra_cards}
    carried, carried_hist = _carried(header if header is not None else fits.Header(),
                                     extra_skip=lambda k: k in extra or k in ("EXTVER",))
    _append(h, carried)
    _append(h, [c for c in extra_cards])
    _finish_history(h, carried_hist, history)
    if subspace is not None:
        _append(h, subspace.cards("table"))
    for n, (vec, form, unit) in enumerate(mtypes, start=1):
        _append(h, [(f"MTYPE{n}", vec, "DM Keyword: Descriptor name."),
                    (f"MFORM{n}", form, f"[{unit}]" if unit else "DM Keyword: Descriptor value.")])
    return OutHDU(h, rows.tobytes())


def null_primary_hdu(source_header=None):
    """The empty primary HDU that starts a table file (keywords carried from a source)."""
    return _null_primary(source_header)
