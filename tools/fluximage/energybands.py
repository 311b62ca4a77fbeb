"""The ``bands`` parameter: which energy (ACIS) or PI (HRC) bands to image, and at what
energy to compute each band's instrument map.

ACIS takes the Chandra Source Catalog band names (``broad``, ``soft``, ``medium``, ``hard``,
``ultrasoft``; ``csc`` = soft,medium,hard; ``default`` = broad), explicit ``lo:hi:eff`` in keV
(label ``lo-hi`` as typed), or the name of a spectral-weights file (labels ``band1``,
``band2``, ...; the energy range from its ``# ENERG_LO/HI`` lines). HRC takes ``wide``
(= ``default``), ``::eff`` (label ``all``) or ``pilo:pihi:eff`` in PI channels, one band only.
A repeated band is used once (the first spelling wins); two bands with one label are an
error. Facts from CIAO's ``bands.py`` (science.md 4.2, TV-16).
"""
from __future__ import annotations

import dataclasses
import os

from ..errors import ToolError

__all__ = ["Band", "CSC_BANDS", "parse_bands"]

#: name: (display name, lo keV, hi keV, effective keV)
CSC_BANDS = {
    "broad": ("ACIS broad", 0.5, 7.0, 2.3),
    "ultrasoft": ("ACIS ultra-soft", 0.2, 0.5, 0.4),
    "soft": ("ACIS soft", 0.5, 1.2, 0.92),
    "medium": ("ACIS medium", 1.2, 2.0, 1.56),
    "hard": ("ACIS hard", 2.0, 7.0, 3.8),
}
HRC_WIDE_ENERGY = 1.5


@dataclasses.dataclass(frozen=True)
class Band:
    """One band: its file-name ``label``, event filter limits, and instrument-map energy."""

    label: str                 # broad, 0.5-7, band1 (ACIS); wide, all, 30-200 (HRC)
    spec: str                  # what the user gave
    column: str                # 'energy' (ACIS, limits in keV) or 'pi' (HRC, channels)
    lo: float | int | None
    hi: float | int | None
    monoenergy: float | None   # keV; None with a weights file
    weightfile: str | None
    display: str               # the line fluximage prints about the band

    @property
    def dmfilter(self):
        """The event filter: ``[energy=500.0:7000.0]`` (eV, Python floats as CIAO writes
        them), ``[pi=30:200]``; empty when the band has no limits (HRC wide)."""
        if self.column == "energy":
            return f"[energy={self.lo * 1000}:{self.hi * 1000}]"
        if self.lo is None and self.hi is None:
            return ""
        text = lambda v: "" if v is None else str(v)   # noqa: E731
        return f"[pi={text(self.lo)}:{text(self.hi)}]"

    @property
    def instmap_options(self):
        """(monoenergy, spectrumfile) for mkinstmap: a weights file runs at energy 1.0."""
        if self.weightfile is not None:
            return 1.0, self.weightfile
        return self.monoenergy, "NONE"

    @property
    def key(self):
        return (self.label, self.weightfile if self.weightfile is not None else self.monoenergy)

    def keywords(self):
        """(key, value, comment) cards the counts image gets (ENERGYLO/HI or PILO/PIHI)."""
        if self.column == "energy":
            return [("ENERGYLO", float(self.lo), "[keV] Min photon energy in the image"),
                    ("ENERGYHI", float(self.hi), "[keV] Max photon energy in the image")]
        out = []
        if self.lo is not None:
            out.append(("PILO", self.lo, "[channel] Min value in the image"))
        if self.hi is not None:
            out.append(("PIHI", self.hi, "[channel] Max value in the image"))
        return out


def _check_energy(value):
    if not 0.1 <= value <= 10.0:
        raise ToolError(f"Energy of {value} keV is outside Chandra's nominal range of 0.1 to "
                        "10 keV.")


