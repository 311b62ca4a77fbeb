"""Project an instrument map through an aspect histogram onto a sky grid.

The exposure at a sky position x is ``E(x) = sum_k D_k I(chip_k(x))``: for every aspect cell k
(duration D_k, pointing offset, roll, SIM drift) the chip position that x falls on, and the
instrument-map pixel containing it (0 off the map). Two ways to compute it:

``expmap_direct``
    The definition, one aspect cell at a time: the sky pixel centres go through the exact
    geometry (sky -> RA/Dec -> det for the cell's pointing -> chip plane for its SIM
    position) and sample the map. Cost: cells x pixels. This is the reference.

``expmap_fast`` (the default of mkexpmap)
    Cells are grouped by roll (within ``roll_tol``). Within a group a pointing offset moves
    the whole chip rigidly, so ``chip_k(x) ~ p(x) - w_k``: one exact geometry pass per group
    gives p(x) (instrument-map pixel coordinates of each sky pixel at the group's mean
    pointing) and each cell a constant shift w_k (exact at the chip centre). What remains
    is image arithmetic, :func:`dithered_image`, ``E(q) = sum_k D_k I[floor(q - w_k)]``.
    Each point's neighbourhood (the pixels its shifts reach) is classified with
    summed-area tables of the map's mask:

    * all off the map: 0;
    * all on the map, area smooth: the area convolved with the cloud-in-cell deposit of
      the shifts (one FFT per group), interpolated;
    * the mask varies along one axis only (chip edges, bad columns, window edges): the
      weight and centroid of the shifts landing on/off the mask come exactly from the
      cumulative sums of the shifts sorted along that axis, the area to first order about
      the centroid;
    * isolated bad pixels are filled and taken out again exactly (the mass of the shifts
      that land on them);
    * corners and steps in the area map: every cell summed (integer arithmetic).

    The rigid shift is a model (error ~0.01 pixel at the chip corners); (pixel, cell) pairs
    the model puts within its error bound of a mask edge are re-evaluated, first with an
    affine correction fitted per cell, then, where still in doubt, through the exact
    geometry. So heavy aspect cells (the turning points of the Lissajous dither hold
    several per cent of the exposure each) land on the same side of chip edges and bad
    columns as in the direct sum. What remains are the first-order expansions of the area:
    ~1e-5, up to ~4e-4 where an edge crosses a kink of the vignetting table (its linear
    interpolation in theta); and where a single cell dominates, the interpolated area
    against the direct sum's containing pixel (|grad A| x 1/2 pixel, ~1e-4).

Both return the exposure in the units of D x I (s x cm^2 counts/photon for a live-time
histogram and a cm^2 instrument map).
"""
from __future__ import annotations

import dataclasses

import numpy as np

from .. import geom
from ..errors import ToolError
from .grid import Axis

__all__ = ["InstrumentMap", "Pointing", "cell_pointings", "sample_map",
           "expmap_direct", "expmap_fast", "dithered_image", "roll_groups"]


@dataclasses.dataclass
class InstrumentMap:
    """An instrument map: ``data[iy, ix]`` on the chip grid (``xaxis``, ``yaxis`` in chip pixel
    coordinates, e.g. edges 0.5..1024.5 in 1024 bins) of chip ``ccd_id``."""

    data: np.ndarray
    ccd_id: int
    xaxis: Axis
    yaxis: Axis


@dataclasses.dataclass
class Pointing:
    """Where the telescope pointed for each aspect cell: the optical axis (ra, dec), the roll,
    the SIM position (3, K) in mm, and the cell's duration."""

    ra: np.ndarray
    dec: np.ndarray
    roll: np.ndarray
    sim: np.ndarray
    duration: np.ndarray

    def __len__(self):
        return len(self.duration)

    def subset(self, idx):
        return Pointing(self.ra[idx], self.dec[idx], self.roll[idx], self.sim[:, idx],
                        self.duration[idx])


def cell_pointings(hist, ra_nom, dec_nom, roll_nom, sim, refpix=geom.SKY_REFPIX):
    """The :class:`Pointing` of each cell of an aspect histogram (offsets from the nominal
    pointing in sky pixels and degrees; SIM drift dy/dz added to the SIM y/z position)."""
    ra, dec = geom.sky_to_celestial(refpix + np.asarray(hist.x_offset, float),
                                    refpix + np.asarray(hist.y_offset, float), ra_nom, dec_nom)
    roll = float(roll_nom) + np.asarray(hist.roll_offset, float)
    s = np.asarray(sim, float).reshape(3, 1)
    sims = np.repeat(s, len(roll), axis=1)
    sims[1] += np.asarray(hist.dy, float)
    sims[2] += np.asarray(hist.dz, float)
    return Pointing(np.atleast_1d(ra), np.atleast_1d(dec), np.atleast_1d(roll), sims,
                    np.asarray(hist.duration, float))


