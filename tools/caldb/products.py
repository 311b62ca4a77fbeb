"""Readers turning calibration products into arrays: the numbers the simulator and the
exposure-map tools share.

    effective_area(E, theta)        HRMA area (cm^2) = on-axis AXEFFA(E) x VIGNET(E, theta)
    vignetting(E, theta)            VIGNET(E, theta)
    qe(ccd_id, E, obs_date)         ACIS QE (incl. filter) x contamination transmission
    contam_transmission(E, date)    ACIS contamination layer transmission
    psf_r50(E, theta)               HRMA PSF 50% encircled-energy radius (arcsec)
    bad_pixels(ccd_id, setting)     bad-pixel rectangles [(x0, x1, y0, y1)], ardlib-style setting
    bad_pixel_mask(ccd_id, setting) 1024x1024 bool (True = bad), index [chipy-1, chipx-1]

Every function takes the observation date (``obs_date``) and goes through ``lookup``.
"""
from __future__ import annotations

import datetime as _dt
import functools
import os
import re

import numpy as np

from ..errors import ToolError
from .index import parse_date
from .library import lookup

__all__ = ["effective_area", "onaxis_area", "vignetting", "qe", "qe_raw", "contam_transmission",
           "psf_r50", "psf_r90", "bad_pixels", "bad_pixel_mask", "ardlib_badpix_setting",
           "met_from_date", "date_from_met", "MJDREF", "chip_area_map"]

MJDREF = 50814.0                    # Chandra MET zero point: 1998-01-01T00:00:00 (TT)
_MET0 = _dt.datetime(1998, 1, 1)


def met_from_date(date):
    """Chandra mission elapsed time (s) of an ISO date (TT taken as the clock; no leap seconds)."""
    return (parse_date(date) - _MET0).total_seconds()


def date_from_met(met):
    return (_MET0 + _dt.timedelta(seconds=float(met))).strftime("%Y-%m-%dT%H:%M:%S")


def _table(path, ext):
    from astropy.io import fits

    with fits.open(path) as h:
        return h[ext].data.copy(), h[ext].header.copy()


@functools.lru_cache(maxsize=32)
def _cached_table(path, ext, mtime):
    return _table(path, ext)


def _load(cal):
    return _cached_table(cal.path, cal.extension, os.path.getmtime(cal.path))


# --- HRMA ------------------------------------------------------------------------------------

def onaxis_area(energy_keV, obs_date=None):
    """On-axis HRMA effective area (cm^2), linear in energy between the tabulated points."""
    d, _ = _load(lookup("AXEFFA", obs_date=obs_date))
    e = np.asarray(d["ENERGY"], float)
    a = np.asarray(d["EFFAREA"], float)
    return np.interp(np.asarray(energy_keV, float), e, a, left=0.0, right=0.0)


def _vignet_grid(obs_date):
    d, _ = _load(lookup("VIGNET", obs_date=obs_date))
    e = np.asarray(d["ENERGY"][0], float)
    th = np.asarray(d["THETA"][0], float)
    v = np.asarray(d["VIGNET"][0], float).reshape(len(th), len(e))
    return e, th, v


def _bilinear(e_grid, t_grid, table, energy, theta):
    """Linear in energy (clamped), linear in theta, extrapolated past the last theta, >= 0."""
    energy = np.asarray(energy, float)
    theta = np.asarray(theta, float)
    energy, theta = np.broadcast_arrays(energy, theta)
    ie = np.clip(np.searchsorted(e_grid, energy) - 1, 0, len(e_grid) - 2)
    fe = np.clip((energy - e_grid[ie]) / (e_grid[ie + 1] - e_grid[ie]), 0.0, 1.0)
    it = np.clip(np.searchsorted(t_grid, theta) - 1, 0, len(t_grid) - 2)
    ft = np.maximum((theta - t_grid[it]) / (t_grid[it + 1] - t_grid[it]), 0.0)

    def at(i_t):
        return table[i_t, ie] * (1 - fe) + table[i_t, ie + 1] * fe

    return np.maximum(at(it) * (1 - ft) + at(it + 1) * ft, 0.0)


def vignetting(energy_keV, theta_arcmin, obs_date=None):
    """EA(E, theta)/EA(E, 0), azimuth mean; beyond the last tabulated angle (14') the last
    segment is extended linearly (clipped at 0)."""
    e, th, v = _vignet_grid(obs_date)
    return np.minimum(_bilinear(e, th, v, energy_keV, theta_arcmin), 1.0)


def effective_area(energy_keV, theta_arcmin=0.0, phi_deg=None, obs_date=None):
    """HRMA effective area (cm^2) at energy (keV) and off-axis angle (arcmin).

    ``phi_deg`` is accepted for the interface; the bundled vignetting is an azimuth mean.
    """
    return onaxis_area(energy_keV, obs_date) * vignetting(energy_keV, theta_arcmin, obs_date)


