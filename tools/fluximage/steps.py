"""The steps fluximage runs, each a plain function of file names and values, so that it can
run in a worker process.

Each step does what the CIAO script does at that point, with pyciao's tools called through
their Python API (:mod:`pyciao.runtool`: every call on its own private parameter file, never
the user's, so steps can run side by side) or, where fluximage does more than one tool does,
with the Data Model functions directly. What a tool prints is returned (fluximage shows it
at verbose >= 2); a tool's error becomes fluximage's one-line error.

    asphist_step         asphist for one chip
    instmap_step         mkinstmap for one chip and band (its own ardlib.par)
    counts_image_step    the band's counts image on the grid, with ENERGYLO/HI
    expmap_step          mkexpmap for one chip and band, on the counts image's grid
    combine_step         the chips' exposure maps summed (dmimgcalc), or the one copied
    threshold_step       dmimgthresh of the image (by the exposure map) or of the map
    flux_step            dmimgcalc div, band keywords and BUNIT
"""
from __future__ import annotations

import os

from ..errors import ToolError

__all__ = ["asphist_step", "instmap_step", "counts_image_step", "expmap_step", "combine_step",
           "threshold_step", "flux_step", "write_ardlib", "flux_units", "LOOKUP_TABLE",
           "INSTMAP_PIXELGRID"]

#: the header-merging rules fluximage gives dmimgcalc (its own lookup table)
LOOKUP_TABLE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            "fluximage_header_lookup.txt")
#: mkinstmap's grid for an ACIS chip: every chip pixel
INSTMAP_PIXELGRID = "1:1024:#1024,1:1024:#1024"
#: keywords the instrument map's band information travels in (to the flux image)
BAND_KEYWORDS = ("SPECTRUM", "WGTFILE", "ENERG_LO", "ENERG_HI")


def run_tool(name, **params):
    """Run pyciao tool ``name`` through the Python API; its printed output, or a ToolError
    carrying the tool's own error line."""
    from ..runtool import ToolFailed, make_tool

    tool = make_tool(name)
    try:
        return tool(**params) or ""
    except ToolFailed as exc:
        lines = [ln for ln in exc.output.splitlines() if ln.strip()]
        errors = [ln.split(": ERROR: ", 1)[1] for ln in lines if ": ERROR: " in ln]
        reason = errors[-1] if errors else (lines[-1] if lines else f"exit status {exc.status}")
        raise ToolError(f"{name} failed: {reason}") from None


def edit_header(path, cards=(), history=None, comments=(), rename=None):
    """Set ``cards`` ((key, value, comment); value None deletes) and add ``comments`` in
    the first block of ``path``, then ``history=(tool, params)`` records (in place).
    ``rename`` {old: new}: text replaced in the HISTORY records already there (the staging
    folder by the output folder, so the records name the files a user has)."""
    from ..dmhedit import edit_file

    def change(h):
        for text in comments:
            h.add_comment(text)
        for key, value, comment in cards:
            if value is None:
                h.remove(key, ignore_missing=True)
            else:
                h[key] = (value, comment)
        if rename:
            _rename_in_history(h, rename)

    edit_file(path, change, history=history)


def _rename_in_history(header, rename):
    """Rewrite the header's HISTORY records with ``rename`` applied to every value."""
    from ..dm.writer import history_records, parse_history

    cards = [i for i, card in enumerate(header.cards) if card.keyword == "HISTORY"]
    if not cards:
        return
    records = []
    for tool, date, params in parse_history([header.cards[i].value for i in cards]):
        if tool is None:
            records.append(date)
            continue
        for old, new in rename.items():
            params = [(name, str(value).replace(old, new)) for name, value in params]
        records += history_records(tool, params, len(records) + 1, date=date)
    first = cards[0]
    for i in reversed(cards):
        del header[i]
    for n, value in enumerate(records):
        header.insert(first + n, ("HISTORY", value))
    if "HISTNUM" in header:
        header["HISTNUM"] = len(records)


# --------------------------------------------------------------------------- per chip
def asphist_step(outfile, asolfiles, evtfile, res_xy, max_bin, verbose):
    """The aspect histogram of one chip (``evtfile`` filtered to it gives its GTIs)."""
    return run_tool("asphist", infile=",".join(asolfiles), outfile=outfile, evtfile=evtfile,
                    dtffile="", res_xy=res_xy, max_bin=max_bin, clobber=True, verbose=verbose)


def write_ardlib(path, ccd_id, badpix):
    """A private ardlib.par (the system defaults) with chip ``ccd_id``'s bad pixels set to
    ``badpix`` (a bad-pixel file, ``NONE``, or ``CALDB``): what mkinstmap reads."""
    from ..runtool import make_tool

    ardlib = make_tool("ardlib")
    if badpix != "CALDB":
        value = badpix if badpix == "NONE" else f"{badpix}[BADPIX{int(ccd_id)}]"
        setattr(ardlib, f"AXAF_ACIS{int(ccd_id)}_BADPIX_FILE", value)
    return ardlib.write_params(path)


