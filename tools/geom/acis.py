"""ACIS geometry: chip planes in 3-D, the tiled detector, the focal plane and the sky.

Conventions (checked against a real ACIS evt2 list and a CIAO dmcoords printout in the tests):

* chip pixel centres are integers 1..1024; the chip covers 0.5..1024.5. Corner LL of the
  geometry table is chip (0.5, 0.5), LR is (1024.5, 0.5), UL is (0.5, 1024.5).
* LSI (mm) -> STF: ``s = lsi + lsi_origin + sim`` where ``sim`` is the SIM position
  (SIM_X, SIM_Y, SIM_Z keywords, plus the aspect's DY/DZ drift); the HRMA optical axis
  meets the focal plane at STF (0, 0, 0) and the mirror node sits at STF (F, 0, 0).
* det (ASC-FP-1.1, 0.492" pixels, reference 4096.5) is the gnomonic projection of the
  photon direction about the optical axis: ``detx = 4096.5 + s_y/(F - s_x)/pix``,
  ``dety = 4096.5 - s_z/(F - s_x)/pix``.
* sky: det offsets rotated by the roll, ``(dx_sky, dy_sky) = R(roll) (ddetx, ddety)`` with
  ``dx_sky = cos r ddetx + sin r ddety``, ``dy_sky = -sin r ddetx + cos r ddety``, sky x
  growing westward (``-xi``); deprojected about the instantaneous pointing (RA, Dec) and
  re-projected (TAN) about the nominal pointing at sky pixel (4096.5, 4096.5).
"""
from __future__ import annotations

import dataclasses
import functools

import numpy as np

from ..errors import ToolError

SKY_REFPIX = 4096.5
SKY_PIXEL_DEG = 0.492 / 3600.0
CHIP_NAMES = ["I0", "I1", "I2", "I3", "S0", "S1", "S2", "S3", "S4", "S5"]
ACIS_I_CHIPS = (0, 1, 2, 3)
ACIS_S_CHIPS = (4, 5, 6, 7, 8, 9)
_D2R = np.pi / 180.0


@dataclasses.dataclass(frozen=True)
class ChipPlane:
    ccd_id: int
    p0: np.ndarray          # LSI of chip (0.5, 0.5), mm
    u: np.ndarray           # LSI step per chipx pixel
    v: np.ndarray           # LSI step per chipy pixel
    size: tuple


@dataclasses.dataclass(frozen=True)
class AcisGeometry:
    chips: dict                      # ccd_id -> ChipPlane
    tdet_origin: dict                # ccd_id -> (ox, oy)
    tdet_theta: dict                 # ccd_id -> degrees
    lsi_origin: np.ndarray           # STT position of the LSI origin (mm)
    aimpoints: dict                  # name -> SIM position (mm)
    focal_length: float = 10070.0    # mm
    pixel_arcsec: float = 0.492
    refpix: float = 4096.5

    @property
    def pixel_rad(self):
        return self.pixel_arcsec / 3600.0 * _D2R


@functools.lru_cache(maxsize=8)
def _load_geometry(geom_path, geom_ext, tdet_path, tdet_ext, aim_path, aim_ext):
    from astropy.io import fits

    with fits.open(geom_path) as h:
        hdr = h[geom_ext].header
        d = h[geom_ext].data
        chips = {}
        for row in d:
            ll, lr, ul = (np.asarray(row[k], float) for k in ("LL", "LR", "UL"))
            nx, ny = (int(s) for s in row["SIZE"])
            chips[int(row["CHIP_ID"])] = ChipPlane(int(row["CHIP_ID"]), ll, (lr - ll) / nx,
                                                   (ul - ll) / ny, (nx, ny))
        origin = np.array([hdr["LSI_ORGX"], hdr["LSI_ORGY"], hdr["LSI_ORGZ"]], float)
        focal = float(hdr.get("FOC_LEN", 10070.0))
        pix = float(hdr.get("DETPIX", 0.492))
        ref = float(hdr.get("DETREF", 4096.5))
    with fits.open(tdet_path) as h:
        d = h[tdet_ext].data
        t_origin = {int(r["CHIP_ID"]): tuple(float(v) for v in r["ORIGIN"]) for r in d}
        t_theta = {int(r["CHIP_ID"]): float(r["THETA"]) for r in d}
    with fits.open(aim_path) as h:
        d = h[aim_ext].data
        aims = {str(r["AIMPOINT_NAME"]).strip(): np.asarray(r["AIMPOINT"], float) for r in d}
    return AcisGeometry(chips, t_origin, t_theta, origin, aims, focal, pix, ref)


