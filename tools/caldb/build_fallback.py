"""Generate pyciao's bundled calibration library from published figures.

    python -m pyciao.caldb.build_fallback /path/to/shared/data [outdir]

Inputs (read in place, never copied):
  marx_hrma/hrma_effarea.csv, hrma_vignetting.csv, psf_eef.csv
      HRMA effective area, vignetting and PSF radii measured from MARX 5.5.3 ray traces
      (azimuth means; 22 energies x 9 off-axis angles).
  marx_caldb/caldb/acisD1997-04-17qeN0006.fits
      ACIS QE per chip (incl. the optical blocking filter), resampled onto a 10 eV grid.
  marx_caldb/caldb/telD1999-07-23geomN0006.fits, telD1999-07-23aimptsN0002.fits
      ACIS chip corners (LSI mm), LSI->STT origin, default aimpoints.
  pratzlaff_calib/acis_contam_optical_depths.txt, acis_contam_optical_depths_tdep.txt
      ACIS contamination optical depths (C, O, F, "fluffium") and their time factors.
The TDET tiling (chip origin and rotation per CCD, ACIS-2.2) comes from the "ASC Coordinates"
memo tables; tests check it against the chip/tdet pairs of a real event list.

Output: a CALDB-style tree (``data/chandra/...`` plus ``data/chandra/default/caldb.indx``).
The numbers carry over from the sources; the file layout is ours (names end in ``_pyciao``).
"""
from __future__ import annotations

import csv
import os
import sys

import numpy as np

VALID_MISSION = "1999-07-22T00:00:00"
INDEX_DATE = __import__("datetime").datetime(2026, 1, 1)

#: ACIS-2.2 tiled-detector layout: (tdet origin x, y), rotation (deg) per CCD 0-9.
#: tdet = origin + R(theta) (chip - 0.5) + 0.5 ["ASC Coordinates" memo, Table of TDET systems].
TDET_ACIS = {
    0: ((3061, 5131), 90), 1: ((5131, 4107), 270), 2: ((3061, 4085), 90), 3: ((5131, 3061), 270),
    4: ((791, 1702), 0), 5: ((1833, 1702), 0), 6: ((2875, 1702), 0), 7: ((3917, 1702), 0),
    8: ((4959, 1702), 0), 9: ((6001, 1702), 0),
}

FOCAL_LENGTH_MM = 10070.0        # HRMA focal length used by CXC pixlib (FOC_LEN in evt files)
DET_PIXEL_ARCSEC = 0.492         # ASC-FP-1.1 focal-plane / sky pixel
DET_REFPIX = 4096.5


def _read_csv(path):
    with open(path, newline="") as fh:
        lines = [ln for ln in fh if not ln.startswith("#") and ln.strip()]
    return list(csv.DictReader(lines))


def _grid(rows, value, config=None):
    if config is not None:
        rows = [r for r in rows if r["config"] == config]
    energies = sorted({float(r["energy_keV"]) for r in rows})
    thetas = sorted({float(r["theta_arcmin"]) for r in rows})
    out = np.full((len(thetas), len(energies)), np.nan)
    for r in rows:
        out[thetas.index(float(r["theta_arcmin"])), energies.index(float(r["energy_keV"]))] = float(r[value])
    if np.isnan(out).any():
        raise ValueError(f"incomplete grid for {value}")
    return np.array(energies), np.array(thetas), out


def _cal_keywords(header, codename, *, instrument, start=VALID_MISSION, bounds=(), desc="",
                  setno=1, end=None):
    n = f"{setno:04d}"
    header["TELESCOP"] = "CHANDRA"
    header["INSTRUME"] = instrument
    header.setdefault("DETNAM", "NONE")
    header.setdefault("FILTER", "NONE")
    header[f"CCLS{n}"] = "BCF"
    header[f"CDTP{n}"] = "DATA"
    header[f"CCNM{n}"] = codename
    for m, b in enumerate(bounds, start=1):
        header[f"CBD{m}{n}"] = b
    header[f"CVSD{n}"] = start
    header[f"CVST{n}"] = start.split("T")[1] if "T" in start else "00:00:00"
    if end:
        header[f"CVED{n}"] = end
        header[f"CVET{n}"] = end.split("T")[1] if "T" in end else "00:00:00"
    header[f"CDES{n}"] = desc
    header["CAL_QUAL"] = 0
    header["ORIGIN"] = "pyciao"
    header["CREATOR"] = "pyciao.caldb.build_fallback"


def _primary(note):
    from astropy.io import fits

    hdu = fits.PrimaryHDU()
    hdu.header["TELESCOP"] = "CHANDRA"
    hdu.header["ORIGIN"] = "pyciao"
    for line in note:
        hdu.header.add_comment(line)
    return hdu


