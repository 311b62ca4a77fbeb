"""Calibration behind one lookup.

``lookup(product, ...)`` picks a file (CALDB rule) from ``$CALDB`` or the bundled library;
the readers in :mod:`pyciao.caldb.products` turn products into arrays; the XMM CIF rule and
``cifbuild`` live in :mod:`pyciao.caldb.cif`.
"""
from .index import (  # noqa: F401
    CalRow,
    format_date,
    index_fits_file,
    parse_date,
    read_caldb_index,
    rows_from_header,
    select_caldb,
    select_cif,
    write_caldb_index,
)
from .library import CalFile, caldb_root, fallback_root, lookup  # noqa: F401
from .products import (  # noqa: F401
    MJDREF,
    ardlib_badpix_setting,
    bad_pixel_mask,
    bad_pixels,
    chip_area_map,
    contam_transmission,
    date_from_met,
    effective_area,
    met_from_date,
    onaxis_area,
    psf_r50,
    psf_r90,
    qe,
    qe_raw,
    vignetting,
)
