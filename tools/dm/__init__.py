"""The CIAO Data Model: virtual-file syntax, filters, binning, subspace, stacks, FITS I/O."""
