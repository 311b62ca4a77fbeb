"""Speed of ``Region.contains`` on 10^7 event positions (run by hand, not in CI).

    python benchmarks/regions_contains.py [npoints]

Events are spread uniformly over an 8192 x 8192 ACIS sky field (the worst case for the
bounding-box shortcut is a region covering much of it, so a large region is timed too).
"""
import sys
import time

import numpy as np

from pyciao.dm.regions import parse_region

CASES = [
    ("circle r=20 (typical source)", "circle(4096.5,4096.5,20)"),
    ("circle r=3000 (covers 42% of the field)", "circle(4096.5,4096.5,3000)"),
    ("3 shapes: circle - box + ellipse", "circle(4096,4096,400)-box(4100,4100,50,50)"
                                        "+ellipse(3000,5000,300,120,30)"),
    ("3 shapes, large: annulus - pie + polygon",
     "annulus(4096,4096,500,3000)-pie(4096,4096,0,3000,10,80)"
     "+polygon(100,100,2000,300,1500,2500,200,1800)"),
    ("field() minus 100 source circles",
     "field()" + "".join(f"-circle({1000 + 60 * i},{1000 + 55 * i},8)" for i in range(100))),
]


def main(n=10_000_000, repeat=3):
    rng = np.random.default_rng(42)
    x = rng.uniform(0.5, 8192.5, n)
    y = rng.uniform(0.5, 8192.5, n)
    print(f"{n:,} points, best of {repeat}")
    for label, text in CASES:
        region = parse_region(text)
        best = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            inside = region.contains(x, y)
            best = min(best, time.perf_counter() - t0)
        print(f"  {label:45s} {best:7.3f} s   ({inside.mean():6.2%} inside)")


if __name__ == "__main__":
    main(int(float(sys.argv[1])) if len(sys.argv) > 1 else 10_000_000)
