"""dmcoords: the thread's printout, conversions both ways, parameter and interactive modes."""
import io

import numpy as np
import pytest
from pyciao import dmcoords, geom
from pyciao.dmcoords import (
    Position,
    convert,
    format_block,
    format_dec,
    format_ra,
    frame_from_header,
    parse_dec,
    parse_ra,
    session,
)
from pyciao.errors import ToolError

# "Single Chip ACIS Exposure Map" thread, ObsID 11823: dmcoords>: sky 4181 3942
THREAD = "\n".join([
    "(RA,Dec):     16:17:36.232    -51:02:24.46   ",          # (sic: three trailing spaces)
    "(RA,Dec):      244.40097      -51.04013 deg",
    "THETA,PHI          1.444'        290.43 deg",
    "(Logical):        4181.00       3942.00",
    "SKY(X,Y):         4181.00       3942.00",
    "DETX,DETY         4157.96       3931.47",
    "CHIP ACIS-I1        69.59        967.34",
    "TDET              4164.66       4176.59"])


def test_the_thread_layout():
    ra = parse_ra("16:17:36.232")
    dec = parse_dec("-51:02:24.46")
    pos = Position(ra, dec, 4181.0, 3942.0, 4181.0, 3942.0, 4157.96, 3931.47, 1.444, 290.43,
                   1, 69.59, 967.34, 4164.66, 4176.59)
    assert "\n".join(format_block(pos)) == THREAD


def test_the_thread_chip_det_and_angles():
    """The thread's chip -> tdet and det -> (theta, phi) through our conversions."""
    g = geom.acis_geometry()
    frame = dmcoords.Frame(244.4, -51.04, 0.0, 244.4, -51.04, 0.0, geom.default_sim("ACIS-I", g),
                           (0, 1, 2, 3), None, g)
    pos = convert(frame, "chip", 1, 69.59, 967.34)
    assert (pos.tdetx, pos.tdety) == pytest.approx((4164.66, 4176.59), abs=1e-9)
    pos = convert(frame, "det", 4157.96, 3931.47)
    assert f"{pos.theta:.3f} {pos.phi:.2f}" == "1.444 290.43"


def test_angle_formats():
    assert format_ra(parse_ra("12:29:06.700")) == "12:29:06.700"
    assert format_dec(parse_dec("+02:03:08.60")) == "+02:03:08.60"       # sign always
    assert format_ra(359.99999999) == "00:00:00.000" and format_dec(-0.5) == "-00:30:00.00"
    assert format_ra(parse_ra("01 13 51.053")) == "01:13:51.053"
    assert parse_ra("186.713616315192") == 186.713616315192
    for bad, fn in (("12:xx", parse_ra), ("95", parse_dec), ("", parse_ra)):
        with pytest.raises(ToolError):
            fn(bad)


@pytest.fixture(scope="module")
def frame(sim):
    from pyciao.dm import open_virtual

    return frame_from_header(open_virtual(sim.paths["evt"]).header)


def test_round_trips(frame, sim):
    obs = sim.obs
    for name in ("onaxis", "offaxis5", "edge", "pow"):
        r = next(s for s in obs.truth["sources"] if s["name"] == name)
        a = convert(frame, "cel", r["ra"], r["dec"])
        assert (a.x, a.y) == pytest.approx((r["x"], r["y"]), abs=1e-6)
        for opt, vals in (("sky", (a.x, a.y)), ("det", (a.detx, a.dety)), ("msc", (a.theta, a.phi)),
                          ("chip", (a.chip_id, a.chipx, a.chipy)), ("tdet", (a.tdetx, a.tdety)),
                          ("logical", (a.logicalx, a.logicaly))):
            b = convert(frame, opt, *vals)
            assert (b.x, b.y, b.chip_id) == pytest.approx((a.x, a.y, a.chip_id), abs=1e-6), opt
    # the truth table's chip positions of the default field (spec: chip, chipx, chipy)
    pos = convert(frame, "chip", 3, 6, 420)
    edge = next(s for s in obs.truth["sources"] if s["name"] == "edge")
    # the header pointing is the mean dither pointing; the source was placed for the nominal
    assert np.hypot(pos.x - edge["x"], pos.y - edge["y"]) < 0.5


