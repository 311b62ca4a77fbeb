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
    the whole chip rigidly, so ``chip_k(x) = p(x) - w_k``: one exact geometry pass per group
    gives p(x) (instrument-map pixel coordinates of each sky pixel at the group's mean
    pointing) and each cell contributes a constant shift w_k (computed exactly at the chip
    centre). What remains is image arithmetic, :func:`dithered_image`:

        E(q) = sum_k D_k I[floor(q - w_k)]

    evaluated *exactly* where it matters: the map's sharp edges (chip boundaries, bad
    columns, window masks) come from the distribution of the shifts w_k (its cumulative sums
    along the edge's normal, or unit-square masses for isolated bad pixels), and only the
    smooth effective area in between is taken to first order in w - mean(w)
    (error ~ curvature x dither^2, ~1e-5 of the value). Points whose neighbourhood has
    corners or steps in the area map are summed over all cells.

Both return the exposure in the units of D x I (s x cm^2 counts/photon for a live-time
histogram and a cm^2 instrument map).
"""
from __future__ import annotations

import dataclasses

import numpy as np

from .. import geom
from ..errors import ToolError
from .grid import Axis

__all__ = ["InstrumentMap", "Pointing", "cell_pointings", "chip_plane_coords", "sample_map",
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


def chip_plane_coords(ccd_id, detx, dety, sim, geometry=None):
    """Continuous chip coordinates where det positions meet the (extended) plane of chip
    ``ccd_id``: the intersection :func:`pyciao.geom.det_to_chip` computes, without its
    on-chip test, so positions just off the chip get coordinates beyond 0.5..1024.5."""
    g = geometry or geom.acis_geometry()
    ch = g.chips[int(ccd_id)]
    shape = np.shape(detx)
    a = (np.asarray(detx, float).ravel() - g.refpix) * g.pixel_rad
    b = -(np.asarray(dety, float).ravel() - g.refpix) * g.pixel_rad
    sim3 = np.asarray(sim, float).reshape(3, -1)
    node = np.array([g.focal_length, 0.0, 0.0])
    p0 = (ch.p0 + g.lsi_origin)[:, None] + sim3
    n = np.cross(ch.u, ch.v)
    t = (n @ (p0 - node[:, None])) / (-n[0] + n[1] * a + n[2] * b)
    d = np.stack([node[0] - t, a * t, b * t]) - p0
    vxn = np.cross(ch.v, n)
    nxu = np.cross(n, ch.u)
    u = (vxn @ d) / np.dot(ch.u, vxn) + 0.5
    v = (nxu @ d) / np.dot(ch.v, nxu) + 0.5
    return u.reshape(shape), v.reshape(shape)


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
        detx, dety = geom.celestial_to_det(ra, dec, pointing.ra[k], pointing.dec[k], pointing.roll[k])
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


def expmap_fast(imap, pointing, xaxis, yaxis, ra_nom, dec_nom, *, geometry=None,
                progress=None, roll_tol=None, max_shift_error=0.01):
    """Exposure on the sky grid by roll groups and :func:`dithered_image` (see the module
    docstring). ``roll_tol`` (deg): the largest roll spread treated as one group; by default
    such that a roll difference moves no instrument-map pixel by more than
    ``max_shift_error`` pixels anywhere on the chip."""
    g = geometry or geom.acis_geometry()
    _check_acis(imap, g)
    if len(pointing) == 0 or not pointing.duration.sum() > 0:
        return np.zeros((yaxis.n, xaxis.n))
    ccd = int(imap.ccd_id)
    # the chip half-diagonal in sky pixels bounds the lever arm of a roll difference
    if roll_tol is None:
        half_diag = 0.5 * np.hypot(imap.xaxis.n * imap.xaxis.step, imap.yaxis.n * imap.yaxis.step)
        roll_tol = np.degrees(max_shift_error * min(imap.xaxis.step, imap.yaxis.step) / half_diag)
    ra, dec = _sky_grid_celestial(xaxis, yaxis, ra_nom, dec_nom)
    out = np.zeros((yaxis.n, xaxis.n))
    groups = roll_groups(pointing.roll, roll_tol)
    cx_mid = 0.5 * (imap.xaxis.lo + imap.xaxis.hi)
    cy_mid = 0.5 * (imap.yaxis.lo + imap.yaxis.hi)
    done = 0
    for idx in groups:
        pt = pointing.subset(idx)
        ra0, dec0, roll0, sim0 = _mean_pointing(pt)
        # instrument-map coordinates of every sky pixel centre at the group's mean pointing
        detx, dety = geom.celestial_to_det(ra, dec, ra0, dec0, roll0)
        cx, cy = chip_plane_coords(ccd, detx, dety, sim0, g)
        qx = (cx - imap.xaxis.lo) / imap.xaxis.step
        qy = (cy - imap.yaxis.lo) / imap.yaxis.step
        # each cell's shift, exact at the sky position of the chip centre
        dx0, dy0 = geom.chip_to_det(ccd, cx_mid, cy_mid, sim0, g)
        ra_c, dec_c = geom.det_to_celestial(dx0, dy0, ra0, dec0, roll0)
        dxk, dyk = geom.celestial_to_det(np.full(len(pt), float(ra_c)), np.full(len(pt), float(dec_c)),
                                         pt.ra, pt.dec, pt.roll)
        ckx, cky = chip_plane_coords(ccd, dxk, dyk, pt.sim, g)
        wx = (cx_mid - ckx) / imap.xaxis.step
        wy = (cy_mid - cky) / imap.yaxis.step
        out += dithered_image(imap.data, qx, qy, wx, wy, pt.duration)
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
        """(sorted shifts along ``axis``; cumulative sums of D, D wx, D wy with a leading 0)."""
        if axis not in self._sorted:
            key = self.wx if axis == 0 else self.wy
            o = np.argsort(key, kind="stable")
            z = np.zeros(1)
            self._sorted[axis] = (key[o], np.concatenate([z, np.cumsum(self.d[o])]),
                                  np.concatenate([z, np.cumsum(self.d[o] * self.wx[o])]),
                                  np.concatenate([z, np.cumsum(self.d[o] * self.wy[o])]))
        return self._sorted[axis]

    def unit_square_mass(self, tx, ty):
        """sum_k D_k [tx-1 < wx_k <= tx][ty-1 < wy_k <= ty], for arrays tx, ty."""
        if self._buckets is None:
            bx0 = int(np.floor(self.wx.min()))
            by0 = int(np.floor(self.wy.min()))
            ix = np.floor(self.wx).astype(np.int64) - bx0
            iy = np.floor(self.wy).astype(np.int64) - by0
            nbx, nby = ix.max() + 1, iy.max() + 1
            flat = iy * nbx + ix
            order = np.argsort(flat, kind="stable")
            counts = np.bincount(flat, minlength=nbx * nby)
            m = max(int(counts.max()), 1)
            slot = np.arange(len(flat)) - np.repeat(np.cumsum(counts) - counts, counts)
            WX = np.zeros((nby * nbx, m))
            WY = np.zeros((nby * nbx, m))
            DD = np.zeros((nby * nbx, m))
            WX[flat[order], slot] = self.wx[order]
            WY[flat[order], slot] = self.wy[order]
            DD[flat[order], slot] = self.d[order]
            self._buckets = (bx0, by0, nbx, nby, WX, WY, DD)
        bx0, by0, nbx, nby, WX, WY, DD = self._buckets
        tx = np.asarray(tx, float)
        ty = np.asarray(ty, float)
        total = np.zeros(tx.shape)
        jx = np.floor(tx).astype(np.int64) - bx0
        jy = np.floor(ty).astype(np.int64) - by0
        for ox in (-1, 0):
            for oy in (-1, 0):
                bx, by = jx + ox, jy + oy
                ok = (bx >= 0) & (bx < nbx) & (by >= 0) & (by < nby)
                if not ok.any():
                    continue
                b = by[ok] * nbx + bx[ok]
                wx, wy, dd = WX[b], WY[b], DD[b]
                t1, t2 = tx[ok][:, None], ty[ok][:, None]
                inside = (wx > t1 - 1) & (wx <= t1) & (wy > t2 - 1) & (wy <= t2)
                total[ok] += np.sum(dd * inside, axis=1)
        return total


def _bilinear(a, sx, sy):
    """Bilinear interpolation of ``a`` (values at pixel centres i + 0.5) at (sx, sy), with
    the partial derivatives; callers keep (sx, sy) at least one pixel inside ``a``."""
    fx, fy = sx - 0.5, sy - 0.5
    ix, iy = np.floor(fx).astype(np.int64), np.floor(fy).astype(np.int64)
    tx, ty = fx - ix, fy - iy
    a00, a10 = a[iy, ix], a[iy, ix + 1]
    a01, a11 = a[iy + 1, ix], a[iy + 1, ix + 1]
    val = (a00 * (1 - tx) + a10 * tx) * (1 - ty) + (a01 * (1 - tx) + a11 * tx) * ty
    gx = (a10 - a00) * (1 - ty) + (a11 - a01) * ty
    gy = (a01 - a00) * (1 - tx) + (a11 - a10) * tx
    return val, gx, gy


def _nearest_fill(values, good):
    """``values`` with every pixel outside ``good`` replaced by its nearest good pixel's."""
    from scipy import ndimage

    if good.all() or not good.any():
        return values.copy()
    idx = ndimage.distance_transform_edt(~good, return_distances=False, return_indices=True)
    return values[idx[0], idx[1]]


def dithered_image(image, qx, qy, wx, wy, d, *, jump_tol=2e-3, small_hole=9, chunk=4096):
    """``E = sum_k d_k image[floor(qy - wy_k), floor(qx - wx_k)]`` (0 outside the image) at
    continuous image coordinates (qx, qy) (pixel i covers [i, i+1)).

    Exact wherever the image is a constant-times-mask; for a smoothly varying image the error
    is second order in the spread of w (see the module docstring). ``jump_tol``: a relative
    step between neighbouring non-zero pixels above which the neighbourhood is summed cell by
    cell; ``small_hole``: zero regions of at most this many pixels (bad pixels) are handled
    by exact unit-square masses.
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
    wxmin, wxmax, wymin, wymax = kern.wx.min(), kern.wx.max(), kern.wy.min(), kern.wy.max()

    # pad so that every box that touches the image lies inside the padded array
    pad = int(np.ceil(max(wxmax - wxmin, wymax - wymin))) + 4
    ny, nx = img.shape
    I = np.zeros((ny + 2 * pad, nx + 2 * pad))
    I[pad:pad + ny, pad:pad + nx] = img
    px, py = qx + pad, qy + pad

    # each point's box of pixels reached by its shifts, widened by one for interpolation
    finite = np.isfinite(px) & np.isfinite(py)
    ex0 = np.floor(np.where(finite, px, -1e9) - wxmax).astype(np.int64) - 1
    ex1 = np.floor(np.where(finite, px, -1e9) - wxmin).astype(np.int64) + 1
    ey0 = np.floor(np.where(finite, py, -1e9) - wymax).astype(np.int64) - 1
    ey1 = np.floor(np.where(finite, py, -1e9) - wymin).astype(np.int64) + 1
    H, W = I.shape
    active = finite & (ex0 >= 0) & (ex1 < W) & (ey0 >= 0) & (ey1 < H)
    act = np.flatnonzero(active)
    if act.size == 0:
        return out.reshape(shape)
    px, py, ex0, ex1, ey0, ey1 = (a[act] for a in (px, py, ex0, ex1, ey0, ey1))

    # the mask, with small holes (isolated bad pixels) filled and remembered
    M = I > 0
    holes = _small_holes(~M, small_hole)
    Mf = M.copy()
    if holes.size:
        Mf[holes[:, 0], holes[:, 1]] = True
    A = _nearest_fill(I, M)               # the area map continued smoothly over the zeros
    jump = np.zeros(I.shape, bool)
    big = np.maximum(A[:, 1:], A[:, :-1])
    jump[:, 1:] |= Mf[:, 1:] & Mf[:, :-1] & (np.abs(A[:, 1:] - A[:, :-1]) > jump_tol * big)
    big = np.maximum(A[1:, :], A[:-1, :])
    jump[1:, :] |= Mf[1:, :] & Mf[:-1, :] & (np.abs(A[1:, :] - A[:-1, :]) > jump_tol * big)
    dV = np.zeros(I.shape, bool)
    dV[1:, :] = Mf[1:, :] != Mf[:-1, :]
    dH = np.zeros(I.shape, bool)
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
    mx, my = kern.mean
    if full.any():
        v, _, _ = _bilinear(A, px[full] - mx, py[full] - my)
        res[full] = kern.total * v
    for sel, axis in ((xonly, 0), (yonly, 1)):
        if sel.any():
            res[sel] = _one_axis(A, Mf, kern, px[sel], py[sel], ex0[sel], ex1[sel], ey0[sel],
                                 ey1[sel], axis)
    if holes.size and (full.any() or xonly.any() or yonly.any()):
        _subtract_holes(res, full | xonly | yonly, holes, A, kern, px, py)
    if brute.any():
        res[brute] = _brute(I, kern, px[brute], py[brute], chunk)
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


def _one_axis(A, Mf, kern, px, py, ex0, ex1, ey0, ey1, axis):
    """Points whose mask varies along one axis only within their box: the shifts landing on
    the map, C0 = sum D_k and C1 = sum D_k w_k, exactly from cumulative sums along that axis;
    the area at the landing centroid, A(q - C1/C0) C0 (exact to first order)."""
    ws, cD, cX, cY = kern.cumulative(axis)
    if axis == 0:
        q, j0, width, row = px, ex0, ex1 - ex0 + 1, ey0
    else:
        q, j0, width, row = py, ey0, ey1 - ey0 + 1, ex0
    wmax = int(width.max())
    j = j0[:, None] + np.arange(wmax)[None, :]                     # box pixels along the axis
    inbox = np.arange(wmax)[None, :] < width[:, None]
    jc = np.minimum(j, (Mf.shape[1] if axis == 0 else Mf.shape[0]) - 1)
    m = (Mf[row[:, None], jc] if axis == 0 else Mf[jc, row[:, None]]) & inbox
    # shifts with floor(q - w) = j  <=>  q - j - 1 < w <= q - j
    hi = np.searchsorted(ws, q[:, None] - j, side="right")
    lo = np.searchsorted(ws, q[:, None] - j - 1, side="right")
    C0 = np.sum(m * (cD[hi] - cD[lo]), axis=1)
    C1x = np.sum(m * (cX[hi] - cX[lo]), axis=1)
    C1y = np.sum(m * (cY[hi] - cY[lo]), axis=1)
    # expand the area about the centroid of the shifts that land on the map: no linear term
    out = np.zeros(px.size)
    ok = C0 > 0
    if ok.any():
        v, _, _ = _bilinear(A, px[ok] - C1x[ok] / C0[ok], py[ok] - C1y[ok] / C0[ok])
        out[ok] = v * C0[ok]
    return out


def _subtract_holes(res, sel, holes, A, kern, px, py):
    """Take out isolated bad pixels (filled for the smooth/one-axis formulas) exactly:
    for each hole pixel and each point whose shifts reach it, A x (mass of shifts landing
    on that pixel)."""
    idx = np.flatnonzero(sel)
    if idx.size == 0:
        return
    wxmin, wxmax = kern.wx.min(), kern.wx.max()
    wymin, wymax = kern.wy.min(), kern.wy.max()
    order = np.argsort(px[idx], kind="stable")
    xs = px[idx][order]
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
        mass = kern.unit_square_mass(px[cand] - c, py[cand] - r)
        res[cand] -= A[r, c] * mass


def _brute(I, kern, px, py, chunk):
    """sum_k D_k I[floor(py - wy_k), floor(px - wx_k)], in blocks of points.

    floor(p - w) = (floor(p) - floor(w)) - [frac(p) < frac(w)]: integer and fractional parts
    are split once, so a block needs only integer adds and comparisons."""
    out = np.empty(px.size)
    W = I.shape[1]
    flat = I.ravel()
    iwx, iwy = np.floor(kern.wx), np.floor(kern.wy)
    fwx, fwy = kern.wx - iwx, kern.wy - iwy
    kbase = -(iwy.astype(np.int64) * W + iwx.astype(np.int64))
    ipx, ipy = np.floor(px), np.floor(py)
    fpx, fpy = px - ipx, py - ipy
    pbase = ipy.astype(np.int64) * W + ipx.astype(np.int64)
    step = max(1, int(chunk * 64 // max(kern.wx.size, 1)))
    for s in range(0, px.size, step):
        e = min(px.size, s + step)
        idx = pbase[s:e, None] + kbase[None, :]
        idx -= fpx[s:e, None] < fwx[None, :]
        idx -= W * (fpy[s:e, None] < fwy[None, :])
        out[s:e] = flat[idx] @ kern.d
    return out