def _psf(col, energy_keV, theta_arcmin, obs_date):
    d, _ = _load(lookup("PSFSIZE", obs_date=obs_date))
    e = np.asarray(d["ENERGY"][0], float)
    th = np.asarray(d["THETA"][0], float)
    r = np.asarray(d[col][0], float).reshape(len(th), len(e))
    return _bilinear(e, th, r, energy_keV, theta_arcmin)


def psf_r50(energy_keV, theta_arcmin, obs_date=None):
    """HRMA PSF 50% encircled-energy radius (arcsec), mirror only."""
    return _psf("R50", energy_keV, theta_arcmin, obs_date)


def psf_r90(energy_keV, theta_arcmin, obs_date=None):
    """HRMA PSF 90% encircled-energy radius (arcsec), mirror only."""
    return _psf("R90", energy_keV, theta_arcmin, obs_date)


# --- ACIS ------------------------------------------------------------------------------------

def qe_raw(ccd_id, energy_keV, obs_date=None, **bounds):
    """ACIS QE of chip ``ccd_id`` (incl. the optical blocking filter, no contamination)."""
    d, _ = _load(lookup("QE", ccd_id=ccd_id, obs_date=obs_date, **bounds))
    e = np.asarray(d["ENERGY"], float)
    q = np.asarray(d["QE"], float)
    return np.clip(np.interp(np.asarray(energy_keV, float), e, q, left=0.0, right=0.0), 0.0, 1.0)


def contam_transmission(energy_keV, obs_date):
    """Transmission of the ACIS contamination layer, exp(-sum_i tau_i(E) f_i(t)).

    Time factors are interpolated in MET and held at their last value after the table ends.
    """
    cal = lookup("CONTAM", obs_date=obs_date)
    tau, _ = _load(cal)
    tdep = _cached_tdep(cal.path, os.path.getmtime(cal.path))
    t = met_from_date(obs_date)
    e = np.asarray(energy_keV, float)
    total = np.zeros(np.shape(e))
    for comp in ("C", "O", "F", "FLUFF"):
        f = np.interp(t, tdep["TIME"], tdep[f"F_{comp}"])
        total = total + f * np.interp(e, tau["ENERGY"], tau[f"TAU_{comp}"], left=tau[f"TAU_{comp}"][0],
                                      right=0.0)
    return np.exp(-total)


@functools.lru_cache(maxsize=4)
def _cached_tdep(path, mtime):
    from astropy.io import fits

    with fits.open(path) as h:
        d = h["CONTAM_TDEP"].data
        return {n: np.asarray(d[n], float) for n in d.columns.names}


def qe(ccd_id, energy_keV, obs_date=None, *, contam=True, **bounds):
    """Detector QE for ``ccd_id`` at the observation date: QE x contamination (when ``contam``)."""
    q = qe_raw(ccd_id, energy_keV, obs_date, **bounds)
    if contam and obs_date is not None:
        q = q * contam_transmission(energy_keV, obs_date)
    return q


# --- bad pixels ------------------------------------------------------------------------------

_VFILE_RE = re.compile(r"^(?P<file>[^\[]+)(?:\[(?P<block>[^\]]+)\])?\s*$")


def ardlib_badpix_setting(settings, ccd_id):
    """The ``AXAF_ACIS<n>_BADPIX_FILE`` value for a chip from an ardlib-like mapping
    (missing -> ``"CALDB"``)."""
    if settings is None:
        return "CALDB"
    if isinstance(settings, str):
        return settings
    key = f"AXAF_ACIS{int(ccd_id)}_BADPIX_FILE"
    for k, v in settings.items():
        if k.upper() == key:
            return v if v not in (None, "") else "CALDB"
    return "CALDB"


def find_block(hdul, block):
    """The HDU a CIAO block name designates: a number, an HDUNAME (``BADPIX7``), an EXTNAME,
    or EXTNAME+EXTVER run together."""
    name = str(block).strip()
    if name.isdigit():
        return hdul[int(name)] if int(name) < len(hdul) else None
    up = name.upper()
    for hdu in hdul:
        if str(hdu.header.get("HDUNAME", "")).strip().upper() == up:
            return hdu
    for hdu in hdul:
        ext = str(hdu.header.get("EXTNAME", "")).strip().upper()
        if ext == up or (ext and f"{ext}{hdu.header.get('EXTVER', '')}" == up):
            return hdu
    return None