def test_sky_to_chip_matches_the_events(frame, sim):
    """Events' sky positions map back to their chip pixels within the dither (+-8") and the
    pixel randomisation."""
    ev = sim.obs.events
    idx = np.flatnonzero(sim.obs.source_id >= 0)[:40]
    for i in idx:
        pos = convert(frame, "sky", float(ev["x"][i]), float(ev["y"][i]))
        assert pos.chip_id == ev["ccd_id"][i] or pos.chip_id is None or abs(pos.chipx - 512) > 480
        if pos.chip_id == ev["ccd_id"][i]:
            off = np.hypot(pos.chipx - ev["chipx"][i], pos.chipy - ev["chipy"][i])
            assert off < 8 / 0.492 * 1.5 + 1


def test_parameter_mode_stores_outputs(sim):
    out = dmcoords.run(dict(infile=sim.paths["evt"], asolfile=sim.paths["asol"], option="sky",
                            x=4181.0, y=3942.0, celfmt="deg", verbose=0))
    assert out["chip_id"] == 1 and float(out["x"]) == 4181.0
    assert out["ra"] == f"{float(out['ra']):.16g}"
    assert len(out["chipx"].replace(".", "").lstrip("0")) <= 16
    hms = dmcoords.run(dict(infile=sim.paths["evt"], asolfile="none", option="cel", ra=out["ra"],
                            dec=out["dec"], celfmt="hms", verbose=0))
    assert hms["ra"].count(":") == 2 and hms["dec"][0] in "+-"
    # the mean aspect of the file equals the header's mean pointing here
    assert float(hms["x"]) == pytest.approx(4181.0, abs=1e-6)


def test_parameter_mode_errors(sim):
    base = dict(infile=sim.paths["evt"], asolfile="none", celfmt="hms", verbose=0)
    with pytest.raises(ToolError, match="needs x, y"):
        dmcoords.run(dict(base, option="sky", x=None, y=1.0))
    with pytest.raises(ToolError, match="Invalid option"):
        dmcoords.run(dict(base, option="galactic"))
    with pytest.raises(ToolError, match="chip_id"):
        dmcoords.run(dict(base, option="chip", chip_id=12, chipx=1.0, chipy=1.0))
    with pytest.raises(ToolError, match="ACIS"):
        dmcoords.run(dict(base, option="sky", x=1.0, y=1.0, detector="HRC-I"))


def test_interactive_session(frame):
    stdin = io.StringIO("sky 4181 3942\nchip I3 6 420\nnonsense 1 2\nsky a b\nq\n")
    out = io.StringIO()
    session(frame, stdin, out)
    text = out.getvalue()
    assert text.startswith("dmcoords>: sky 4181 3942\n(RA,Dec): ")
    assert "CHIP ACIS-I1" in text and "CHIP ACIS-I3         6.00        420.00" in text
    assert "dmcoords: Invalid option 'nonsense'" in text and "cannot read 'a b'" in text
    assert text.rstrip().endswith("dmcoords>: q")


def test_logical_coordinates_of_an_image(sim, tmp_path):
    """TV (match_binning): logical (0.5, 0.5) of [bin x=3595.5:4771.5:#294,...] is the grid's
    lower-left corner (3595.5, 3799.5), logical (294.5, 297.5) the upper right."""
    from pyciao.dm import open_virtual, write_view

    img = tmp_path / "img.fits"
    grid = "x=3595.5:4771.5:#294,y=3799.5:4987.5:#297"
    write_view(str(img), open_virtual(f"{sim.paths['evt']}[bin {grid}]"))
    p = dict(infile=str(img), asolfile="none", option="logical", celfmt="deg", verbose=0)
    out = dmcoords.run(dict(p, logicalx=0.5, logicaly=0.5))
    assert (float(out["x"]), float(out["y"])) == (3595.5, 3799.5)
    out = dmcoords.run(dict(p, logicalx=294.5, logicaly=297.5))
    assert (float(out["x"]), float(out["y"])) == pytest.approx((4771.5, 4987.5), abs=1e-9)
    back = dmcoords.run(dict(p, option="sky", x=4000.0, y=4000.0))
    assert float(back["logicalx"]) == pytest.approx(0.5 + (4000 - 3595.5) / 4.0)
