"""FITS writers for the simulated observation, laid out as CIAO data products."""
from __future__ import annotations

import numpy as np


def badpix_hdu(ccd_id, rects, time=0.0):
    """One CIAO bad-pixel block ``BADPIX<ccd>`` (region-table layout, as acis_build_badpix writes):
    SHAPE, COMPONENT, CHIPX[2], CHIPY[2], TIME, STATUS[16X]. ``rects``: (x0, x1, y0, y1)."""
    from astropy.io import fits

    n = len(rects)
    r = np.asarray(rects, int).reshape(n, 4)
    shapes = ["point" if (x0 == x1 and y0 == y1) else "rectangle" for x0, x1, y0, y1 in r]
    cx = np.where(np.array(shapes)[:, None] == "point", np.column_stack([r[:, 0], 0 * r[:, 0]]),
                  r[:, 0:2]) if n else np.zeros((0, 2), int)
    cy = np.where(np.array(shapes)[:, None] == "point", np.column_stack([r[:, 2], 0 * r[:, 2]]),
                  r[:, 2:4]) if n else np.zeros((0, 2), int)
    status = np.zeros((n, 16), bool)
    if n:
        status[:, 12] = True
    cols = [
        fits.Column("SHAPE", "16A", array=np.array(shapes, "S16")),
        fits.Column("COMPONENT", "1I", array=np.arange(1, n + 1, dtype="i2")),
        fits.Column("CHIPX", "2I", unit="pixel", array=cx.astype("i2")),
        fits.Column("CHIPY", "2I", unit="pixel", array=cy.astype("i2")),
        fits.Column("TIME", "1D", unit="s", array=np.full(n, float(time))),
        fits.Column("STATUS", "16X", unit="coded", array=status),
    ]
    hdu = fits.BinTableHDU.from_columns(cols, name="BADPIX")
    h = hdu.header
    h["EXTVER"] = int(ccd_id)
    h["HDUNAME"] = f"BADPIX{int(ccd_id)}"
    for i, name in ((3, "CHIPX"), (4, "CHIPY")):
        h[f"TLMIN{i}"] = 1
        h[f"TLMAX{i}"] = 1024
    h["TLMIN2"] = 0
    h["TLMAX2"] = max(n, 1)
    h["MTYPE1"] = "CHIP"
    h["MFORM1"] = "CHIPX,CHIPY"
    h["CONTENT"] = "BADPIX"
    h["HDUCLASS"] = "ASC"
    h["HDUCLAS1"] = "REGION"
    h["CCD_ID"] = int(ccd_id)
    return hdu
