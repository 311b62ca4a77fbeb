"""The aspect histogram: how long the telescope pointed at each (x, y, roll) offset.

Each aspect-solution sample stands for the time between the midpoints to its neighbours
(the first and last for half a sampling step beyond them). That time is clipped to the good
time intervals exactly and multiplied by the dead-time factor (ACIS: the constant DTCOR; HRC:
the DTF table, interpolated in time), giving each sample's live ``duration``.

The pointing of the optical axis is expressed as an offset from the nominal pointing, in sky
pixels on the nominal tangent plane (``x_offset = x_axis - 4096.5`` for ACIS, where the axis
direction lands in sky coordinates) and a roll offset ``roll - ROLL_NOM`` in degrees. Samples
are binned in cells of ``res_xy`` x ``res_xy`` arcsec and ``res_roll`` arcsec (bin numbers
start at 1 at the smallest offset); each occupied cell keeps its summed duration and the
duration-weighted mean offsets and SIM drift (dy, dz, dtheta). Cells with no live time are
dropped. Sum(duration) is the live time of the GTIs the aspect solution covers.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from .. import geom
from ..errors import ToolError
from ..messages import warn

__all__ = ["AspectHistogram", "sample_durations", "aspect_histogram", "max_bin_for",
           "dtf_factors"]

COLUMNS = ("x_offbin", "y_offbin", "roll_offbin", "x_offset", "y_offset", "roll_offset",
           "duration", "dy", "dz", "dtheta")


@dataclasses.dataclass
class AspectHistogram:
    """One row per occupied cell (arrays of equal length) and the binning used."""

    x_offbin: np.ndarray
    y_offbin: np.ndarray
    roll_offbin: np.ndarray
    x_offset: np.ndarray          # sky pixels
    y_offset: np.ndarray          # sky pixels
    roll_offset: np.ndarray       # degrees
    duration: np.ndarray          # live seconds
    dy: np.ndarray                # mm
    dz: np.ndarray                # mm
    dtheta: np.ndarray            # degrees
    res_xy: float                 # arcsec
    res_roll: float               # arcsec
    pixel_arcsec: float = 0.492

    def __len__(self):
        return len(self.duration)

    @property
    def total(self):
        return float(np.sum(self.duration))

    def mean(self):
        """A one-row histogram at the duration-weighted mean pointing (``useavgaspect``)."""
        w = self.duration
        tot = w.sum()
        if not tot > 0:
            raise ToolError("The aspect histogram has no exposure (total duration is 0)")

        def avg(a):
            return np.array([np.sum(a * w) / tot])

        one = np.array([1], np.int32)
        return AspectHistogram(one, one, one, avg(self.x_offset), avg(self.y_offset),
                               avg(self.roll_offset), np.array([tot]), avg(self.dy), avg(self.dz),
                               avg(self.dtheta), self.res_xy, self.res_roll, self.pixel_arcsec)


def _gti_clock(gti):
    """A function t -> good time elapsed before t (exact, piecewise linear)."""
    g = np.asarray(gti, float).reshape(-1, 2)
    g = g[np.argsort(g[:, 0])]
    if len(g) and np.any(g[1:, 0] < g[:-1, 1]):          # merge overlapping intervals
        merged = [list(g[0])]
        for a, b in g[1:]:
            if a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        g = np.array(merged)
    starts, stops = g[:, 0], g[:, 1]
    before = np.concatenate([[0.0], np.cumsum(stops - starts)])

    def clock(t):
        t = np.asarray(t, float)
        i = np.searchsorted(starts, t, side="right") - 1          # last interval starting <= t
        inside = np.clip(t - starts[np.maximum(i, 0)], 0.0, (stops - starts)[np.maximum(i, 0)])
        return np.where(i >= 0, before[np.maximum(i, 0)] + inside, 0.0)

    return clock


def sample_durations(time, gti):
    """Good time (s) each aspect sample stands for: its midpoint-bounded interval within the
    GTIs. ``time`` must be sorted and distinct."""
    t = np.asarray(time, float)
    if len(t) == 0:
        return np.zeros(0)
    if len(t) == 1:
        half = 0.128
        edges = np.array([t[0] - half, t[0] + half])
    else:
        mid = 0.5 * (t[1:] + t[:-1])
        edges = np.concatenate([[t[0] - (mid[0] - t[0])], mid, [t[-1] + (t[-1] - mid[-1])]])
    clock = _gti_clock(gti)
    return np.diff(clock(edges))


def dtf_factors(time, dtf_time, dtf):
    """Dead-time factors at the aspect times, linearly interpolated in the DTF table
    (held at the end values outside it)."""
    order = np.argsort(dtf_time)
    return np.interp(np.asarray(time, float), np.asarray(dtf_time, float)[order],
                     np.asarray(dtf, float)[order])


def max_bin_for(ra, dec, roll, res_xy=0.5, res_roll=600.0):
    """fluximage's choice of ``max_bin`` (spec science.md 1.3): the number of cells the
    ranges of ra, dec and roll span (no cos(dec)), 10000 at least, else the next power of 2."""
    def rng(a):
        a = np.asarray(a, float)
        return float(a.max() - a.min()) if a.size else 0.0
    n = (rng(ra) * 3600 / res_xy) * (rng(dec) * 3600 / res_xy) * (rng(roll) * 3600 / res_roll)
    n = int(np.ceil(n))
    return 10000 if n <= 10000 else int(2 ** np.ceil(np.log2(n)))


def _bins(values, width):
    """1-based bin numbers of ``values`` in bins of ``width`` starting at the minimum."""
    if values.size == 0:
        return np.zeros(0, np.int64)
    lo = values.min()
    return np.floor((values - lo) / width + 1e-9).astype(np.int64) + 1


def aspect_histogram(time, ra, dec, roll, gti, *, ra_nom, dec_nom, roll_nom, res_xy=0.5,
                     res_roll=600.0, max_bin=10000, dy=None, dz=None, dtheta=None, dtcor=1.0,
                     dtf=None, pixel_arcsec=0.492, refpix=geom.SKY_REFPIX):
    """Bin an aspect solution into an :class:`AspectHistogram`.

    ``time, ra, dec, roll`` (and optional ``dy, dz`` mm, ``dtheta`` deg): the aspect samples
    (any order; several files may be concatenated). ``gti``: (n, 2) good time intervals.
    ``dtcor``: constant dead-time factor (ACIS DTCOR); ``dtf``: (times, factors) instead (HRC).
    ``max_bin``: when more cells are occupied, ``res_xy`` and ``res_roll`` are doubled until
    they fit (with a warning).
    """
    t = np.asarray(time, float)
    n = len(t)
    cols = [np.asarray(c, float) for c in (ra, dec, roll)]
    extra = [np.zeros(n) if c is None else np.asarray(c, float) for c in (dy, dz, dtheta)]
    if any(len(c) != n for c in cols + extra):
        raise ToolError("Aspect solution columns have different lengths")
    if n == 0:
        raise ToolError("The aspect solution has no rows")
    if not (res_xy > 0 and res_roll > 0):
        raise ToolError("res_xy and res_roll must be positive")
    if not max_bin >= 1:
        raise ToolError("max_bin must be at least 1")
    order = np.argsort(t, kind="stable")
    t = t[order]
    keep = np.concatenate([[True], np.diff(t) > 0])        # overlapping files: first wins
    t = t[keep]
    ra, dec, roll = (c[order][keep] for c in cols)
    dy, dz, dtheta = (c[order][keep] for c in extra)

    dur = sample_durations(t, gti)
    if dtf is not None:
        dur = dur * dtf_factors(t, *dtf)
    else:
        dur = dur * float(dtcor)
    live = dur > 0
    if not live.any():
        raise ToolError("No aspect solution records fall in the event file's good time intervals")
    t, ra, dec, roll, dy, dz, dtheta, dur = (a[live] for a in
                                             (t, ra, dec, roll, dy, dz, dtheta, dur))

    xs, ys = geom.celestial_to_sky(ra, dec, ra_nom, dec_nom)
    xo, yo = xs - refpix, ys - refpix
    ro = (roll - roll_nom + 180.0) % 360.0 - 180.0

    rxy, rroll = float(res_xy), float(res_roll)
    while True:
        bx = _bins(xo, rxy / pixel_arcsec)
        by = _bins(yo, rxy / pixel_arcsec)
        br = _bins(ro, rroll / 3600.0)
        key = np.stack([br, by, bx], axis=1)
        cells, inverse = np.unique(key, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        if len(cells) <= max_bin:
            break
        warn(f"{len(cells)} aspect histogram bins exceed max_bin={max_bin:g}; "
             f"using res_xy={2 * rxy:g} and res_roll={2 * rroll:g} arcsec")
        rxy, rroll = 2 * rxy, 2 * rroll

    m = len(cells)
    w = np.bincount(inverse, weights=dur, minlength=m)

    def mean(a):
        return np.bincount(inverse, weights=a * dur, minlength=m) / w

    return AspectHistogram(cells[:, 2].astype(np.int32), cells[:, 1].astype(np.int32),
                           cells[:, 0].astype(np.int32), mean(xo), mean(yo), mean(ro), w,
                           mean(dy), mean(dz), mean(dtheta), rxy, rroll, pixel_arcsec)
