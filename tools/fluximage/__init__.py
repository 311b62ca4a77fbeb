"""fluximage: exposure-corrected images of a Chandra observation in one command.

    fluximage "evt2.fits[ccd_id=3]" out/ binsize=2
    fluximage evt2.fits fimg bands=csc expmapthresh=2%

The CIAO script (ciao-contrib, science.md §4), step by step, each step done by pyciao's own
tool or Data Model function:

1. the event file (a file with DM filters, or a directory to search), its aspect solution,
   bad pixels and mask (the header's ASOLFILE/BPIXFILE/MASKFILE, next to the event file);
2. the bands; the chips with events; the grid: the field of view (the chips' outlines over
   the dithered aspect, written as ``<obsid>.fov``) aligned on the Chandra pixel grid, or
   the given ``xygrid``;
3. per chip: asphist; per band: the counts image on the grid (energy filter, 32-bit);
4. per chip and band: mkinstmap (the band's effective energy or weights file, the chip's
   bad pixels and window), then mkexpmap on the counts image's grid; per band the chips'
   maps combined;
5. dmimgthresh of the counts image and of the exposure map (``expmapthresh``, 1.5% of the
   peak exposure by default), then dmimgcalc ``div``: the flux image;
6. a fluximage HISTORY record in every file kept, and the list of files printed.

Independent steps run side by side (``parallel``, ``nproc``) in worker processes. Every
file is made in a private folder under ``tmpdir`` and moved into place only when all steps
have succeeded: a failed run leaves nothing behind. Not available in pyciao (a one-line
error says so): HRC data (mkinstmap has no HRC calibration), grating observations, HRC-I
background subtraction (``background`` applies to HRC-I only) and PSF maps (``psfecf``:
there is no mkpsfmap).
"""
from __future__ import annotations

import contextlib
import dataclasses
import errno
import os
import shutil
import tempfile

import numpy as np

from ..errors import ToolError
from ..messages import info
from ..outputs import check_clobber
from ..task import tool_main
from .energybands import parse_bands
from .naming import Names, Products, split_outroot
from .observation import Observation, find_event_file
from .skygrid import grid_from_extent, grid_from_xygrid
from .steps import (asphist_step, combine_step, counts_image_step, edit_header, expmap_step,
                    flux_step, instmap_step, threshold_step, write_ardlib)
from .tasks import TaskRunner, processors

__all__ = ["run", "main", "VERSION"]

#: the ciao-contrib fluximage revision whose behaviour and messages this follows
VERSION = "04 November 2021"
#: arcsec per sky pixel (the numbers fluximage prints the pixel size with)
PIXEL_ARCSEC = {"ACIS": 0.492, "HRC": 0.1318}
UNSET_THRESHOLDS = ("", "none", "0", "0%", ":")
#: sky pixels: how close to a straight edge an FOV polygon vertex may be dropped
FOV_TOLERANCE = 0.01