def acis_geometry(obs_date=None):
    """The ACIS geometry, from the calibration lookup (GEOM, TDET, AIMPTS products)."""
    from ..caldb import lookup

    g = lookup("GEOM", obs_date=obs_date)
    t = lookup("TDET", obs_date=obs_date)
    a = lookup("AIMPTS", obs_date=obs_date)
    try:
        return _load_geometry(g.path, g.extension, t.path, t.extension, a.path, a.extension)
    except KeyError as exc:
        raise ToolError(f"Geometry file {g.path} lacks {exc}: not a pyciao geometry file") from None


def default_sim(detector="ACIS-I", geom=None):
    """Default SIM position (mm) for ACIS-I (aimpoint AI2, on I3) or ACIS-S (AS1, on S3)."""
    geom = geom or acis_geometry()
    name = {"ACIS-I": "AI2", "ACIS-S": "AS1"}.get(detector.upper())
    if name is None:
        raise ToolError(f"Unknown detector '{detector}' (expected ACIS-I or ACIS-S)")
    return geom.aimpoints[name].copy()


def _chip(geom, ccd):
    try:
        return geom.chips[int(ccd)]
    except KeyError:
        raise ToolError(f"Invalid ccd_id {ccd}: ACIS chips are 0-9") from None


# --- chip <-> tdet ---------------------------------------------------------------------------

def _tdet_matrix(theta):
    c, s = np.rint(np.cos(theta * _D2R)), np.rint(np.sin(theta * _D2R))
    return c, s


def chip_to_tdet(ccd_id, chipx, chipy, geom=None):
    """tdet = origin + M(theta) (chip - 0.5) + 0.5 per chip (ACIS-2.2 tiling), with
    M = [[cos, sin], [-sin, cos]] (theta = 90: tdetx grows with chipy, tdety falls with chipx)."""
    geom = geom or acis_geometry()
    ccd = np.broadcast_to(np.asarray(ccd_id), np.shape(chipx))
    cx = np.asarray(chipx, float) - 0.5
    cy = np.asarray(chipy, float) - 0.5
    tx = np.full(cx.shape, np.nan)
    ty = np.full(cx.shape, np.nan)
    for c in np.unique(ccd):
        m = ccd == c
        _chip(geom, c)
        ox, oy = geom.tdet_origin[int(c)]
        cs, sn = _tdet_matrix(geom.tdet_theta[int(c)])
        tx[m] = ox + cs * cx[m] + sn * cy[m] + 0.5
        ty[m] = oy - sn * cx[m] + cs * cy[m] + 0.5
    return tx, ty


def tdet_to_chip(ccd_id, tdetx, tdety, geom=None):
    """Inverse of :func:`chip_to_tdet` for the given chip(s)."""
    geom = geom or acis_geometry()
    ccd = np.broadcast_to(np.asarray(ccd_id), np.shape(tdetx))
    tx = np.asarray(tdetx, float)
    ty = np.asarray(tdety, float)
    cx = np.full(tx.shape, np.nan)
    cy = np.full(tx.shape, np.nan)
    for c in np.unique(ccd):
        m = ccd == c
        _chip(geom, c)
        ox, oy = geom.tdet_origin[int(c)]
        cs, sn = _tdet_matrix(geom.tdet_theta[int(c)])
        dx, dy = tx[m] - 0.5 - ox, ty[m] - 0.5 - oy
        cx[m] = cs * dx - sn * dy + 0.5
        cy[m] = sn * dx + cs * dy + 0.5
    return cx, cy


