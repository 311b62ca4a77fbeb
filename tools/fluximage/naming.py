"""Output names: ``outroot`` split into a directory and a prefix, and the name of every file
fluximage makes (science.md 4.4, CIAO's ``name_*`` functions).

With H = directory + prefix, band label B, chip C and ObsID O::

    {H}{B}.img  {H}{B}_thresh.img  {H}{B}.expmap  {H}{B}_thresh.expmap  {H}{B}_flux.img
    {H}{O}.fov  {H}{C}.asphist  {H}{C}_{B}.instmap  {H}{C}_{B}.expmap

``outroot=fimg`` -> ``fimg_broad_flux.img``; ``outroot=odir/`` -> ``odir/broad_flux.img``;
``outroot=.`` or empty -> ``broad_flux.img`` in the current directory.
"""
from __future__ import annotations

import dataclasses
import os

__all__ = ["split_outroot", "Names", "Products"]


def split_outroot(outroot):
    """(directory ending in ``/`` or empty, prefix ending in ``_`` or empty)."""
    text = str(outroot or "").strip()
    if text == ".":
        text = ""
    dirname, head = os.path.split(text)
    outdir = "" if not dirname else (dirname if dirname.endswith("/") else dirname + "/")
    if head and not head.endswith("_"):
        head += "_"
    return outdir, head


@dataclasses.dataclass(frozen=True)
class Names:
    """File names under one output head (directory + prefix)."""

    head: str

    def image(self, band):
        return f"{self.head}{band.label}.img"

    def image_thresh(self, band):
        return f"{self.head}{band.label}_thresh.img"

    def expmap(self, band, chip=None):
        return f"{self.head}{'' if chip is None else f'{chip}_'}{band.label}.expmap"

    def expmap_thresh(self, band):
        return f"{self.head}{band.label}_thresh.expmap"

    def fluxed(self, band):
        return f"{self.head}{band.label}_flux.img"

    def fov(self, obsid):
        return f"{self.head}{obsid}.fov"

    def asphist(self, chip):
        return f"{self.head}{chip}.asphist"

    def instmap(self, chip, band):
        return f"{self.head}{chip}_{band.label}.instmap"


@dataclasses.dataclass
class Products:
    """Every file of a run, by kind, in the order fluximage lists them."""

    images: list
    image_thresh: list
    asphists: list
    instmaps: list
    chip_expmaps: list
    expmaps: list
    expmap_thresh: list
    fluxmaps: list
    fovs: list

    @classmethod
    def plan(cls, names, bands, chips, obsid, thresh):
        """The files for ``bands`` x ``chips``; ``thresh``: whether a threshold is applied."""
        return cls(
            images=[names.image(b) for b in bands],
            image_thresh=[names.image_thresh(b) for b in bands] if thresh else [],
            asphists=[names.asphist(c) for c in chips],
            instmaps=[names.instmap(c, b) for b in bands for c in chips],
            chip_expmaps=[names.expmap(b, c) for b in bands for c in chips],
            expmaps=[names.expmap(b) for b in bands],
            expmap_thresh=[names.expmap_thresh(b) for b in bands] if thresh else [],
            fluxmaps=[names.fluxed(b) for b in bands],
            fovs=[names.fov(obsid)],
        )

    def listing(self, cleanup):
        """[(label, files)] as fluximage prints them: with ``cleanup`` only what is kept
        (the clipped products when thresholding, else the binned image and exposure map)."""
        out = []
        thresh = bool(self.image_thresh)
        if thresh:
            out.append(("clipped counts image", self.image_thresh))
        elif cleanup:
            out.append(("binned counts image", self.images))
        if not cleanup:
            out += [("binned counts image", self.images), ("aspect histogram", self.asphists),
                    ("instrument map", self.instmaps)]
        out.append(("observation FOV", self.fovs))
        if thresh:
            out.append(("clipped exposure map", self.expmap_thresh))
        elif cleanup:
            out.append(("exposure map", self.expmaps))
        if not cleanup:
            out.append(("exposure map", self._all_expmaps()))
        out.append(("exposure-corrected image", self.fluxmaps))
        return out

    def _all_expmaps(self):
        per_band = len(self.chip_expmaps) // max(len(self.expmaps), 1)
        out = []
        for i, combined in enumerate(self.expmaps):
            out += self.chip_expmaps[i * per_band:(i + 1) * per_band] + [combined]
        return out

    def kept(self, cleanup):
        """The files left in place, each once, in listing order."""
        seen = []
        for _, files in self.listing(cleanup):
            seen += [f for f in files if f not in seen]
        return seen
