"""Calibration behind one lookup.

``lookup(product, ...)`` picks a file (CALDB rule) from ``$CALDB`` or the bundled library;
the readers in :mod:`pyciao.caldb.products` turn products into arrays; the XMM CIF rule and
``cifbuild`` live in :mod:`pyciao.caldb.cif`.
"""
from .index import (  # noqa: F401
    CalRow, parse_date, format_date, select_caldb, select_cif, read_caldb_index,
    write_caldb_index, index_fits_file, rows_from_header,
)
from .library import CalFile, lookup, fallback_root, caldb_root  # noqa: F401
from .products import (  # noqa: F401
    effective_area, onaxis_area, vignetting, qe, qe_raw, contam_transmission, psf_r50, psf_r90,
    bad_pixels, bad_pixel_mask, ardlib_badpix_setting, met_from_date, date_from_met, MJDREF,
    chip_area_map,
)