def instmap_step(outfile, ardlib_par, obsfile, maskfile, detsubsys, grating, monoenergy,
                 spectrumfile, mirror, dafile, verbose):
    """The instrument map of one chip at one band's energy (or weights)."""
    return run_tool("mkinstmap", outfile=outfile, spectrumfile=spectrumfile,
                    monoenergy=monoenergy, pixelgrid=INSTMAP_PIXELGRID, obsfile=obsfile,
                    detsubsys=detsubsys, grating=grating, maskfile=maskfile, pbkfile="",
                    mirror=mirror, dafile=dafile, ardlibparfile=ardlib_par, clobber=True,
                    verbose=verbose)


def expmap_step(outfile, asphist, instmap, matchfile, normalize, verbose):
    """The exposure map of one chip and band on the grid of the counts image ``matchfile``
    (get_sky_limits' xygrid, as fluximage does)."""
    from ..get_sky_limits import sky_limits

    xygrid = sky_limits(matchfile, 1).xygrid
    return run_tool("mkexpmap", asphistfile=asphist, outfile=outfile, instmapfile=instmap,
                    xygrid=xygrid, normalize=normalize, useavgaspect=False, clobber=True,
                    verbose=verbose)


# --------------------------------------------------------------------------- per band
def counts_image_step(outfile, evtfile, grid, dmfilter, band_label, band_cards):
    """The counts image: the events binned on ``grid`` in the band, as 32-bit integers,
    without the time subspace (so the flux image carries no GTIs), with the band keywords."""
    from ..dm import open_virtual, write_view
    from ..outputs import output_file

    spec = f"{evtfile}[bin {grid}]{dmfilter}[opt type=i4][subspace -time]"
    view = open_virtual(spec)
    view.header.add_comment(f"Adding keywords for band={band_label}")
    for key, value, comment in band_cards:
        view.header[key] = (value, comment)
    params = [("infile", spec), ("outfile", outfile), ("kernel", "default"), ("option", ""),
              ("verbose", 0), ("clobber", "yes")]
    with output_file(outfile, True) as tmp:
        write_view(tmp, view, history=("dmcopy", params), all_blocks=False)
    return ""


def combine_step(outfile, chip_maps, detnam, verbose):
    """The observation's exposure map: one chip's copied, several summed (dmimgcalc) into
    block EXPMAP with the event file's DETNAM and the maps' BUNIT."""
    if len(chip_maps) == 1:
        return run_tool("dmcopy", infile=chip_maps[0], outfile=outfile, clobber=True,
                        verbose=verbose)
    from ..dm import open_virtual

    bunit = open_virtual(chip_maps[0]).header.get("BUNIT", "")
    expr = "imgout=" + "+".join(f"img{i}" for i in range(1, len(chip_maps) + 1))
    text = run_tool("dmimgcalc", infile=",".join(chip_maps), infile2="",
                    outfile=f"{outfile}[EXPMAP]", operation=expr, lookupTab=LOOKUP_TABLE,
                    clobber=True, verbose=verbose)
    edit_header(outfile, [("DETNAM", detnam, "Detector"),
                          ("BUNIT", bunit, "exposure map units")])
    return text


def threshold_step(infile, outfile, expfile, cut, verbose):
    """dmimgthresh: ``infile``'s pixels where ``expfile`` (itself when empty) is below the
    cut become 0."""
    return run_tool("dmimgthresh", infile=infile, outfile=outfile, expfile=expfile, cut=cut,
                    value=0.0, clobber=True, verbose=verbose)


def flux_units(image_unit, expmap_unit):
    """The flux image's BUNIT from the counts image's and exposure map's (CIAO's rule)."""
    image_unit = str(image_unit or "").strip()
    emap = str(expmap_unit or "").strip()
    if image_unit == emap:
        return ""
    known = {"s": "/s", "cm**2": "/cm**2", "cm**2 s": "/cm**2 /s", "cm**2 sec": "/cm**2 /sec"}
    tail = known.get(emap, f"/({emap})")
    return f"{image_unit} {tail}" if image_unit and emap else f"{image_unit}{tail}"


def flux_step(imgfile, expfile, outfile, verbose):
    """The exposure-corrected image: counts / exposure (dmimgcalc div: 0 where there is no
    exposure) in block PFLUX_IMAGE, with the band keywords of the exposure map and BUNIT."""
    from ..dm import open_virtual

    text = run_tool("dmimgcalc", infile=imgfile, infile2=expfile,
                    outfile=f"{outfile}[PFLUX_IMAGE]", operation="div", lookupTab=LOOKUP_TABLE,
                    clobber=True, verbose=verbose)
    img_h = open_virtual(imgfile).header
    exp_h = open_virtual(expfile).header
    cards = [(k, exp_h[k], exp_h.comments[k]) for k in BAND_KEYWORDS if k in exp_h]
    cards.append(("BUNIT", flux_units(img_h.get("BUNIT"), exp_h.get("BUNIT")), ""))
    edit_header(outfile, cards)
    return text
