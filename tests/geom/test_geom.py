"""ACIS coordinate transforms: against a real evt2 list and a CIAO dmcoords printout, exact
round trips, and astropy's WCS."""
import numpy as np
import pytest
from astropy.io import fits

from pyciao import geom


@pytest.fixture(scope="module")
def evt1479():
    import pathlib
    import os
    root = pathlib.Path(os.environ.get("PYCIAO_SHARED_DATA")
                        or pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "data")
    path = root / "xrayevents_obs1479" / "acis_evt2.fits.gz"
    if not path.exists():
        pytest.skip("shared data not found")
    with fits.open(path) as h:
        return h["EVENTS"].data.copy(), h["EVENTS"].header.copy()


def test_chip_to_tdet_matches_real_events(evt1479):
    d, _ = evt1479
    tx, ty = geom.chip_to_tdet(d["ccd_id"], d["chipx"], d["chipy"])
    np.testing.assert_array_equal(tx, d["tdetx"])       # 1306 events on I0-I3: exact
    np.testing.assert_array_equal(ty, d["tdety"])


def test_dmcoords_thread_vector():
    # CIAO thread (ObsID 11823): CHIP ACIS-I1 69.59 967.34 -> TDET 4164.66 4176.59;
    # DETX,DETY 4157.96 3931.47 -> THETA 1.444', PHI 290.43 deg
    tx, ty = geom.chip_to_tdet(1, 69.59, 967.34)
    assert (float(tx), float(ty)) == pytest.approx((4164.66, 4176.59), abs=1e-9)
    theta, phi = geom.theta_phi(4157.96, 3931.47)
    assert float(theta) == pytest.approx(1.444, abs=0.0005)
    assert float(phi) == pytest.approx(290.43, abs=0.005)


def test_chip_to_det_matches_real_events(evt1479):
    """det from chip (+ header SIM position) against the pipeline's det columns.

    The pipeline randomised positions within +-0.5 pixel (rms 0.29) and applied the aspect's
    SIM drift (dy, dz), which the evt2 header does not record. So per chip the residual mean
    must be a common offset (the drift) and the scatter the randomisation."""
    d, h = evt1479
    sim = np.array([h["SIM_X"], h["SIM_Y"], h["SIM_Z"]])
    dx, dy = geom.chip_to_det(d["ccd_id"], d["chipx"], d["chipy"], sim)
    rx, ry = dx - d["detx"], dy - d["dety"]
    mx = [rx[d["ccd_id"] == c].mean() for c in range(4)]
    my = [ry[d["ccd_id"] == c].mean() for c in range(4)]
    assert abs(np.mean(mx)) < 0.5                         # detx: absolute agreement
    assert np.ptp(mx) < 0.15 and np.ptp(my) < 0.15        # same offset on all four chips
    assert abs(np.mean(my)) < 8.0                         # dety: ~6.7 px (0.16 mm SIM drift)
    for c in range(4):
        m = d["ccd_id"] == c
        assert np.std(rx[m]) < 0.35 and np.std(ry[m]) < 0.35


def test_det_to_sky_roll_matches_real_events(evt1479):
    """Sky = det rotated by the roll. A linear fit of the pipeline's x, y on det over 1306
    events (dither scatter ~11 px; the file was cut on x, y, which shrinks the fitted slopes a
    little but not their direction) gives the rotation angle; ours must agree to 0.3 deg."""
    d, h = evt1479
    A = np.c_[np.ones(len(d)), d["detx"] - 4096.5, d["dety"] - 4096.5]
    cx = np.linalg.lstsq(A, d["x"] - 4096.5, rcond=None)[0]
    cy = np.linalg.lstsq(A, d["y"] - 4096.5, rcond=None)[0]
    x, y = geom.det_to_sky(d["detx"], d["dety"], h["RA_NOM"], h["DEC_NOM"], h["ROLL_NOM"],
                           h["RA_NOM"], h["DEC_NOM"])
    ox = np.linalg.lstsq(A, x - 4096.5, rcond=None)[0]
    oy = np.linalg.lstsq(A, y - 4096.5, rcond=None)[0]
    real_x = np.degrees(np.arctan2(cx[2], cx[1]))
    real_y = np.degrees(np.arctan2(cy[1], cy[2]))
    ours_x = np.degrees(np.arctan2(ox[2], ox[1]))
    ours_y = np.degrees(np.arctan2(oy[1], oy[2]))
    assert ours_x == pytest.approx(real_x, abs=0.3)
    assert ours_y == pytest.approx(real_y, abs=0.3)
    assert np.hypot(*ox[1:]) == pytest.approx(1.0, abs=1e-3)     # same pixel scale


