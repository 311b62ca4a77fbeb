"""ImageView: an image with its physical axes, world WCS, null pixels and subspace.

Owns image filtering (spec dm.md §1.8): region filters crop to the region's bounding box and
mark pixels whose centre is outside as null; physical ranges (``time=a:b``) and logical axis
ranges (``#3=10``) crop to the overlapping pixels; ``[bin ...]`` on an image sums blocks of
pixels or collapses axes.
"""
from __future__ import annotations

import math
import re

import numpy as np

from ..errors import ToolError
from .subspace import Subspace
from .syntax import And, AxisFilter, CompareFilter, RangeFilter, RegionFilter
from .wcs import image_axes

__all__ = ["ImageView", "WORLD_KEY", "STRUCTURAL_KEY"]

WORLD_KEY = re.compile(r"^(CTYPE|CRVAL|CRPIX|CDELT|CUNIT|CROTA|CNAME)\d+$|^(CD|PC)\d+_\d+$|^WCSAXES$")
PHYS_KEY = re.compile(r"^(CTYPE|CRVAL|CRPIX|CDELT|CUNIT|WCSTY|CNAME)\d+P$|^LTV\d+$|^LTM\d+_\d+$|^WCSNAMEP$|^WCSAXESP$")
STRUCTURAL_KEY = re.compile(r"^(SIMPLE|XTENSION|BITPIX|NAXIS\d*|EXTEND|PCOUNT|GCOUNT|TFIELDS|THEAP|"
                            r"EXTNAME|HDUNAME|EXTVER|EXTLEVEL|BLANK|BSCALE|BZERO|CHECKSUM|DATASUM|"
                            r"ZIMAGE|ZBITPIX|ZNAXIS\d*)$")
DSS_KEY = re.compile(r"^\d*DS(TYP|VAL|FORM|UNIT|REF)\d+$")
MTYPE_KEY = re.compile(r"^M(TYPE|FORM)\d+$")