def sample_map(imap, cx, cy):
    """Instrument-map values at chip positions (the pixel containing each; 0 off the map)."""
    ix = np.floor((cx - imap.xaxis.lo) / imap.xaxis.step)
    iy = np.floor((cy - imap.yaxis.lo) / imap.yaxis.step)
    ok = (ix >= 0) & (ix < imap.xaxis.n) & (iy >= 0) & (iy < imap.yaxis.n)   # NaN -> False
    out = np.zeros(np.shape(cx))
    out[ok] = imap.data[iy[ok].astype(np.int64), ix[ok].astype(np.int64)]
    return out


def _sky_grid_celestial(xaxis, yaxis, ra_nom, dec_nom):
    X, Y = np.meshgrid(xaxis.centres, yaxis.centres)
    return geom.sky_to_celestial(X, Y, ra_nom, dec_nom)


def _check_acis(imap, geometry):
    if int(imap.ccd_id) not in geometry.chips:
        raise ToolError(f"Instrument map chip {imap.ccd_id} is not an ACIS chip (0-9); "
                        "only ACIS geometry is available")


# --------------------------------------------------------------------- the reference method

def expmap_direct(imap, pointing, xaxis, yaxis, ra_nom, dec_nom, *, geometry=None,
                  progress=None):
    """Exposure on the sky grid, cell by cell through the exact geometry (the definition).

    For every cell: pixel centres -> (RA, Dec) -> det for the cell's pointing and roll
    (:func:`pyciao.geom.celestial_to_det`) -> chip for its SIM position
    (:func:`pyciao.geom.det_to_chip`) -> instrument-map pixel; summed with weight D_k.
    ``progress(done, total)`` is called after each cell.
    """
    g = geometry or geom.acis_geometry()
    _check_acis(imap, g)
    ra, dec = _sky_grid_celestial(xaxis, yaxis, ra_nom, dec_nom)
    out = np.zeros((yaxis.n, xaxis.n))
    ccd = int(imap.ccd_id)
    for k in range(len(pointing)):
        detx, dety = geom.celestial_to_det(ra, dec, pointing.ra[k], pointing.dec[k],
                                           pointing.roll[k])
        chip, cx, cy = geom.det_to_chip(detx, dety, pointing.sim[:, k], chips=[ccd], geom=g)
        out += pointing.duration[k] * sample_map(imap, cx, cy)
        if progress is not None:
            progress(k + 1, len(pointing))
    return out


# --------------------------------------------------------------------- the fast method

def roll_groups(roll_deg, tol_deg):
    """Indices of cells grouped so that each group's roll spread is at most ``tol_deg``."""
    roll = np.asarray(roll_deg, float)
    order = np.argsort(roll, kind="stable")
    groups, start = [], 0
    for i in range(1, len(order) + 1):
        if i == len(order) or roll[order[i]] - roll[order[start]] > tol_deg:
            groups.append(order[start:i])
            start = i
    return groups


def _mean_pointing(pt):
    w = pt.duration / pt.duration.sum()
    xi, eta = geom.gnomonic(pt.ra, pt.dec, pt.ra[0], pt.dec[0])
    ra, dec = geom.inverse_gnomonic(np.sum(w * xi), np.sum(w * eta), pt.ra[0], pt.dec[0])
    return float(ra), float(dec), float(np.sum(w * pt.roll)), pt.sim @ w


