"""Good-time intervals: interval algebra, time masks and the exposure keywords that follow them.

Intervals are ``(n, 2)`` float64 arrays of [start, stop), sorted and disjoint.
"""
from __future__ import annotations

import numpy as np

__all__ = ["normalize", "intersect", "union", "complement", "total", "in_intervals",
           "update_exposure_keywords"]


def normalize(iv):
    """Sort, drop empty intervals and merge overlapping or touching ones."""
    iv = np.asarray(iv, dtype="f8").reshape(-1, 2)
    iv = iv[iv[:, 1] > iv[:, 0]]
    if len(iv) == 0:
        return iv
    iv = iv[np.argsort(iv[:, 0], kind="stable")]
    out = [list(iv[0])]
    for a, b in iv[1:]:
        if a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return np.array(out, dtype="f8")


def intersect(a, b):
    """Intersection of two interval lists (each assumed sorted and disjoint)."""
    a = np.asarray(a, "f8").reshape(-1, 2)
    b = np.asarray(b, "f8").reshape(-1, 2)
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i, 0], b[j, 0]), min(a[i, 1], b[j, 1])
        if hi > lo:
            out.append((lo, hi))
        if a[i, 1] < b[j, 1]:
            i += 1
        else:
            j += 1
    return np.array(out, dtype="f8").reshape(-1, 2)


def union(a, b):
    return normalize(np.vstack([np.asarray(a, "f8").reshape(-1, 2), np.asarray(b, "f8").reshape(-1, 2)]))


def complement(a, lo=-np.inf, hi=np.inf):
    a = normalize(a)
    edges = np.concatenate([[lo], a.ravel(), [hi]])
    return normalize(edges.reshape(-1, 2))


def total(a):
    a = np.asarray(a, "f8").reshape(-1, 2)
    return float(np.sum(a[:, 1] - a[:, 0])) if len(a) else 0.0


def in_intervals(t, iv):
    """Boolean mask: ``start <= t < stop`` for some interval (vectorised, any size)."""
    iv = normalize(iv)
    t = np.asarray(t)
    if len(iv) == 0:
        return np.zeros(t.shape, bool)
    k = np.searchsorted(iv[:, 0], t, side="right") - 1
    ok = k >= 0
    kk = np.where(ok, k, 0)
    return ok & (t < iv[kk, 1])


def update_exposure_keywords(header, per_block, first):
    """Recompute ONTIME/LIVETIME/EXPOSURE after the GTIs changed.

    ``per_block``: {suffix: intervals} where ``suffix`` is the CCD number as a string ('7'),
    or '' for a single-GTI instrument; ``first`` is the suffix of the first component, whose
    values become the un-suffixed ONTIME/LIVETIME/EXPOSURE (as in Chandra files).
    Live time = on time x DTCOR (or x the old LIVETIME/ONTIME ratio when DTCOR is absent).
    """
    dtcor = header.get("DTCOR")
    def ratio(sfx):
        if isinstance(dtcor, (int, float)):
            return float(dtcor)
        on, live = header.get("ONTIME" + sfx), header.get(_live_key(sfx))
        if isinstance(on, (int, float)) and isinstance(live, (int, float)) and on:
            return float(live) / float(on)
        return 1.0
    values = {}
    for sfx, iv in per_block.items():
        on = total(iv)
        live = on * ratio(sfx)
        values[sfx] = (on, live)
        if sfx:
            for key, val in (("ONTIME" + sfx, on), (_live_key(sfx), live), (_exp_key(sfx), live)):
                if key in header:
                    header[key] = val
    if first in values:
        on, live = values[first]
        for key, val in (("ONTIME", on), ("LIVETIME", live), ("EXPOSURE", live)):
            if key in header:
                header[key] = val


def _live_key(sfx):
    return "LIVTIME" + sfx if sfx else "LIVETIME"


def _exp_key(sfx):
    return "EXPOSUR" + sfx if sfx else "EXPOSURE"
