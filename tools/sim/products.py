"""FITS writers for the simulated observation, laid out as CIAO data products."""
from __future__ import annotations

import numpy as np

from ..dm.writer import creator_card

PIXDEG = 0.00013666666666667     # 0.492" in degrees, as CIAO writes it (TCDLT of x/y)


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


# --- shared header keywords --------------------------------------------------------------------

def _date_now():
    import datetime as dt

    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def obs_keywords(obs, names=None):
    """Observation keywords shared by every product (CIAO names), as (key, value, comment)."""
    from .. import caldb

    c, tm, asp = obs.config, obs.timing, obs.aspect
    ra_pnt, dec_pnt, roll_pnt = asp.mean_pointing
    names = names or {}
    detnam = "ACIS-" + "".join(str(i) for i in c.chips)
    kw = [
        ("ORIGIN", "pyciao", "Source of FITS file"),
        creator_card("simobs"),
        ("DATE", _date_now(), "Date and time of file creation"),
        ("MISSION", "AXAF", "Mission"),
        ("TELESCOP", "CHANDRA", "Telescope"),
        ("INSTRUME", "ACIS", "Instrument"),
        ("DETNAM", detnam, "Detector"),
        ("GRATING", "NONE", "Grating"),
        ("OBS_ID", str(c.obs_id), "Observation id"),
        ("OBJECT", c.object, "Source name"),
        ("OBS_MODE", "POINTING", "Observation mode"),
        ("DATAMODE", "FAINT", "Data mode"),
        ("READMODE", "TIMED", "Read mode"),
        ("DATACLAS", "SIMULATED", "pyciao simulation, not observed data"),
        ("DATE-OBS", caldb.date_from_met(tm.tstart), "Observation start date"),
        ("DATE-END", caldb.date_from_met(tm.tstop), "Observation end date"),
        ("TIMESYS", "TT", "Time system"),
        ("MJDREF", caldb.MJDREF, "MJD zero point for times"),
        ("TIMEZERO", 0.0, "Clock correction"),
        ("TIMEUNIT", "s", "Time unit"),
        ("TIMEREF", "LOCAL", "Time reference (barycenter/local)"),
        ("TASSIGN", "SATELLITE", "Time assigned by clock"),
        ("CLOCKAPP", True, "default"),
        ("TSTART", tm.tstart, "Observation start time"),
        ("TSTOP", tm.tstop, "Observation end time"),
        ("MJD_OBS", caldb.MJDREF + tm.tstart / 86400.0, "Modified Julian date of observation"),
        ("RA_NOM", asp.ra_nom, "Nominal RA"),
        ("DEC_NOM", asp.dec_nom, "Nominal Dec"),
        ("ROLL_NOM", asp.roll_nom, "Nominal Roll"),
        ("RA_PNT", ra_pnt, "Pointing RA"),
        ("DEC_PNT", dec_pnt, "Pointing Dec"),
        ("ROLL_PNT", roll_pnt, "Pointing Roll"),
        ("RA_TARG", asp.ra_nom, "Observer's specified target RA"),
        ("DEC_TARG", asp.dec_nom, "Observer's specified target Dec"),
        ("EQUINOX", 2000.0, "default"),
        ("RADECSYS", "ICRS", "default"),
        ("SIM_X", float(obs.sim[0]), "SIM focus pos (mm)"),
        ("SIM_Y", float(obs.sim[1]), "SIM orthogonal axis pos (mm)"),
        ("SIM_Z", float(obs.sim[2]), "SIM translation stage pos (mm)"),
        ("DEFOCUS", 0.0, "SIM defocus (mm)"),
        ("FOC_LEN", 10070.0, "HRMA focal length (mm)"),
        ("DY_AVG", float(np.mean(asp.dy)), "[mm] Mean DY during observation"),
        ("DZ_AVG", float(np.mean(asp.dz)), "[mm] Mean DZ during observation"),
        ("DTH_AVG", float(np.mean(asp.dtheta)), "[deg] Mean DTHETA during observation"),
        ("DITHAMP", c.dither_amp, "[arcsec] simulated dither amplitude"),
        ("DITHPERY", c.dither_yperiod, "[s] simulated dither period (Y)"),
        ("DITHPERZ", c.dither_zperiod, "[s] simulated dither period (Z)"),
        ("SIMSEED", int(c.seed), "simobs random seed"),
    ]
    for key, fname in (("ASOLFILE", "asol"), ("BPIXFILE", "bpix"), ("MASKFILE", "mask"),
                       ("FOVFILE", "fov")):
        if fname in names:
            kw.append((key, names[fname], ""))
    return kw


