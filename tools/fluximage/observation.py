"""The observation fluximage works on: the event file (a file with DM filters, or a
directory to search) and its ancillary files (aspect solution, bad pixels, mask), found from
the event header's ASOLFILE/BPIXFILE/MASKFILE keywords in the event file's directory, as
CIAO does, unless given explicitly. Messages are CIAO's (printed at verbose 1).
"""
from __future__ import annotations

import glob
import os

import numpy as np

from ..dm import StackError, expand_stack, open_virtual, parse_virtual_file
from ..errors import ToolError
from ..messages import info

__all__ = ["Observation", "find_event_file"]


def _search_directory(folder):
    """The event files of a directory: ``repro/*evt*``, else ``primary/*evt*``, else
    ``*evt*`` (CIAO's search order)."""
    for sub in ("repro", "primary", ""):
        found = sorted(glob.glob(os.path.join(folder, sub, "*evt*")))
        if found:
            return found
    return []


def find_event_file(infile):
    """The one event file ``infile`` names (a file with optional DM filters, a directory, or
    a stack of them), printing ``Found ...`` for directory matches."""
    text = str(infile or "").strip()
    if not text:
        raise ToolError("The infile parameter is empty.")
    try:
        items = [s for s in expand_stack(text) if s.strip()]
    except StackError as exc:
        raise ToolError(str(exc)) from None
    found = []
    for item in items:
        if os.path.isdir(item):
            matches = _search_directory(item)
            if not matches:
                info(f"Skipping directory {item} as no event files found in it.", 1)
            for m in matches:
                info(f"Found {m}", 1)
            found += matches
        else:
            found.append(item)
    if not found:
        raise ToolError(f"Unable to find any event files matching {text}.")
    if len(found) > 1:
        raise ToolError(f"Found multiple matches to infile={text}: {' '.join(found)}")
    return found[0]


def _obsid_of(path):
    """OBS_ID of a file (its first block that has one), or None."""
    from ..dm import open_dataset

    try:
        ds = open_dataset(path)
    except (ToolError, OSError):
        return None
    for b in ds.blocks:
        if "OBS_ID" in b.header:
            return str(b.header["OBS_ID"]).strip()
    return None