def _write(hdus, path):
    from astropy.io import fits

    os.makedirs(os.path.dirname(path), exist_ok=True)
    fits.HDUList(hdus).writeto(path, overwrite=True)


def build_hrma(shared, out):
    from astropy.io import fits

    ea_rows = _read_csv(os.path.join(shared, "marx_hrma", "hrma_effarea.csv"))
    e, th, ea = _grid(ea_rows, "effarea_cm2")
    _, _, ea_err = _grid(ea_rows, "effarea_err_cm2")
    vig_rows = _read_csv(os.path.join(shared, "marx_hrma", "hrma_vignetting.csv"))
    e2, th2, vig = _grid(vig_rows, "vignetting")
    assert np.allclose(e, e2) and np.allclose(th, th2)
    vig[0] = 1.0
    src = ["Source: HRMA ray traces with MARX 5.5.3 (azimuth means of 4 position angles),",
           "measured by the pyciao team; not the CXC CALDB file."]

    tab = fits.BinTableHDU.from_columns([
        fits.Column("ENERGY", "1E", unit="keV", array=e.astype("f4")),
        fits.Column("EFFAREA", "1E", unit="cm**2", array=ea[0].astype("f4")),
        fits.Column("EFFAREA_ERR", "1E", unit="cm**2", array=ea_err[0].astype("f4")),
    ], name="AXAF_AXEFFA1")
    _cal_keywords(tab.header, "AXEFFA", instrument="HRMA", desc="HRMA on-axis effective area")
    _write([_primary(src), tab], os.path.join(out, "data/chandra/hrma/hrmaD1999-07-22axeffaN0001_pyciao.fits"))

    tab = fits.BinTableHDU.from_columns([
        fits.Column("ENERGY", f"{len(e)}E", unit="keV", array=e[None].astype("f4")),
        fits.Column("THETA", f"{len(th)}E", unit="arcmin", array=th[None].astype("f4")),
        fits.Column("VIGNET", f"{vig.size}E", dim=f"({len(e)},{len(th)})", array=vig[None].astype("f4")),
    ], name="AXAF_VIGNET1")
    _cal_keywords(tab.header, "VIGNET", instrument="HRMA",
                  desc="HRMA vignetting EA(E,theta)/EA(E,0), azimuth mean")
    _write([_primary(src), tab], os.path.join(out, "data/chandra/hrma/hrmaD1999-07-22vignetN0001_pyciao.fits"))

    psf_rows = _read_csv(os.path.join(shared, "marx_hrma", "psf_eef.csv"))
    ep, tp, r50 = _grid(psf_rows, "r50_arcsec", "nodither")
    _, _, r90 = _grid(psf_rows, "r90_arcsec", "nodither")
    tab = fits.BinTableHDU.from_columns([
        fits.Column("ENERGY", f"{len(ep)}E", unit="keV", array=ep[None].astype("f4")),
        fits.Column("THETA", f"{len(tp)}E", unit="arcmin", array=tp[None].astype("f4")),
        fits.Column("R50", f"{r50.size}E", unit="arcsec", dim=f"({len(ep)},{len(tp)})", array=r50[None].astype("f4")),
        fits.Column("R90", f"{r90.size}E", unit="arcsec", dim=f"({len(ep)},{len(tp)})", array=r90[None].astype("f4")),
    ], name="PSFSIZE")
    _cal_keywords(tab.header, "PSFSIZE", instrument="HRMA",
                  desc="HRMA PSF 50%/90% encircled-energy radii (mirror only)")
    _write([_primary(src), tab], os.path.join(out, "data/chandra/hrma/hrmaD1999-07-22psfsizeN0001_pyciao.fits"))