class _CellModel:
    """Where cell k puts a sky point, in instrument-map pixels, from the point's position ``p``
    at the group's mean pointing: ``p - w_k`` (a rigid shift, exact at the map centre, used
    by the image arithmetic) refined by ``- G_k (p - p_c)`` (an affine correction fitted to the
    exact geometry at the map's corners and edge midpoints). ``eps_shift`` and ``eps_affine``
    bound the two models' errors (three times the largest error seen at the test points)."""

    def __init__(self, imap, pt, ra0, dec0, roll0, sim0, g):
        xa, ya = imap.xaxis, imap.yaxis
        ccd = int(imap.ccd_id)
        xs = np.array([xa.lo, 0.5 * (xa.lo + xa.hi), xa.hi])
        ys = np.array([ya.lo, 0.5 * (ya.lo + ya.hi), ya.hi])
        tx, ty = (a.ravel() for a in np.meshgrid(xs, ys))
        order = [4, 0, 1, 2, 3, 5, 6, 7, 8]               # the centre first
        tx, ty = tx[order], ty[order]
        tdx, tdy = geom.chip_to_det(ccd, tx, ty, sim0, g)
        tra, tdec = geom.det_to_celestial(tdx, tdy, ra0, dec0, roll0)
        n, m = len(pt), tx.size
        dxk, dyk = geom.celestial_to_det(np.repeat(tra, n), np.repeat(tdec, n), np.tile(pt.ra, m),
                                         np.tile(pt.dec, m), np.tile(pt.roll, m))
        ckx, cky = geom.chip_plane_coords(ccd, dxk, dyk, np.tile(pt.sim, m), g)
        lx = ((ckx.reshape(m, n) - xa.lo) / xa.step)            # exact landings (map pixels)
        ly = ((cky.reshape(m, n) - ya.lo) / ya.step)
        px = ((tx - xa.lo) / xa.step)[:, None]                 # the test points themselves
        py = ((ty - ya.lo) / ya.step)[:, None]
        self.wx, self.wy = px[0] - lx[0], py[0] - ly[0]        # exact at the centre
        self.pc = (float(px[0, 0]), float(py[0, 0]))
        ex, ey = (px - self.wx) - lx, (py - self.wy) - ly      # shift-model errors (m, n)
        self.eps_shift = 3.0 * float(max(np.abs(ex).max(), np.abs(ey).max())) + 1e-9
        # affine fit: err = G (p - p_c), least squares over the test points, per cell
        dp = np.column_stack([px[1:, 0] - self.pc[0], py[1:, 0] - self.pc[1]])     # (m-1, 2)
        sol, *_ = np.linalg.lstsq(dp, np.stack([ex[1:], ey[1:]], axis=-1).reshape(m - 1, 2 * n),
                                  rcond=None)
        self.G = sol.reshape(2, n, 2)        # G[j, k, c]: d(err_c) / d(p_j) for cell k
        fx = ex[1:] - (dp[:, 0:1] * self.G[0, :, 0] + dp[:, 1:2] * self.G[1, :, 0])
        fy = ey[1:] - (dp[:, 0:1] * self.G[0, :, 1] + dp[:, 1:2] * self.G[1, :, 1])
        self.eps_affine = 3.0 * float(max(np.abs(fx).max(), np.abs(fy).max())) + 1e-9

    def affine(self, px, py, cells):
        dx, dy = px - self.pc[0], py - self.pc[1]
        gx = dx * self.G[0, cells, 0] + dy * self.G[1, cells, 0]
        gy = dx * self.G[0, cells, 1] + dy * self.G[1, cells, 1]
        return px - self.wx[cells] - gx, py - self.wy[cells] - gy


def expmap_fast(imap, pointing, xaxis, yaxis, ra_nom, dec_nom, *, geometry=None,
                progress=None, roll_tol=None, max_shift_error=0.05):
    """Exposure on the sky grid by roll groups and :func:`dithered_image` (see the module
    docstring). ``roll_tol`` (deg): the largest roll spread treated as one group; by default
    such that a roll difference moves no instrument-map pixel by more than
    ``max_shift_error`` pixels anywhere on the chip.

    The image arithmetic uses a rigid shift per cell. (Pixel, cell) pairs that the shift
    places within its error bound of a mask edge are re-evaluated: with an affine correction
    of the shift, and where even that leaves them within its (much smaller) error of a pixel
    edge, through the exact geometry as :func:`expmap_direct` does. So heavy cells at the
    turning points of the dither land on the same side of chip edges and bad columns as in
    the direct sum.
    """
    g = geometry or geom.acis_geometry()
    _check_acis(imap, g)
    if len(pointing) == 0 or not pointing.duration.sum() > 0:
        return np.zeros((yaxis.n, xaxis.n))
    ccd = int(imap.ccd_id)
    if roll_tol is None:
        half_diag = 0.5 * np.hypot(imap.xaxis.n * imap.xaxis.step, imap.yaxis.n * imap.yaxis.step)
        roll_tol = np.degrees(max_shift_error * min(imap.xaxis.step, imap.yaxis.step) / half_diag)
    ra, dec = _sky_grid_celestial(xaxis, yaxis, ra_nom, dec_nom)
    ra_f, dec_f = ra.ravel(), dec.ravel()
    out = np.zeros((yaxis.n, xaxis.n))
    done = 0
    for idx in roll_groups(pointing.roll, roll_tol):
        pt = pointing.subset(idx)
        ra0, dec0, roll0, sim0 = _mean_pointing(pt)
        # instrument-map coordinates of every sky pixel centre at the group's mean pointing
        detx, dety = geom.celestial_to_det(ra, dec, ra0, dec0, roll0)
        cx, cy = geom.chip_plane_coords(ccd, detx, dety, sim0, g)
        qx = ((cx - imap.xaxis.lo) / imap.xaxis.step).ravel()
        qy = ((cy - imap.yaxis.lo) / imap.yaxis.step).ravel()
        model = _CellModel(imap, pt, ra0, dec0, roll0, sim0, g)

        def exact(points, cells, pt=pt, model=model, qx=qx, qy=qy):
            lx, ly = model.affine(qx[points], qy[points], cells)
            e = model.eps_affine
            fx, fy = lx - np.floor(lx), ly - np.floor(ly)
            doubt = np.flatnonzero((fx < e) | (fx > 1 - e) | (fy < e) | (fy > 1 - e))
            if doubt.size:
                p, k = points[doubt], cells[doubt]
                dx, dy = geom.celestial_to_det(ra_f[p], dec_f[p], pt.ra[k], pt.dec[k], pt.roll[k])
                _, ex, ey = geom.det_to_chip(dx, dy, pt.sim[:, k], chips=[ccd], geom=g)
                lx[doubt] = (ex - imap.xaxis.lo) / imap.xaxis.step
                ly[doubt] = (ey - imap.yaxis.lo) / imap.yaxis.step
            return lx, ly

        out += dithered_image(imap.data, qx, qy, model.wx, model.wy, pt.duration, exact=exact,
                              eps=model.eps_shift).reshape(out.shape)
        done += len(pt)
        if progress is not None:
            progress(done, len(pointing))
    return out


