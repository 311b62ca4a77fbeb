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
    AcisGeometry, acis_geometry, chip_to_lsi, chip_to_tdet, tdet_to_chip, chip_to_det,
    det_to_chip, tdet_to_det, det_to_sky, sky_to_det, det_to_celestial, celestial_to_det,
    sky_to_celestial, celestial_to_sky, theta_phi, sky_wcs, default_sim, chip_corners_det,
    ACIS_I_CHIPS, ACIS_S_CHIPS, CHIP_NAMES, SKY_REFPIX, SKY_PIXEL_DEG, gnomonic, inverse_gnomonic,
)