def _apply(header, keywords):
    for key, value, comment in keywords:
        header[key] = (value, comment)


def _time_keywords(obs):
    tm = obs.timing
    return [("TSTART", tm.tstart, "Observation start time"), ("TSTOP", tm.tstop, "Observation end time"),
            ("MJDREF", 50814.0, "MJD zero point for times"), ("TIMESYS", "TT", "Time system"),
            ("TIMEUNIT", "s", "Time unit")]


def _primary(obs, names=None):
    from astropy.io import fits

    hdu = fits.PrimaryHDU()
    hdu.header["HDUNAME"] = "PRIMARY"
    _apply(hdu.header, obs_keywords(obs, names))
    return hdu


# --- event list --------------------------------------------------------------------------------

#: (name, TFORM, unit, TLMIN, TLMAX, TNULL, comment) as in CIAO ACIS evt2 files
EVT_COLUMNS = [
    ("time", "1D", "s", None, None, None, "S/C TT corresponding to mid-exposure"),
    ("ccd_id", "1I", None, 0, 9, None, "CCD reporting event"),
    ("node_id", "1I", None, 0, 3, None, "CCD serial readout amplifier node"),
    ("expno", "1J", None, 0, None, None, "Exposure number of CCD frame containing event"),
    ("chipx", "1I", "pixel", 1, 1024, None, "Chip coords"),
    ("chipy", "1I", "pixel", 1, 1024, None, "Chip coords"),
    ("tdetx", "1I", "pixel", 1, 8192, None, "ACIS tiled detector coordinates"),
    ("tdety", "1I", "pixel", 1, 8192, None, "ACIS tiled detector coordinates"),
    ("detx", "1E", "pixel", 0.5, 8192.5, None, "ACIS detector coordinates"),
    ("dety", "1E", "pixel", 0.5, 8192.5, None, "ACIS detector coordinates"),
    ("x", "1E", "pixel", 0.5, 8192.5, None, "sky coordinates"),
    ("y", "1E", "pixel", 0.5, 8192.5, None, "sky coordinates"),
    ("pha", "1J", "adu", 0, 36855, 0, "total pulse height of event"),
    ("energy", "1E", "eV", 0.0, 1000000.0, None, "nominal energy of event (eV)"),
    ("pi", "1J", "chan", 1, 1024, 0, "pulse invariant energy of event"),
    ("grade", "1I", None, 0, 7, None, "binned event grade"),
    ("status", "32X", None, None, None, None, "event status bits"),
]