# --------------------------------------------------------------------- image arithmetic

def _box_sum(sat, x0, x1, y0, y1):
    """Sums of the image behind summed-area table ``sat`` over inclusive boxes (arrays)."""
    return sat[y1 + 1, x1 + 1] - sat[y0, x1 + 1] - sat[y1 + 1, x0] + sat[y0, x0]


def _sat(a):
    s = np.zeros((a.shape[0] + 1, a.shape[1] + 1), np.int64)
    np.cumsum(np.cumsum(a, axis=0, dtype=np.int64), axis=1, out=s[1:, 1:])
    return s


def _expand_ranges(lo, hi):
    """(row, position) pairs for rows i and positions lo[i] <= position < hi[i]."""
    n = np.maximum(hi - lo, 0)
    rows = np.repeat(np.arange(lo.size), n)
    start = np.repeat(lo - (np.cumsum(n) - n), n)
    return rows, start + np.arange(rows.size)


class _Kernel:
    """The cell shifts w_k with weights D_k, and exact sums over them."""

    def __init__(self, wx, wy, d):
        self.wx, self.wy, self.d = (np.asarray(a, float) for a in (wx, wy, d))
        self.total = float(self.d.sum())
        self.mean = (float(np.sum(self.d * self.wx) / self.total),
                     float(np.sum(self.d * self.wy) / self.total))
        self._sorted = {}
        self._buckets = None

    def cumulative(self, axis):
        """(sort order, sorted shifts along ``axis``, cumulative sums of D, D wx, D wy with a
        leading 0)."""
        if axis not in self._sorted:
            key = self.wx if axis == 0 else self.wy
            o = np.argsort(key, kind="stable")
            z = np.zeros(1)
            self._sorted[axis] = (o, key[o], np.concatenate([z, np.cumsum(self.d[o])]),
                                  np.concatenate([z, np.cumsum(self.d[o] * self.wx[o])]),
                                  np.concatenate([z, np.cumsum(self.d[o] * self.wy[o])]))
        return self._sorted[axis]

    def _bucket_table(self):
        """Cells sorted into unit squares of (floor wx, floor wy), padded to equal length."""
        if self._buckets is None:
            bx0 = int(np.floor(self.wx.min()))
            by0 = int(np.floor(self.wy.min()))
            ix = np.floor(self.wx).astype(np.int64) - bx0
            iy = np.floor(self.wy).astype(np.int64) - by0
            nbx, nby = int(ix.max()) + 1, int(iy.max()) + 1
            flat = iy * nbx + ix
            order = np.argsort(flat, kind="stable")
            counts = np.bincount(flat, minlength=nbx * nby)
            m = max(int(counts.max()), 1)
            slot = np.arange(flat.size) - np.repeat(np.cumsum(counts) - counts, counts)
            K = np.full((nby * nbx, m), -1, np.int64)
            K[flat[order], slot] = order
            self._buckets = (bx0, by0, nbx, nby, K)
        return self._buckets

    def _square_candidates(self, tx, ty, grow):
        """(query, cell) pairs with tx-1-grow < wx <= tx+grow and ty-1-grow < wy <= ty+grow."""
        bx0, by0, nbx, nby, K = self._bucket_table()
        qs, ks = [], []
        jx = np.floor(tx).astype(np.int64) - bx0
        jy = np.floor(ty).astype(np.int64) - by0
        span = range(-1 - int(np.ceil(grow)), 1 + int(np.ceil(grow)))
        for ox in span:
            for oy in span:
                bx, by = jx + ox, jy + oy
                ok = np.flatnonzero((bx >= 0) & (bx < nbx) & (by >= 0) & (by < nby))
                if ok.size == 0:
                    continue
                cells = K[by[ok] * nbx + bx[ok]]              # (n, m), -1 = empty slot
                r, c = np.nonzero(cells >= 0)
                q, k = ok[r], cells[r, c]
                wx, wy = self.wx[k], self.wy[k]
                keep = ((wx > tx[q] - 1 - grow) & (wx <= tx[q] + grow)
                        & (wy > ty[q] - 1 - grow) & (wy <= ty[q] + grow))
                qs.append(q[keep])
                ks.append(k[keep])
        if not qs:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(qs), np.concatenate(ks)

    def unit_square_mass(self, tx, ty):
        """sum_k D_k [tx-1 < wx_k <= tx][ty-1 < wy_k <= ty], for arrays tx, ty."""
        tx, ty = np.asarray(tx, float), np.asarray(ty, float)
        q, k = self._square_candidates(tx, ty, 0.0)
        return np.bincount(q, weights=self.d[k], minlength=tx.size)

    def near_square_edges(self, tx, ty, eps):
        """(query, cell) pairs landing within ``eps`` of the unit square's boundary."""
        tx, ty = np.asarray(tx, float), np.asarray(ty, float)
        q, k = self._square_candidates(tx, ty, eps)
        wx, wy = self.wx[k], self.wy[k]
        deep = ((wx > tx[q] - 1 + eps) & (wx <= tx[q] - eps)
                & (wy > ty[q] - 1 + eps) & (wy <= ty[q] - eps))
        return q[~deep], k[~deep]