class Observation:
    """The event file (``infile`` with its filters), its header and ancillary files."""

    def __init__(self, infile):
        self.infile = infile
        vf = parse_virtual_file(infile)
        self.path = vf.path                          # the file, without DM filters
        self.directory = os.path.dirname(self.path)
        self.view = open_virtual(infile)
        if self.view.kind != "table":
            raise ToolError(f"{infile} is not an event file (a table of events)")
        if self.view.nrows == 0:
            raise ToolError(f"There are no events in {infile}")
        self.header = self.view.updated_header()
        self.instrument = str(self.header.get("INSTRUME", "")).strip().upper()
        if self.instrument not in ("ACIS", "HRC"):
            raise ToolError(f"Unsupported INSTRUME={self.instrument or '(none)'} in {infile}: "
                            "fluximage needs ACIS or HRC data")
        self.detnam = str(self.header.get("DETNAM", "")).strip()
        self.grating = str(self.header.get("GRATING", "NONE")).strip().upper() or "NONE"
        obsid = self.header.get("OBS_ID")
        self.obsid = str(obsid).strip() if obsid is not None else "unknown"
        self.chipcol = "ccd_id" if self.instrument == "ACIS" else "chip_id"

    # ------------------------------------------------------------------ events
    def chips(self, xrange=None, yrange=None):
        """The chips with events (inside the given sky ranges), sorted."""
        spec = self.infile
        if xrange is not None:
            spec += f"[x={xrange[0]}:{xrange[1]}]"
        if yrange is not None:
            spec += f"[y={yrange[0]}:{yrange[1]}]"
        view = open_virtual(spec)
        col = next((c.name for c in view.columns if c.name.lower() == self.chipcol), None)
        if col is None:
            raise ToolError(f"Unable to find column {self.chipcol} in {self.infile}")
        values = np.asarray(view.read([col])[col]).ravel()
        return sorted(int(v) for v in np.unique(values))

    def sky_subspace(self):
        """((xlo, xhi), (ylo, yhi)) of the event file's sky data subspace (its x/y ranges,
        narrowed by a spatial region filter), or None when it has none."""
        ss = self.view.subspace
        bounds = [ss.range_bounds("x"), ss.range_bounds("y")]
        if None in bounds or any(None in b for b in bounds):
            return None
        (xl, xh), (yl, yh) = bounds
        region = ss.region(("x", "y"))
        if region is not None and getattr(region, "region", None) is not None:
            try:
                rx0, ry0, rx1, ry1 = region.region.extent()
            except Exception:        # noqa: BLE001 - an unbounded region narrows nothing
                rx0 = ry0 = -np.inf
                rx1 = ry1 = np.inf
            xl, xh = max(xl, rx0), min(xh, rx1)
            yl, yh = max(yl, ry0), min(yh, ry1)
        return (float(xl), float(xh)), (float(yl), float(yh))

    def good_times(self):
        """The union of the event file's good time intervals ((n, 2) array), or None."""
        gtis = self.view.gti_intervals()
        if not gtis:
            return None
        return np.concatenate([np.asarray(v, float).reshape(-1, 2) for v in gtis.values()])

    # ------------------------------------------------------------------ ancillary files
    def _locate(self, name):
        """An ancillary file named in the header: relative names are in the event file's
        directory; a missing file is looked for with ``.gz``. None when not found."""
        path = name if os.path.isabs(name) else os.path.normpath(os.path.join(self.directory,
                                                                               name))
        for candidate in (path, path + ".gz"):
            if os.path.isfile(candidate):
                return candidate
        return None

    def aspect_solutions(self, asolfile):
        """The aspect solution files (time order): the ``asolfile`` stack, or the ASOLFILE
        keyword's files."""
        text = str(asolfile or "").strip()
        if text.lower() == "none":
            raise ToolError("asolfile can not be NONE.")
        if not text:
            if "ASOLFILE" not in self.header:
                raise ToolError(f"Event file {self.infile} has no ASOLFILE keyword.")
            value = str(self.header["ASOLFILE"]).strip()
            files = []
            for name in (n.strip() for n in value.split(",") if n.strip()):
                path = self._locate(name)
                if path is None:
                    raise ToolError(f"ASOLFILE={value} from {self.infile} not found.")
                files.append(path)
            files = _time_sorted(files)
            for f in files:
                info(f"Aspect solution {f} found.", 1)
            return files
        try:
            items = [s for s in expand_stack(text) if s.strip()]
        except StackError as exc:
            raise ToolError(str(exc)) from None
        files = []
        for item in items:
            path = item if os.path.isfile(item) else item + ".gz"
            if not os.path.isfile(path):
                raise ToolError(f"Unable to find aspect solution file: {item}")
            files.append(path)
        return _time_sorted(files)

    def bad_pixels(self, badpixfile):
        """The bad-pixel setting: a file, ``CALDB`` or ``NONE``."""
        text = str(badpixfile or "").strip()
        low = text.lower()
        if low == "caldb":
            info("CalDB bad-pixel file is being used.", 1)
            return "CALDB"
        if low == "none":
            info("No bad-pixel file is being used.", 1)
            return "NONE"
        if text:
            path = text if os.path.isfile(text) else text + ".gz"
            if not os.path.isfile(path):
                raise ToolError(f"Unable to find bad pixel file={text} (or .gz version)")
            info(f"Bad-pixel file {path}", 1)
            return self._same_obsid(path, "badpix")
        value = str(self.header.get("BPIXFILE", "")).strip()
        if value.upper() == "NONE":
            info(f"WARNING - BPIXFILE set to NONE in {self.infile}. The exposure map will be "
                 "too high for bad pixels and columns.", 1)
            return "NONE"
        path = self._locate(value) if value else None
        if path is None:
            info(f"WARNING - BPIXFILE={value} not found for {self.infile}. Using CALDB version "
                 "instead.", 1)
            return "CALDB"
        info(f"Bad-pixel file {path} found.", 1)
        return self._same_obsid(path, "badpix")

    def mask(self, maskfile):
        """The mask file, or ``NONE``."""
        text = str(maskfile or "").strip()
        note = " Invalid data may be used."
        if text.lower() == "none":
            info(f"WARNING - maskfile parameter set to NONE.{note}", 1)
            return "NONE"
        if text:
            if not os.path.isfile(text):
                raise ToolError(f"Unable to find mask file {text}")
            return self._same_obsid(text, "mask")
        if "MASKFILE" not in self.header:
            info(f"WARNING - MASKFILE keyword not found in {self.infile}.{note}", 1)
            return "NONE"
        value = str(self.header["MASKFILE"]).strip()
        if value.upper() == "NONE":
            info(f"WARNING - MASKFILE set to NONE in {self.infile}.{note}", 1)
            return "NONE"
        path = self._locate(value)
        if path is None:
            info(f"WARNING - MASKFILE={value} not found for {self.infile}.{note}", 1)
            return "NONE"
        info(f"Mask file {path} found.", 1)
        return self._same_obsid(path, "mask")

    def _same_obsid(self, path, what):
        """``path``, after checking its OBS_ID (when it has one) is the observation's."""
        other = _obsid_of(path)
        if other is not None and self.obsid != "unknown" and other != self.obsid:
            raise ToolError(f"The ObsID of the {what} and event files do not match: "
                            f"{other} vs {self.obsid}")
        return path


def _time_sorted(files):
    """Aspect solution files in time order (their TSTART)."""
    from ..dm import open_dataset

    def start(path):
        try:
            ds = open_dataset(path)
        except (ToolError, OSError) as exc:
            raise ToolError(f"Unable to read aspect solution {path}: {exc}") from None
        for b in ds.blocks:
            if "TSTART" in b.header:
                return float(b.header["TSTART"])
        return 0.0

    return sorted(files, key=start)