def _read_badpix_block(path, block, ccd_id):
    from astropy.io import fits

    if not os.path.exists(path):
        raise ToolError(f"Bad pixel file {path} does not exist")
    with fits.open(path) as h:
        if block is not None:
            hdu = find_block(h, block)
            if hdu is None:
                raise ToolError(f"Bad pixel file {path} has no block {block}")
        else:
            cands = [x for x in h[1:] if x.header.get("EXTNAME", "").upper() == "BADPIX"
                     and int(x.header.get("CCD_ID", x.header.get("EXTVER", -1))) == int(ccd_id)]
            if not cands:
                cands = [x for x in h[1:] if x.header.get("EXTNAME", "").upper() == "BADPIX"
                         and "CCD_ID" in (x.columns.names if hasattr(x, "columns") else [])]
            if not cands:
                return np.zeros((0, 4), int)
            hdu = cands[0]
        d = hdu.data
        if d is None or len(d) == 0:
            return np.zeros((0, 4), int)
        names = [n.upper() for n in d.columns.names]
        if "CCD_ID" in names:
            d = d[np.asarray(d["CCD_ID"]) == int(ccd_id)]
        cx = np.atleast_2d(np.asarray(d["CHIPX"], int))
        cy = np.atleast_2d(np.asarray(d["CHIPY"], int))
        if cx.shape[-1] == 1 or cx.ndim == 1:
            cx = np.column_stack([cx.ravel(), cx.ravel()])
            cy = np.column_stack([cy.ravel(), cy.ravel()])
        shapes = ([str(s).strip().lower() for s in d["SHAPE"]] if "SHAPE" in names
                  else ["rectangle"] * len(d))
        rects = []
        for s, (x0, x1), (y0, y1) in zip(shapes, cx, cy):
            if s == "point":
                x1, y1 = x0, y0
            rects.append((min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1)))
        return np.array(rects, int).reshape(-1, 4)


def bad_pixels(ccd_id, setting="CALDB", obs_date=None):
    """Bad-pixel rectangles (chipx_lo, chipx_hi, chipy_lo, chipy_hi), inclusive, for one chip.

    ``setting`` as ardlib takes it: ``"CALDB"``, ``"NONE"``, ``"file.fits"`` or
    ``"file.fits[BADPIX7]"``, or an ardlib mapping (``{"AXAF_ACIS7_BADPIX_FILE": ...}``).
    """
    setting = ardlib_badpix_setting(setting, ccd_id) if not isinstance(setting, str) else setting
    text = (setting or "CALDB").strip()
    if text.upper() == "NONE":
        return np.zeros((0, 4), int)
    if text.upper() == "CALDB":
        cal = lookup("BADPIX", ccd_id=ccd_id, obs_date=obs_date)
        return _read_badpix_block(cal.path, str(cal.extension), ccd_id)
    m = _VFILE_RE.match(text)
    if not m:
        raise ToolError(f"Invalid bad pixel file specification '{text}'")
    return _read_badpix_block(m.group("file").strip(), m.group("block"), ccd_id)


def bad_pixel_mask(ccd_id, setting="CALDB", obs_date=None, size=(1024, 1024)):
    """Boolean image (ny, nx) of bad pixels, index ``[chipy-1, chipx-1]``."""
    mask = np.zeros((size[1], size[0]), bool)
    for x0, x1, y0, y1 in bad_pixels(ccd_id, setting, obs_date):
        mask[max(y0, 1) - 1:min(y1, size[1]), max(x0, 1) - 1:min(x1, size[0])] = True
    return mask


# --- what an instrument map needs ------------------------------------------------------------

def chip_area_map(ccd_id, energy_keV, *, sim, obs_date=None, badpix="CALDB", contam=True,
                  pixelgrid=None):
    """Effective area x QE (cm^2 counts/photon) on the chip pixel grid, bad pixels zeroed.

    The same product the simulator draws its detections from: for the centre of each chip
    pixel, ``EA(E, theta) QE_ccd(E)``, with theta the off-axis angle of that pixel for the SIM
    position ``sim`` (mm; see :func:`pyciao.geom.default_sim`). ``badpix`` is an ardlib-style
    setting. Returns an array indexed ``[chipy-1, chipx-1]`` (1024 x 1024 by default);
    ``pixelgrid=(xs, ys)`` evaluates at other chip coordinates instead (no bad-pixel mask).
    """
    from .. import geom

    if pixelgrid is None:
        xs = ys = np.arange(1, 1025, dtype=float)
    else:
        xs, ys = (np.asarray(v, float) for v in pixelgrid)
    cx, cy = np.meshgrid(xs, ys)
    detx, dety = geom.chip_to_det(np.full(cx.shape, int(ccd_id)), cx, cy, sim)
    theta, _ = geom.theta_phi(detx, dety)
    area = (onaxis_area(energy_keV, obs_date) * vignetting(energy_keV, theta, obs_date)
            * qe(int(ccd_id), energy_keV, obs_date, contam=contam))
    if pixelgrid is None:
        area = np.where(bad_pixel_mask(ccd_id, badpix, obs_date), 0.0, area)
    return area
