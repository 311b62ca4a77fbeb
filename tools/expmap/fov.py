"""Field of view: the part of the sky each chip saw during an observation (CIAO's skyfov).

The outline of a chip's active area (the whole chip, or its window from the mask file) is
carried through every pointing of the aspect solution; the convex hull of all those sky
positions is the chip's field of view. The simulator writes it as ``_fov1.fits``; fluximage
writes ``<obsid>.fov`` and takes its output grid from the polygons' extent.

    polys = chip_fov_polygons([3], sim, ra, dec, roll, ra_nom, dec_nom)
    fov_extent(polys)                     # (xmin, xmax, ymin, ymax) in sky pixels
    fov_hdu(polys, cards, ra_nom, dec_nom)   # the FOV region block (SHAPE, X, Y, ... CCD_ID)
"""
from __future__ import annotations

import numpy as np

from .. import geom

__all__ = ["chip_outline_det", "chip_fov_polygons", "fov_extent", "fov_hdu", "SKY_PIXEL_DEG"]

#: |TCDLT| of ACIS sky x/y as CIAO writes it (0.492 arcsec in degrees)
SKY_PIXEL_DEG = 0.00013666666666667


def chip_outline_det(ccd_id, sim, window=None, n=8):
    """Outline (det x, y; ``4n`` points) of a chip, or of the window ``(x0, x1, y0, y1)``
    (inclusive chip pixels) of a chip read out as a subarray."""
    if window is None:
        return geom.chip_corners_det(ccd_id, sim, n=n)
    x0, x1, y0, y1 = (float(v) for v in window)
    lo_x, hi_x, lo_y, hi_y = x0 - 0.5, x1 + 0.5, y0 - 0.5, y1 + 0.5
    tx = np.linspace(lo_x, hi_x, n, endpoint=False)
    ty = np.linspace(lo_y, hi_y, n, endpoint=False)
    cx = np.concatenate([tx, np.full(n, hi_x), tx[::-1] + (hi_x - lo_x) / n, np.full(n, lo_x)])
    cy = np.concatenate([np.full(n, lo_y), ty, np.full(n, hi_y), ty[::-1] + (hi_y - lo_y) / n])
    return geom.chip_to_det(np.full(cx.shape, int(ccd_id)), cx, cy, sim)


def chip_fov_polygons(chips, sim, ra, dec, roll, ra_nom, dec_nom, windows=None, tolerance=0.0):
    """{ccd_id: (x, y)}: per chip the sky polygon (convex hull, sky pixels) its outline covers
    over the pointings ``ra, dec, roll`` (deg; the aspect samples to use). ``sim``: the SIM
    position (mm). ``windows``: {ccd_id: [(x0, x1, y0, y1), ...]} from a mask file (None or
    a missing chip: the whole chip; several windows: their union's hull). ``tolerance``
    (sky pixels): drop hull vertices closer than that to the line through their neighbours
    (the dither's rounded corners need hundreds), keeping the extreme ones, so the extent
    is unchanged."""
    from scipy.spatial import ConvexHull

    ra, dec, roll = (np.asarray(a, float).ravel() for a in (ra, dec, roll))
    if ra.size == 0:
        raise ValueError("no aspect samples to make a field of view from")
    out = {}
    for c in chips:
        rects = (windows or {}).get(int(c)) or [None]
        dx, dy = (np.concatenate(parts) for parts in
                  zip(*(chip_outline_det(c, sim, r) for r in rects)))
        x, y = geom.det_to_sky(dx[None, :], dy[None, :], ra[:, None], dec[:, None],
                               roll[:, None], ra_nom, dec_nom)
        xs, ys = x.ravel(), y.ravel()
        hull = ConvexHull(np.column_stack([xs, ys]))
        px, py = xs[hull.vertices], ys[hull.vertices]
        out[int(c)] = _simplify(px, py, tolerance) if tolerance > 0 else (px, py)
    return out


