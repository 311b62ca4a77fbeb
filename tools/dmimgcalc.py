"""dmimgcalc: pixel-by-pixel arithmetic on images.

Thread steps (spec dm.md §6.1, science.md §5.2)::

    dmimgcalc 11823.i0123.thresh.img bin8.thresh.expmap 11823.i0123.norm div clob+
    dmimgcalc '?.bin8.expmap' infile2= out=bin8.expmap op="imgout=img1+img2+img3+img4"
    dmimgcalc img.bin8,bgimg.bin8 none bgsub.bin8 op="imgout=img1-((img1_exposure/img2_exposure)*img2)"

``operation`` is ``add``, ``sub``, ``mul`` or ``div`` (``img1*weight <op> img2*weight2``; with
no second image the first is multiplied by ``weight``), ``tst`` (exit status only: equal or
not), or an expression ``imgout=...`` over ``img1`` ... ``imgN`` (the ``infile`` stack, then
``infile2``) and header keywords ``img1_exposure``. Images must have the same dimensions;
no WCS alignment is checked (logical pixels are combined).

The zero and NaN rules: ``div`` gives 0 where the divisor is 0 (so a thresholded exposure
map's blank pixels stay 0 and count as good); an expression follows IEEE (x/0 is +-Inf,
0/0 NaN, counted as null downstream). Null input pixels (BLANK, outside a region subspace)
enter as NaN for real images. Output type: ``add``...``div`` give double when a weight is
not 1, when an integer image divides an integer image, or when the types differ, else the
input type; an expression keeps numpy's result type (casts such as ``(float)`` apply).
Headers are merged by the lookup table (``lookupTab``) with CIAO's messages.
"""
from __future__ import annotations

import re

import numpy as np

from .dm.expr import ExprError, parse_expression
from .dm.headermerge import merge_headers, resolve_lookup_table
from .dm.stack import expand_stack
from .dm.syntax import parse_virtual_file
from .dm.virtual import open_virtual
from .dm.writer import creator_card, image_hdu, write_fits
from .errors import ToolError
from .outputs import check_clobber, output_file
from .task import tool_main

__all__ = ["OPERATIONS", "combine", "evaluate", "input_list", "run", "main"]

OPERATIONS = ("add", "sub", "mul", "div")


def combine(op, a, b=None, weight=1.0, weight2=1.0):
    """``a*weight <op> b*weight2`` with dmimgcalc's type and zero rules (plain arrays)."""
    op = str(op).strip().lower()
    if op not in OPERATIONS:
        raise ToolError(f"unknown operation '{op}' (use add, sub, mul, div, tst or imgout=<expression>)")
    a = np.asarray(a)
    if b is None:
        out = a * weight if weight != 1 else a.copy()
        return out.astype(np.float64) if weight != 1 else out
    b = np.asarray(b)
    if a.shape != b.shape:
        raise ToolError(f"image sizes differ: {_dims(a)} and {_dims(b)}")
    real = (weight != 1 or weight2 != 1 or a.dtype != b.dtype
            or (op == "div" and a.dtype.kind in "iub" and b.dtype.kind in "iub"))
    x = a.astype(np.float64) * weight if real else a
    y = b.astype(np.float64) * weight2 if real else b
    if op == "div":
        x = x.astype(np.float64, copy=False)
        y = y.astype(np.float64, copy=False)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(y != 0, x / np.where(y != 0, y, 1.0), 0.0)
        return out if real else out.astype(a.dtype)
    out = {"add": np.add, "sub": np.subtract, "mul": np.multiply}[op](x, y)
    return out if real else out.astype(a.dtype)


def _dims(a):
    return "x".join(str(n) for n in reversed(np.shape(a)))


