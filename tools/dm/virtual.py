"""``open_virtual``: from a virtual-file string to a TableView, ImageView or HeaderView.

This is where the pieces meet: parse (``syntax``), open the file and pick the block
(``fitsfile``), compile and apply filters (``filters``/``image``), narrow the subspace
(``subspace``), select columns, and bin (``binning``).
"""
from __future__ import annotations

import os

import numpy as np

from ..errors import ToolError
from . import gti as gtimod
from .binning import bin_table
from .filters import FilterContext, Predicate, compile_group
from .fitsfile import open_dataset
from .image import ImageView
from .subspace import Subspace
from .syntax import DMSyntaxError, VirtualFile, parse_virtual_file
from .table import TableView, update_subspace
from .wcs import pair_wcs, physical_world_wcs

__all__ = ["open_virtual", "HeaderView", "region_text", "CaseInsensitiveDict"]


class HeaderView:
    """A block without data (a null primary): header only."""
    kind = "null"

    def __init__(self, dataset, info):
        self.dataset, self.info, self.name = dataset, info, info.name
        self.header = info.header.copy()
        self.subspace = Subspace.from_header(self.header)
        self.source = None


class CaseInsensitiveDict(dict):
    """Column dict whose keys also answer in upper and lower case (for region tables)."""

    def __getitem__(self, key):
        try:
            return dict.__getitem__(self, key)
        except KeyError:
            for k in self.keys():
                if k.lower() == str(key).lower():
                    return dict.__getitem__(self, k)
            raise

    def __contains__(self, key):
        return any(k.lower() == str(key).lower() for k in self.keys())

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default


def region_text(region):
    """The CIAO string of a region (truncated like the DM does for very long ones)."""
    return str(region)


def _regions_module():
    try:
        from . import regions
    except ImportError:  # pragma: no cover - the region library ships with pyciao
        raise ToolError("region filtering needs the region library (pyciao.dm.regions)") from None
    return regions


def _resolve_path(path, base_dir):
    if path == "-":
        raise ToolError("reading FITS data from stdin ('-') is not supported yet")
    path = os.path.expanduser(os.path.expandvars(path))
    if base_dir and not os.path.isabs(path):
        path = os.path.join(base_dir, path)
    return path


class _Context(FilterContext):
    """FilterContext plus what image filters need."""

    def __init__(self, block, source, base_dir, header=None):
        super().__init__(block, source, self._parse_table_region, self._read_gti)
        self.base_dir, self.header = base_dir, header

    def _region(self, text, wcs, pos):
        regions = _regions_module()
        try:
            return regions.parse_region(text, wcs=wcs, open_table=self._open_table,
                                        base_dir=self.base_dir)
        except regions.RegionError as exc:
            raise DMSyntaxError(f"bad region: {exc}", self.source, pos, kind=None) from None
        except ToolError:
            raise
        except (OSError, ValueError) as exc:
            raise DMSyntaxError(f"bad region: {exc}", self.source, pos, kind=None) from None

    def _parse_table_region(self, text, colx, coly, pos):
        wcs = pair_wcs(colx, coly) if colx is not coly else None
        return self._region(text, wcs, pos)

    def image_region(self, node, view):
        return self._region(node.text, physical_world_wcs(view.header_with_world())
                            if hasattr(view, "header_with_world") else None, node.text_pos)

    def region_text(self, region):
        return region_text(region)

    def _open_table(self, spec):
        view = open_virtual(spec)          # the region library has resolved the name already
        if view.kind != "table":
            raise ToolError(f"region file {spec} is not a table")
        return CaseInsensitiveDict(view.read())

    def _read_gti(self, spec, pos):
        try:
            return read_gti(spec, base_dir=self.base_dir)
        except DMSyntaxError:
            raise
        except ToolError as exc:
            raise DMSyntaxError(str(exc), self.source, pos, kind=None) from None