def run(p):
    """fluximage: parameters -> counts images, exposure maps and flux images."""
    info("Running fluximage", 1)
    info(f"Version: {VERSION}\n", 1)

    # 1. the observation, the bands, what is asked for
    evtfile = find_event_file(p.infile)
    if evtfile != str(p.infile).strip():
        info(f"Using event file {evtfile}", 1)
    obs = Observation(evtfile)
    _refuse_unsupported(obs)
    outdir, head = split_outroot(p.outroot)
    bands = parse_bands(obs.instrument, p.bands)
    for band in bands:
        info(band.display, 1)
    given_grid, binsize = _grid_request(p, obs)
    _refuse_options(p, obs)
    asolfiles = obs.aspect_solutions(p.asolfile)
    badpix = obs.bad_pixels(p.badpixfile)
    mask = obs.mask(p.maskfile)
    units = p.units
    thresh = _threshold(p.expmapthresh)
    nproc = processors(p.nproc if p.parallel else 1, bool(p.parallel))
    tmpdir = _tmpdir(p.tmpdir)
    cleanup, clobber = bool(p.cleanup), bool(p.clobber)
    sub_verbose = max(int(p.verbose) - 1, 0)

    # 2. chips, the files to make, the grid
    chips = obs.chips(*((given_grid.xrange, given_grid.yrange) if given_grid else ()))
    if not chips:
        raise ToolError(f"Observation {obs.infile} does not cover the grid {given_grid.spec}")
    final = Names(outdir + head)
    products = Products.plan(final, bands, chips, obs.obsid, thresh is not None)
    keep = products.kept(cleanup)
    for path in keep:
        check_clobber(path, clobber)
    info("", 1)
    aspect = _read_aspect(asolfiles)
    polygons = _fov_polygons(obs, chips, aspect, mask)
    grid = given_grid or _computed_grid(obs, polygons, binsize)
    _print_grid(grid, obs.instrument)

    # 3-5. the steps, in a private folder
    pixscale = grid.binsize * PIXEL_ARCSEC[obs.instrument]
    res_xy = pixscale / 2.0 if pixscale > 1.0 else 0.5
    plan = _Plan(obs, bands, chips, grid, asolfiles, badpix, mask, units, thresh, res_xy,
                 _max_bin(aspect, res_xy), sub_verbose)
    n_maps = len(chips) * len(bands)
    with _output_folder(outdir), _Staging(tmpdir) as stage, TaskRunner(nproc) as runner:
        s = Names(os.path.join(stage.folder, head))
        _write_fov(s.fov(obs.obsid), polygons, obs)
        runner.stage([_count("Creating {n}aspect histogram{s} for obsid {o}", len(chips),
                             obs.obsid),
                      _count("Creating {n}instrument map{s} for obsid {o}", n_maps, obs.obsid)],
                     _aspect_histograms(plan, s) + _counts_images(plan, s)
                     + _instrument_maps(plan, s, stage.folder))
        runner.stage([_count("Creating {n}exposure map{s} for obsid {o}", n_maps, obs.obsid)],
                     _exposure_maps(plan, s))
        runner.stage([_combining(len(chips), len(bands), obs.obsid)],
                     _combined_maps(plan, s))
        if thresh is not None:
            runner.stage([f"Thresholding data for obsid {obs.obsid}"], _thresholds(plan, s))
        runner.stage([_count("Exposure-correcting {n}image{s} for obsid {o}", len(bands),
                             obs.obsid)],
                     _flux_images(plan, s))

        # 6. history, then every file into place
        history = ("fluximage", _history_params(p))
        for path in keep:
            edit_header(stage.path(path), comments=[f"fluximage version {VERSION}"],
                        history=history, rename={stage.folder + os.sep: outdir})
        stage.install(keep)
    _print_created(products.listing(cleanup))
    return None


# --------------------------------------------------------------------------- parameters
def _refuse_unsupported(obs):
    if obs.instrument == "HRC":
        raise ToolError("HRC observations are not supported: pyciao's mkinstmap has no HRC "
                        "calibration, so there is no HRC exposure map")
    if obs.grating != "NONE":
        raise ToolError(f"GRATING={obs.grating}: grating observations are not supported "
                        "(pyciao's mkinstmap has no zeroth-order efficiencies)")


def _refuse_options(p, obs):
    background = str(p.background or "default").lower()
    if background not in ("default", "none") and obs.detnam != "HRC-I":
        raise ToolError(f"background={background}: particle-background subtraction applies "
                        f"to HRC-I data only, and {obs.infile} is {obs.instrument} data")
    if p.psfecf is not None:
        raise ToolError(f"psfecf={p.psfecf:g}: PSF maps are not available in pyciao (there is "
                        "no mkpsfmap); leave psfecf=INDEF")


def _grid_request(p, obs):
    """(the given grid or None, the bin size)."""
    xygrid = str(p.xygrid or "").strip()
    if xygrid:
        grid, notes = grid_from_xygrid(xygrid, _image_xygrid)
        for line in notes:
            info(line, 1)
        return grid, grid.binsize
    binsize = p.binsize
    if binsize is None:
        binsize = 8 if obs.instrument == "ACIS" else 32
    elif not binsize > 0:
        raise ToolError(f"binsize={binsize:g} is not valid, it must be a number greater than "
                        "zero.")
    return None, binsize


