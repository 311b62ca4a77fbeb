"""The projection core: dithered_image against brute force, fast against direct, and two
analytic cases (no dither; a flat map against the time-resolved aspect solution)."""
import numpy as np
import pytest
from pyciao import geom
from pyciao.expmap.aspect import aspect_histogram
from pyciao.expmap.grid import Axis
from pyciao.expmap.project import (
    InstrumentMap,
    cell_pointings,
    dithered_image,
    expmap_direct,
    expmap_fast,
    roll_groups,
    sample_map,
)
from pyciao.mkexpmap import exposure_map
from pyciao.mkinstmap import instrument_map

CHIP = Axis(0.5, 1.0, 1024)


def brute(img, qx, qy, wx, wy, d):
    """The definition: sum_k d_k img[floor(qy - wy_k), floor(qx - wx_k)], 0 off the image."""
    ix = np.floor(qx.ravel()[:, None] - wx[None]).astype(int)
    iy = np.floor(qy.ravel()[:, None] - wy[None]).astype(int)
    ok = (ix >= 0) & (ix < img.shape[1]) & (iy >= 0) & (iy < img.shape[0])
    v = np.where(ok, img[np.clip(iy, 0, img.shape[0] - 1), np.clip(ix, 0, img.shape[1] - 1)], 0.0)
    return (v @ d).reshape(qx.shape)


def lissajous(n, amp=6.0, ang=25.0, seed=0):
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 3000, n)
    ox, oy = amp * np.sin(2 * np.pi * t / 1000), amp * np.sin(2 * np.pi * t / 707 + 0.4)
    a = np.radians(ang)
    return (np.cos(a) * ox - np.sin(a) * oy + 0.37, np.sin(a) * ox + np.cos(a) * oy - 0.21,
            rng.uniform(0.5, 1.5, n))


def masked_image():
    img = np.full((70, 80), 3.0)
    img[:, 40] = 0                   # a bad column
    img[20:22, 15] = 0               # a 2-pixel hole
    img[50, 60] = 0                  # a hot pixel
    img[5:12, 55:65] = 0             # a bigger bad region
    img[:, 70:] *= 1.3               # a step in the area (summed cell by cell)
    return img


def lattice(rot=0.35, step=0.9, lo=-12, hi=(92, 82)):
    X, Y = np.meshgrid(np.arange(lo, hi[0], step), np.arange(lo, hi[1], step))
    return np.cos(rot) * X - np.sin(rot) * Y * 0.1 + 0.123, Y + 0.02 * X + 0.311


def test_dithered_image_is_exact_for_masks():
    img = masked_image()
    wx, wy, d = lissajous(400)
    qx, qy = lattice()
    ours = dithered_image(img, qx, qy, wx, wy, d)
    ref = brute(img, qx, qy, wx, wy, d)
    assert np.max(np.abs(ours - ref)) <= 1e-10 * ref.max()
    assert ref.max() > 0 and np.sum(ref == 0) > 100         # the lattice reaches off the image


def test_dithered_image_smooth_area_accuracy():
    img = masked_image()
    img[:, 70:] /= 1.3
    yy, xx = np.mgrid[0:70, 0:80]
    r = np.hypot(xx - 30.3, yy - 35.7) * 0.0082 * 12      # a cone (the optical axis) and a bowl
    img = np.where(img > 0, 600 * (1 - 0.01 * r - 0.004 * r ** 2), 0.0)
    wx, wy, d = lissajous(400)
    qx, qy = lattice()
    ours = dithered_image(img, qx, qy, wx, wy, d)
    ref = brute(img, qx, qy, wx, wy, d)
    above = ref > 0.015 * ref.max()
    assert np.max(np.abs(ours - ref)) < 2e-4 * ref.max()
    assert np.max(np.abs(ours - ref)[above] / ref[above]) < 5e-4
    assert ours.min() >= 0.0


def test_exact_callback_follows_the_true_geometry():
    """When the shifts are only a model of the landings, pairs near mask edges are
    re-evaluated: the result is the sum over the true landings."""
    img = masked_image()
    img[:, 70:] /= 1.3
    wx, wy, d = lissajous(300, amp=5.0)
    qx, qy = lattice(step=1.3)
    rot = 2e-4                                      # the truth: a small extra rotation per cell
    k = np.arange(wx.size)
    c = (40.0, 35.0)

    def true_landing(points, cells):
        px, py = qx.ravel()[points] - wx[cells], qy.ravel()[points] - wy[cells]
        a = rot * (cells / wx.size - 0.5)
        return (c[0] + np.cos(a) * (px - c[0]) - np.sin(a) * (py - c[1]),
                c[1] + np.sin(a) * (px - c[0]) + np.cos(a) * (py - c[1]))

    P = np.repeat(np.arange(qx.size), wx.size)
    K = np.tile(k, qx.size)
    lx, ly = true_landing(P, K)
    bx, by = np.floor(lx).astype(int), np.floor(ly).astype(int)
    ok = (bx >= 0) & (bx < 80) & (by >= 0) & (by < 70)
    vals = np.where(ok, img[np.clip(by, 0, 69), np.clip(bx, 0, 79)], 0)
    ref = np.bincount(P, weights=vals * d[K],
                      minlength=qx.size).reshape(qx.shape)
    eps = 3 * rot * 60                                        # bound of the model's error
    ours = dithered_image(img, qx, qy, wx, wy, d, exact=true_landing, eps=eps)
    plain = dithered_image(img, qx, qy, wx, wy, d)
    assert np.max(np.abs(ours - ref)) <= 1e-10 * ref.max()
    assert np.max(np.abs(plain - ref)) > 1e-3 * ref.max()    # the model alone is not the truth