def _acis_band(spec):
    text = spec.replace(" ", "").lower()
    usage = ("Valid bands for ACIS are broad, ultrasoft, soft, medium, hard, or elo:ehi:ecenter "
             f"in keV, not {spec}")
    if text in CSC_BANDS:
        name, lo, hi, eff = CSC_BANDS[text]
        return Band(text, spec, "energy", lo, hi, eff, None,
                    f"Using CSC {name} science energy band.")
    parts = text.split(":")
    if len(parts) != 3 or "" in parts:
        raise ToolError(usage)
    try:
        values = [float(v) for v in parts]
    except ValueError:
        raise ToolError(usage) from None
    for v in values:
        _check_energy(v)
    lo, hi, eff = values
    if not lo < hi:
        raise ToolError(f"Invalid band {spec}: the lower energy must be below the upper one")
    return Band(f"{parts[0]}-{parts[1]}", spec, "energy", lo, hi, eff, None,
                f"Using energy range {lo} to {hi} keV and exposure-map energy of {eff} keV.")


def _acis_weights_band(path, label):
    from ..mkinstmap import read_weights

    _, _, lo, hi = read_weights(path)
    _check_energy(lo)
    _check_energy(hi)
    return Band(label, path, "energy", lo, hi, None, path,
                f"{label} uses weights file {path} ({lo} to {hi} keV)")


def _hrc_band(spec):
    text = spec.replace(" ", "").lower()
    if text == "default":
        text = "wide"
    usage = f"Valid bands for HRC are wide, ::energy, or pilo:pihi:energy, not {text}"
    if text == "wide":
        return Band("wide", spec, "pi", None, None, HRC_WIDE_ENERGY, None,
                    "Using CSC HRC wide science energy band.")
    parts = text.split(":")
    if len(parts) != 3:
        raise ToolError(usage)
    try:
        pilo = int(parts[0]) if parts[0] else None
        pihi = int(parts[1]) if parts[1] else None
        eff = float(parts[2])
    except ValueError:
        raise ToolError(usage) from None
    if (pilo is None) != (pihi is None):
        raise ToolError(usage)
    _check_energy(eff)
    label = "all" if pilo is None else f"{pilo}-{pihi}"
    shown = lambda v: "" if v is None else str(v)   # noqa: E731
    return Band(label, spec, "pi", pilo, pihi, eff, None,
                f"Using PI={shown(pilo)}:{shown(pihi)} with a monochromatic energy of {eff} keV.")


def _items(text):
    from ..dm.stack import StackError, expand_stack

    try:
        items = [s.strip() for s in expand_stack(str(text or ""), globbing=False) if s.strip()]
    except StackError as exc:
        raise ToolError(str(exc)) from None
    if not items:
        raise ToolError("The bands parameter can not be empty.")
    return items


def parse_bands(instrument, text):
    """The bands of ``text`` for ``instrument`` (``ACIS`` or ``HRC``): a list of Band,
    repeats removed, in the order given."""
    if str(instrument).upper().startswith("HRC"):
        out, seen = [], set()
        for item in _items(text):
            if os.path.isfile(item):
                raise ToolError(f"weights file {item}: HRC exposure maps with spectral "
                                "weights are not available in pyciao")
            band = _hrc_band(item)
            if band.key not in seen:
                seen.add(band.key)
                out.append(band)
        if len(out) > 1:
            raise ToolError(f"Unable to set multiple bands with HRC data (bands={text})")
        return out
    specs = []                               # (is a file, spec), first spelling kept
    for item in _items(text):
        if os.path.isfile(item):
            entries = [(True, item)]
        else:
            word = item.replace(" ", "").lower()
            entries = {"default": [(False, "broad")],
                       "csc": [(False, "soft"), (False, "medium"), (False, "hard")]}.get(
                           word, [(False, word)])
        for entry in entries:
            if entry not in specs:
                specs.append(entry)
    out, keys, labels, nfile = [], set(), {}, 1
    for is_file, spec in specs:
        if is_file:
            band = _acis_weights_band(spec, f"band{nfile}")
            nfile += 1
        else:
            band = _acis_band(spec)
        if band.key in keys:
            continue
        if band.label in labels:
            raise ToolError(f"Bands {labels[band.label]} and {spec} have the same label "
                            f"({band.label}).")
        keys.add(band.key)
        labels[band.label] = spec
        out.append(band)
    return out
