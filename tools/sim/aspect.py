"""The aspect solution: the pointing of the telescope, dithering in a Lissajous pattern.

Dither (CIAO "why dither" page): ACIS before October 2022 peak-to-peak 16" (amplitude 8") with
periods 1000 s (Y) and 707 s (Z); from October 2022 amplitude 16", periods 2000 s / 1414 s.
The pattern runs in the spacecraft Y/Z (det x/y) axes: ``A sin(2 pi t / P + phase)`` per axis,
turned onto the sky with the roll. The aspect solution is sampled every 0.256 s.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt

import numpy as np

from .. import geom
from ..caldb.index import parse_date

ASOL_TIMEDEL = 0.256
DITHER_ERA_CHANGE = _dt.datetime(2022, 10, 1)


def dither_defaults(date, instrument="ACIS"):
    """(amplitude arcsec, period Y s, period Z s) for the observation date."""
    if instrument.upper().startswith("HRC"):
        return 20.0, 1087.0, 768.6
    if parse_date(date) >= DITHER_ERA_CHANGE:
        return 16.0, 2000.0, 1414.0
    return 8.0, 1000.0, 707.0


@dataclasses.dataclass
class Aspect:
    """An aspect solution table (arrays of equal length) plus the nominal pointing."""

    time: np.ndarray
    ra: np.ndarray
    dec: np.ndarray
    roll: np.ndarray
    ra_nom: float
    dec_nom: float
    roll_nom: float
    dy: np.ndarray = None
    dz: np.ndarray = None
    dtheta: np.ndarray = None

    def __post_init__(self):
        n = len(self.time)
        for name in ("dy", "dz", "dtheta"):
            if getattr(self, name) is None:
                setattr(self, name, np.zeros(n))

    def at(self, t):
        """Pointing (ra, dec, roll) at times ``t`` (linear interpolation between samples;
        clamped to the first/last sample outside the table)."""
        t = np.asarray(t, float)
        dra = _wrap(self.ra - self.ra_nom)       # small offsets keep full precision
        step = np.diff(self.time)
        if len(step) and np.allclose(step, step[0], rtol=0, atol=1e-9 * max(1.0, step[0])):
            # uniform sampling: find the interval by arithmetic instead of a search
            u = np.clip((t - self.time[0]) / step[0], 0.0, len(self.time) - 1.0)
            i = np.minimum(u.astype(np.int64), len(self.time) - 2)
            f = u - i

            def lerp(y):
                return y[i] + (y[i + 1] - y[i]) * f
        else:
            def lerp(y):
                return np.interp(t, self.time, y)
        return np.mod(self.ra_nom + lerp(dra), 360.0), lerp(self.dec), lerp(self.roll)

    @property
    def mean_pointing(self):
        ra = self.ra_nom + np.mean(_wrap(self.ra - self.ra_nom))
        return float(np.mod(ra, 360.0)), float(np.mean(self.dec)), float(np.mean(self.roll))


def _wrap(dra):
    return (np.asarray(dra) + 180.0) % 360.0 - 180.0


def dither_offsets(t, amp_arcsec, period_y, period_z, phase_y=0.0, phase_z=0.0):
    """Dither offsets (arcsec) along det x (Y) and det y (Z) at times ``t`` (s from start)."""
    t = np.asarray(t, float)
    return (amp_arcsec * np.sin(2 * np.pi * t / period_y + phase_y),
            amp_arcsec * np.sin(2 * np.pi * t / period_z + phase_z))


def make_aspect(ra_nom, dec_nom, roll_nom, tstart, tstop, *, amp_arcsec=8.0, period_y=1000.0,
                period_z=707.0, phase_y=0.0, phase_z=0.0, timedel=ASOL_TIMEDEL, margin=2):
    """A dithered aspect solution covering [tstart, tstop] (plus ``margin`` samples each side).

    The optical axis (det 4096.5, 4096.5) points at the nominal (RA, Dec) displaced by the
    dither offsets, which are along the det axes and turned onto the sky by the roll.
    """
    n = int(np.ceil((tstop - tstart) / timedel)) + 1 + 2 * margin
    time = tstart + (np.arange(n) - margin) * timedel
    oy, oz = dither_offsets(time - tstart, amp_arcsec, period_y, period_z, phase_y, phase_z)
    pix = 0.492
    # the axis position is where det (4096.5 + oy/pix, 4096.5 + oz/pix) of the nominal
    # pointing falls on the sky
    ra, dec = geom.det_to_celestial(geom.SKY_REFPIX + oy / pix, geom.SKY_REFPIX + oz / pix,
                                    ra_nom, dec_nom, roll_nom)
    roll = np.full(n, float(roll_nom))
    return Aspect(time, ra, dec, roll, float(ra_nom), float(dec_nom), float(roll_nom))


def attitude_quaternion(ra, dec, roll):
    """Attitude quaternions (q1, q2, q3, q4; q4 scalar) for pointings (deg): body X along the
    pointing, body Y east and Z north at roll 0, rolled about X by ``roll``."""
    from scipy.spatial.transform import Rotation

    ra, dec, roll = (np.radians(np.asarray(v, float)) for v in (ra, dec, roll))
    p = np.stack([np.cos(dec) * np.cos(ra), np.cos(dec) * np.sin(ra), np.sin(dec)], -1)
    e = np.stack([-np.sin(ra), np.cos(ra), np.zeros_like(ra)], -1)
    n = np.cross(p, e)
    cr, sr = np.cos(roll)[:, None], np.sin(roll)[:, None]
    y = cr * e + sr * n
    z = -sr * e + cr * n
    mat = np.stack([p, y, z], -1)
    return Rotation.from_matrix(mat).as_quat()
