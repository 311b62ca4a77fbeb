"""World (celestial) shapes to physical pixels, the way CIAO converts them.

CIAO's rule (library ``reg_convert_world_shape``): positions go through the WCS
(world -> pixel); radii and box sizes are divided by one constant scale, the pixel size in
degrees of the sky transform; rotation angles are kept as written. The shape's flags then say
"physical". We do the same with an ``astropy.wcs.WCS`` whose pixel coordinates *are* the
physical sky coordinates (the WCS built from the event file's TCRVL/TCRPX/TCDLT, FITS 1-based
convention: ``wcs.all_pix2world(x, y, 1)`` gives RA, Dec of sky pixel (x, y)).

ds9 files may also be written in galactic, ecliptic or FK4 coordinates, which the CIAO
library cannot convert (it would read the numbers as RA/Dec). Such shapes carry their frame
and are transformed to the WCS's frame with ``astropy.coordinates`` first; their angles are
turned by the position angle of the frame's north at the shape's centre.
"""
import math
from dataclasses import replace

import numpy as np

from .errors import RegionError
from .extent import mod_angle
from .shapes import PHYSICAL, WORLD, check_values

# ds9 frame names -> astropy frames. ds9's FK4 positions agree with astropy's FK4 without
# E-terms (the pyregion test01_fk4/test01_fk5 pair written by ds9 match to 0.05" that way,
# 0.23" with E-terms).
_FRAMES = {"fk4": "fk4noeterms", "b1950": "fk4noeterms", "galactic": "galactic",
           "ecliptic": "geocentrictrueecliptic"}


def degrees_per_pixel(wcs):
    """The constant scale CIAO divides angular sizes by (degrees per physical pixel)."""
    from astropy.wcs.utils import proj_plane_pixel_scales
    sx, sy = (abs(float(v)) for v in proj_plane_pixel_scales(wcs.celestial))
    return sx if sx == sy else math.sqrt(sx * sy)


def _wcs_frame(wcs):
    from astropy.wcs.utils import wcs_to_celestial_frame
    return wcs_to_celestial_frame(wcs)


def _to_wcs_frame(lon, lat, frame, wcs):
    """(lon, lat) in degrees in ``frame`` -> the WCS's own frame; plus the rotation (deg) of
    the frame's north there, measured from the WCS frame's north towards the east."""
    import astropy.units as u
    from astropy.coordinates import SkyCoord
    src = SkyCoord(lon * u.deg, lat * u.deg, frame=_FRAMES[frame])
    target = _wcs_frame(wcs)
    dst = src.transform_to(target)
    north = SkyCoord(lon * u.deg, np.minimum(lat + 1e-4, 90.0) * u.deg,
                     frame=_FRAMES[frame]).transform_to(target)
    turn = dst.position_angle(north).deg
    turn = np.where(turn > 180.0, turn - 360.0, turn)
    return (dst.spherical.lon.deg, dst.spherical.lat.deg, turn)


def shape_to_physical(shape, wcs, scale):
    """One shape with its world positions and sizes in physical pixels."""
    if not shape.is_world:
        return shape
    xs, ys, radii, angles = shape.xs, shape.ys, shape.radii, shape.angles
    coord_flag, size_flag = shape.coord_flag, shape.size_flag
    if coord_flag == WORLD and xs:
        lon, lat = np.array(xs, dtype=float), np.array(ys, dtype=float)
        if shape.frame is not None:
            lon, lat, turn = _to_wcs_frame(lon, lat, shape.frame, wcs)
            if shape.kind in ("box", "rectangle", "ellipse", "pie", "sector") and angles:
                angles = tuple(mod_angle(a + float(np.atleast_1d(turn)[0])) for a in angles)
        px, py = wcs.celestial.all_world2pix(lon, lat, 1)
        if not (np.all(np.isfinite(px)) and np.all(np.isfinite(py))):
            raise RegionError(f"region position ({xs[0]}, {ys[0]}) cannot be converted "
                              "to sky pixels with this WCS")
        xs, ys = tuple(float(v) for v in px), tuple(float(v) for v in py)
        coord_flag = PHYSICAL
    if size_flag == WORLD:
        radii = tuple(r / scale for r in radii)
        size_flag = PHYSICAL
    check_values(shape.kind, xs + ys + radii + angles)
    return replace(shape, xs=xs, ys=ys, radii=radii, angles=angles, coord_flag=coord_flag,
                   size_flag=size_flag, frame=None)


def components_to_physical(components, wcs, text=None):
    """All shapes in physical pixels; RegionError when world shapes meet no WCS."""
    if not any(s.is_world for comp in components for s in comp):
        return components
    if wcs is None:
        what = f"region '{text}'" if text else "the region"
        raise RegionError(f"{what} uses celestial coordinates (RA/Dec or angular sizes) "
                          "but no WCS is available to convert them to sky pixels")
    scale = degrees_per_pixel(wcs)
    return [[shape_to_physical(s, wcs, scale) for s in comp] for comp in components]
