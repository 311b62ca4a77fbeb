"""The CIAO Data Model: virtual-file syntax, filters, binning, subspace, stacks, FITS I/O.

Public surface for tools (everything else is internal)::

    from pyciao.dm import open_virtual, write_view, expand_stack

    view = open_virtual("evt2.fits[ccd_id=7,energy=500:7000][cols time,sky]")
    view.kind                    # 'table', 'image' or 'null'
    view.nrows, view.columns     # TableView: filtered row count, visible ColumnInfo list
    view.read(["x", "y"])        # {name: filtered numpy array}; only these columns are read
    for chunk in view.iter_chunks(["x", "y"]): ...       # the same, chunk by chunk
    view.subspace                # Subspace: per-component ranges, GTIs, regions
    view.gti_intervals()         # {'GTI7': (n, 2) array} after time filters
    view.updated_header()        # header with ONTIME/LIVETIME/EXPOSURE recomputed

    img = open_virtual("evt2.fits[sky=circle(4096,4096,20)][bin sky=1]")
    img.data, img.axes, img.world     # numpy image, AxisTransform per axis, world WCS cards
    img.good_mask()                   # False for null pixels (outside the region, NaN, BLANK)

    write_view("out.fits", view, history=("dmcopy", [("infile", spec), ...]))

    # a new table (dmextract's HISTOGRAM, dmgti's GTI), then the input's other blocks
    hdu = new_table_hdu("HISTOGRAM", [NewColumn("COUNTS", counts, "count", "Counts")],
                        header=view.updated_header(), history=("dmextract", params))
    write_fits("out.fits", [null_primary_hdu(), hdu] + other_hdus(view))

    parse_expression("imgout=img1/img2").evaluate(env)   # dmimgcalc/dmgti/dmtcalc syntax
    merge_headers([h1, h2], rules)                        # lookupTab rules, CIAO's messages

Modules: ``syntax`` (the one parser -> VirtualFile tree, DMSyntaxError with positions),
``stack`` (stacks), ``fitsfile`` (blocks, memory-mapped rows, our FITS writer with checksums),
``filters`` (compiled row predicates), ``subspace`` (DSS), ``gti`` (interval algebra,
exposure keywords), ``wcs`` (physical/world transforms), ``table`` (TableView), ``image``
(ImageView: crop, null, rebin), ``binning`` (grids and histograms), ``writer`` (HDUs,
HISTORY, new tables), ``virtual`` (open_virtual), ``textformat`` (dmlist number rules),
``expr`` (dmmath expressions), ``headermerge`` (merging headers by a lookup table),
``regions`` (the region library).
"""
from .binning import bin_table, histogram, resolve_grid
from .expr import ExprError, parse_expression
from .fitsfile import open_dataset, write_fits
from .headermerge import merge_headers, resolve_lookup_table
from .stack import StackError, expand_stack
from .syntax import DMSyntaxError, VirtualFile, parse_virtual_file
from .virtual import open_virtual, read_gti
from .writer import (
                     NewColumn,
                     dataset_hdus,
                     history_records,
                     image_hdu,
                     new_table_hdu,
                     null_primary_hdu,
                     other_hdus,
                     table_hdu,
                     write_view,
)

__all__ = ["open_virtual", "read_gti", "parse_virtual_file", "VirtualFile", "DMSyntaxError",
           "expand_stack", "StackError", "bin_table", "resolve_grid", "open_dataset", "write_fits",
           "write_view", "dataset_hdus", "image_hdu", "table_hdu", "history_records", "histogram",
           "parse_expression", "ExprError", "merge_headers", "resolve_lookup_table", "NewColumn",
           "new_table_hdu", "null_primary_hdu", "other_hdus"]