def test_chip_plane_coords_continue_det_to_chip():
    g = geom.acis_geometry()
    sim = geom.default_sim("ACIS-S", g)
    rng = np.random.default_rng(2)
    for c in range(10):
        cx, cy = rng.uniform(-50, 1075, 2000), rng.uniform(-50, 1075, 2000)
        dx, dy = geom.chip_to_det(c, cx, cy, sim, g)
        u, v = geom.chip_plane_coords(c, dx, dy, sim, g)
        assert np.max(np.abs(u - cx)) < 1e-6 and np.max(np.abs(v - cy)) < 1e-6
        inside = (cx >= 0.5) & (cx < 1024.5) & (cy >= 0.5) & (cy < 1024.5)
        chip, ex, ey = geom.det_to_chip(dx[inside], dy[inside], sim, chips=[c], geom=g)
        assert np.all(chip == c) and np.array_equal(ex, u[inside]) and np.array_equal(ey, v[inside])


def test_roll_groups():
    g = roll_groups([0.0, 0.001, 0.5, 0.0005, 0.502, 3.0], 0.01)
    assert sorted(map(sorted, map(list, g))) == [[0, 1, 3], [2, 4], [5]]


# --------------------------------------------------------------------------- on the simulation

@pytest.fixture(scope="module")
def chip3(sim):
    obs = sim.obs
    asp, tm = obs.aspect, obs.timing
    hist = aspect_histogram(asp.time, asp.ra, asp.dec, asp.roll, [[tm.tstart, tm.tstop]],
                            ra_nom=asp.ra_nom, dec_nom=asp.dec_nom, roll_nom=asp.roll_nom,
                            dtcor=tm.dtcor)
    data = instrument_map(3, [2.3], [1.0], CHIP, CHIP, sim=obs.sim, obs_date=obs.config.date,
                          badpix=f"{sim.paths['bpix']}[BADPIX3]")
    return obs, hist, InstrumentMap(data, 3, CHIP, CHIP)


def test_fast_matches_direct_on_the_simulation(chip3):
    """An 8-pixel grid over the whole dithered chip: edges, the bad column, hot pixels and
    the optical axis (the cone of the vignetting) all inside."""
    obs, hist, imap = chip3
    asp = obs.aspect
    pt = cell_pointings(hist, asp.ra_nom, asp.dec_nom, asp.roll_nom, obs.sim)
    xa, ya = Axis(4040.5, 8.0, 176), Axis(3540.5, 8.0, 178)
    fast = expmap_fast(imap, pt, xa, ya, asp.ra_nom, asp.dec_nom)
    direct = expmap_direct(imap, pt, xa, ya, asp.ra_nom, asp.dec_nom)
    peak = direct.max()
    above = direct > 0.015 * peak
    assert np.sum(above) > 0.4 * direct.size and np.sum((direct > 0) & (direct < 0.5 * peak)) > 100
    assert np.max(np.abs(fast - direct)) < 1e-3 * peak
    assert np.max(np.abs(fast - direct)[above] / direct[above]) < 2e-3
    assert np.median(np.abs(fast - direct)[above] / direct[above]) < 1e-5