# --- chip <-> det ----------------------------------------------------------------------------

def chip_to_lsi(ccd_id, chipx, chipy, geom=None):
    """LSI position (mm), shape (3, N): ``p0 + (chipx-0.5) u + (chipy-0.5) v``."""
    geom = geom or acis_geometry()
    cx = np.asarray(chipx, float)
    ccd = np.broadcast_to(np.asarray(ccd_id), cx.shape)
    cy = np.asarray(chipy, float)
    out = np.full((3,) + cx.shape, np.nan)
    for c in np.unique(ccd):
        m = ccd == c
        ch = _chip(geom, c)
        out[:, m] = (ch.p0[:, None] + np.outer(ch.u, cx[m] - 0.5) + np.outer(ch.v, cy[m] - 0.5))
    return out


def _sim_array(sim, shape):
    s = np.asarray(sim, float)
    if s.shape == (3,):
        return s.reshape((3,) + (1,) * len(shape))
    return s


def chip_to_det(ccd_id, chipx, chipy, sim, geom=None):
    """Focal-plane (det) coordinates of chip positions for SIM position ``sim`` (mm, (3,) or (3,N))."""
    geom = geom or acis_geometry()
    lsi = chip_to_lsi(ccd_id, chipx, chipy, geom)
    s = lsi + geom.lsi_origin.reshape((3,) + (1,) * (lsi.ndim - 1)) + _sim_array(sim, lsi.shape[1:])
    depth = geom.focal_length - s[0]
    detx = geom.refpix + s[1] / depth / geom.pixel_rad
    dety = geom.refpix - s[2] / depth / geom.pixel_rad
    return detx, dety


def _plane_hit(geom, ch, detx, dety, sim):
    """Continuous chip coordinates (u, v) where the photons seen at det (detx, dety) (flat
    arrays) meet the plane of chip ``ch``, extended beyond its edges."""
    a = (detx - geom.refpix) * geom.pixel_rad            # s_y / (F - s_x)
    b = -(dety - geom.refpix) * geom.pixel_rad           # s_z / (F - s_x)
    sim3 = np.asarray(sim, float).reshape(3, -1)         # (3, 1) or (3, N)
    node = np.array([geom.focal_length, 0.0, 0.0])
    # chip plane in STF: p0 + u U + v V; ray from the mirror node: node + t (-1, a, b)
    p0 = (ch.p0 + geom.lsi_origin)[:, None] + sim3
    n = np.cross(ch.u, ch.v)
    t = (n @ (p0 - node[:, None])) / (-n[0] + n[1] * a + n[2] * b)
    d = np.stack([node[0] - t, a * t, b * t]) - p0
    vxn = np.cross(ch.v, n)
    nxu = np.cross(n, ch.u)
    return (vxn @ d) / np.dot(ch.u, vxn) + 0.5, (nxu @ d) / np.dot(ch.v, nxu) + 0.5


def chip_plane_coords(ccd_id, detx, dety, sim, geom=None):
    """Continuous chip coordinates where det positions meet the (extended) plane of chip
    ``ccd_id``: the intersection :func:`det_to_chip` computes, without its on-chip test, so
    positions just off the chip get coordinates beyond 0.5..1024.5."""
    geom = geom or acis_geometry()
    shape = np.shape(detx)
    u, v = _plane_hit(geom, _chip(geom, ccd_id), np.asarray(detx, float).ravel(),
                      np.asarray(dety, float).ravel(), sim)
    return u.reshape(shape), v.reshape(shape)