def build_acis_qe(shared, out):
    from astropy.io import fits

    src_path = os.path.join(shared, "marx_caldb", "caldb", "acisD1997-04-17qeN0006.fits")
    grid = np.round(np.arange(0.10, 11.0 + 1e-9, 0.01), 4)
    hdus = [_primary(["ACIS QE incl. optical blocking filter, from CXC CALDB acisD1997-04-17qeN0006",
                      "(as shipped with MARX), linearly resampled onto a 10 eV grid."])]
    with fits.open(src_path) as hdul:
        for k in range(1, 11):
            h = hdul[k].header
            d = hdul[k].data
            qe = np.clip(np.interp(grid, d["ENERGY"].astype(float), d["QE"].astype(float)), 0, 1)
            tab = fits.BinTableHDU.from_columns([
                fits.Column("ENERGY", "1E", unit="keV", array=grid.astype("f4")),
                fits.Column("QE", "1E", array=qe.astype("f4")),
            ], name="AXAF_QE")
            tab.header["EXTVER"] = k
            tab.header["HDUNAME"] = f"AXAF_QE{k}"
            tab.header["DETNAM"] = h.get("DETNAM", f"ACIS-{k - 1}")
            tab.header["CCD_ID"] = k - 1
            tab.header["FILTER"] = h.get("FILTER", "NONE")
            for setno in (1, 2):
                n = f"{setno:04d}"
                if f"CCNM{n}" not in h:
                    continue
                bounds = [h[f"CBD{m}{n}"] for m in range(1, 10) if f"CBD{m}{n}" in h]
                _cal_keywords(tab.header, "QE", instrument="ACIS", start=h[f"CVSD{n}"], bounds=bounds,
                              desc="Mean quantum efficiency", setno=setno, end=h.get(f"CVED{n}"))
            hdus.append(tab)
    _write(hdus, os.path.join(out, "data/chandra/acis/acisD1997-04-17qeN0006_pyciao.fits"))


def _read_columns(path):
    rows = []
    with open(path) as fh:
        for ln in fh:
            if ln.strip() and not ln.lstrip().startswith("#"):
                rows.append([float(v) for v in ln.split()])
    return np.array(rows)


def build_acis_contam(shared, out):
    from astropy.io import fits

    tau = _read_columns(os.path.join(shared, "pratzlaff_calib", "acis_contam_optical_depths.txt"))
    tdep = _read_columns(os.path.join(shared, "pratzlaff_calib", "acis_contam_optical_depths_tdep.txt"))
    comps = ["C", "O", "F", "FLUFF"]
    t1 = fits.BinTableHDU.from_columns(
        [fits.Column("ENERGY", "1E", unit="keV", array=tau[:, 0].astype("f4"))]
        + [fits.Column(f"TAU_{c}", "1E", array=tau[:, i + 1].astype("f4")) for i, c in enumerate(comps)],
        name="CONTAM_TAU")
    _cal_keywords(t1.header, "CONTAM", instrument="ACIS", start="1999-08-13T00:00:00",
                  desc="ACIS OBF contamination optical depths (epoch 2002.69)")
    t1.header["COMMENT"] = "Transmission = exp(-sum_i TAU_i(E) * F_i(t)); F_i from CONTAM_TDEP."
    t2 = fits.BinTableHDU.from_columns(
        [fits.Column("TIME", "1D", unit="s", array=tdep[:, 0])]
        + [fits.Column(f"F_{c}", "1E", array=tdep[:, i + 1].astype("f4")) for i, c in enumerate(comps)],
        name="CONTAM_TDEP")
    t2.header["MJDREF"] = 50814.0
    t2.header["COMMENT"] = "TIME is Chandra MET (s since 1998-01-01); factors held constant past the end."
    _write([_primary(["ACIS contamination model (H. Marshall 2007, via P. Ratzlaff's mccal tables);",
                      "spatially uniform. Not the CXC CALDB contam file."]), t1, t2],
           os.path.join(out, "data/chandra/acis/acisD1999-08-13contamN0001_pyciao.fits"))


def build_acis_badpix(out):

    hdus = [_primary(["Calibration bad-pixel list: empty (no published list is bundled).",
                      "Observation bad pixels come from the bpix1 file set in ardlib."])]
    for ccd in range(10):
        tab = _badpix_hdu(ccd, [])
        _cal_keywords(tab.header, "BADPIX", instrument="ACIS", start="1999-07-22T00:00:00",
                      bounds=[f"CCD_ID({ccd})"], desc="ACIS bad pixels")
        tab.header["DETNAM"] = f"ACIS-{ccd}"
        hdus.append(tab)
    _write(hdus, os.path.join(out, "data/chandra/acis/acisD1999-07-22badpixN0001_pyciao.fits"))


def _badpix_hdu(ccd, rects, time=0.0):
    """A CIAO bad-pixel block (region-table layout: SHAPE, COMPONENT, CHIPX[2], CHIPY[2], TIME, STATUS)."""
    from ..sim.products import badpix_hdu  # one writer for calibration and observation files

    return badpix_hdu(ccd, rects, time=time)


