"""A FITS file as comparable text: header keys and data statistics, HDU by HDU.

Each line names its HDU (``[1 EVENTS]``) so a changed line reads on its own in a diff:

    [0 PRIMARY] image 595 x 596 float32 (BITPIX -32)
    [0 PRIMARY] BITPIX  =                  -32 / number of bits per data pixel
    [0 PRIMARY] data: finite 354620, nan 0, nonzero 281177, sum 684709, mean 1.930825, ...
    [1 EVENTS] table 1306 rows x 19 columns
    [1 EVENTS] col energy (E, eV): min 501.2 max 6998 mean 2203.4 first 1022.5 last 3411.2

Images get the count of finite/NaN/non-zero pixels, sum, mean, standard deviation, minimum and
maximum with their first (x, y) position (1-based, FITS order) and the intensity-weighted
centroid, so a shifted, rescaled or re-binned image changes at least one number. Table columns
get min, max and mean plus the first and last values (row order counts), strings the number of
distinct values. CHECKSUM and DATASUM are left out (they change with DATE); the comparison
masks today's dates anyway. Of long HISTORY runs (an event file carries hundreds of records
from its processing) the count and the last twelve are kept: those are the ones the step wrote.
"""
from __future__ import annotations

import gzip
import warnings

import numpy as np

_SKIP_KEYS = {"CHECKSUM", "DATASUM"}
HISTORY_SHOWN = 12      # a file's last HISTORY records (the ones the step's tool just wrote)


def is_fits(path):
    """Does the file start like a FITS file (possibly gzip-compressed)?"""
    try:
        with open(path, "rb") as fh:
            head = fh.read(2)
            fh.seek(0)
            if head == b"\x1f\x8b":
                with gzip.open(fh) as gz:
                    start = gz.read(9)
            else:
                start = fh.read(9)
    except (OSError, EOFError):
        return False
    return start == b"SIMPLE  ="


def _g(x):
    """Numbers as dmstat prints them: up to 10 significant digits."""
    if isinstance(x, (bool, np.bool_)):
        return "T" if x else "F"
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    x = float(x)
    if np.isnan(x):
        return "nan"
    if np.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:.10g}"


def _image_lines(tag, data):
    shape = " x ".join(str(n) for n in reversed(data.shape))
    lines = [f"{tag} image {shape} {data.dtype.name}"]
    values = np.asarray(data)
    if values.size == 0:
        return lines
    if values.dtype.kind in "iub":
        work = values.astype(np.float64)
        finite = np.ones(values.shape, dtype=bool)
    else:
        work = values.astype(np.float64)
        finite = np.isfinite(work)
    nfinite = int(finite.sum())
    parts = [f"finite {nfinite}", f"nan {int(np.isnan(work).sum())}",
             f"nonzero {int(np.count_nonzero(work[finite]))}"]
    if nfinite:
        vals = work[finite]
        total = vals.sum(dtype=np.float64)
        parts += [f"sum {_g(total)}", f"mean {_g(vals.mean())}", f"sigma {_g(vals.std())}"]
        lines.append(f"{tag} data: " + ", ".join(parts))
        masked = np.where(finite, work, np.nan)
        for label, fn in (("min", np.nanargmin), ("max", np.nanargmax)):
            idx = np.unravel_index(fn(masked), values.shape)
            pos = ", ".join(str(i + 1) for i in reversed(idx))
            lines.append(f"{tag} data: {label} {_g(work[idx])} at ({pos})")
        weights = np.where(finite & (work > 0), work, 0.0)
        wsum = weights.sum()
        if wsum > 0 and values.ndim <= 3:
            grids = np.indices(values.shape)
            cen = [float((g * weights).sum() / wsum) + 1 for g in grids]
            lines.append(f"{tag} data: centroid (" + ", ".join(_g(c) for c in reversed(cen)) + ")")
    else:
        lines.append(f"{tag} data: " + ", ".join(parts))
    return lines


def _column_lines(tag, hdu):
    cols = hdu.columns
    data = hdu.data
    nrows = 0 if data is None else len(data)
    lines = [f"{tag} table {nrows} rows x {len(cols)} columns"]
    for col in cols:
        head = f"{tag} col {col.name} ({col.format}" + (f", {col.unit}" if col.unit else "") + ")"
        if nrows == 0:
            lines.append(head)
            continue
        try:
            values = data[col.name]
        except Exception as exc:      # a column astropy cannot decode: say so, keep going
            lines.append(f"{head}: unreadable ({type(exc).__name__})")
            continue
        if getattr(values, "dtype", None) is None or values.dtype == object:
            lines.append(f"{head}: variable-length")
            continue
        values = np.asarray(values)
        if values.dtype.kind in "SU":
            flat = values.reshape(nrows, -1)
            first, last = flat[0].tolist(), flat[-1].tolist()
            show = (lambda v: repr(v[0]) if len(v) == 1 else repr(v))
            lines.append(f"{head}: distinct {len(np.unique(values))}, first {show(first)}, "
                         f"last {show(last)}")
        elif values.dtype.kind == "b":
            lines.append(f"{head}: true {int(values.sum())} of {values.size}")
        else:
            work = values.astype(np.float64).reshape(nrows, -1)
            finite = np.isfinite(work)
            parts = []
            if finite.any():
                vals = work[finite]
                parts = [f"min {_g(vals.min())}", f"max {_g(vals.max())}", f"mean {_g(vals.mean())}"]
            if not finite.all():
                parts.append(f"nan {int((~finite).sum())}")
            row = (lambda r: _g(r[0]) if len(r) == 1 else "[" + " ".join(_g(v) for v in r) + "]")
            if values.dtype.kind in "iu":
                work_rows = values.reshape(nrows, -1)
                parts += [f"first {row(work_rows[0])}", f"last {row(work_rows[-1])}"]
            else:
                parts += [f"first {row(work[0])}", f"last {row(work[-1])}"]
            lines.append(f"{head}: " + ", ".join(parts))
    return lines


def summarize(path):
    """The text summary of a FITS file (see the module docstring)."""
    from astropy.io import fits

    lines = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with fits.open(path, memmap=False) as hdul:
            for k, hdu in enumerate(hdul):
                name = hdu.name or ("PRIMARY" if k == 0 else "")
                tag = f"[{k} {name}]" if name else f"[{k}]"
                cards = [c for c in hdu.header.cards if c.keyword not in _SKIP_KEYS]
                history = [k for k, c in enumerate(cards) if c.keyword == "HISTORY"]
                hidden = set(history[:-HISTORY_SHOWN])
                for k, card in enumerate(cards):
                    if k in hidden:
                        if k == history[0]:
                            lines.append(f"{tag} HISTORY: {len(history)} records, the last "
                                         f"{HISTORY_SHOWN} follow in place")
                        continue
                    image = card.image.rstrip()
                    for start in range(0, max(len(image), 1), 80):
                        lines.append(f"{tag} {image[start:start + 80].rstrip()}")
                if isinstance(hdu, (fits.BinTableHDU, fits.TableHDU)):
                    lines.extend(_column_lines(tag, hdu))
                elif hdu.data is not None:
                    lines.extend(_image_lines(tag, hdu.data))
                else:
                    lines.append(f"{tag} no data")
    return "\n".join(lines) + "\n"
