"""Expected counts per source and chip, by deterministic quadrature (no random numbers).

For a source of photon flux F the expected number of events on chip c is

    N_c = F * DTCOR * integral dt  integral d^2p  PSF/disk(p; t)  [p on chip c, good pixel]
              * <EA(E, theta(p)) QE_c(E)>_spectrum

evaluated as a deterministic quasi-Monte Carlo integral over (time, PSF offset[, position in
the disk]) on a Kronecker (R_d) lattice, with the spectrum average of area x QE tabulated in
theta. It uses the same calibration and geometry functions as the Monte
Carlo but none of its draws, so "events = truth within Poisson errors" is a real check.
"""
from __future__ import annotations

import numpy as np

from .. import caldb, geom

N_POINTS = 2 ** 18        # quasi-Monte Carlo nodes per source
THETA_GRID = np.arange(0.0, 30.0001, 0.1)


def spectral_response(spectrum, chips, obs_date):
    """{ccd: <EA(E, theta) QE_ccd(E)> over the spectrum, tabulated on THETA_GRID (cm^2)}."""
    e, w = spectrum.grid()
    area = caldb.effective_area(e[None, :], THETA_GRID[:, None], obs_date=obs_date)
    return {c: area @ (caldb.qe(c, e, obs_date=obs_date) * w) for c in chips}


def kronecker_lattice(n, dim):
    """``n`` points of the R_d low-discrepancy sequence in [0, 1)^dim (Roberts 2018):
    frac(0.5 + i alpha) with alpha_k = phi_d^-k, phi_d the root of x^(d+1) = x + 1."""
    phi = 2.0
    for _ in range(60):
        phi = (1.0 + phi) ** (1.0 / (dim + 1))
    alpha = phi ** -np.arange(1, dim + 1)
    i = np.arange(1, n + 1, dtype=np.float64)[:, None]
    return np.mod(0.5 + i * alpha[None, :], 1.0)


def _gaussian_offsets(u1, u2):
    """Unit 2-D Gaussian offsets from uniforms (Box-Muller)."""
    r = np.sqrt(-2.0 * np.log1p(-u1))
    return r * np.cos(2 * np.pi * u2), r * np.sin(2 * np.pi * u2)


def _source_counts(obs, src, responses, masks, geometry):
    timing, aspect, config = obs.timing, obs.aspect, obs.config
    point = src.extent <= 0
    q = kronecker_lattice(N_POINTS, 3 if point else 5)
    t = timing.tstart + q[:, 0] * timing.ontime
    w = np.full(N_POINTS, timing.ontime * timing.dtcor / N_POINTS)
    ra_p, dec_p, roll_p = aspect.at(t)
    if point:
        ra, dec = src.ra, src.dec
    else:
        r = src.extent / 3600.0 * np.sqrt(q[:, 3])
        a = 2 * np.pi * q[:, 4]
        ra, dec = geom.inverse_gnomonic(r * np.cos(a), r * np.sin(a), src.ra, src.dec)
    detx, dety = geom.celestial_to_det(ra, dec, ra_p, dec_p, roll_p)
    theta0, _ = geom.theta_phi(detx, dety)
    sigma = caldb.psf_r50(1.5, theta0, config.date) / np.sqrt(2 * np.log(2)) / 0.492
    gx, gy = _gaussian_offsets(q[:, 1], q[:, 2])
    detx = detx + sigma * gx
    dety = dety + sigma * gy
    detx, dety, w = detx.ravel(), dety.ravel(), w.ravel()
    theta, _ = geom.theta_phi(detx, dety)
    ccd, cx, cy = geom.det_to_chip(detx, dety, obs.sim, chips=config.chips, geom=geometry)
    out = {}
    for c in config.chips:
        sel = ccd == c
        if not sel.any():
            out[c] = 0.0
            continue
        px = np.clip(np.floor(cx[sel] + 0.5), 1, 1024).astype(int)
        py = np.clip(np.floor(cy[sel] + 0.5), 1, 1024).astype(int)
        good = ~masks[c][py - 1, px - 1]
        resp = np.interp(theta[sel], THETA_GRID, responses[c])
        out[c] = float(src.photflux * np.sum(w[sel] * good * resp))
    return out


def expected_counts(obs):
    """The truth table of an :class:`Observation` (a dict; written by ``write_truth``)."""
    from .observe import badpix_masks

    config = obs.config
    geometry = geom.acis_geometry(config.date)
    masks = badpix_masks(obs.badpix, config.chips)
    rows = []
    cache = {}
    for i, src in enumerate(obs.sources):
        key = str(src.spectrum)
        if key not in cache:
            cache[key] = spectral_response(src.spectrum, config.chips, config.date)
        counts = _source_counts(obs, src, cache[key], masks, geometry)
        detected = {c: int(np.sum((obs.source_id == i) & (obs.events["ccd_id"] == c)))
                    for c in config.chips}
        x, y = geom.celestial_to_sky(src.ra, src.dec, obs.aspect.ra_nom, obs.aspect.dec_nom)
        total = sum(counts.values())
        rows.append(dict(
            name=src.name or f"src{i + 1}", ra=src.ra, dec=src.dec, x=float(x), y=float(y),
            photflux=src.photflux, spectrum=str(src.spectrum), extent=src.extent,
            energ_lo=src.spectrum.band[0], energ_hi=src.spectrum.band[1],
            expected=counts, expected_total=total, detected=detected,
            eff_exposure=total / src.photflux if src.photflux > 0 else 0.0,
        ))
    bkg = {}
    for c in config.chips:
        good_frac = 1.0 - masks[c].mean()
        bkg[c] = config.bkgrate * obs.timing.livetime * good_frac
    bkg_detected = {c: int(np.sum((obs.source_id < 0) & (obs.events["ccd_id"] == c)))
                    for c in config.chips}
    return dict(sources=rows, background=bkg, background_detected=bkg_detected,
                chips=list(config.chips))
