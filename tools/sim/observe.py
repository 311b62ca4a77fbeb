"""Simulate an ACIS imaging observation: photons -> mirror -> detector -> events.

Each step is a small vectorised function; :func:`simulate` strings them together. The mirror
area, vignetting, QE (with contamination), PSF size, bad pixels and geometry all come from the
calibration lookup and :mod:`pyciao.geom`, the same sources the exposure-map tools use, so a
flux measured through an exposure map can be compared with the input flux.

Physics and simplifications (stated, so tests can rely on them):
* photons arrive uniformly in time; a photon arriving during the 41 ms frame transfer at the
  end of each 3.24104 s frame is lost (DTCOR = 3.2/3.24104);
* the pointing at the arrival time comes from the aspect solution (dither);
* the PSF is a circular Gaussian about the ideal position whose 50% radius is the HRMA r50 at
  1.5 keV for the off-axis angle (energy dependence of the PSF is not modelled);
* a photon is detected with probability EA(E, theta) QE_ccd(E) / A_ref (A_ref >= max EA);
  it is lost in chip gaps, off the chips and on bad pixels;
* events carry the frame's mid-time; det/sky positions are recomputed from the integer chip
  pixel plus a uniform +-0.5 pixel randomisation, with the aspect at the event time;
* energy resolution: Gaussian, sigma(eV) = sqrt(0.4232 E(eV) + 34^2) (Fano-limited plus
  noise, ~100 eV FWHM at 1.5 keV); PI = int(energy/14.6 eV) + 1.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from .. import caldb, geom
from ..errors import ToolError
from .aspect import Aspect, dither_defaults, make_aspect
from .sources import default_field

EXPTIME = 3.2            # s, ACIS full-frame exposure
TIMEDEL = 3.24104        # s, exposure + frame transfer (6-chip timed exposure)
PI_EV = 14.6             # eV per PI channel
PHA_GAIN = 4.6           # eV per ADU (nominal)
GRADES = np.array([0, 2, 3, 4, 6], dtype=np.int16)
GRADE_P = np.array([0.6, 0.2, 0.08, 0.08, 0.04])
BKG_BAND = (0.3, 10.0)   # keV, flat background spectrum
CHUNK = 2_000_000        # photons per vectorised batch
DEFAULT_CHIPS = {"ACIS-I": (0, 1, 2, 3), "ACIS-S": (2, 3, 5, 6, 7, 8)}


@dataclasses.dataclass
class ObsConfig:
    ra_nom: float = 150.0
    dec_nom: float = 2.2
    roll_nom: float = 30.0
    detector: str = "ACIS-I"
    chips: tuple | None = None
    exposure: float = 5000.0          # livetime (s)
    bkgrate: float = 0.1              # background events/s per chip
    date: str = "2005-06-01T00:00:00"
    seed: int = 1
    dither_amp: float | None = None   # arcsec
    dither_yperiod: float | None = None
    dither_zperiod: float | None = None
    sources: list | None = None       # None -> the default field
    badpix: dict | None = None        # ccd -> [(x0, x1, y0, y1)]; None -> generated
    obs_id: int = 90001
    object: str = "PYCIAO SIMULATION"

    def __post_init__(self):
        self.detector = self.detector.upper()
        if self.detector not in DEFAULT_CHIPS:
            raise ToolError(f"Unknown detector '{self.detector}' (expected ACIS-I or ACIS-S)")
        if self.chips is None:
            self.chips = DEFAULT_CHIPS[self.detector]
        self.chips = tuple(sorted(int(c) for c in self.chips))
        if not self.chips or any(c < 0 or c > 9 for c in self.chips):
            raise ToolError("chips must be ACIS ccd_id values 0-9")
        if not self.exposure > 0:
            raise ToolError("exposure must be > 0")
        if self.bkgrate < 0:
            raise ToolError("bkgrate must be >= 0")
        if not (0 <= self.ra_nom < 360 and -90 < self.dec_nom < 90):
            raise ToolError("ra must be in [0,360) and dec in (-90,90)")
        amp, py, pz = dither_defaults(self.date)
        self.dither_amp = amp if self.dither_amp is None else float(self.dither_amp)
        self.dither_yperiod = py if self.dither_yperiod is None else float(self.dither_yperiod)
        self.dither_zperiod = pz if self.dither_zperiod is None else float(self.dither_zperiod)
        if self.dither_amp < 0 or self.dither_yperiod <= 0 or self.dither_zperiod <= 0:
            raise ToolError("dither amplitude must be >= 0 and periods > 0")


@dataclasses.dataclass
class Timing:
    tstart: float
    tstop: float
    nframes: int
    exptime: float = EXPTIME
    timedel: float = TIMEDEL

    @property
    def ontime(self):
        return self.tstop - self.tstart

    @property
    def livetime(self):
        return self.nframes * self.exptime

    @property
    def dtcor(self):
        return self.exptime / self.timedel


@dataclasses.dataclass
class Observation:
    config: ObsConfig
    timing: Timing
    aspect: Aspect
    sim: np.ndarray
    badpix: dict
    sources: list
    events: dict          # column name -> array, time-sorted
    source_id: np.ndarray  # per event: index into sources, -1 for background
    truth: dict = None


# --- the steps -------------------------------------------------------------------------------

def frame_timing(date, exposure):
    tstart = caldb.met_from_date(date)
    nframes = int(np.ceil(exposure / EXPTIME - 1e-9))
    return Timing(tstart, tstart + nframes * TIMEDEL, nframes)


def arrival_times(rng, n, timing):
    return timing.tstart + rng.random(n) * timing.ontime


def frames(t, timing):
    """(frame number, live?) of arrival times: lost if they fall in the frame transfer."""
    dt = t - timing.tstart
    k = np.floor(dt / timing.timedel).astype(np.int64)
    live = (dt - k * timing.timedel) < timing.exptime
    return k, live


def frame_time(k, timing):
    """Event time stamp of frame k (the middle of the frame)."""
    return timing.tstart + (k + 0.5) * timing.timedel


def source_directions(rng, src, n):
    """Sky directions (RA, Dec) of photons from a source: a point, or a uniform disk."""
    if src.extent <= 0:
        return np.full(n, src.ra), np.full(n, src.dec)
    r = src.extent / 3600.0 * np.sqrt(rng.random(n))
    a = 2 * np.pi * rng.random(n)
    return geom.inverse_gnomonic(r * np.cos(a), r * np.sin(a), src.ra, src.dec)


def psf_sigma_pix(theta_arcmin, obs_date=None):
    """Gaussian sigma (det pixels) of the PSF at off-axis angle theta: r50(1.5 keV)/1.1774."""
    return caldb.psf_r50(1.5, theta_arcmin, obs_date) / np.sqrt(2 * np.log(2)) / 0.492


def mirror(rng, ra, dec, t, aspect, obs_date=None):
    """Photon directions -> det positions after the HRMA (pointing at t, PSF blur); theta."""
    ra_p, dec_p, roll_p = aspect.at(t)
    detx, dety = geom.celestial_to_det(ra, dec, ra_p, dec_p, roll_p)
    theta, _ = geom.theta_phi(detx, dety)
    sigma = psf_sigma_pix(theta, obs_date)
    detx = detx + sigma * rng.standard_normal(len(detx))
    dety = dety + sigma * rng.standard_normal(len(dety))
    theta, _ = geom.theta_phi(detx, dety)
    return detx, dety, theta


def pixel_of(chip_coord):
    """Integer pixel containing a continuous chip coordinate (pixel i covers i-0.5..i+0.5)."""
    return np.clip(np.floor(np.asarray(chip_coord) + 0.5), 1, 1024).astype(np.int16)


def bad_mask_lookup(masks, ccd, px, py):
    """True where (ccd, chipx, chipy) is a bad pixel; ``masks``: ccd -> 1024x1024 bool."""
    bad = np.zeros(len(ccd), bool)
    for c, m in masks.items():
        sel = ccd == c
        if sel.any():
            bad[sel] = m[py[sel] - 1, px[sel] - 1]
    return bad


def detection_probability(energy, theta, ccd, config, a_ref):
    """EA(E, theta) QE_ccd(E) / A_ref for photons already on chip ``ccd``."""
    if len(energy) and np.all(energy == energy[0]):       # a line: evaluate E once
        e0 = energy[0]
        p = caldb.onaxis_area(e0, config.date) * caldb.vignetting(e0, theta, config.date) / a_ref
        qe = np.zeros(len(energy))
        for c in np.unique(ccd):
            qe[ccd == c] = caldb.qe(int(c), e0, obs_date=config.date)
        return p * qe
    p = caldb.effective_area(energy, theta, obs_date=config.date) / a_ref
    qe = np.zeros(len(energy))
    for c in np.unique(ccd):
        sel = ccd == c
        qe[sel] = caldb.qe(int(c), energy[sel], obs_date=config.date)
    return p * qe


def reference_area(obs_date=None):
    e = np.linspace(0.05, 12.0, 4000)
    return float(np.max(caldb.onaxis_area(e, obs_date))) * 1.0001


def measure_energy(rng, energy_keV):
    """Detected energy (eV), PI and PHA for true energies (keV)."""
    e_ev = np.asarray(energy_keV) * 1000.0
    sigma = np.sqrt(0.4232 * e_ev + 34.0 ** 2)
    meas = np.maximum(e_ev + sigma * rng.standard_normal(len(e_ev)), 1.0)
    pi = np.clip((meas / PI_EV).astype(np.int64) + 1, 1, 1024).astype(np.int32)
    pha = np.clip(np.rint(meas / PHA_GAIN), 1, 36855).astype(np.int32)
    return meas.astype(np.float32), pi, pha


def make_badpix(config):
    """Observation bad pixels: per chip one bad column and a few hot pixels (from the seed)."""
    rng = np.random.default_rng([config.seed, 7])
    out = {}
    for c in config.chips:
        col = int(rng.integers(100, 925))
        rects = [(col, col, 1, 1024)]
        for _ in range(5):
            x, y = (int(v) for v in rng.integers(1, 1025, 2))
            rects.append((x, x, y, y))
        out[c] = rects
    return out


def badpix_masks(badpix, chips):
    masks = {}
    for c in chips:
        m = np.zeros((1024, 1024), bool)
        for x0, x1, y0, y1 in badpix.get(c, []):
            m[max(y0, 1) - 1:min(y1, 1024), max(x0, 1) - 1:min(x1, 1024)] = True
        masks[c] = m
    return masks


def detect_source(rng, src, n, config, timing, aspect, sim, masks, a_ref, geometry):
    """Follow ``n`` incident photons of one source to detected events (dict of arrays)."""
    t = arrival_times(rng, n, timing)
    k, live = frames(t, timing)
    energy = src.spectrum.sample(rng, n)
    ra, dec = source_directions(rng, src, n)
    detx, dety, theta = mirror(rng, ra, dec, t, aspect, config.date)
    ccd, cx, cy = geom.det_to_chip(detx, dety, sim, chips=config.chips, geom=geometry)
    keep = live & (ccd >= 0)
    px, py = pixel_of(np.where(keep, cx, 1)), pixel_of(np.where(keep, cy, 1))
    keep &= ~bad_mask_lookup(masks, ccd, px, py)
    idx = np.flatnonzero(keep)
    prob = detection_probability(energy[idx], theta[idx], ccd[idx], config, a_ref)
    idx = idx[rng.random(len(idx)) < prob]
    return dict(frame=k[idx], ccd_id=ccd[idx], chipx=px[idx], chipy=py[idx], energy_true=energy[idx])


def background_events(rng, config, timing, masks):
    """Detector background: uniform on each chip and in live time, flat in energy."""
    out = []
    for c in config.chips:
        n = rng.poisson(config.bkgrate * timing.livetime)
        k = rng.integers(0, timing.nframes, n)
        px = pixel_of(0.5 + 1024 * rng.random(n))
        py = pixel_of(0.5 + 1024 * rng.random(n))
        ccd = np.full(n, c, np.int16)
        good = ~bad_mask_lookup(masks, ccd, px, py)
        energy = BKG_BAND[0] + (BKG_BAND[1] - BKG_BAND[0]) * rng.random(n)
        out.append(dict(frame=k[good], ccd_id=ccd[good], chipx=px[good], chipy=py[good],
                        energy_true=energy[good]))
    return out


def reconstruct(rng, ev, timing, aspect, sim, geometry):
    """Event columns from detected (frame, ccd, pixel, energy): what ACIS + L1/L2 processing
    would write (coordinates with pixel randomisation and the aspect at the event time)."""
    n = len(ev["frame"])
    time = frame_time(ev["frame"], timing)
    ccd = ev["ccd_id"].astype(np.int16)
    chipx, chipy = ev["chipx"].astype(np.int16), ev["chipy"].astype(np.int16)
    tdetx, tdety = geom.chip_to_tdet(ccd, chipx, chipy, geometry)
    rx = chipx + rng.random(n) - 0.5
    ry = chipy + rng.random(n) - 0.5
    detx, dety = geom.chip_to_det(ccd, rx, ry, sim, geometry)
    ra_p, dec_p, roll_p = aspect.at(time)
    x, y = geom.det_to_sky(detx, dety, ra_p, dec_p, roll_p, aspect.ra_nom, aspect.dec_nom)
    energy, pi, pha = measure_energy(rng, ev["energy_true"])
    grade = rng.choice(GRADES, size=n, p=GRADE_P)
    return {
        "time": time,
        "ccd_id": ccd,
        "node_id": ((chipx - 1) // 256).astype(np.int16),
        "expno": ev["frame"].astype(np.int32),
        "chipx": chipx, "chipy": chipy,
        "tdetx": np.rint(tdetx).astype(np.int16), "tdety": np.rint(tdety).astype(np.int16),
        "detx": detx.astype(np.float32), "dety": dety.astype(np.float32),
        "x": x.astype(np.float32), "y": y.astype(np.float32),
        "pha": pha, "energy": energy, "pi": pi,
        "grade": grade.astype(np.int16),
        "status": np.zeros((n, 32), bool),
    }


# --- the whole observation ---------------------------------------------------------------------

def simulate(config: ObsConfig, *, with_truth=True):
    """Simulate an observation; returns an :class:`Observation` (events time-sorted)."""
    geometry = geom.acis_geometry(config.date)
    sim = geom.default_sim(config.detector, geometry)
    timing = frame_timing(config.date, config.exposure)
    aspect = make_aspect(config.ra_nom, config.dec_nom, config.roll_nom, timing.tstart,
                         timing.tstop, amp_arcsec=config.dither_amp,
                         period_y=config.dither_yperiod, period_z=config.dither_zperiod)
    sources = config.sources if config.sources is not None else \
        default_field(config.ra_nom, config.dec_nom, config.roll_nom, sim, geometry)
    badpix = config.badpix if config.badpix is not None else make_badpix(config)
    masks = badpix_masks(badpix, config.chips)
    a_ref = reference_area(config.date)

    rng = np.random.default_rng(config.seed)
    parts, tags = [], []
    for i, src in enumerate(sources):
        n_total = rng.poisson(src.photflux * a_ref * timing.ontime)
        while n_total > 0:
            n = min(n_total, CHUNK)
            n_total -= n
            ev = detect_source(rng, src, n, config, timing, aspect, sim, masks, a_ref, geometry)
            parts.append(ev)
            tags.append(np.full(len(ev["frame"]), i, np.int32))
    for ev in background_events(rng, config, timing, masks):
        parts.append(ev)
        tags.append(np.full(len(ev["frame"]), -1, np.int32))
    merged = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]} if parts else {}
    source_id = np.concatenate(tags) if tags else np.zeros(0, np.int32)
    order = np.argsort(merged["frame"], kind="stable")
    merged = {k: v[order] for k, v in merged.items()}
    source_id = source_id[order]
    events = reconstruct(rng, merged, timing, aspect, sim, geometry)
    obs = Observation(config, timing, aspect, sim, badpix, sources, events, source_id)
    if with_truth:
        from .truth import expected_counts

        obs.truth = expected_counts(obs)
    return obs