def _bilinear(a, sx, sy):
    """Bilinear interpolation of ``a`` (values at pixel centres i + 0.5) at (sx, sy); callers
    keep (sx, sy) at least one pixel inside ``a``."""
    fx, fy = sx - 0.5, sy - 0.5
    ix, iy = np.floor(fx).astype(np.int64), np.floor(fy).astype(np.int64)
    tx, ty = fx - ix, fy - iy
    return ((a[iy, ix] * (1 - tx) + a[iy, ix + 1] * tx) * (1 - ty)
            + (a[iy + 1, ix] * (1 - tx) + a[iy + 1, ix + 1] * tx) * ty)


def _smoothed(A, kern):
    """``S[a] = sum_k D_k A_bl(a + 0.5 - w_k)`` at every pixel centre, A_bl the bilinear
    interpolant of ``A``: the convolution of A with the cloud-in-cell deposit of the shifts
    (one FFT). Interpolating S bilinearly gives the smooth part of the exposure anywhere."""
    from scipy.signal import fftconvolve

    fx, fy = np.floor(kern.wx), np.floor(kern.wy)
    tx, ty = kern.wx - fx, kern.wy - fy
    m0x, m0y = int(fx.min()), int(fy.min())
    ix, iy = (fx - m0x).astype(np.int64), (fy - m0y).astype(np.int64)
    K = np.zeros((int(iy.max()) + 2, int(ix.max()) + 2))
    # A_bl(a + 0.5 - w) = sum_n A[n] tent(a - n - w): the shift w deposits on floor(w), +1
    np.add.at(K, (iy, ix), kern.d * (1 - tx) * (1 - ty))
    np.add.at(K, (iy, ix + 1), kern.d * tx * (1 - ty))
    np.add.at(K, (iy + 1, ix), kern.d * (1 - tx) * ty)
    np.add.at(K, (iy + 1, ix + 1), kern.d * tx * ty)
    full = fftconvolve(A, K)                     # full[i] = sum_n A[n] K[i - n]
    # S[a] = sum_n A[n] Kc(a - n) with Kc(m) = K[m - m0]  ->  S[a] = full[a - m0]
    H, W = A.shape
    S = np.zeros((H, W))
    ys, xs = np.arange(H) - m0y, np.arange(W) - m0x
    oky, okx = (ys >= 0) & (ys < full.shape[0]), (xs >= 0) & (xs < full.shape[1])
    S[np.ix_(oky, okx)] = full[np.ix_(ys[oky], xs[okx])]
    return S


def _nearest_fill(values, good):
    """``values`` with every pixel outside ``good`` replaced by its nearest good pixel's."""
    from scipy import ndimage

    if good.all() or not good.any():
        return values.copy()
    idx = ndimage.distance_transform_edt(~good, return_distances=False, return_indices=True)
    return values[idx[0], idx[1]]