def events_hdu(obs, names=None):
    from astropy.io import fits

    ev = obs.events
    cols = []
    for name, form, unit, lo, hi, null, _comment in EVT_COLUMNS:
        cols.append(fits.Column(name=name, format=form, unit=unit, null=null, array=ev[name]))
    hdu = fits.BinTableHDU.from_columns(cols, name="EVENTS")
    h = hdu.header
    h["HDUNAME"] = "EVENTS"
    for i, (name, form, unit, lo, hi, null, comment) in enumerate(EVT_COLUMNS, start=1):
        h.comments[f"TTYPE{i}"] = comment
        if lo is not None:
            h[f"TLMIN{i}"] = lo
        if hi is not None:
            h[f"TLMAX{i}"] = hi
    _apply(h, obs_keywords(obs, names))
    tm = obs.timing
    detnam_chips = obs.config.chips
    h["CONTENT"] = ("EVT2", "What data product")
    h["HDUCLASS"] = "OGIP"
    h["HDUCLAS1"] = "EVENTS"
    h["HDUCLAS2"] = "ALL"
    h["HDUDOC"] = "ASC-FITS-2.0: McDowell, Rots: ASC FITS File Designers Guide"
    h["HDUVERS"] = "1.0.0"
    h["TIMEPIXR"] = (0.5, "default")
    h["TIMEDEL"] = (tm.timedel, "timedel Lev1 (in seconds)")
    h["EXPTIME"] = (tm.exptime, "Primary exposure time (s)")
    h["TIMEDELA"] = (tm.timedel, "Inferred duration of primary exposure (s)")
    h["FIRSTROW"] = 1
    h["NROWS"] = 1024
    h["RAND_SKY"] = (0.5, "pixel randomisation half-width")
    h["ACSYS1"] = ("CHIP:AXAF-ACIS-1.0", "reference for chip coord system")
    h["ACSYS2"] = ("TDET:ACIS-2.2", "reference for tiled detector coord system")
    h["ACSYS3"] = ("DET:ASC-FP-1.1", "reference for focal plane coord system")
    h["ACSYS4"] = ("SKY:ASC-FP-1.1", "reference for sky coord system")
    h["ONTIME"] = (tm.ontime, "[s] Sum of GTIs")
    h["LIVETIME"] = (tm.livetime, "[s] Livetime")
    h["EXPOSURE"] = (tm.livetime, "[s] Exposure time")
    for c in detnam_chips:
        h[f"ONTIME{c}"] = (tm.ontime, "[s] Sum of GTIs")
        h[f"LIVTIME{c}"] = (tm.livetime, "[s] Livetime")
        h[f"EXPOSUR{c}"] = (tm.livetime, "[s] Exposure time")
    h["DTCOR"] = (tm.dtcor, "Dead time correction")
    h["CALDBVER"] = ("pyciao", "calibration: pyciao lookup (CALDB or bundled)")
    # coordinate descriptors (CIAO data model)
    h["MTYPE1"], h["MFORM1"] = "chip", "chipx,chipy"
    h["MTYPE2"], h["MFORM2"] = "tdet", "tdetx,tdety"
    h["MTYPE3"], h["MFORM3"] = "det", "detx,dety"
    h["MTYPE4"], h["MFORM4"] = "sky", "x,y"
    h["MTYPE5"], h["MFORM5"] = "MSC", "PHI,THETA"
    for i, (ctype, na, lonp) in ((9, ("LONG-TAN", "PHI", 270.0)), (10, ("NPOL-TAN", "THETA", None))):
        h[f"TCTYP{i}"] = ctype
        h[f"TCRVL{i}"] = 0.0
        h[f"TCRPX{i}"] = 4096.5
        h[f"TCDLT{i}"] = PIXDEG
        h[f"TCNA{i}"] = na
        h[f"TCUNI{i}"] = "deg"
    h["LONP9"] = 270.0
    h["LATP9"] = 90.0
    h["MTYPE6"], h["MFORM6"] = "EQPOS", "RA,DEC"
    asp = obs.aspect
    for i, (ctype, crval, cdelt) in ((11, ("RA---TAN", asp.ra_nom, -PIXDEG)),
                                     (12, ("DEC--TAN", asp.dec_nom, PIXDEG))):
        h[f"TCTYP{i}"] = ctype
        h[f"TCRVL{i}"] = crval
        h[f"TCRPX{i}"] = 4096.5
        h[f"TCDLT{i}"] = cdelt
        h[f"TCUNI{i}"] = "deg"
    # data subspace: time (GTI per chip), ccd_id; one component per chip
    h["DSTYP1"] = ("time", "DM Keyword: Descriptor name.")
    h["DSVAL1"] = ("TABLE", "DM Keyword: Descriptor value.")
    h["DSFORM1"] = "D"
    h["DSUNIT1"] = "s"
    h["DSTYP2"] = ("ccd_id", "DM Keyword: Descriptor name.")
    h["DSFORM2"] = "I"
    for n, c in enumerate(detnam_chips, start=1):
        pre = "" if n == 1 else str(n)
        h[f"{pre}DSREF1"] = f":GTI{c}"
        h[f"{pre}DSVAL2"] = f"{c}:{c}"
    return hdu