def test_without_dither_the_map_is_the_instrument_map_times_the_live_time(chip3):
    """One aspect cell: E = T x I(chip(x)). The fast method interpolates the (smooth) area
    between pixel centres where the direct sum takes the containing pixel: they agree to
    |grad A| x 1/2 pixel, ~1e-4; on the chip edges and bad pixels exactly."""
    obs, _, imap = chip3
    asp = obs.aspect
    one = aspect_histogram(asp.time[:1000], np.full(1000, asp.ra_nom), np.full(1000, asp.dec_nom),
                           np.full(1000, asp.roll_nom), [[asp.time[0], asp.time[999]]],
                           ra_nom=asp.ra_nom, dec_nom=asp.dec_nom, roll_nom=asp.roll_nom)
    assert len(one) == 1
    xa, ya = Axis(4100.5, 2.0, 300), Axis(3600.5, 2.0, 300)
    E = exposure_map(imap, one, xa, ya, ra_nom=asp.ra_nom, dec_nom=asp.dec_nom,
                     roll_nom=asp.roll_nom, sim=obs.sim)
    X, Y = np.meshgrid(xa.centres, ya.centres)
    dx, dy = geom.sky_to_det(X, Y, asp.ra_nom, asp.dec_nom, asp.roll_nom, asp.ra_nom, asp.dec_nom)
    _, cx, cy = geom.det_to_chip(dx, dy, obs.sim, chips=[3])
    expect = one.total * sample_map(imap, cx, cy)
    assert np.array_equal(E == 0, expect == 0)                  # edges and bad pixels: exact
    assert np.max(np.abs(E - expect)) <= 2e-4 * expect.max()
    assert np.sum(expect == 0) > 1000 and np.sum(expect > 0) > 10000


def test_flat_map_against_the_time_resolved_aspect(chip3):
    """With a flat map (1 on the chip) the exposure at x is the live time during which x
    was on the chip: summed here over the raw 0.256 s aspect samples, not the histogram."""
    obs, _, _ = chip3
    asp, tm = obs.aspect, obs.timing
    flat = InstrumentMap(np.ones((1024, 1024)), 3, CHIP, CHIP)
    fine = aspect_histogram(asp.time, asp.ra, asp.dec, asp.roll, [[tm.tstart, tm.tstop]],
                            ra_nom=asp.ra_nom, dec_nom=asp.dec_nom, roll_nom=asp.roll_nom,
                            res_xy=0.02, max_bin=1e6, dtcor=tm.dtcor)
    # a 3-pixel grid across the chip's outer edge (chipx = 0.5) at chipy = 420
    dx, dy = geom.chip_to_det(3, 0.5, 420.0, obs.sim)
    x0, y0 = geom.det_to_sky(dx, dy, asp.ra_nom, asp.dec_nom, asp.roll_nom, asp.ra_nom, asp.dec_nom)
    xa, ya = Axis(float(x0) - 30.0, 3.0, 20), Axis(float(y0) - 30.0, 3.0, 20)
    E = exposure_map(flat, fine, xa, ya, ra_nom=asp.ra_nom, dec_nom=asp.dec_nom,
                     roll_nom=asp.roll_nom, sim=obs.sim)
    from pyciao.expmap.aspect import sample_durations
    w = sample_durations(asp.time, [[tm.tstart, tm.tstop]]) * tm.dtcor
    X, Y = np.meshgrid(xa.centres, ya.centres)
    truth = np.zeros(X.shape)
    for i in range(0, len(w), 4000):
        s = slice(i, i + 4000)
        ddx, ddy = geom.sky_to_det(X.ravel()[:, None], Y.ravel()[:, None], asp.ra[None, s],
                                   asp.dec[None, s], asp.roll[None, s], asp.ra_nom, asp.dec_nom)
        chip, _, _ = geom.det_to_chip(ddx, ddy, obs.sim, chips=[3])
        truth += ((chip == 3) @ w[s]).reshape(X.shape)
    assert truth.min() == 0 and truth.max() == pytest.approx(tm.livetime, rel=1e-9)
    assert np.sum((truth > 0.05 * tm.livetime) & (truth < 0.95 * tm.livetime)) > 40    # the ramp
    assert np.max(np.abs(E - truth)) < 1e-3 * tm.livetime                 # measured 3e-4


def test_normalize_and_average_aspect(chip3):
    obs, hist, imap = chip3
    asp = obs.aspect
    # a patch of the chip interior, away from the bad column (chipx 541) and hot pixels
    dx, dy = geom.chip_to_det(3, 800.0, 600.0, obs.sim)
    x0, y0 = geom.det_to_sky(dx, dy, asp.ra_nom, asp.dec_nom, asp.roll_nom, asp.ra_nom, asp.dec_nom)
    xa, ya = Axis(float(x0) - 80, 8.0, 20), Axis(float(y0) - 80, 8.0, 20)
    kw = dict(ra_nom=asp.ra_nom, dec_nom=asp.dec_nom, roll_nom=asp.roll_nom, sim=obs.sim)
    E = exposure_map(imap, hist, xa, ya, **kw)
    N = exposure_map(imap, hist, xa, ya, normalize=True, **kw)
    assert np.allclose(N * hist.total, E, rtol=1e-12)
    avg = exposure_map(imap, hist, xa, ya, useavgaspect=True, **kw)
    assert np.allclose(avg, exposure_map(imap, hist.mean(), xa, ya, **kw))
    assert np.all(E > 0) and np.allclose(avg, E, rtol=1e-3)       # smooth area: same exposure