def dithered_image(image, qx, qy, wx, wy, d, *, exact=None, eps=0.0, jump_tol=2e-3,
                   small_hole=9, chunk=4096):
    """``E = sum_k d_k image[floor(qy - wy_k), floor(qx - wx_k)]`` (0 outside the image) at
    continuous image coordinates (qx, qy) (pixel i covers [i, i+1)).

    Exact wherever the image is a constant times a mask; for a smoothly varying image the
    error is second order in the spread of w (see the module docstring). ``jump_tol``: a
    relative step between neighbouring non-zero pixels above which the neighbourhood is
    summed cell by cell; ``small_hole``: zero regions of at most this many pixels (bad
    pixels) are taken out by exact unit-square masses.

    ``exact(points, cells) -> (qx, qy)``: when the landing positions ``q - w`` are a model
    (good to ``eps`` pixels) of a true geometry, this gives the true landing of given
    (point, cell) pairs (indices into the flattened q and into w; NaN = nowhere). Every pair
    whose modelled landing lies within ``eps`` of a pixel edge where the mask changes is
    re-evaluated with it, so the result equals the true-geometry sum, not only its model.
    """
    img = np.nan_to_num(np.asarray(image, float), nan=0.0, posinf=0.0, neginf=0.0)
    img = np.where(img > 0, img, 0.0)
    qx = np.asarray(qx, float)
    qy = np.asarray(qy, float)
    shape = qx.shape
    qx, qy = qx.ravel(), qy.ravel()
    out = np.zeros(qx.size)
    kern = _Kernel(wx, wy, d)
    if kern.total == 0 or not img.any():
        return out.reshape(shape)
    eps = float(eps) if exact is not None else 0.0
    wxmin, wxmax, wymin, wymax = kern.wx.min(), kern.wx.max(), kern.wy.min(), kern.wy.max()

    # pad so that every box that touches the image lies inside the padded array
    pad = int(np.ceil(max(wxmax - wxmin, wymax - wymin) + eps)) + 6
    ny, nx = img.shape
    img_p = np.zeros((ny + 2 * pad, nx + 2 * pad))
    img_p[pad:pad + ny, pad:pad + nx] = img
    px, py = qx + pad, qy + pad

    # each point's box of pixels reached by its shifts, widened by two pixels: the smoothed
    # field is interpolated between pixel centres, each reaching one pixel further (and the
    # true landings lie within eps of the modelled ones)
    finite = np.isfinite(px) & np.isfinite(py)
    fpx, fpy = np.where(finite, px, -1e9), np.where(finite, py, -1e9)
    ex0 = np.floor(fpx - wxmax).astype(np.int64) - 2
    ex1 = np.floor(fpx - wxmin).astype(np.int64) + 2
    ey0 = np.floor(fpy - wymax).astype(np.int64) - 2
    ey1 = np.floor(fpy - wymin).astype(np.int64) + 2
    H, W = img_p.shape
    act = np.flatnonzero(finite & (ex0 >= 0) & (ex1 < W) & (ey0 >= 0) & (ey1 < H))
    if act.size == 0:
        return out.reshape(shape)
    px, py, ex0, ex1, ey0, ey1 = (a[act] for a in (px, py, ex0, ex1, ey0, ey1))

    # the mask, with small holes (isolated bad pixels) filled and remembered
    M = img_p > 0
    holes = _small_holes(~M, small_hole)
    Mf = M.copy()
    if holes.size:
        Mf[holes[:, 0], holes[:, 1]] = True
    A = _nearest_fill(img_p, M)               # the area map continued smoothly over the zeros
    jump = np.zeros(img_p.shape, bool)
    big = np.maximum(A[:, 1:], A[:, :-1])
    jump[:, 1:] |= Mf[:, 1:] & Mf[:, :-1] & (np.abs(A[:, 1:] - A[:, :-1]) > jump_tol * big)
    big = np.maximum(A[1:, :], A[:-1, :])
    jump[1:, :] |= Mf[1:, :] & Mf[:-1, :] & (np.abs(A[1:, :] - A[:-1, :]) > jump_tol * big)
    dV = np.zeros(img_p.shape, bool)
    dV[1:, :] = Mf[1:, :] != Mf[:-1, :]
    dH = np.zeros(img_p.shape, bool)
    dH[:, 1:] = Mf[:, 1:] != Mf[:, :-1]

    area = (ex1 - ex0 + 1) * (ey1 - ey0 + 1)
    nM = _box_sum(_sat(Mf), ex0, ex1, ey0, ey1)
    nJ = _box_sum(_sat(jump), ex0, ex1, ey0, ey1)
    nV = _box_sum(_sat(dV), ex0, ex1, ey0 + 1, ey1)
    nH = _box_sum(_sat(dH), ex0 + 1, ex1, ey0, ey1)
    zero = nM == 0
    smooth = ~zero & (nJ == 0)
    full = smooth & (nM == area)
    xonly = smooth & ~full & (nV == 0)
    yonly = smooth & ~full & ~xonly & (nH == 0)
    brute = ~zero & ~full & ~xonly & ~yonly

    res = np.zeros(act.size)
    pairs = []                             # (local point, cell) pairs to re-evaluate exactly
    if full.any() or xonly.any() or yonly.any():
        S = _smoothed(A, kern)             # sum_k D_k A(q - w_k) at pixel centres
    if full.any():
        res[full] = _bilinear(S, px[full], py[full])
    for sel, axis in ((xonly, 0), (yonly, 1)):
        if sel.any():
            idx = np.flatnonzero(sel)
            res[idx], (pi, ck) = _one_axis(A, S, Mf, kern, px[idx], py[idx], ex0[idx], ex1[idx],
                                           ey0[idx], ey1[idx], axis, eps)
            pairs.append((idx[pi], ck))
    if holes.size and (full.any() or xonly.any() or yonly.any()):
        pairs.append(_subtract_holes(res, full | xonly | yonly, holes, A, kern, px, py, eps))
    if brute.any():
        idx = np.flatnonzero(brute)
        res[idx], (pi, ck) = _brute(img_p, kern, px[idx], py[idx], chunk, eps)
        pairs.append((idx[pi], ck))
    if exact is not None and pairs:
        _fix_up(res, pairs, img_p, kern, px, py, act, pad, exact)
    out[act] = res
    return out.reshape(shape)