def test_aimpoints_land_on_their_chips():
    g = geom.acis_geometry()
    ccd, cx, cy = geom.det_to_chip(4096.5, 4096.5, geom.default_sim("ACIS-I", g), geom=g)
    assert int(ccd) == 3 and 900 < cx < 1024 and 900 < cy < 1024       # I3, near the inner corner
    ccd, cx, cy = geom.det_to_chip(4096.5, 4096.5, geom.default_sim("ACIS-S", g), geom=g)
    assert int(ccd) == 7 and 150 < cx < 300 and 450 < cy < 600         # S3


def test_round_trips_exact():
    rng = np.random.default_rng(0)
    n = 200_000
    g = geom.acis_geometry()
    sim = geom.default_sim("ACIS-I", g)
    ccd = rng.integers(0, 10, n)
    cx = rng.uniform(0.5, 1024.5, n)
    cy = rng.uniform(0.5, 1024.5, n)
    tx, ty = geom.chip_to_tdet(ccd, cx, cy, g)
    bx, by = geom.tdet_to_chip(ccd, tx, ty, g)
    assert np.max(np.abs(bx - cx)) < 1e-9 and np.max(np.abs(by - cy)) < 1e-9
    dx, dy = geom.chip_to_det(ccd, cx, cy, sim, g)
    c2, x2, y2 = geom.det_to_chip(dx, dy, sim, geom=g)
    assert np.all(c2 == ccd)
    assert np.max(np.abs(x2 - cx)) < 1e-6 and np.max(np.abs(y2 - cy)) < 1e-6
    ra_p = 150.0 + rng.normal(0, 0.002, n)
    dec_p = 2.2 + rng.normal(0, 0.002, n)
    roll = rng.uniform(0, 360, n)
    x, y = geom.det_to_sky(dx, dy, ra_p, dec_p, roll, 150.0, 2.2)
    dx2, dy2 = geom.sky_to_det(x, y, ra_p, dec_p, roll, 150.0, 2.2)
    assert np.max(np.abs(dx2 - dx)) < 1e-6 and np.max(np.abs(dy2 - dy)) < 1e-6
    ra, dec = geom.sky_to_celestial(x, y, 150.0, 2.2)
    x2, y2 = geom.celestial_to_sky(ra, dec, 150.0, 2.2)
    assert np.max(np.abs(x2 - x)) < 1e-6 and np.max(np.abs(y2 - y)) < 1e-6


def test_off_chip_positions_are_flagged():
    g = geom.acis_geometry()
    sim = geom.default_sim("ACIS-I", g)
    ccd, cx, cy = geom.det_to_chip([100.0, 8000.0], [100.0, 8000.0], sim, geom=g)
    assert list(ccd) == [-1, -1] and np.isnan(cx).all()


@pytest.mark.parametrize("ra0,dec0", [(150.0, 2.2), (359.99, -89.0), (10.0, 60.0)])
def test_sky_matches_astropy_wcs(ra0, dec0):
    rng = np.random.default_rng(1)
    x = rng.uniform(1, 8192, 1000)
    y = rng.uniform(1, 8192, 1000)
    ra, dec = geom.sky_to_celestial(x, y, ra0, dec0)
    w = geom.sky_wcs(ra0, dec0)
    ra_w, dec_w = w.all_pix2world(x, y, 1)        # sky pixels are FITS 1-based "physical"
    dra = (ra - ra_w + 180) % 360 - 180
    assert np.max(np.abs(dra * np.cos(np.radians(dec)))) < 1e-9
    assert np.max(np.abs(dec - dec_w)) < 1e-9


def test_theta_of_det_offsets():
    # 10 arcmin along detx = 1219.5 pixels of 0.492"
    # det is a gnomonic (tangent-plane) projection: theta = arctan(offset)
    theta, phi = geom.theta_phi(4096.5 + 600 / 0.492, 4096.5)
    expect = np.degrees(np.arctan(np.radians(600 / 3600))) * 60
    assert float(theta) == pytest.approx(expect, rel=1e-9) and float(phi) == pytest.approx(0.0)
    assert expect == pytest.approx(10.0, rel=1e-5)
    theta, phi = geom.theta_phi(4096.5, 4096.5 - 100)
    assert float(phi) == pytest.approx(270.0)