def _image_xygrid(name):
    """get_sky_limits' xygrid of image ``name`` (ToolError when it names no image)."""
    from ..dm import parse_virtual_file
    from ..get_sky_limits import sky_limits

    try:
        path = parse_virtual_file(name).path
    except ToolError:
        raise
    except Exception:            # noqa: BLE001 - not file syntax: a grid string
        raise ToolError(f"{name} is not a file") from None
    if not path or not os.path.isfile(path):
        raise ToolError(f"{name} is not a file")
    return sky_limits(name, 1).xygrid


def _threshold(value):
    """The dmimgthresh cut, or None when thresholding is off (checked now, not at the end)."""
    from ..dmimgthresh import parse_cut

    text = "" if value is None else str(value).strip()
    if text.lower() in UNSET_THRESHOLDS:
        return None
    try:
        cut = parse_cut(text)
    except ToolError as exc:
        raise ToolError(f"expmapthresh={text}: {exc}") from None
    if cut.nan_only:
        return None
    return text


def _tmpdir(value):
    text = str(value or "").strip()
    if not text or "${" in text:          # ${ASCDS_WORK_PATH} unset: the system's
        return tempfile.gettempdir()
    path = os.path.abspath(os.path.expanduser(text))
    if not os.path.exists(path):
        raise ToolError(f"The temporary directory {path} does not exist!")
    if not os.path.isdir(path):
        raise ToolError(f"The temporary directory {path} is not actually a directory!")
    return path


@contextlib.contextmanager
def _output_folder(outdir):
    """Make the output directory (and its missing parents) now, so that a directory that
    cannot be made stops the run before any work; they are removed again if the run fails
    and left them empty."""
    made = []
    folder = outdir.rstrip("/")
    while folder and not os.path.isdir(folder):
        made.append(folder)
        folder = os.path.dirname(folder)
    try:
        for folder in reversed(made):
            os.mkdir(folder)
    except OSError as exc:
        _remove_empty(made)
        raise ToolError(f"Unable to create directory {outdir}: {exc.strerror}") from None
    try:
        yield
    except BaseException:
        _remove_empty(made)
        raise


def _remove_empty(folders):
    for folder in folders:                    # deepest first
        with contextlib.suppress(OSError):
            os.rmdir(folder)


def _history_params(p):
    """Every parameter as the run's parameter file and command line hold it (``tmpdir`` as
    ``${ASCDS_WORK_PATH}``, not where that pointed), for the fluximage HISTORY record."""
    return [(name, p.stored(name)) for name in p if name != "mode"]


# --------------------------------------------------------------------------- the grid
def _read_aspect(asolfiles):
    from ..asphist import read_aspect

    return read_aspect(asolfiles)


def _max_bin(aspect, res_xy):
    from ..expmap.aspect import max_bin_for

    return max_bin_for(aspect["ra"], aspect["dec"], aspect["roll"], res_xy=res_xy)


def _fov_polygons(obs, chips, aspect, mask):
    """The chips' fields of view over the aspect samples inside the good time intervals."""
    from ..expmap.fov import chip_fov_polygons
    from ..mkinstmap import observation_setup, parse_detsubsys, read_window

    t = aspect["time"]
    keep = np.ones(t.shape, bool)
    gti = obs.good_times()
    if gti is not None and len(gti):
        keep = np.zeros(t.shape, bool)
        for start, stop in gti:
            keep |= (t >= start) & (t < stop)
        if not keep.any():
            raise ToolError(f"There is no time overlap between the data ({obs.infile}) and "
                            "the aspect solution.")
    if mask == "NONE":
        info(f"WARNING: no mask file found for {obs.infile}, region may be too large", 1)
        windows = None
    else:
        windows = {c: read_window(mask, c) for c in chips}
    _, sim = observation_setup(obs.header, parse_detsubsys(f"ACIS-{chips[0]}"))
    try:
        pointing = [float(obs.header[k]) for k in ("RA_NOM", "DEC_NOM")]
    except KeyError as exc:
        raise ToolError(f"Event file {obs.infile} has no {exc.args[0]} keyword") from None
    return chip_fov_polygons(chips, sim, aspect["ra"][keep], aspect["dec"][keep],
                             aspect["roll"][keep], *pointing, windows=windows,
                             tolerance=FOV_TOLERANCE)


