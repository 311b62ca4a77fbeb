"""Simulation speed: ``python benchmarks/bench_simobs.py [events]`` (default 1e6).

Scales the default field's fluxes so that about N events are detected, then times the
simulation (photons -> events), the truth quadrature, and the writing of the six products.
"""
import dataclasses
import os
import sys
import tempfile
import time

from pyciao import geom
from pyciao.sim.observe import ObsConfig, simulate
from pyciao.sim.products import write_all
from pyciao.sim.sources import default_field


def main(target=1_000_000):
    base = ObsConfig()
    sim = geom.default_sim("ACIS-I")
    srcs = default_field(base.ra_nom, base.dec_nom, base.roll_nom, sim)
    scale = target / 51000.0                       # the default field gives ~51k source events
    srcs = [dataclasses.replace(s, photflux=s.photflux * scale) for s in srcs]
    t0 = time.perf_counter()
    obs = simulate(ObsConfig(sources=srcs), with_truth=False)
    t1 = time.perf_counter()
    from pyciao.sim.truth import expected_counts
    obs.truth = expected_counts(obs)
    t2 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        write_all(os.path.join(tmp, "bench"), obs)
        size = sum(os.path.getsize(os.path.join(tmp, f)) for f in os.listdir(tmp))
    t3 = time.perf_counter()
    n = len(obs.events["time"])
    print(f"{n} events: simulate {t1 - t0:.2f} s, truth {t2 - t1:.2f} s, write {t3 - t2:.2f} s "
          f"({size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main(int(float(sys.argv[1])) if len(sys.argv) > 1 else 1_000_000)