def gti_hdus(obs):
    from astropy.io import fits

    tm = obs.timing
    out = []
    for c in obs.config.chips:
        hdu = fits.BinTableHDU.from_columns([
            fits.Column("START", "1D", unit="s", array=np.array([tm.tstart])),
            fits.Column("STOP", "1D", unit="s", array=np.array([tm.tstop])),
        ], name="GTI")
        h = hdu.header
        h["EXTVER"] = c
        h["HDUNAME"] = f"GTI{c}"
        _apply(h, [("MISSION", "AXAF", "Mission"), ("TELESCOP", "CHANDRA", "Telescope"),
                   ("INSTRUME", "ACIS", "Instrument")] + _time_keywords(obs))
        h["CCD_ID"] = (c, "CCD for this table")
        h["HDUCLASS"] = "OGIP"
        h["HDUCLAS1"] = "GTI"
        h["HDUCLAS2"] = "STANDARD"
        h["CONTENT"] = "GTI"
        out.append(hdu)
    return out


def _write(path, hdus):
    from astropy.io import fits

    fits.HDUList(hdus).writeto(path, overwrite=True, checksum=True)


def write_events(path, obs, names=None):
    _write(path, [_primary(obs, names), events_hdu(obs, names)] + gti_hdus(obs))


# --- aspect solution ---------------------------------------------------------------------------

def write_asol(path, obs):
    from astropy.io import fits

    from .aspect import ASOL_TIMEDEL, attitude_quaternion

    asp = obs.aspect
    hdu = fits.BinTableHDU.from_columns([
        fits.Column("time", "1D", unit="s", array=asp.time),
        fits.Column("ra", "1D", unit="deg", array=asp.ra),
        fits.Column("dec", "1D", unit="deg", array=asp.dec),
        fits.Column("roll", "1D", unit="deg", array=asp.roll),
        fits.Column("dy", "1E", unit="mm", array=asp.dy.astype("f4")),
        fits.Column("dz", "1E", unit="mm", array=asp.dz.astype("f4")),
        fits.Column("dtheta", "1E", unit="deg", array=asp.dtheta.astype("f4")),
        fits.Column("q_att", "4D", array=attitude_quaternion(asp.ra, asp.dec, asp.roll)),
    ], name="ASPSOL")
    h = hdu.header
    h["HDUNAME"] = "ASPSOL"
    _apply(h, obs_keywords(obs))
    h["INSTRUME"] = "PCAD"
    h["TSTART"] = float(asp.time[0])
    h["TSTOP"] = float(asp.time[-1])
    h["TIMEDEL"] = (ASOL_TIMEDEL, "[s] aspect sampling")
    h["CONTENT"] = "ASPSOL"
    h["HDUCLASS"] = "OGIP"
    h["HDUCLAS1"] = "TEMPORALDATA"
    h["HDUCLAS2"] = "ASPSOL"
    prim = _primary(obs)
    prim.header["INSTRUME"] = "PCAD"
    _write(path, [prim, hdu])


# --- bad pixels, mask, field of view ------------------------------------------------------------