def det_to_chip(detx, dety, sim, chips=None, geom=None):
    """Trace det positions back to the chips: (ccd_id, chipx, chipy); ccd_id -1 off the chips.

    The photon direction (from the mirror node) is intersected with each chip plane; the
    first chip (of ``chips``, default all ten) whose 0.5..1024.5 square contains the hit wins.
    Exact inverse of :func:`chip_to_det`.
    """
    geom = geom or acis_geometry()
    shape = np.shape(detx)
    dx = np.asarray(detx, float).ravel()
    dy = np.asarray(dety, float).ravel()
    ccd = np.full(dx.shape, -1, dtype=np.int16)
    cx = np.full(dx.shape, np.nan)
    cy = np.full(dx.shape, np.nan)
    for c in (chips if chips is not None else sorted(geom.chips)):
        ch = _chip(geom, c)
        u, v = _plane_hit(geom, ch, dx, dy, sim)
        inside = ((ccd < 0) & (u >= 0.5) & (u < ch.size[0] + 0.5)
                  & (v >= 0.5) & (v < ch.size[1] + 0.5))
        ccd[inside] = c
        cx[inside] = u[inside]
        cy[inside] = v[inside]
    return ccd.reshape(shape), cx.reshape(shape), cy.reshape(shape)


def tdet_to_det(ccd_id, tdetx, tdety, sim, geom=None):
    """tdet -> chip -> det."""
    cx, cy = tdet_to_chip(ccd_id, tdetx, tdety, geom)
    return chip_to_det(ccd_id, cx, cy, sim, geom)


def chip_corners_det(ccd_id, sim, geom=None, n=8):
    """Outline of a chip in det coordinates (``4n`` points along its edges)."""
    t = np.linspace(0.5, 1024.5, n, endpoint=False)
    e = np.full(n, 1024.5)
    s = np.full(n, 0.5)
    cx = np.concatenate([t, e, t[::-1] + (1024.0 / n), s])
    cy = np.concatenate([s, t, e, t[::-1] + (1024.0 / n)])
    return chip_to_det(np.full(cx.shape, ccd_id), cx, cy, sim, geom)


# --- tangent plane ---------------------------------------------------------------------------

def gnomonic(ra, dec, ra0, dec0):
    """(RA, Dec) -> tangent-plane (xi east, eta north), all in degrees (TAN, about ra0/dec0)."""
    ra = np.asarray(ra, float) * _D2R
    dec = np.asarray(dec, float) * _D2R
    ra0 = np.asarray(ra0, float) * _D2R
    dec0 = np.asarray(dec0, float) * _D2R
    dra = ra - ra0
    cosc = np.sin(dec0) * np.sin(dec) + np.cos(dec0) * np.cos(dec) * np.cos(dra)
    xi = np.cos(dec) * np.sin(dra) / cosc
    eta = (np.cos(dec0) * np.sin(dec) - np.sin(dec0) * np.cos(dec) * np.cos(dra)) / cosc
    return xi / _D2R, eta / _D2R


def inverse_gnomonic(xi, eta, ra0, dec0):
    """Tangent-plane (xi, eta) in degrees about (ra0, dec0) -> (RA, Dec) in degrees."""
    xi = np.asarray(xi, float) * _D2R
    eta = np.asarray(eta, float) * _D2R
    ra0 = np.asarray(ra0, float) * _D2R
    dec0 = np.asarray(dec0, float) * _D2R
    d = np.cos(dec0) - eta * np.sin(dec0)
    ra = ra0 + np.arctan2(xi, d)
    dec = np.arctan2(np.sin(dec0) + eta * np.cos(dec0), np.hypot(xi, d))
    return np.mod(ra / _D2R, 360.0), dec / _D2R


def _det_to_tangent(detx, dety, roll, refpix=SKY_REFPIX, pixdeg=SKY_PIXEL_DEG):
    u = (np.asarray(detx, float) - refpix) * pixdeg
    v = (np.asarray(dety, float) - refpix) * pixdeg
    r = np.asarray(roll, float) * _D2R
    c, s = np.cos(r), np.sin(r)
    sx = c * u + s * v
    sy = -s * u + c * v
    return -sx, sy