def _computed_grid(obs, polygons, binsize):
    from ..expmap.fov import fov_extent

    return grid_from_extent(*fov_extent(polygons), binsize, obs.sky_subspace())


def _print_grid(grid, instrument):
    nx, ny = grid.size
    if grid.computed:
        pixsize = grid.binsize * PIXEL_ARCSEC[instrument]
        info(f"The output images will have {int(nx)} by {int(ny)} pixels, pixel size of "
             f"{pixsize} arcsec,", 1)
    else:
        info(f"The output images will have {int(nx)} by {int(ny)} pixels,", 1)
    info(f"    and cover {grid.spec}.", 1)
    info("", 1)


# --------------------------------------------------------------------------- the steps
def _count(template, n, obsid):
    """``Creating aspect histogram for obsid 1`` / ``Creating 4 aspect histograms ...``."""
    return template.format(n="" if n == 1 else f"{n} ", s="" if n == 1 else "s", o=obsid)


def _combining(nchips, nbands, obsid):
    if nchips == 1:
        return None                         # one chip: its map is copied, silently
    if nbands == 1:
        return f"Combining {nchips} exposure maps for obsid {obsid}"
    return f"Combining {nchips} exposure maps for {nbands} bands (obsid {obsid})"


@dataclasses.dataclass(frozen=True)
class _Plan:
    """What the steps need to know: the observation, bands, chips, grid and options."""

    obs: Observation
    bands: list
    chips: list
    grid: object
    asolfiles: list
    badpix: str
    mask: str
    units: str
    thresh: str | None
    res_xy: float
    max_bin: int
    verbose: int            # the tools' (one less than fluximage's)


def _aspect_histograms(plan, s):
    obs = plan.obs
    return [(asphist_step, dict(outfile=s.asphist(c), asolfiles=plan.asolfiles,
                                evtfile=f"{obs.infile}[{obs.chipcol}={c}]", res_xy=plan.res_xy,
                                max_bin=plan.max_bin, verbose=plan.verbose))
            for c in plan.chips]


def _counts_images(plan, s):
    return [(counts_image_step, dict(outfile=s.image(b), evtfile=plan.obs.infile,
                                     grid=plan.grid.spec, dmfilter=b.dmfilter,
                                     band_label=b.label, band_cards=b.keywords()))
            for b in plan.bands]


def _instrument_maps(plan, s, folder):
    """mkinstmap per chip and band, as fluximage sets it up (science.md §2): the chip's
    bad pixels in a private ardlib.par, the frame-store rows masked (BPMASK), the event
    file (no filter) for the date and SIM; units=time: a 0/1 map (IDEAL, area=1, no dead
    area)."""
    time = plan.units == "time"
    out = []
    for b in plan.bands:
        monoenergy, spectrumfile = b.instmap_options
        for c in plan.chips:
            ardlib = write_ardlib(os.path.join(folder, f"ardlib_{c}_{b.label}"), c, plan.badpix)
            out.append((instmap_step, dict(
                outfile=s.instmap(c, b), ardlib_par=ardlib, obsfile=plan.obs.path,
                maskfile=plan.mask,
                detsubsys=f"ACIS-{c}" + (";IDEAL" if time else "") + ";BPMASK=0x03ffff",
                grating=plan.obs.grating, monoenergy=monoenergy, spectrumfile=spectrumfile,
                mirror="HRMA;area=1" if time else "HRMA", dafile="NONE" if time else "CALDB",
                verbose=plan.verbose)))
    return out


def _exposure_maps(plan, s):
    """mkexpmap per chip and band on the grid of the first band's counts image (units=area:
    normalized by the exposure time)."""
    return [(expmap_step, dict(outfile=s.expmap(b, c), asphist=s.asphist(c),
                               instmap=s.instmap(c, b), matchfile=s.image(plan.bands[0]),
                               normalize=(plan.units == "area"), verbose=plan.verbose))
            for b in plan.bands for c in plan.chips]


