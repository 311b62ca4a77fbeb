"""Sources: where they are, how bright, what spectrum; and the default demonstration field.

A source list is plain text, one source a line (``#`` starts a comment)::

    ra dec photflux spectrum [extent]
    150.0012  2.2003  6e-3  mono:2.3
    150.0400  2.1800  2e-2  mono:2.3  30

``ra``/``dec`` in degrees; ``photflux`` in photons/cm**2/s; ``spectrum`` ``mono:E`` (a line at
E keV) or ``pow:G`` (photon index G over 0.3-10 keV; photflux counts photons in that band);
``extent``: radius in arcsec of a uniform disk (0 or absent: a point source).
"""
from __future__ import annotations

import dataclasses
import re

import numpy as np

from ..errors import ToolError

POW_BAND = (0.3, 10.0)


@dataclasses.dataclass(frozen=True)
class Spectrum:
    kind: str          # "mono" or "pow"
    value: float       # line energy (keV) or photon index

    @classmethod
    def parse(cls, text):
        m = re.match(r"^\s*(mono|pow)\s*:\s*([-+]?[\d.]+(?:[eE][-+]?\d+)?)\s*$", str(text), re.I)
        if not m:
            raise ToolError(f"Invalid spectrum '{text}': expected mono:<keV> or pow:<index>")
        kind, value = m.group(1).lower(), float(m.group(2))
        if kind == "mono" and not 0.1 <= value <= 12.0:
            raise ToolError(f"Invalid spectrum '{text}': line energy must be in 0.1-12 keV")
        return cls(kind, value)

    def __str__(self):
        return f"{self.kind}:{self.value:g}"

    @property
    def band(self):
        """(lo, hi) keV of the photons the photflux counts."""
        return (self.value, self.value) if self.kind == "mono" else POW_BAND

    def sample(self, rng, n):
        """``n`` photon energies (keV)."""
        if self.kind == "mono":
            return np.full(n, self.value)
        lo, hi = POW_BAND
        g = self.value
        u = rng.random(n)
        if abs(g - 1.0) < 1e-9:
            return lo * (hi / lo) ** u
        a, b = lo ** (1 - g), hi ** (1 - g)
        return (a + u * (b - a)) ** (1.0 / (1 - g))

    def grid(self, step_keV=0.005):
        """(energies, normalised weights) for integrals over the spectrum (sum of weights = 1)."""
        if self.kind == "mono":
            return np.array([self.value]), np.array([1.0])
        lo, hi = POW_BAND
        edges = np.arange(lo, hi + step_keV / 2, step_keV)
        g = self.value
        if abs(g - 1.0) < 1e-9:
            cum = np.log(edges)
        else:
            cum = edges ** (1 - g) / (1 - g)
        w = np.diff(cum)
        return 0.5 * (edges[1:] + edges[:-1]), w / w.sum()


@dataclasses.dataclass(frozen=True)
class Source:
    ra: float
    dec: float
    photflux: float
    spectrum: Spectrum
    extent: float = 0.0       # disk radius, arcsec
    name: str = ""


def parse_srclist(path):
    """Read a source list file (see the module docstring)."""
    try:
        with open(path) as fh:
            lines = fh.readlines()
    except OSError as exc:
        raise ToolError(f"Unable to read source list {path}: {exc.strerror}") from None
    sources = []
    for lineno, raw in enumerate(lines, 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.replace(",", " ").split()
        if len(parts) not in (4, 5):
            raise ToolError(f"{path}:{lineno}: expected 'ra dec photflux spectrum [extent]'")
        try:
            ra, dec, flux = float(parts[0]), float(parts[1]), float(parts[2])
            extent = float(parts[4]) if len(parts) == 5 else 0.0
        except ValueError:
            raise ToolError(f"{path}:{lineno}: ra, dec, photflux and extent must be numbers") from None
        if not (0 <= ra < 360 and -90 <= dec <= 90):
            raise ToolError(f"{path}:{lineno}: ra must be in [0,360) and dec in [-90,90]")
        if flux < 0 or extent < 0:
            raise ToolError(f"{path}:{lineno}: photflux and extent must not be negative")
        sources.append(Source(ra, dec, flux, Spectrum.parse(parts[3]), extent, f"src{len(sources) + 1}"))
    if not sources:
        raise ToolError(f"Source list {path} has no sources")
    return sources


#: The default field, placed by chip position for the ACIS-I aimpoint (ccd, chipx, chipy):
#: an on-axis source, one ~5' off-axis, one inside the dither zone of I3's outer edge, a flat
#: disk (all on I3, for the single-chip exposure thread), and a power-law source on I0.
DEFAULT_FIELD = [
    ("onaxis", None, 6e-3, "mono:2.3", 0.0),
    ("offaxis5", (3, 420, 560), 6e-3, "mono:2.3", 0.0),
    ("edge", (3, 6, 420), 8e-3, "mono:2.3", 0.0),
    ("disk", (3, 700, 250), 2e-2, "mono:2.3", 30.0),
    ("pow", (0, 600, 500), 3e-3, "pow:1.7", 0.0),
]


def default_field(ra_nom, dec_nom, roll_nom, sim, geometry=None):
    """The default demonstration sources for a pointing (ACIS-I)."""
    from .. import geom

    out = []
    for name, where, flux, spec, extent in DEFAULT_FIELD:
        if where is None:
            ra, dec = ra_nom, dec_nom
        else:
            ccd, cx, cy = where
            dx, dy = geom.chip_to_det(ccd, cx, cy, sim, geometry)
            ra, dec = geom.det_to_celestial(dx, dy, ra_nom, dec_nom, roll_nom)
        out.append(Source(float(ra), float(dec), flux, Spectrum.parse(spec), extent, name))
    return out