def _tangent_to_det(xi, eta, roll, refpix=SKY_REFPIX, pixdeg=SKY_PIXEL_DEG):
    sx, sy = -np.asarray(xi, float), np.asarray(eta, float)
    r = np.asarray(roll, float) * _D2R
    c, s = np.cos(r), np.sin(r)
    u = c * sx - s * sy
    v = s * sx + c * sy
    return refpix + u / pixdeg, refpix + v / pixdeg


def det_to_celestial(detx, dety, ra_pnt, dec_pnt, roll):
    """det -> (RA, Dec) for a pointing (scalars or per-event arrays)."""
    xi, eta = _det_to_tangent(detx, dety, roll)
    return inverse_gnomonic(xi, eta, ra_pnt, dec_pnt)


def celestial_to_det(ra, dec, ra_pnt, dec_pnt, roll):
    """(RA, Dec) -> det for a pointing (scalars or per-event arrays)."""
    xi, eta = gnomonic(ra, dec, ra_pnt, dec_pnt)
    return _tangent_to_det(xi, eta, roll)


def celestial_to_sky(ra, dec, ra_nom, dec_nom):
    """(RA, Dec) -> sky pixels (TAN about the nominal pointing at 4096.5, 0.492")."""
    xi, eta = gnomonic(ra, dec, ra_nom, dec_nom)
    return SKY_REFPIX - xi / SKY_PIXEL_DEG, SKY_REFPIX + eta / SKY_PIXEL_DEG


def sky_to_celestial(x, y, ra_nom, dec_nom):
    """Sky pixels -> (RA, Dec)."""
    xi = -(np.asarray(x, float) - SKY_REFPIX) * SKY_PIXEL_DEG
    eta = (np.asarray(y, float) - SKY_REFPIX) * SKY_PIXEL_DEG
    return inverse_gnomonic(xi, eta, ra_nom, dec_nom)


def det_to_sky(detx, dety, ra_pnt, dec_pnt, roll, ra_nom, dec_nom):
    """det -> sky for the pointing at each event (aspect) and the nominal tangent point."""
    ra, dec = det_to_celestial(detx, dety, ra_pnt, dec_pnt, roll)
    return celestial_to_sky(ra, dec, ra_nom, dec_nom)


def sky_to_det(x, y, ra_pnt, dec_pnt, roll, ra_nom, dec_nom):
    """Inverse of :func:`det_to_sky`."""
    ra, dec = sky_to_celestial(x, y, ra_nom, dec_nom)
    return celestial_to_det(ra, dec, ra_pnt, dec_pnt, roll)


def theta_phi(detx, dety, refpix=SKY_REFPIX, pixel_arcsec=0.492):
    """Off-axis angle theta (arcmin) and azimuth phi (deg, atan2(ddety, ddetx) in 0..360)."""
    dx = (np.asarray(detx, float) - refpix) * pixel_arcsec / 3600.0 * _D2R
    dy = (np.asarray(dety, float) - refpix) * pixel_arcsec / 3600.0 * _D2R
    theta = np.arctan(np.hypot(dx, dy)) / _D2R * 60.0
    phi = np.mod(np.degrees(np.arctan2(dy, dx)), 360.0)
    return theta, phi


def sky_wcs(ra_nom, dec_nom):
    """astropy WCS of the sky pixel grid (x, y) for a nominal pointing."""
    from astropy.wcs import WCS

    w = WCS(naxis=2)
    w.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    w.wcs.crpix = [SKY_REFPIX, SKY_REFPIX]
    w.wcs.crval = [float(ra_nom), float(dec_nom)]
    w.wcs.cdelt = [-SKY_PIXEL_DEG, SKY_PIXEL_DEG]
    w.wcs.cunit = ["deg", "deg"]
    w.wcs.radesys = "ICRS"
    w.wcs.equinox = 2000.0
    return w