def evaluate(expression, images, headers=None):
    """``imgout=<expr>`` over ``images`` (img1 = images[0]); ``headers`` give ``imgN_key``."""
    expr = parse_expression(expression)
    if expr.target not in (None, "imgout"):
        raise ToolError(f"the expression must assign to imgout, not '{expr.target}'")
    shapes = {np.shape(im) for im in images}
    if len(shapes) > 1:
        raise ToolError("image sizes differ: " + ", ".join(_dims(im) for im in images))
    headers = headers or [None] * len(images)

    def env(name):
        m = re.fullmatch(r"img(\d+)(?:_(\w+))?", name)
        if not m:
            raise KeyError(name)
        k = int(m.group(1))
        if not 1 <= k <= len(images):
            raise ExprError(f"'{name}' refers to image {k} but only {len(images)} "
                            f"image{'s were' if len(images) != 1 else ' was'} given")
        if m.group(2) is None:
            return images[k - 1]
        h = headers[k - 1]
        key = m.group(2).upper()
        if h is None or key not in h:
            raise ExprError(f"keyword {key} not found in the header of image {k}")
        v = h[key]
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ExprError(f"keyword {key} of image {k} is not a number")
        return v
    out = expr.evaluate(env)
    out = np.asarray(out)
    if out.ndim == 0 and images:
        out = np.full(np.shape(images[0]), out)
    if out.dtype.kind == "b":
        out = out.astype(np.int16)
    return out


def input_list(infile, infile2=None):
    """The images: the ``infile`` stack, then ``infile2`` unless it is empty or none."""
    items = [s for s in expand_stack(str(infile or "")) if s.strip()]
    if not items:
        raise ToolError("no input image given")
    second = str(infile2 or "").strip()
    if second and second.lower() != "none":
        items += [s for s in expand_stack(second) if s.strip()]
    return items


def _pixels(view):
    """Image values with nulls as NaN (real images) or as stored (integer images)."""
    if view.kind != "image":
        raise ToolError(f"block {view.name} is not an image")
    data = view.data
    if data.dtype.kind == "f":
        good = view.good_mask()
        if not good.all():
            data = np.where(good, data, np.nan)
    return data


def run(p):
    op = str(p.operation or "").strip()
    if not op:
        raise ToolError("no operation given")
    out = parse_virtual_file(str(p.outfile or ""))
    if op.lower() != "tst":
        if not out.path or out.path.lower() == "none":
            raise ToolError("no output file given")
        check_clobber(out.path, bool(p.clobber))
    items = input_list(p.infile, p.infile2)
    views = [open_virtual(s) for s in items]
    images = [_pixels(v) for v in views]
    shapes = {im.shape for im in images}
    if len(shapes) > 1:
        raise ToolError("image sizes differ: " + ", ".join(f"{s} is {_dims(im)}" for s, im in zip(items, images)))
    weight = 1.0 if p.weight is None else float(p.weight)
    weight2 = 1.0 if p.weight2 is None else float(p.weight2)
    low = op.lower()
    if low == "tst":
        if len(images) != 2:
            raise ToolError("operation tst compares exactly two images")
        if not np.array_equal(images[0], images[1], equal_nan=images[0].dtype.kind == "f"):
            raise ToolError("the images differ")
        return None
    if low in OPERATIONS:
        if len(images) > 2:
            raise ToolError(f"operation {low} combines two images; use imgout=... for {len(images)}")
        data = combine(low, images[0], images[1] if len(images) == 2 else None, weight, weight2)
    elif "=" in op:
        data = evaluate(op, images, [v.header for v in views])
    else:
        raise ToolError(f"unknown operation '{op}' (use add, sub, mul, div, tst or imgout=<expression>)")
    rules = resolve_lookup_table(getattr(p, "lookupTab", None))
    merged, _ = merge_headers([v.header for v in views], rules)
    result = views[0]
    result.header = merged
    result.header.set(*creator_card("dmimgcalc"))
    result.data = data
    result.valid = None
    if data.dtype.kind not in "iu":
        result.null = None
    if out.block:
        result.name = str(out.block)
    params = [("infile", p.infile), ("infile2", p.infile2 or ""), ("outfile", p.outfile),
              ("operation", op), ("weight", f"{weight:g}"), ("weight2", f"{weight2:g}"),
              ("lookupTab", getattr(p, "lookupTab", "") or ""),
              ("clobber", "yes" if p.clobber else "no"), ("verbose", p.verbose or 0)]
    with output_file(out.path, bool(p.clobber)) as tmp:
        write_fits(tmp, [image_hdu(result, primary=True, history=("dmimgcalc", params))],
                   compress=out.path.endswith(".gz"))
    return None


main = tool_main("dmimgcalc", run)