def read_gti(spec, base_dir=None):
    """Good time intervals named by ``@spec``: a START/STOP table, or a file's time subspace."""
    vf = parse_virtual_file(spec)
    ds = open_dataset(_resolve_path(vf.path, base_dir))
    def startstop(b):
        return b.kind == "table" and b.column("START") is not None and b.column("STOP") is not None
    if vf.block is None and not vf.filters:
        for b in ds.blocks:
            if startstop(b):
                return _read_startstop(ds, b)
    view = open_virtual(vf, base_dir=base_dir)
    if view.kind == "table" and startstop(view.info):
        data = view.read([view.info.column("START").name, view.info.column("STOP").name])
        return gtimod.normalize(np.column_stack(list(data.values())))
    gtis = [g.intervals for _, g in view.subspace.gti_blocks()]
    if gtis:
        out = gtis[0]
        for g in gtis[1:]:
            out = gtimod.union(out, g)
        return out
    raise ToolError(f"no good time intervals found in {spec}")


def _read_startstop(ds, b):
    raw = ds.raw_rows(b)
    s, e = b.column("START"), b.column("STOP")
    return gtimod.normalize(np.column_stack([s.decode(raw[f"c{s.index}"]), e.decode(raw[f"c{e.index}"])]))


def _gti_reader(ds):
    def read(name):
        try:
            b = ds.block(name)
        except ToolError:
            return np.zeros((0, 2))
        if b.kind != "table" or b.column("START") is None:
            return np.zeros((0, 2))
        return _read_startstop(ds, b)
    return read


def open_virtual(spec, *, base_dir=None):
    """Open a virtual file: returns a TableView, an ImageView or a HeaderView.

    ``spec``: the string (``"evt2.fits[ccd_id=7][bin sky=4]"``) or a parsed VirtualFile.
    ``base_dir``: directory for relative names (the file, region files, @-filters).
    Errors are ToolErrors naming the file, block, column or the offending column of the text.
    """
    vf = spec if isinstance(spec, VirtualFile) else parse_virtual_file(spec)
    ds = open_dataset(_resolve_path(vf.path, base_dir))
    try:
        info = ds.block(vf.block)
    except ToolError as exc:
        raise DMSyntaxError(str(exc), vf.text, vf.block_pos, kind=None) from None
    ctx = _Context(info, vf.text, base_dir)
    if info.kind == "table":
        return _open_table(ds, info, vf, ctx)
    if info.kind == "image":
        return _open_image(ds, info, vf, ctx)
    if vf.filters or vf.bin or vf.cols:
        raise DMSyntaxError(f"block {info.name} has no data to filter", vf.text, vf.block_pos, kind=None)
    return HeaderView(ds, info)


def _open_table(ds, info, vf, ctx):
    subspace = Subspace.from_header(info.header, info.columns, info.vectors, _gti_reader(ds))
    collected = {}
    preds = [compile_group(ctx, g, collected) for g in vf.filters]
    pred = Predicate.all_of(preds)
    view = TableView(ds, info, pred, None, subspace,
                     name=vf.out_block if (vf.out_block and not vf.bin) else None)
    view.regions = collected.get("regions", [])
    if str(vf.options.get("update", "yes")).lower() not in ("no", "n", "false", "0"):
        update_subspace(view, vf.filters, collected, region_text)
    for name in vf.subspace_removals:
        view.subspace.remove(name)
    for items in vf.cols:
        view.select_columns(items, vf.text, ctx.error)
    if vf.bin:
        return bin_table(view, vf.bin, vf.options, name=vf.out_block)
    return view


def _open_image(ds, info, vf, ctx):
    if vf.cols:
        raise DMSyntaxError("[cols] applies to tables; this block is an image", vf.text, vf.block_pos, kind=None)
    view = ImageView.from_block(ds, info)
    view.dataset, view.info = ds, info
    if vf.out_block:
        view.name = vf.out_block
    null = vf.options.get("null")
    if null not in (None, True) and view.data.dtype.kind in "iu":
        view.null = int(float(null))
    for g in vf.filters:
        view.apply_filter(g, ctx, vf.options)
    for name in vf.subspace_removals:
        view.subspace.remove(name)
    if vf.bin:
        view.rebin(vf.bin, ctx)
    opt_type = vf.options.get("type")
    if opt_type:
        from .binning import _TYPES
        try:
            view.data = view.data.astype(_TYPES[str(opt_type).lower()])
        except KeyError:
            raise ToolError(f"unknown image type '{opt_type}' (use i2, i4, r4 or r8)") from None
    return view