def build_geometry(shared, out):
    from astropy.io import fits

    geom = os.path.join(shared, "marx_caldb", "caldb", "telD1999-07-23geomN0006.fits")
    aim = os.path.join(shared, "marx_caldb", "caldb", "telD1999-07-23aimptsN0002.fits")
    with fits.open(geom) as g:
        inst = g["INSTRUMENTS"].data
        names = [str(n).strip() for n in inst["INSTRUMENT"]]
        acis_origin = np.asarray(inst["ORIGIN"][names.index("ACIS")], "f8")
        d = g[2].data   # INSTGEOM1: ACIS
        geo = fits.BinTableHDU.from_columns([
            fits.Column("CHIP_ID", "1J", array=np.asarray(d["CHIP_ID"], "i4")),
            fits.Column("CHIP", "12A", array=np.array([str(c).strip() for c in d["CHIP"]], "S12")),
            fits.Column("SIZE", "2J", unit="pixel", array=np.asarray(d["SIZE"], "i4")),
            fits.Column("LL", "3D", unit="mm", array=np.asarray(d["LL"], "f8")),
            fits.Column("LR", "3D", unit="mm", array=np.asarray(d["LR"], "f8")),
            fits.Column("UR", "3D", unit="mm", array=np.asarray(d["UR"], "f8")),
            fits.Column("UL", "3D", unit="mm", array=np.asarray(d["UL"], "f8")),
        ], name="ACISGEOM")
    _cal_keywords(geo.header, "GEOM", instrument="TEL", start="1999-07-23T00:00:00",
                  desc="ACIS chip corners in LSI coordinates")
    geo.header["LSI_ORGX"] = (float(acis_origin[0]), "[mm] STT position of the ACIS LSI origin")
    geo.header["LSI_ORGY"] = (float(acis_origin[1]), "[mm]")
    geo.header["LSI_ORGZ"] = (float(acis_origin[2]), "[mm]")
    geo.header["FOC_LEN"] = (FOCAL_LENGTH_MM, "[mm] HRMA focal length")
    geo.header["DETPIX"] = (DET_PIXEL_ARCSEC, "[arcsec] focal-plane (DET) and sky pixel")
    geo.header["DETREF"] = (DET_REFPIX, "DET/SKY reference pixel")

    ids = sorted(TDET_ACIS)
    tdet = fits.BinTableHDU.from_columns([
        fits.Column("CHIP_ID", "1J", array=np.array(ids, "i4")),
        fits.Column("ORIGIN", "2D", unit="pixel", array=np.array([TDET_ACIS[i][0] for i in ids], "f8")),
        fits.Column("THETA", "1D", unit="deg", array=np.array([TDET_ACIS[i][1] for i in ids], "f8")),
    ], name="TDET")
    _cal_keywords(tdet.header, "TDET", instrument="TEL", start="1999-07-23T00:00:00",
                  desc="ACIS-2.2 tiled detector layout")
    tdet.header["TDETSYS"] = "ACIS-2.2"

    with fits.open(aim) as a:
        ad = a["AIMPOINTS"].data
        aimp = fits.BinTableHDU.from_columns([
            fits.Column("AIMPOINT_NAME", "20A", array=np.array([str(s).strip() for s in ad["AIMPOINT_NAME"]], "S20")),
            fits.Column("AIMPOINT", "3D", unit="mm", array=np.asarray(ad["AIMPOINT"], "f8")),
            fits.Column("DESC", "20A", array=np.array([str(s).strip() for s in ad["DESC"]], "S20")),
        ], name="AIMPOINTS")
    _cal_keywords(aimp.header, "AIMPTS", instrument="TEL", start="1999-07-23T00:00:00",
                  desc="Default SIM aimpoints")
    _write([_primary(["Chandra ACIS geometry (from CXC pixlib/CALDB values as shipped with MARX)."]),
            geo, tdet, aimp],
           os.path.join(out, "data/chandra/tel/telD1999-07-23geomN0001_pyciao.fits"))


def build_index(out):
    from .index import index_fits_file, write_caldb_index

    rows = []
    for dirpath, _dirs, files in os.walk(os.path.join(out, "data")):
        for f in sorted(files):
            if f.endswith(".fits"):
                full = os.path.join(dirpath, f)
                rows.extend(index_fits_file(full, os.path.relpath(full, out)))
    rows.sort(key=lambda r: (r.instrument, r.codename, r.path, r.extension))
    for r in rows:
        r.index_date = INDEX_DATE     # fixed, so that rebuilding gives the same files
    write_caldb_index(os.path.join(out, "data/chandra/default/caldb.indx"), rows, root=out)


def build(shared, out):
    build_hrma(shared, out)
    build_acis_qe(shared, out)
    build_acis_contam(shared, out)
    build_acis_badpix(out)
    build_geometry(shared, out)
    build_index(out)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        print(__doc__)
        return 2
    from .library import fallback_root

    out = argv[1] if len(argv) > 1 else fallback_root()
    build(argv[0], out)
    print(f"bundled calibration written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