def _simplify(x, y, tolerance):
    """A convex polygon without the vertices within ``tolerance`` of the chord between their
    neighbours (one at a time, least significant first); the vertices holding the minimum
    or maximum x or y stay."""
    import heapq

    n = len(x)
    prev, nxt = [(i - 1) % n for i in range(n)], [(i + 1) % n for i in range(n)]
    alive, count = [True] * n, n
    extreme = {int(np.argmin(x)), int(np.argmax(x)), int(np.argmin(y)), int(np.argmax(y))}

    def offset(j):
        i, m = prev[j], nxt[j]
        dx, dy = x[m] - x[i], y[m] - y[i]
        return abs(dx * (y[j] - y[i]) - dy * (x[j] - x[i])) / max(np.hypot(dx, dy), 1e-300)

    heap = [(offset(j), j) for j in range(n) if j not in extreme]
    heapq.heapify(heap)
    while heap and count > 4:
        d, j = heapq.heappop(heap)
        if not alive[j]:
            continue
        now = offset(j)
        if now != d:                          # a neighbour went since: re-queue
            heapq.heappush(heap, (now, j))
            continue
        if now >= tolerance:
            break
        alive[j], count = False, count - 1
        i, m = prev[j], nxt[j]
        nxt[i], prev[m] = m, i
        for k in (i, m):
            if k not in extreme:
                heapq.heappush(heap, (offset(k), k))
    keep = [i for i in range(n) if alive[i]]
    return x[keep], y[keep]


def fov_extent(polygons, chips=None):
    """(xmin, xmax, ymin, ymax) of the polygons of ``chips`` (all when None)."""
    keys = list(polygons) if chips is None else [int(c) for c in chips]
    xs = np.concatenate([polygons[c][0] for c in keys])
    ys = np.concatenate([polygons[c][1] for c in keys])
    return float(xs.min()), float(xs.max()), float(ys.min()), float(ys.max())


def fov_hdu(polygons, cards, ra_nom, dec_nom):
    """The FOV block as an astropy HDU: one ``polygon`` row per chip (vertex arrays padded
    with the first vertex, as CIAO's FOV files are), sky x/y with their celestial WCS.
    ``cards``: (keyword, value, comment) observation keywords for the header."""
    from astropy.io import fits

    chips = list(polygons)
    nv = max(len(p[0]) for p in polygons.values()) + 1
    X = np.zeros((len(chips), nv))
    Y = np.zeros((len(chips), nv))
    for i, c in enumerate(chips):
        x, y = polygons[c]
        X[i] = np.concatenate([x, np.full(nv - len(x), x[0])])
        Y[i] = np.concatenate([y, np.full(nv - len(y), y[0])])
    n = len(chips)
    hdu = fits.BinTableHDU.from_columns([
        fits.Column("SHAPE", "16A", array=np.array(["polygon"] * n, "S16")),
        fits.Column("X", f"{nv}D", unit="pixel", array=X),
        fits.Column("Y", f"{nv}D", unit="pixel", array=Y),
        fits.Column("R", "1D", unit="pixel", array=np.zeros(n)),
        fits.Column("ROTANG", "1D", unit="deg", array=np.zeros(n)),
        fits.Column("COMPONENT", "1I", array=np.arange(1, n + 1, dtype="i2")),
        fits.Column("CCD_ID", "1I", array=np.array(chips, "i2")),
    ], name="FOV")
    h = hdu.header
    h["HDUNAME"] = "FOV"
    for key, value, comment in cards:
        h[key] = (value, comment)
    h["CONTENT"] = "FOV"
    h["HDUCLASS"] = "ASC"
    h["HDUCLAS1"] = "REGION"
    h["MTYPE1"], h["MFORM1"] = "pos", "X,Y"
    h["MTYPE2"], h["MFORM2"] = "SKY", "pos"
    for i, (ctype, crval, cdelt) in ((2, ("RA---TAN", ra_nom, -SKY_PIXEL_DEG)),
                                     (3, ("DEC--TAN", dec_nom, SKY_PIXEL_DEG))):
        h[f"TCTYP{i}"] = ctype
        h[f"TCRVL{i}"] = crval
        h[f"TCRPX{i}"] = 4096.5
        h[f"TCDLT{i}"] = cdelt
        h[f"TCUNI{i}"] = "deg"
    return hdu