def write_bpix(path, obs):
    hdus = [_primary(obs)]
    for c in obs.config.chips:
        hdu = badpix_hdu(c, obs.badpix.get(c, []), time=obs.timing.tstart)
        _apply(hdu.header, obs_keywords(obs))
        hdu.header["CCD_ID"] = c
        hdus.append(hdu)
    _write(path, hdus)


def write_mask(path, obs):
    """Window mask (msk1): one full-chip rectangle per active CCD, in chip coordinates."""
    from astropy.io import fits

    chips = np.array(obs.config.chips, "i2")
    n = len(chips)
    hdu = fits.BinTableHDU.from_columns([
        fits.Column("SHAPE", "16A", array=np.array(["rectangle"] * n, "S16")),
        fits.Column("COMPONENT", "1I", array=np.arange(1, n + 1, dtype="i2")),
        fits.Column("CCD_ID", "1I", array=chips),
        fits.Column("CHIPX", "2I", unit="pixel", array=np.tile(np.array([1, 1024], "i2"), (n, 1))),
        fits.Column("CHIPY", "2I", unit="pixel", array=np.tile(np.array([1, 1024], "i2"), (n, 1))),
        fits.Column("PHAMIN", "1J", array=np.zeros(n, "i4")),
        fits.Column("PHAMAX", "1J", array=np.full(n, 36855, "i4")),
        fits.Column("SAMPCYCL", "1I", array=np.zeros(n, "i2")),
    ], name="MASK")
    h = hdu.header
    h["HDUNAME"] = "MASK"
    _apply(h, obs_keywords(obs))
    h["CONTENT"] = "MASK"
    h["HDUCLASS"] = "ASC"
    h["HDUCLAS1"] = "REGION"
    h["MTYPE1"], h["MFORM1"] = "CHIP", "CHIPX,CHIPY"
    _write(path, [_primary(obs), hdu])


def fov_polygons(obs, nsample=400):
    """Per chip: sky polygon (convex hull) of the chip outline over the dithered aspect
    (``nsample`` aspect samples spread over the observation)."""
    from ..expmap.fov import chip_fov_polygons

    asp = obs.aspect
    idx = np.linspace(0, len(asp.time) - 1, min(nsample, len(asp.time))).astype(int)
    return chip_fov_polygons(obs.config.chips, obs.sim, asp.ra[idx], asp.dec[idx],
                             asp.roll[idx], asp.ra_nom, asp.dec_nom)


def write_fov(path, obs):
    """FOV region file (fov1): one sky polygon per chip (vertices padded with the first one)."""
    from ..expmap.fov import fov_hdu

    asp = obs.aspect
    hdu = fov_hdu(fov_polygons(obs), obs_keywords(obs), asp.ra_nom, asp.dec_nom)
    _write(path, [_primary(obs), hdu])


# --- truth table -------------------------------------------------------------------------------