def _small_holes(zero, max_pixels):
    """(n, 2) array of (row, col) of zero pixels in connected zero regions of at most
    ``max_pixels`` pixels that do not touch the array border."""
    from scipy import ndimage

    if max_pixels <= 0 or not zero.any():
        return np.zeros((0, 2), np.int64)
    lab, n = ndimage.label(zero)
    if n == 0:
        return np.zeros((0, 2), np.int64)
    sizes = np.bincount(lab.ravel(), minlength=n + 1)
    border = np.unique(np.concatenate([lab[0], lab[-1], lab[:, 0], lab[:, -1]]))
    small = sizes <= max_pixels
    small[0] = False
    small[border] = False
    rows, cols = np.nonzero(small[lab])
    return np.column_stack([rows, cols]).astype(np.int64)


def _one_axis(A, S, Mf, kern, px, py, ex0, ex1, ey0, ey1, axis, eps):
    """Points whose mask varies along one axis only within their box. The weight C0 = sum D_k
    and first moment C1 = sum D_k w_k of the shifts landing off the mask come exactly from
    cumulative sums along that axis. When most weight lands on the mask the result is the
    smoothed area ``S(q)`` less A(q - C1/C0) C0, else the on-mask weight times the area at its
    centroid (either is exact to first order; A is continued smoothly over the mask).
    Also returns the (point, cell) pairs landing within ``eps`` of a mask edge."""
    order, ws, cD, cX, cY = kern.cumulative(axis)
    if axis == 0:
        q, j0, width, row = px, ex0, ex1 - ex0 + 1, ey0
    else:
        q, j0, width, row = py, ey0, ey1 - ey0 + 1, ex0
    wmax = int(width.max())
    cols = np.arange(wmax)
    inbox = cols[None, :] < width[:, None]
    jc = np.minimum(j0[:, None] + cols[None, :], (Mf.shape[1] if axis == 0 else Mf.shape[0]) - 1)
    m = (Mf[row[:, None], jc] if axis == 0 else Mf[jc, row[:, None]]) & inbox
    # Landing in pixel j <=> q - j - 1 < w <= q - j. Over a run of on-mask pixels the masses
    # telescope, so only the run ends need the cumulative sums: with u(j) = #{w <= q - j},
    # sum over on-pixels of [cum(u(j)) - cum(u(j+1))] = sum over mask changes of
    # +-cum(u(j at the change)). Beyond the box the mask is off (m is padded with zeros).
    change = np.zeros((px.size, wmax + 1), np.int8)
    change[:, 0] = m[:, 0]
    change[:, 1:wmax] = m[:, 1:].astype(np.int8) - m[:, :-1]
    change[:, wmax] = -m[:, wmax - 1].astype(np.int8)
    ti, tc = np.nonzero(change)
    sign = change[ti, tc].astype(float)
    u = np.searchsorted(ws, q[ti] - (j0[ti] + tc), side="right")
    on0 = np.bincount(ti, weights=sign * cD[u], minlength=px.size)
    on1x = np.bincount(ti, weights=sign * cX[u], minlength=px.size)
    on1y = np.bincount(ti, weights=sign * cY[u], minlength=px.size)
    mx, my = kern.mean
    C0, C1x, C1y = kern.total - on0, kern.total * mx - on1x, kern.total * my - on1y
    tiny = 1e-9 * kern.total
    on0 = np.where(on0 > tiny, on0, 0.0)
    C0 = np.where(C0 > tiny, C0, 0.0)
    # first-order error ~ curvature x the weight expanded: expand whichever side is lighter
    out = np.zeros(px.size)
    use_on = on0 <= C0
    sel = use_on & (on0 > 0)
    if sel.any():
        out[sel] = on0[sel] * _bilinear(A, px[sel] - on1x[sel] / on0[sel],
                                        py[sel] - on1y[sel] / on0[sel])
    sel = ~use_on
    if sel.any():
        out[sel] = _bilinear(S, px[sel], py[sel])
        cut = sel & (C0 > 0)
        out[cut] -= C0[cut] * _bilinear(A, px[cut] - C1x[cut] / C0[cut],
                                        py[cut] - C1y[cut] / C0[cut])
    # cells within eps of an edge where the mask changes (landing = j  <=>  w = q - j)
    if eps > 0:
        inner = (tc > 0) & (tc < wmax)            # the box ends are never reached by a shift
        ti, tc = ti[inner], tc[inner]
        t = q[ti] - (j0[ti] + tc)
        a = np.searchsorted(ws, t - eps, side="left")
        b = np.searchsorted(ws, t + eps, side="right")
        r, pos = _expand_ranges(a, b)
        return out, (ti[r], order[pos])
    return out, (np.zeros(0, np.int64), np.zeros(0, np.int64))


