"""dmimgthresh: replace the pixels of an image where a test image fails a cut.

Thread step (spec dm.md §6.2, science.md §5.1)::

    dmimgthresh 11823.i0123.img 11823.i0123.thresh.img expfile=bin8.expmap cut=1.5% cl+
    dmimgthresh bin8.expmap bin8.thresh.expmap cut=1.5% cl+

The test image is ``expfile`` (the exposure map), or the input itself when ``expfile`` is
empty. ``cut`` is ``T`` (lower limit), ``lo:hi``, ``:hi`` or ``lo:``; each limit may end in
``%`` (a percentage of the test image's maximum). A pixel is replaced by ``value`` when its
test value is strictly below ``lo`` or strictly above ``hi``, comparing with the cut as
computed, not rounded: CIAO's own regression output (dmimgfilt test data: ``cut=30%`` on an
integer image of maximum 17 replaces the pixels of value 5, below 5.1) and the help's
``19:19`` keeping only 19 both say so; the help's "truncated for integer images" is not what
that output shows. ``cut=INDEF`` (or empty) replaces only NaN test pixels. ``value=INDEF``
makes replaced pixels null (NaN, or the BLANK value of an integer image).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .dm.syntax import parse_virtual_file
from .dm.virtual import open_virtual
from .dm.writer import creator_card, image_hdu, write_fits
from .errors import ToolError
from .outputs import check_clobber, output_file
from .task import tool_main

__all__ = ["Cut", "parse_cut", "cut_limits", "threshold_image", "run", "main"]


@dataclass(frozen=True)
class Cut:
    """Lower and upper limits (None = open); ``*_pct`` marks a percentage of the maximum."""
    lo: float | None = None
    hi: float | None = None
    lo_pct: bool = False
    hi_pct: bool = False

    @property
    def nan_only(self):
        return self.lo is None and self.hi is None


_LIMIT = re.compile(r"^\s*([-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)\s*(%?)\s*$")


def _limit(text, cut):
    if not text.strip():
        return None, False
    m = _LIMIT.match(text)
    if not m:
        raise ToolError(f"cannot read the cut '{cut}' (use a value, a percentage like 1.5%, "
                        "or lo:hi)")
    return float(m.group(1)), bool(m.group(4))


def parse_cut(text):
    """``'400'``, ``'1.5%'``, ``'20:80'``, ``':80%'``, ``'lo:'``, ``'INDEF'``/``''`` -> Cut."""
    text = "" if text is None else str(text).strip()
    if text.upper() in ("", "INDEF"):
        return Cut()
    if text.count(":") > 1:
        raise ToolError(f"cannot read the cut '{text}' (too many ':')")
    if ":" in text:
        a, b = text.split(":")
        lo, lp = _limit(a, text)
        hi, hp = _limit(b, text)
        if lo is None and hi is None:
            raise ToolError(f"cannot read the cut '{text}' (no limits)")
        return Cut(lo, hi, lp, hp)
    lo, lp = _limit(text, text)
    return Cut(lo, None, lp, False)


def cut_limits(cut, test):
    """The numeric (lo, hi) of a Cut for this test image (percentages of its maximum)."""
    finite = test[np.isfinite(test)] if test.dtype.kind == "f" else test
    peak = float(finite.max()) if finite.size else 0.0
    def resolve(v, pct):
        if v is None:
            return None
        return v * peak / 100.0 if pct else v
    return resolve(cut.lo, cut.lo_pct), resolve(cut.hi, cut.hi_pct)


def threshold_image(img, expmap=None, cut="", value=0.0):
    """The thresholded copy of ``img`` (numpy array).

    ``expmap``: the test image (same shape) or None to test ``img`` itself; ``cut``: a Cut
    or its text; ``value``: the replacement (None = NaN for real images; integer images
    need a number)."""
    img = np.asarray(img)
    test = img if expmap is None else np.asarray(expmap)
    if test.shape != img.shape:
        raise ToolError(f"the exposure map is {'x'.join(map(str, test.shape[::-1]))} pixels "
                        f"but the image is {'x'.join(map(str, img.shape[::-1]))}")
    cut = parse_cut(cut) if not isinstance(cut, Cut) else cut
    bad = np.isnan(test) if test.dtype.kind == "f" else np.zeros(test.shape, bool)
    if not cut.nan_only:
        lo, hi = cut_limits(cut, test)
        with np.errstate(invalid="ignore"):
            if lo is not None:
                bad |= test < lo
            if hi is not None:
                bad |= test > hi
    out = img.copy()
    if value is None:
        if out.dtype.kind != "f":
            raise ToolError("value=INDEF needs a real-valued image (or use [opt null=...])")
        out[bad] = np.nan
    else:
        out[bad] = value
    return out


def run(p):
    out = parse_virtual_file(p.outfile)
    if not out.path:
        raise ToolError("no output file given")
    check_clobber(out.path, bool(p.clobber))
    img = open_virtual(p.infile)
    if img.kind != "image":
        raise ToolError(f"{p.infile} is not an image")
    expfile = str(p.expfile or "").strip()
    test = None
    if expfile and expfile.lower() != "none":
        exp = open_virtual(expfile)
        if exp.kind != "image":
            raise ToolError(f"{expfile} is not an image")
        test = np.where(exp.good_mask(), exp.data, np.nan) if exp.data.dtype.kind == "f" else exp.data
    data = img.data
    value = p.value
    if value is None and data.dtype.kind in "iu":
        if img.null is None:
            raise ToolError("value=INDEF on an integer image needs a null value ([opt null=...])")
        value = img.null
    result = threshold_image(data, test, p.cut, value)
    img.data = result.astype(data.dtype, copy=False)
    if out.block:
        img.name = str(out.block)
    params = [("infile", p.infile), ("outfile", p.outfile), ("expfile", expfile), ("cut", p.cut or ""),
              ("value", "INDEF" if p.value is None else f"{p.value:g}"),
              ("verbose", p.verbose if p.verbose is not None else 0),
              ("clobber", "yes" if p.clobber else "no")]
    img.header.set(*creator_card("dmimgthresh"))
    with output_file(out.path, bool(p.clobber)) as tmp:
        write_fits(tmp, [image_hdu(img, primary=True, history=("dmimgthresh", params))],
                   compress=out.path.endswith(".gz"))
    return None


main = tool_main("dmimgthresh", run)
