"""Coordinate transforms: logical <-> physical per image axis, physical <-> world (astropy.wcs).

CIAO conventions (spec dm.md §1.7 rule 11): a binned image's physical axis is linear,
``phys = CRVALnP + CDELTnP * (logical - CRPIXnP)`` with CRPIXnP = 0.5 and CRVALnP the lower
edge of the grid, plus the IRAF form ``logical = LTMn_n * phys + LTVn``. The celestial
transform of the sky columns (TCTYP/TCRVL/TCRPX/TCDLT) is re-expressed in logical pixels.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from astropy.wcs import WCS, FITSFixedWarning

__all__ = ["AxisTransform", "image_axes", "column_world", "pair_wcs", "image_world_wcs",
           "physical_world_wcs", "physical_axis_cards", "world_axis_cards"]


@dataclass
class AxisTransform:
    """Linear logical -> physical transform of one image axis (1-based logical pixels)."""
    name: str | None = None       # physical axis name ('x', 'time'), None if the image has none
    crval: float = 0.5
    crpix: float = 0.5
    cdelt: float = 1.0
    unit: str | None = None
    vector: str | None = None     # MTYPE vector ('sky') the axis belongs to
    comment: str | None = None

    def phys(self, logical):
        return self.crval + self.cdelt * (np.asarray(logical, "f8") - self.crpix)

    def logical(self, phys):
        return self.crpix + (np.asarray(phys, "f8") - self.crval) / self.cdelt

    def shifted(self, offset, factor=1):
        """The transform after dropping ``offset`` leading pixels and grouping ``factor``."""
        lo_edge = self.phys(offset + 0.5)
        return AxisTransform(self.name, float(lo_edge), 0.5, self.cdelt * factor, self.unit,
                             self.vector, self.comment)

    def dmlist_text(self, axis_label):
        return f"({self.crval:+.2f}) +({self.cdelt:+.1f})* (({axis_label})-({self.crpix:+.2f}))"


def _num(header, key, default):
    v = header.get(key, default)
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else default


def image_axes(header, naxis):
    """The physical transform of each image axis (FITS order: axis 1 first)."""
    vectors = {}
    for key in header:
        if key.startswith("MTYPE") and key[5:].isdigit():
            form = str(header.get("MFORM" + key[5:], ""))
            for comp in form.split(","):
                vectors[comp.strip().lower()] = str(header[key]).strip()
    axes = []
    for n in range(1, naxis + 1):
        if f"CTYPE{n}P" in header or f"CRVAL{n}P" in header:
            name = str(header.get(f"CTYPE{n}P", "")).strip() or None
            ax = AxisTransform(name, _num(header, f"CRVAL{n}P", 0.0), _num(header, f"CRPIX{n}P", 0.0),
                               _num(header, f"CDELT{n}P", 1.0),
                               (str(header.get(f"CUNIT{n}P")).strip() or None) if f"CUNIT{n}P" in header else None,
                               vectors.get((name or "").lower()),
                               header.comments[f"CTYPE{n}P"] if f"CTYPE{n}P" in header else None)
        elif f"LTV{n}" in header or f"LTM{n}_{n}" in header:
            ltm = _num(header, f"LTM{n}_{n}", 1.0)
            ltv = _num(header, f"LTV{n}", 0.0)
            # logical = ltm*phys + ltv  =>  phys = (logical - ltv)/ltm
            ax = AxisTransform(None, (0.5 - ltv) / ltm, 0.5, 1.0 / ltm)
        else:
            ax = AxisTransform(None, 0.5, 0.5, 1.0)
        axes.append(ax)
    return axes


def column_world(col):
    """The world (celestial or linear) transform keys of a table column, if any."""
    k = col.keys
    if "TCTYP" not in k:
        return None
    return {"ctype": str(k["TCTYP"]).strip(), "crval": float(k.get("TCRVL", 0.0)),
            "crpix": float(k.get("TCRPX", 0.0)), "cdelt": float(k.get("TCDLT", 1.0)),
            "cunit": str(k.get("TCUNI", "")).strip() or None}


def pair_wcs(colx, coly):
    """astropy WCS mapping a column pair (physical x, y) to world, or None."""
    wx, wy = column_world(colx), column_world(coly)
    if not wx or not wy:
        return None
    w = WCS(naxis=2)
    w.wcs.ctype = [wx["ctype"], wy["ctype"]]
    w.wcs.crval = [wx["crval"], wy["crval"]]
    w.wcs.crpix = [wx["crpix"], wy["crpix"]]
    w.wcs.cdelt = [wx["cdelt"], wy["cdelt"]]
    w.wcs.cunit = [wx["cunit"] or "deg", wy["cunit"] or "deg"]
    w.wcs.set()
    return w


def image_world_wcs(header):
    """The image's world WCS (logical pixels -> world) with astropy, or None."""
    if "CTYPE1" not in header:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FITSFixedWarning)
        try:
            w = WCS(header, naxis=2, relax=True)
        except Exception:   # noqa: BLE001 - a malformed WCS means "no world coordinates"
            return None
    return w if w.wcs.ctype[0] else None


def physical_world_wcs(header):
    """A WCS mapping the image's *physical* (x, y) to world, for region files in RA/Dec."""
    w = image_world_wcs(header)
    if w is None:
        return None
    ax = image_axes(header, 2)
    w = w.deepcopy()
    # physical = crval + cdelt*(logical - crpix)  =>  logical = crpix + (phys - crval)/cdelt
    crpix = [float(ax[i].phys(w.wcs.crpix[i])) for i in range(2)]
    scale = [ax[i].cdelt for i in range(2)]
    w.wcs.crpix = crpix
    if w.wcs.has_cd():
        w.wcs.cd = w.wcs.cd / np.array(scale)[np.newaxis, :]
    else:
        w.wcs.cdelt = [w.wcs.cdelt[i] / scale[i] for i in range(2)]
    w.wcs.set()
    return w


def physical_axis_cards(n, ax):
    """CTYPEnP ... LTMn_n cards for one binned/cropped image axis (CIAO's set and order)."""
    cards = [(f"CTYPE{n}P", ax.name or f"#{n}", ax.comment or "")]
    if ax.unit:
        cards.append((f"CUNIT{n}P", ax.unit, ""))
    cards += [(f"CRVAL{n}P", float(ax.crval), ""), (f"CRPIX{n}P", float(ax.crpix), ""),
              (f"CDELT{n}P", float(ax.cdelt), ""), (f"WCSTY{n}P", "PHYSICAL", ""),
              (f"LTV{n}", float(ax.crpix - ax.crval / ax.cdelt), ""),
              (f"LTM{n}_{n}", float(1.0 / ax.cdelt), "")]
    return cards


def world_axis_cards(n, world, ax):
    """CTYPEn ... CUNITn for a sky axis: the column's world transform in logical pixels."""
    crpix = ax.logical(world["crpix"])
    return [(f"CTYPE{n}", world["ctype"], ""), (f"CRVAL{n}", world["crval"], ""),
            (f"CRPIX{n}", float(crpix), ""), (f"CDELT{n}", world["cdelt"] * ax.cdelt, ""),
            (f"CUNIT{n}", world["cunit"] or "deg", "")]
