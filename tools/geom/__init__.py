"""Chandra ACIS coordinate chain as plain vectorised transforms.

    chip (ccd_id, chipx, chipy)  <->  tdet (tdetx, tdety)        chip_to_tdet / tdet_to_chip
    chip                          <->  det  (detx, dety)          chip_to_det  / det_to_chip
    det  + pointing (ra, dec, roll at each event)  <->  sky (x, y)   det_to_sky / sky_to_det
    sky                           <->  (RA, Dec)                  sky_to_celestial / celestial_to_sky
    det                            ->  off-axis (theta, phi)      theta_phi

The geometry numbers (chip corners, TDET tiling, aimpoints, focal length) come from the
calibration lookup (``pyciao.caldb.lookup("GEOM")`` etc.); see :func:`acis_geometry`.
"""
from .acis import (  # noqa: F401
    ACIS_I_CHIPS,
    ACIS_S_CHIPS,
    CHIP_NAMES,
    SKY_PIXEL_DEG,
    SKY_REFPIX,
    AcisGeometry,
    acis_geometry,
    celestial_to_det,
    celestial_to_sky,
    chip_corners_det,
    chip_to_det,
    chip_to_lsi,
    chip_to_tdet,
    default_sim,
    det_to_celestial,
    chip_plane_coords,
    det_to_chip,
    det_to_sky,
    gnomonic,
    inverse_gnomonic,
    sky_to_celestial,
    sky_to_det,
    sky_wcs,
    tdet_to_chip,
    tdet_to_det,
    theta_phi,
)