def write_truth(path, obs):
    """Truth table: per source its input (position, flux, spectrum, band) and the expected and
    simulated counts per chip; a second block gives the background per chip."""
    from astropy.io import fits

    tr = obs.truth
    chips = np.array(tr["chips"], "i2")
    rows = tr["sources"]
    n, m = len(rows), len(chips)

    def col(key):
        return [r[key] for r in rows]

    exp = np.array([[r["expected"][c] for c in tr["chips"]] for r in rows]).reshape(n, m)
    det = np.array([[r["detected"][c] for c in tr["chips"]] for r in rows], "i4").reshape(n, m)
    src = fits.BinTableHDU.from_columns([
        fits.Column("SRC_ID", "1J", array=np.arange(1, n + 1, dtype="i4")),
        fits.Column("NAME", "16A", array=np.array(col("name"), "S16")),
        fits.Column("RA", "1D", unit="deg", array=np.array(col("ra"))),
        fits.Column("DEC", "1D", unit="deg", array=np.array(col("dec"))),
        fits.Column("X", "1D", unit="pixel", array=np.array(col("x"))),
        fits.Column("Y", "1D", unit="pixel", array=np.array(col("y"))),
        fits.Column("PHOTFLUX", "1D", unit="photon/cm**2/s", array=np.array(col("photflux"))),
        fits.Column("SPECTRUM", "16A", array=np.array(col("spectrum"), "S16")),
        fits.Column("EXTENT", "1D", unit="arcsec", array=np.array(col("extent"))),
        fits.Column("ENERG_LO", "1D", unit="keV", array=np.array(col("energ_lo"))),
        fits.Column("ENERG_HI", "1D", unit="keV", array=np.array(col("energ_hi"))),
        fits.Column("CCD_ID", f"{m}I", array=np.tile(chips, (n, 1))),
        fits.Column("EXPECTED", f"{m}D", unit="count", array=exp),
        fits.Column("DETECTED", f"{m}J", unit="count", array=det),
        fits.Column("EXP_TOTAL", "1D", unit="count", array=exp.sum(axis=1)),
        fits.Column("DET_TOTAL", "1J", unit="count", array=det.sum(axis=1)),
        fits.Column("EFF_EXPOSURE", "1D", unit="cm**2 s", array=np.array(col("eff_exposure"))),
    ], name="TRUTH")
    h = src.header
    h["HDUNAME"] = "TRUTH"
    _apply(h, obs_keywords(obs))
    h["CONTENT"] = "SIMTRUTH"
    h["LIVETIME"] = (obs.timing.livetime, "[s] Livetime")
    h["ONTIME"] = (obs.timing.ontime, "[s] Sum of GTIs")
    h["DTCOR"] = (obs.timing.dtcor, "Dead time correction")
    h["COMMENT"] = "EXPECTED: counts per chip from calibration x aspect (quadrature, no MC draws)."
    h["COMMENT"] = "DETECTED: events the simulation produced from the source on each chip."
    h["COMMENT"] = "EFF_EXPOSURE = EXP_TOTAL/PHOTFLUX (cm**2 s counts/photon)."
    bkg = fits.BinTableHDU.from_columns([
        fits.Column("CCD_ID", "1I", array=chips),
        fits.Column("EXPECTED", "1D", unit="count", array=np.array([tr["background"][c] for c in tr["chips"]])),
        fits.Column("DETECTED", "1J", unit="count",
                    array=np.array([tr["background_detected"][c] for c in tr["chips"]], "i4")),
        fits.Column("RATE", "1D", unit="count/s", array=np.full(m, obs.config.bkgrate)),
    ], name="BACKGROUND")
    bkg.header["HDUNAME"] = "BACKGROUND"
    bkg.header["BKGBAND"] = ("0.3-10 keV, flat", "background spectrum")
    _write(path, [_primary(obs), src, bkg])


def write_all(outroot, obs, clobber=False):
    """Write the six products ``<outroot>_evt2.fits`` ... ``_truth.fits`` (atomically)."""
    import contextlib
    import os

    from ..outputs import check_clobber, output_file

    paths = {"evt": f"{outroot}_evt2.fits"}
    paths.update({k: f"{outroot}_{k}1.fits" for k in ("asol", "bpix", "msk", "fov")})
    paths["truth"] = f"{outroot}_truth.fits"
    for p in paths.values():
        check_clobber(p, clobber)
    names = {"asol": os.path.basename(paths["asol"]), "bpix": os.path.basename(paths["bpix"]),
             "mask": os.path.basename(paths["msk"]), "fov": os.path.basename(paths["fov"])}
    writers = [("asol", write_asol), ("bpix", write_bpix), ("msk", write_mask), ("fov", write_fov),
               ("truth", write_truth)]
    with contextlib.ExitStack() as stack:
        tmp = {k: stack.enter_context(output_file(p, clobber)) for k, p in paths.items()}
        for key, fn in writers:
            fn(tmp[key], obs)
        write_events(tmp["evt"], obs, names)
    return paths
