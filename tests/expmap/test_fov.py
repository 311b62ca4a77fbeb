"""Field-of-view polygons (skyfov's job): the chips' outlines over the dithered aspect.

Truth: the simulated events (every event of a chip lies in its polygon, within the half
pixel of sky randomisation), the geometry's own chip outline, and the simulator's FOV file.
"""
import numpy as np
import pytest
from astropy.io import fits

from pyciao import geom
from pyciao.asphist import read_aspect
from pyciao.expmap.fov import chip_fov_polygons, chip_outline_det, fov_extent


def outside_distance(px, py, x, y):
    """How far each point (px, py) is outside the convex polygon (x, y), 0 inside."""
    n = len(x)
    area = np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)
    sign = 1.0 if area > 0 else -1.0
    worst = np.zeros(len(px))
    for k in range(n):
        ax, ay, bx, by = x[k], y[k], x[(k + 1) % n], y[(k + 1) % n]
        cross = sign * ((bx - ax) * (py - ay) - (by - ay) * (px - ax)) / np.hypot(bx - ax, by - ay)
        worst = np.maximum(worst, -cross)
    return worst


@pytest.fixture(scope="module")
def aspect(sim):
    a = read_aspect([sim.paths["asol"]])
    return a, (sim.obs.aspect.ra_nom, sim.obs.aspect.dec_nom), sim.obs.sim


def test_full_window_is_the_chip_outline(sim):
    a = chip_outline_det(3, sim.obs.sim)
    b = chip_outline_det(3, sim.obs.sim, window=(1, 1024, 1, 1024))
    c = geom.chip_corners_det(3, sim.obs.sim)
    np.testing.assert_allclose(a, c)
    np.testing.assert_allclose(b, c, atol=1e-9)


def test_every_event_is_inside_its_chips_polygon(sim, aspect):
    (a, (ra0, dec0), simpos) = aspect
    polys = chip_fov_polygons([0, 1, 2, 3], simpos, a["ra"], a["dec"], a["roll"], ra0, dec0)
    ev = sim.obs.events
    for c, (x, y) in polys.items():
        sel = ev["ccd_id"] == c
        out = outside_distance(ev["x"][sel], ev["y"][sel], x, y)
        assert sel.sum() > 400 and out.max() <= 0.5 * np.sqrt(2) + 1e-6, (c, out.max())


def test_simplified_polygon(sim, aspect):
    """Tolerance 0.01 pixel: far fewer vertices, the same extent, every vertex of the full
    hull within 0.01 pixel of the simplified outline."""
    (a, (ra0, dec0), simpos) = aspect
    full = chip_fov_polygons([3], simpos, a["ra"], a["dec"], a["roll"], ra0, dec0)
    thin = chip_fov_polygons([3], simpos, a["ra"], a["dec"], a["roll"], ra0, dec0,
                             tolerance=0.01)
    assert len(thin[3][0]) < len(full[3][0]) / 5
    assert fov_extent(thin) == fov_extent(full)
    assert outside_distance(*full[3], *thin[3]).max() <= 0.01


def test_the_simulators_fov_file_uses_the_same_polygons(sim, aspect):
    """The simulator samples 400 aspect rows; its polygons' extent is the full aspect's
    to a small fraction of a pixel (the dither turns slowly at its extremes)."""
    (a, (ra0, dec0), simpos) = aspect
    full = chip_fov_polygons([0, 1, 2, 3], simpos, a["ra"], a["dec"], a["roll"], ra0, dec0)
    with fits.open(sim.paths["fov"]) as f:
        d = f["FOV"].data
    for i, c in enumerate(d["CCD_ID"]):
        lo_hi = (d["X"][i].min(), d["X"][i].max(), d["Y"][i].min(), d["Y"][i].max())
        np.testing.assert_allclose(lo_hi, fov_extent(full, [c]), atol=0.05)