def _subtract_holes(res, sel, holes, A, kern, px, py, eps):
    """Take out isolated bad pixels (filled for the smooth/one-axis formulas) exactly: for
    each hole pixel and each point whose shifts reach it, A x (mass of shifts landing on that
    pixel). Returns the (point, cell) pairs landing within ``eps`` of a hole's edge."""
    idx = np.flatnonzero(sel)
    none = (np.zeros(0, np.int64), np.zeros(0, np.int64))
    if idx.size == 0:
        return none
    g = eps + 1e-12
    wxmin, wxmax = kern.wx.min() - g, kern.wx.max() + g
    wymin, wymax = kern.wy.min() - g, kern.wy.max() + g
    order = np.argsort(px[idx], kind="stable")
    xs = px[idx][order]
    pp, kk = [], []
    for r, c in holes:
        # points with floor(px - w) = c for some w: c + wmin <= px < c + 1 + wmax
        a = np.searchsorted(xs, c + wxmin, side="left")
        b = np.searchsorted(xs, c + 1 + wxmax, side="left")
        if b <= a:
            continue
        cand = idx[order[a:b]]
        cand = cand[(py[cand] >= r + wymin) & (py[cand] < r + 1 + wymax)]
        if cand.size == 0:
            continue
        res[cand] -= A[r, c] * kern.unit_square_mass(px[cand] - c, py[cand] - r)
        if eps > 0:
            q, k = kern.near_square_edges(px[cand] - c, py[cand] - r, eps)
            pp.append(cand[q])
            kk.append(k)
    if not pp:
        return none
    return np.concatenate(pp), np.concatenate(kk)


def _brute(img_p, kern, px, py, chunk, eps):
    """sum_k D_k I[floor(py - wy_k), floor(px - wx_k)], in blocks of points, and the
    (point, cell) pairs landing within ``eps`` of a pixel edge.

    floor(p - w) = (floor(p) - floor(w)) - [frac(p) < frac(w)]: integer and fractional parts
    are split once, so a block needs only integer adds and comparisons."""
    out = np.empty(px.size)
    W = img_p.shape[1]
    flat = img_p.ravel()
    iwx, iwy = np.floor(kern.wx), np.floor(kern.wy)
    fwx, fwy = kern.wx - iwx, kern.wy - iwy
    kbase = -(iwy.astype(np.int64) * W + iwx.astype(np.int64))
    ipx, ipy = np.floor(px), np.floor(py)
    fpx, fpy = px - ipx, py - ipy
    pbase = ipy.astype(np.int64) * W + ipx.astype(np.int64)
    step = max(1, int(chunk * 64 // max(kern.wx.size, 1)))
    pp, kk = [], []
    for s in range(0, px.size, step):
        e = min(px.size, s + step)
        dx = fpx[s:e, None] - fwx[None, :]
        dy = fpy[s:e, None] - fwy[None, :]
        idx = pbase[s:e, None] + kbase[None, :]
        idx -= dx < 0
        idx -= W * (dy < 0)
        out[s:e] = flat[idx] @ kern.d
        if eps > 0:
            # near a pixel edge whose far side differs in being masked
            ax, ay = np.abs(dx), np.abs(dy)
            nx_ = np.where(dx < 0, dx + 1, dx)           # landing's fraction within its pixel
            ny_ = np.where(dy < 0, dy + 1, dy)
            r, c = np.nonzero((ax < eps) | (ax > 1 - eps) | (ay < eps) | (ay > 1 - eps))
            if r.size:
                i0 = idx[r, c]
                fx_, fy_ = nx_[r, c], ny_[r, c]
                sx = np.where(fx_ < 0.5, -1, 1) * ((fx_ < eps) | (fx_ > 1 - eps))
                sy = np.where(fy_ < 0.5, -W, W) * ((fy_ < eps) | (fy_ > 1 - eps))
                m0 = flat[i0] > 0
                keep = ((m0 != (flat[i0 + sx] > 0)) | (m0 != (flat[i0 + sy] > 0))
                        | (m0 != (flat[i0 + sx + sy] > 0)))
                pp.append(r[keep] + s)
                kk.append(c[keep])
    if not pp:
        return out, (np.zeros(0, np.int64), np.zeros(0, np.int64))
    return out, (np.concatenate(pp), np.concatenate(kk))


def _fix_up(res, pairs, img_p, kern, px, py, act, pad, exact):
    """Replace the modelled landing of the given (point, cell) pairs by the exact one."""
    p = np.concatenate([a for a, _ in pairs])
    k = np.concatenate([b for _, b in pairs])
    if p.size == 0:
        return
    H, W = img_p.shape
    ax = np.floor(px[p] - kern.wx[k]).astype(np.int64)
    ay = np.floor(py[p] - kern.wy[k]).astype(np.int64)
    va = img_p[ay, ax]
    qx, qy = exact(act[p], k)
    qx, qy = np.asarray(qx, float) + pad, np.asarray(qy, float) + pad
    ok = np.isfinite(qx) & np.isfinite(qy)
    bx = np.where(ok, np.floor(np.where(ok, qx, 0)), -1).astype(np.int64)
    by = np.where(ok, np.floor(np.where(ok, qy, 0)), -1).astype(np.int64)
    inside = (bx >= 0) & (bx < W) & (by >= 0) & (by < H)
    ve = np.zeros(p.size)
    ve[inside] = img_p[by[inside], bx[inside]]
    np.add.at(res, p, kern.d[k] * (ve - va))
