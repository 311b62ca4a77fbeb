"""The exposure-map chain's numeric machinery, shared by asphist, mkinstmap and mkexpmap.

    grid      xygrid / pixelgrid strings -> regular axes (CIAO's round-up rule)
    aspect    the aspect histogram: dwell time per (x, y, roll) offset cell
    project   instrument map x aspect histogram -> exposure on a sky grid
              (``direct``: every aspect cell in turn, the reference; ``fast``: exact
              edges from the dither kernel's distribution, smooth area by Taylor)

The tool modules (``pyciao.asphist``, ``pyciao.mkinstmap``, ``pyciao.mkexpmap``) read and write
files and call these plain functions of arrays.
"""