def _combined_maps(plan, s):
    return [(combine_step, dict(outfile=s.expmap(b), chip_maps=[s.expmap(b, c)
                                                                for c in plan.chips],
                                detnam=plan.obs.detnam, verbose=plan.verbose))
            for b in plan.bands]


def _thresholds(plan, s):
    """The counts image cut where its exposure is low, and the exposure map itself."""
    out = []
    for b in plan.bands:
        out += [(threshold_step, dict(infile=s.image(b), outfile=s.image_thresh(b),
                                      expfile=s.expmap(b), cut=plan.thresh,
                                      verbose=plan.verbose)),
                (threshold_step, dict(infile=s.expmap(b), outfile=s.expmap_thresh(b),
                                      expfile="", cut=plan.thresh, verbose=plan.verbose))]
    return out


def _flux_images(plan, s):
    clipped = plan.thresh is not None
    image = s.image_thresh if clipped else s.image
    expmap = s.expmap_thresh if clipped else s.expmap
    return [(flux_step, dict(imgfile=image(b), expfile=expmap(b), outfile=s.fluxed(b),
                             verbose=plan.verbose))
            for b in plan.bands]


def _write_fov(path, polygons, obs):
    """The observation's FOV file (the chips' polygons), as skyfov writes one."""
    from astropy.io import fits

    from ..dm.writer import creator_card
    from ..expmap.fov import fov_hdu
    from ..outputs import output_file

    keys = ("MISSION", "TELESCOP", "INSTRUME", "DETNAM", "GRATING", "OBS_ID", "OBJECT",
            "DATE-OBS", "DATE-END", "TSTART", "TSTOP", "MJDREF", "TIMESYS", "TIMEUNIT",
            "RA_NOM", "DEC_NOM", "ROLL_NOM", "RA_PNT", "DEC_PNT", "ROLL_PNT", "SIM_X", "SIM_Y",
            "SIM_Z", "ASOLFILE", "MASKFILE")
    cards = [(k, obs.header[k], obs.header.comments[k]) for k in keys if k in obs.header]
    cards.append(creator_card("fluximage"))
    hdu = fov_hdu(polygons, cards, float(obs.header["RA_NOM"]), float(obs.header["DEC_NOM"]))
    primary = fits.PrimaryHDU()
    for k, v, c in cards:
        primary.header[k] = (v, c)
    with output_file(path, True) as tmp:
        fits.HDUList([primary, hdu]).writeto(tmp, checksum=True)


class _Staging:
    """A private folder under ``tmpdir`` where every file is made; ``install`` moves the
    ones to keep into place (all or none), and the folder goes away in any case."""

    def __init__(self, tmpdir):
        self.folder = tempfile.mkdtemp(prefix="fluximage-", dir=tmpdir)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.folder, ignore_errors=True)
        return False

    def path(self, final):
        return os.path.join(self.folder, os.path.basename(final))

    def install(self, finals):
        """Move the staged files to ``finals`` (their output names): all of them, or, if
        one cannot be moved, none (those already moved are removed again)."""
        done = []
        try:
            for final in finals:
                _move(self.path(final), final)
                done.append(final)
        except BaseException:
            for path in done:
                with contextlib.suppress(OSError):
                    os.unlink(path)
            raise


def _move(src, dst):
    """Rename ``src`` to ``dst`` atomically, through a temporary copy next to ``dst`` when
    they are on different file systems."""
    try:
        os.replace(src, dst)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        from paramio.atomic import atomic_path

        with atomic_path(dst) as tmp:
            shutil.copyfile(src, tmp)


def _print_created(listing):
    lines = ["", "The following files were created:", ""]
    for label, files in listing:
        plural = " is" if len(files) == 1 else "s are"
        lines.append(f" The {label}{plural}:")
        lines += [f"     {f}" for f in files]
        lines.append("")
    info("\n".join(lines), 1)


main = tool_main("fluximage", run)
