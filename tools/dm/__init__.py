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

Modules: ``syntax`` (the one parser -> VirtualFile tree, DMSyntaxError with positions),
``stack`` (stacks), ``fitsfile`` (blocks, memory-mapped rows, our FITS writer with checksums),
``filters`` (compiled row predicates), ``subspace`` (DSS), ``gti`` (interval algebra,
exposure keywords), ``wcs`` (physical/world transforms), ``table`` (TableView), ``image``
(ImageView: crop, null, rebin), ``binning`` (grids and histograms), ``writer`` (HDUs,
HISTORY), ``virtual`` (open_virtual), ``textformat`` (dmlist number rules), ``regions``
(the region library).
"""
from .binning import bin_table, resolve_grid
from .fitsfile import open_dataset, write_fits
from .stack import StackError, expand_stack
from .syntax import DMSyntaxError, VirtualFile, parse_virtual_file
from .virtual import open_virtual, read_gti
from .writer import dataset_hdus, history_records, image_hdu, table_hdu, write_view

__all__ = ["open_virtual", "read_gti", "parse_virtual_file", "VirtualFile", "DMSyntaxError",
           "expand_stack", "StackError", "bin_table", "resolve_grid", "open_dataset", "write_fits",
           "write_view", "dataset_hdus", "image_hdu", "table_hdu", "history_records"]
