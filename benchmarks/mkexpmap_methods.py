"""mkexpmap: the fast method against the direct (cell-by-cell) reference.

    python benchmarks/mkexpmap_methods.py [--grid 1024] [--direct-cells N] [--save out.npz]

Setup: the ACIS-I3 instrument map at 2.3 keV (one bad column, five hot pixels), an aspect
histogram of ~10^4 cells from a 100 ks dithered aspect solution (16" Lissajous dither, a 3"
roll wander, res_xy 0.28"), and a ``grid x grid`` sky grid covering the dithered chip.

Reports both run times, the speed-up, and the differences: max |fast - direct| over the map
relative to the map maximum, the largest relative difference among pixels above 1.5% of
the maximum (fluximage's default threshold), and percentiles. ``--direct-cells N`` runs the
direct method on N evenly spaced cells only (a quicker timing; no comparison).

Measured (2 shared cores, load ~2.5; 9720 cells, 1024 x 1024 pixels of 1.44 sky pixels):
fast 5.5-6.0 s; direct 2218 s (full run), 1867 s (extrapolated from 60 cells): 310-406x.
max |fast - direct| / max 3.7e-4; largest relative difference above 1.5% of the maximum
7.8e-4; relative differences 50/99/99.9 percentiles 2.2e-6 / 1.0e-4 / 5.0e-4; no pixel
above the threshold differs by more than 0.1%.
"""
import argparse
import time

import numpy as np
from pyciao import geom
from pyciao.expmap.aspect import aspect_histogram
from pyciao.expmap.grid import Axis
from pyciao.expmap.project import InstrumentMap, cell_pointings, expmap_direct, expmap_fast
from pyciao.mkinstmap import instrument_map
from pyciao.sim.aspect import make_aspect

RA, DEC, ROLL = 150.0, 2.2, 30.0
DATE = "2005-06-01T00:00:00"
T0 = 233971200.0


def setup(grid):
    g = geom.acis_geometry(DATE)
    sim = geom.default_sim("ACIS-I", g)
    chip = Axis(0.5, 1.0, 1024)
    data = instrument_map(3, [2.3], [1.0], chip, chip, sim=sim, obs_date=DATE, badpix="NONE")
    data[:, 540] = 0.0                                        # a bad column
    for x, y in ((505, 789), (535, 86), (962, 396), (91, 811), (571, 299)):
        data[y - 1, x - 1] = 0.0                              # hot pixels
    imap = InstrumentMap(data, 3, chip, chip)
    exposure = 100e3
    asp = make_aspect(RA, DEC, ROLL, T0, T0 + exposure, amp_arcsec=16.0, period_y=2000.0,
                      period_z=1414.0)
    roll = asp.roll + 3.0 / 3600 * np.sin(2 * np.pi * (asp.time - T0) / 30000.0)
    hist = aspect_histogram(asp.time, asp.ra, asp.dec, roll, [[T0, T0 + exposure]], ra_nom=RA,
                            dec_nom=DEC, roll_nom=ROLL, res_xy=0.28, res_roll=600.0,
                            max_bin=1e6, dtcor=0.987337)
    pointing = cell_pointings(hist, RA, DEC, ROLL, sim)
    # the chip's sky footprint over the dither, 20 pixels of margin
    cx = np.array([0.5, 1024.5, 0.5, 1024.5])
    cy = np.array([0.5, 0.5, 1024.5, 1024.5])
    dx, dy = geom.chip_to_det(3, cx, cy, sim, g)
    x, y = geom.det_to_sky(dx, dy, RA, DEC, ROLL, RA, DEC)
    lo_x, hi_x = x.min() - 40, x.max() + 40
    lo_y, hi_y = y.min() - 40, y.max() + 40
    xa = Axis(lo_x, (hi_x - lo_x) / grid, grid)
    ya = Axis(lo_y, (hi_y - lo_y) / grid, grid)
    return imap, pointing, xa, ya


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--grid", type=int, default=1024)
    ap.add_argument("--direct-cells", type=int, default=0)
    ap.add_argument("--save", default="")
    a = ap.parse_args()
    imap, pointing, xa, ya = setup(a.grid)
    print(f"grid {xa.n} x {ya.n} sky pixels of {xa.step:.3f} x {ya.step:.3f}; "
          f"{len(pointing)} aspect cells; instrument map 1024 x 1024")
    t0 = time.perf_counter()
    fast = expmap_fast(imap, pointing, xa, ya, RA, DEC)
    t_fast = time.perf_counter() - t0
    print(f"fast:   {t_fast:8.2f} s")
    if a.direct_cells:
        idx = np.linspace(0, len(pointing) - 1, a.direct_cells).astype(int)
        t0 = time.perf_counter()
        expmap_direct(imap, pointing.subset(idx), xa, ya, RA, DEC)
        t_sub = time.perf_counter() - t0
        t_direct = t_sub * len(pointing) / len(idx)
        print(f"direct: {t_sub:8.2f} s for {len(idx)} cells -> {t_direct:.0f} s for all "
              f"(speed-up {t_direct / t_fast:.0f}x)")
        return
    t0 = time.perf_counter()
    direct = expmap_direct(imap, pointing, xa, ya, RA, DEC)
    t_direct = time.perf_counter() - t0
    print(f"direct: {t_direct:8.2f} s   speed-up {t_direct / t_fast:.0f}x")
    diff = np.abs(fast - direct)
    peak = direct.max()
    above = direct > 0.015 * peak
    rel = diff[above] / direct[above]
    print(f"max |fast - direct| / max(direct):                 {diff.max() / peak:.2e}")
    print(f"max relative difference, pixels > 1.5% of max:     {rel.max():.2e}")
    print("relative difference percentiles 50/99/99.9 (>1.5%): "
          + " ".join(f"{v:.1e}" for v in np.percentile(rel, [50, 99, 99.9])))
    print(f"pixels differing by > 0.1% / 0.5% (of those > 1.5%): "
          f"{int(np.sum(rel > 1e-3))} / {int(np.sum(rel > 5e-3))} of {int(above.sum())}")
    if a.save:
        np.savez_compressed(a.save, fast=fast, direct=direct)


if __name__ == "__main__":
    main()