class ImageView:
    """An image (numpy order ``data``) plus coordinates and bookkeeping.

    ``axes``: AxisTransform per axis in FITS order (axis 1 = last numpy axis).
    ``world``: None or {'mtype': 'EQPOS', 'mform': 'RA,DEC', 'unit': 'deg',
    'cards': [(key, value, comment), ...]} with the world keys in logical pixels.
    ``valid``: bool array (False = null pixel) or None. ``null``: the BLANK value for
    integer images. ``header``: the carried header (non-structural keys).
    """

    kind = "image"

    def __init__(self, data, axes, header, name, world=None, valid=None, null=None,
                 subspace=None, source=None):
        self.data, self.axes, self.header, self.name = data, list(axes), header, name
        self.world, self.valid, self.null = world, valid, null
        self.subspace = subspace if subspace is not None else Subspace()
        self.source = source          # the TableView an image was binned from (for its GTIs)
        self.exclude_dss = set()      # descriptor names not to write (binned axes)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_block(cls, dataset, info):
        data = dataset.image(info)
        h = info.header
        axes = image_axes(h, data.ndim)
        world = _world_from_header(h, axes)
        null = h.get("BLANK") if data.dtype.kind in "iu" else None
        ss = Subspace.from_header(h, (), None)
        view = cls(data, axes, h.copy(), info.name, world, None, null, ss)
        view._apply_subspace_region()
        return view

    def _apply_subspace_region(self):
        pair = self.vector_axes("sky", quiet=True)
        if pair is None:
            return
        for v in self.subspace.components[0].values():
            from .subspace import RegionValue
            if isinstance(v, RegionValue) and v.text.upper() != "TABLE":
                try:
                    from .regions import parse_region
                    region = parse_region(v.text)
                except Exception:   # noqa: BLE001 - an unreadable stored region does not null pixels
                    continue
                self._null_outside(region, pair)

    # ------------------------------------------------------------------ helpers
    @property
    def shape_fits(self):
        return tuple(reversed(self.data.shape))

    def good_mask(self):
        """True for pixels that count: valid, not NaN, not the null value."""
        m = np.ones(self.data.shape, bool) if self.valid is None else self.valid.copy()
        if self.data.dtype.kind == "f":
            m &= np.isfinite(self.data)
        elif self.null is not None:
            m &= self.data != self.null
        return m

    def centres(self, axis):
        """Physical coordinates of the pixel centres along FITS axis ``axis`` (0-based)."""
        n = self.shape_fits[axis]
        return self.axes[axis].phys(np.arange(1, n + 1))

    def axis_index(self, name):
        """FITS axis index (0-based) of a physical axis name, or None."""
        low = name.lower()
        for i, ax in enumerate(self.axes):
            if ax.name and ax.name.lower() == low:
                return i
        m = re.fullmatch(r"#(\d+)", name)
        if m and 1 <= int(m.group(1)) <= len(self.axes):
            return int(m.group(1)) - 1
        return None

    def vector_axes(self, name, quiet=False, pair=None):
        """The two FITS axes of a vector (``sky``) or explicit pair (``('x', 'y')``)."""
        if pair:
            idx = [self.axis_index(n) for n in pair]
            if None not in idx:
                return idx
        else:
            idx = [i for i, ax in enumerate(self.axes) if ax.vector and ax.vector.lower() == name.lower()]
            if len(idx) == 2:
                return idx
            if self.data.ndim >= 2 and all(ax.name is None for ax in self.axes[:2]) \
                    and name.lower() in ("sky", "pos"):
                return [0, 1]
            if self.data.ndim >= 2 and name.lower() in ("sky", "pos") \
                    and [(ax.name or "").lower() for ax in self.axes[:2]] == ["x", "y"]:
                return [0, 1]
        if quiet:
            return None
        raise ToolError(f"image {self.name} has no axes '{name or ','.join(pair)}'")

    def header_with_world(self):
        """A small header with the world and physical keys (for astropy.wcs)."""
        from astropy.io import fits

        from .wcs import physical_axis_cards
        h = fits.Header()
        h["NAXIS"] = self.data.ndim
        for i, n in enumerate(self.shape_fits, start=1):
            h[f"NAXIS{i}"] = n
        for n, ax in enumerate(self.axes, start=1):
            for k, v, c in physical_axis_cards(n, ax):
                h[k] = v
        for k, v, c in (self.world or {}).get("cards", []):
            h[k] = v
        return h

    # ------------------------------------------------------------------ cropping
    def crop(self, ranges):
        """Keep logical pixels ``ranges[axis] = (first, last)`` (1-based, inclusive)."""
        slices = []
        for axis in reversed(range(self.data.ndim)):
            lo, hi = ranges.get(axis, (1, self.shape_fits[axis]))
            slices.append(slice(lo - 1, hi))
        self.data = self.data[tuple(slices)]
        if self.valid is not None:
            self.valid = self.valid[tuple(slices)]
        for axis, (lo, _) in ranges.items():
            if lo != 1:
                self.axes[axis] = self.axes[axis].shifted(lo - 1)
                self._shift_world(axis, lo - 1, 1)

    def _shift_world(self, axis, offset, factor):
        if not self.world:
            return
        n = axis + 1
        cards = []
        for key, val, com in self.world["cards"]:
            if key == f"CRPIX{n}":
                val = (float(val) - 0.5 - offset) / factor + 0.5
            elif key == f"CDELT{n}":
                val = float(val) * factor
            elif re.fullmatch(rf"CD\d+_{n}", key):
                val = float(val) * factor
            cards.append((key, val, com))
        self.world = dict(self.world, cards=cards)

    def _overlap_range(self, axis, lo, hi):
        """1-based pixels along ``axis`` whose extent overlaps the physical range [lo, hi]."""
        n = self.shape_fits[axis]
        ax = self.axes[axis]
        e0 = ax.phys(np.arange(1, n + 1) - 0.5)
        e1 = ax.phys(np.arange(1, n + 1) + 0.5)
        a, b = np.minimum(e0, e1), np.maximum(e0, e1)
        keep = np.ones(n, bool)
        if lo is not None:
            keep &= b > lo
        if hi is not None:
            keep &= a <= hi
        idx = np.flatnonzero(keep)
        if len(idx) == 0:
            raise ToolError(f"the filter leaves no pixels on axis {axis + 1} of image {self.name}")
        return int(idx[0]) + 1, int(idx[-1]) + 1

    def _null_outside(self, region, pair, invert=False):
        ix, iy = pair
        cx, cy = self.centres(ix), self.centres(iy)
        # broadcast to the numpy shape of the two axes
        shape = [1] * self.data.ndim
        sx, sy = list(shape), list(shape)
        sx[self.data.ndim - 1 - ix] = len(cx)
        sy[self.data.ndim - 1 - iy] = len(cy)
        X = np.broadcast_to(cx.reshape(sx), self.data.shape)
        Y = np.broadcast_to(cy.reshape(sy), self.data.shape)
        inside = np.asarray(region.contains(X.ravel(), Y.ravel()), bool).reshape(self.data.shape)
        if invert:
            inside = ~inside
        self.valid = inside if self.valid is None else (self.valid & inside)

    # ------------------------------------------------------------------ filtering
    def apply_filter(self, group, ctx, options):
        """Apply one FilterGroup to the image (crop and/or null)."""
        terms = group.expr.terms if isinstance(group.expr, And) else (group.expr,)
        for node in terms:
            if isinstance(node, RegionFilter):
                pair = self.vector_axes(node.name, pair=node.pair)
                region = ctx.image_region(node, self)
                if group.exclude:
                    self._null_outside(region, pair, invert=True)
                    continue
                if not options.get("full"):
                    xmin, ymin, xmax, ymax = region.extent()
                    rx = self._overlap_range(pair[0], _fin(xmin), _fin(xmax))
                    ry = self._overlap_range(pair[1], _fin(ymin), _fin(ymax))
                    self.crop({pair[0]: rx, pair[1]: ry})
                self._null_outside(region, pair)
                names = tuple(self.axes[i].name or n for i, n in zip(pair, ("x", "y")))
                self.subspace.set_region(node.name or "sky", names, ctx.region_text(region), "D",
                                         self.axes[pair[0]].unit, region)
            elif isinstance(node, AxisFilter):
                if group.exclude:
                    raise ToolError("exclude is not supported for image axis ranges")
                axis = node.axis - 1
                if axis >= self.data.ndim:
                    ctx.error(f"image {self.name} has only {self.data.ndim} axes", node.pos)
                lo, hi = _hull(ctx, node.intervals)
                n = self.shape_fits[axis]
                lo = max(1, int(math.ceil(lo)) if lo is not None else 1)
                hi = min(n, int(math.floor(hi)) if hi is not None else n)
                if hi < lo:
                    ctx.error("the axis range selects no pixels", node.pos)
                self.crop({axis: (lo, hi)})
            elif isinstance(node, (RangeFilter, CompareFilter)):
                if group.exclude:
                    raise ToolError("exclude is not supported for image axis ranges")
                axis = self.axis_index(node.name)
                if axis is None:
                    ctx.error(f"'{node.name}' is not an axis of image {self.name}", node.pos)
                if isinstance(node, RangeFilter):
                    lo, hi = _hull(ctx, node.intervals)
                else:
                    v = float(node.value.text)
                    lo, hi = (None, v) if node.op in ("<", "<=") else (v, None)
                self.crop({axis: self._overlap_range(axis, lo, hi)})
            else:
                ctx.error("this filter does not apply to images", getattr(node, "pos", 0))

    # ------------------------------------------------------------------ rebinning
    def rebin(self, spec, ctx):
        """``[bin ...]`` on an image: crop to ranges, sum blocks of pixels, collapse axes."""
        keep = {}
        for ax in spec.axes:
            if ax.region or ax.stack:
                ctx.error("region binning of images is done by dmextract", ax.pos)
            if len(ax.names) == 1 and self.axis_index(ax.names[0]) is None:
                pair = self.vector_axes(ax.names[0], quiet=True)
                if pair is None:
                    ctx.error(f"'{ax.names[0]}' is not an axis of image {self.name}", ax.pos)
                idx = pair
            else:
                idx = [self.axis_index(n) for n in ax.names]
                if None in idx:
                    ctx.error(f"'{','.join(ax.names)}' is not an axis of image {self.name}", ax.pos)
            for i in idx:
                keep[i] = ax
        # crop to explicit ranges first
        for i, ax in keep.items():
            lo = float(ax.lo.text) if ax.lo else None
            hi = float(ax.hi.text) if ax.hi else None
            if lo is not None or hi is not None:
                self.crop({i: self._overlap_range(i, lo, hi - 1e-9 if hi is not None else None)})
        # collapse axes not mentioned
        drop = [i for i in range(self.data.ndim) if i not in keep]
        if drop:
            data = np.where(self.good_mask(), self.data, 0)
            self.data = data.sum(axis=tuple(self.data.ndim - 1 - i for i in drop))
            self.valid = None
            self.axes = [a for i, a in enumerate(self.axes) if i not in drop]
            keep = {sum(1 for j in keep if j < i): keep[i] for i in sorted(keep)}
            if self.world and any(i < 2 for i in drop):
                self.world = None
        # block-sum by integer factors
        factors = []
        for i in range(self.data.ndim):
            ax = keep.get(i)
            f = 1
            if ax is not None and (ax.step is not None or ax.nbins):
                n = self.shape_fits[i]
                if ax.nbins:
                    f = max(1, int(round(n / ax.nbins)))
                else:
                    f = float(ax.step.text) / abs(self.axes[i].cdelt)
                    if abs(f - round(f)) > 1e-6 or round(f) < 1:
                        ctx.error(f"bin size {ax.step.text} is not a whole number of pixels", ax.pos)
                    f = int(round(f))
            factors.append(f)
        if any(f > 1 for f in factors):
            self._block_sum(factors)

    def _block_sum(self, factors):
        data = np.where(self.good_mask(), self.data, 0)
        pads, newshape = [], []
        for i in reversed(range(data.ndim)):
            f = factors[i]
            n = data.shape[data.ndim - 1 - i]
            m = -(-n // f)
            pads.append((0, m * f - n))
            newshape += [m, f]
        data = np.pad(data, pads)
        out = data.reshape(newshape).sum(axis=tuple(range(1, 2 * data.ndim, 2)))
        self.data = out
        self.valid = None
        for i, f in enumerate(factors):
            if f > 1:
                self.axes[i] = self.axes[i].shifted(0, f)
                self._shift_world(i, 0, f)


def _fin(v):
    return None if v is None or not np.isfinite(v) else float(v)


def _hull(ctx, intervals):
    los, his = [], []
    for iv in intervals:
        try:
            los.append(float(iv.lo.text) if iv.lo else None)
            his.append(float(iv.hi.text) if iv.hi else None)
        except ValueError:
            ctx.error("expected a number", (iv.lo or iv.hi).pos)
    lo = None if None in los else min(los)
    hi = None if None in his else max(his)
    return lo, hi


def _world_from_header(h, axes):
    if "CTYPE1" not in h:
        return None
    cards = [(k, h[k], h.comments[k]) for k in h if WORLD_KEY.match(k)]
    phys_names = {(a.name or "").lower() for a in axes}
    mtype = mform = None
    for k in h:
        m = re.fullmatch(r"MTYPE(\d+)", k)
        if m:
            form = str(h.get("MFORM" + m.group(1), ""))
            comps = {c.strip().lower() for c in form.split(",")}
            if not comps & phys_names:
                mtype, mform = str(h[k]).strip(), form.strip()
    unit = str(h.get("CUNIT1", "deg")).strip() or "deg"
    return {"mtype": mtype, "mform": mform, "unit": unit, "cards": cards}
