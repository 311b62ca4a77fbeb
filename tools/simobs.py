"""simobs: simulate a Chandra ACIS imaging observation with known truth (pyciao's own tool).

Writes ``<outroot>_evt2.fits``, ``_asol1.fits``, ``_bpix1.fits``, ``_msk1.fits``, ``_fov1.fits``
and ``_truth.fits``. The numeric core is :func:`pyciao.sim.simulate`.
"""
from .errors import ToolError
from .messages import info
from .task import get_param, tool_main


def config_from_params(p):
    """ObsConfig from the typed parameters (INDEF -> None -> the default for the date)."""
    from .sim.observe import ObsConfig
    from .sim.sources import parse_srclist

    srclist = str(get_param(p, "srclist", "") or "").strip()
    sources = None
    if srclist and srclist.upper() not in ("NONE", "DEFAULT"):
        sources = parse_srclist(srclist)

    def opt(name):
        try:
            v = p[name]
        except (KeyError, TypeError):
            v = getattr(p, name, None)
        return None if v in (None, "", "INDEF") else float(v)

    return ObsConfig(
        ra_nom=float(get_param(p, "ra", 150.0)), dec_nom=float(get_param(p, "dec", 2.2)),
        roll_nom=float(get_param(p, "roll", 30.0)), detector=str(get_param(p, "detector", "ACIS-I")),
        exposure=float(get_param(p, "exposure", 5000.0)), bkgrate=float(get_param(p, "bkgrate", 0.1)),
        date=str(get_param(p, "date", "2005-06-01T00:00:00")), seed=int(get_param(p, "seed", 1)),
        dither_amp=opt("dither_amp"), dither_yperiod=opt("dither_yperiod"),
        dither_zperiod=opt("dither_zperiod"), sources=sources,
        obs_id=int(get_param(p, "obsid", 90001)),
    )


def run(p):
    from .caldb.index import parse_date
    from .sim.observe import simulate
    from .sim.products import write_all

    outroot = str(get_param(p, "outroot", "") or "").strip()
    if not outroot:
        raise ToolError("Please specify outroot (the root of the output file names)")
    parse_date(get_param(p, "date", "2005-06-01T00:00:00"), now_ok=False)
    config = config_from_params(p)
    obs = simulate(config)
    paths = write_all(outroot, obs, clobber=bool(get_param(p, "clobber", False)))
    info(f"Simulated {len(obs.events['time'])} events on ACIS-"
         f"{''.join(str(c) for c in config.chips)}, exposure {obs.timing.livetime:.1f} s", 1)
    for row in obs.truth["sources"]:
        info(f"  {row['name']:<10s} ra={row['ra']:.6f} dec={row['dec']:.6f} "
             f"photflux={row['photflux']:g} {row['spectrum']:<9s} expected "
             f"{row['expected_total']:.1f} counts, simulated {sum(row['detected'].values())}", 2)
    for key in ("evt", "asol", "bpix", "msk", "fov", "truth"):
        info(f"Wrote {paths[key]}", 1)
    return None


main = tool_main("simobs", run)
