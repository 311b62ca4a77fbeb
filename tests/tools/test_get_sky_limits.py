"""get_sky_limits: spec dm.md §8.7 (G1-G7, TV-4), a CIAO-made image, and the command line
with `pget get_sky_limits xygrid` afterwards."""
import numpy as np
import pytest
from astropy.io import fits

from pyciao import get_sky_limits as gsl
from pyciao.errors import ToolError


def image(tmp_path, nx, ny, lo, step, names=("x", "y"), name="img.fits"):
    """An image whose physical axes start at ``lo`` (outer edge) with pixel size ``step``."""
    h = fits.Header()
    steps = step if isinstance(step, tuple) else (step, step)
    for n, (nm, l0, s) in enumerate(zip(names, lo, steps), start=1):
        h[f"CTYPE{n}P"] = nm
        h[f"CRVAL{n}P"] = l0
        h[f"CRPIX{n}P"] = 0.5
        h[f"CDELT{n}P"] = s
    path = tmp_path / name
    fits.PrimaryHDU(np.zeros((ny, nx), "i2"), h).writeto(path)
    return str(path)


@pytest.mark.parametrize("nx,ny,lo,step,names,dmfilter,xygrid", [
    # G1 (match_binning): 294x297, 4-pixel bins
    (294, 297, (3595.5, 3799.5), 4.0, ("x", "y"), "x=3595.5:4771.5:#294,y=3799.5:4987.5:#297",
     "3595.5:4771.5:#294,3799.5:4987.5:#297"),
    # G2
    (140, 140, (3624.5, 3832.5), 8.0, ("x", "y"), "x=3624.5:4744.5:#140,y=3832.5:4952.5:#140",
     "3624.5:4744.5:#140,3832.5:4952.5:#140"),
    # G3 / TV-4 (expmap_acis_multi): grid from a FOV region's box, lower-left 2872.7008031
    (298, 298, (2872.7008031, 2850.5276876), 8.0, ("x", "y"),
     "x=2872.7:5256.7:#298,y=2850.5:5234.5:#298", "2872.7:5256.7:#298,2850.5:5234.5:#298"),
    # G4: axis names as stored (a PSF image with X, Y)
    (256, 256, (3934.5, 3909.5), 1.0, ("X", "Y"), "X=3934.5:4190.5:#256,Y=3909.5:4165.5:#256",
     "3934.5:4190.5:#256,3909.5:4165.5:#256"),
    # TV-4 HRC: 884x668, 8-pixel bins
    (884, 668, (13176.5, 13240.5), 8.0, ("x", "y"), "x=13176.5:20248.5:#884,y=13240.5:18584.5:#668",
     "13176.5:20248.5:#884,13240.5:18584.5:#668"),
])
def test_g1_g4_filters_and_grids(tmp_path, nx, ny, lo, step, names, dmfilter, xygrid):
    lim = gsl.sky_limits(image(tmp_path, nx, ny, lo, step, names))
    assert tuple(lim) == (lim.dmfilter, lim.xygrid) == (dmfilter, xygrid)
    assert lim.size == (nx, ny)


def test_tv4_printed_report(tmp_path, params, capsys):
    # lower-left corners that are exact binary fractions, so the pixel size prints as 8.0
    path = image(tmp_path, 298, 298, (2872.703125, 2850.52734375), 8.0)
    out = gsl.run(params("get_sky_limits", image=path))
    assert capsys.readouterr().out == (
        "Running: get_sky_limits\n"
        "  version: 07 October 2016\n"
        f"Checking binning of image: {path}\n"
        "  Image has 298 x 298 pixels\n"
        "  Pixel size is 8.0 by 8.0\n"
        "  Lower left (0.5,0.5) corner is x,y= 2872.7, 2850.5\n"
        "  Upper right (298.5,298.5) corner is x,y= 5256.7, 5234.5\n"
        "  DM filter is:\n"
        "    x=2872.7:5256.7:#298,y=2850.5:5234.5:#298\n"
        "  mkexpmap xygrid value is:\n"
        "    2872.7:5256.7:#298,2850.5:5234.5:#298\n")
    assert out == {"dmfilter": "x=2872.7:5256.7:#298,y=2850.5:5234.5:#298",
                   "xygrid": "2872.7:5256.7:#298,2850.5:5234.5:#298"}


def test_verbose_0_prints_nothing_but_returns_the_outputs(tmp_path, params, capsys):
    path = image(tmp_path, 10, 10, (0.5, 0.5), 1.0)
    out = gsl.run(params("get_sky_limits", image=path, verbose=0))
    assert capsys.readouterr().out == ""
    assert out["xygrid"] == "0.5:10.5:#10,0.5:10.5:#10"


def test_g5_pixel_size_printed_with_python_str(tmp_path):
    # physical axes whose edge arithmetic leaves float noise in the pixel size
    path = image(tmp_path, 980, 314, (24105.7, 30197.101), (15.999999999999993, 15.999999999999979))
    lim = gsl.sky_limits(path)
    report = gsl.format_report(lim, path)
    assert "  Pixel size is 15.999999999999996 by 15.999999999999988\n" in report
    assert lim.dmfilter == "x=24105.7:39785.7:#980,y=30197.1:35221.1:#314"


@pytest.mark.parametrize("precision,lo,hi", [(0, "1023", "1439"), (1, "1023.5", "1439.2"),
                                             (2, "1023.45", "1439.20"), (3, "1023.450", "1439.204")])
def test_g6_precision_table(tmp_path, precision, lo, hi):
    path = image(tmp_path, 1, 1, (1023.45, 1023.45), 1439.204 - 1023.45)
    lim = gsl.sky_limits(path, precision)
    assert lim.xygrid == f"{lo}:{hi}:#1,{lo}:{hi}:#1"


def test_g7_a_table_is_not_an_image(make_events):
    evt = make_events(columns={"x": np.array([1.0], "f4"), "y": np.array([1.0], "f4")})
    with pytest.raises(ToolError, match=r"^The file '.*evt.fits' is not an image\.$"):
        gsl.sky_limits(evt)


def test_3d_image_is_refused(tmp_path):
    path = tmp_path / "cube.fits"
    fits.PrimaryHDU(np.zeros((2, 3, 4), "i2")).writeto(path)
    with pytest.raises(ToolError, match=r"should be 2D, found 3D\.$"):
        gsl.sky_limits(str(path))


def test_missing_file_message(tmp_path):
    with pytest.raises(ToolError, match=r"^Unable to open 'nope.fits': "):
        gsl.sky_limits("nope.fits")


def test_ciao_made_image_gives_back_its_dmcopy_binning(shared_data):
    """ngc5044_obs9399_img.fits was made by dmcopy "...[bin x=3532.5:4988.5:4,y=3092.5:4556.5:4]"
    (its HISTORY); get_sky_limits must return that grid."""
    path = shared_data / "kglotfelty_ciao_tools" / "images" / "ngc5044_obs9399_img.fits"
    history = [str(h) for h in fits.getheader(path)["HISTORY"]]
    assert any("[bin x=3532.5:4988.5:4,y=3092.5:4556.5:4]" in h for h in history)
    lim = gsl.sky_limits(str(path))
    assert lim.dmfilter == "x=3532.5:4988.5:#364,y=3092.5:4556.5:#366"
    assert lim.width == (4.0, 4.0)


def test_virtual_file_binning_of_events(make_events):
    """`get_sky_limits "evt2.fits[sky=region(r)][bin sky=1]"` works on a binned virtual file."""
    evt = make_events(columns={"x": np.array([4080.0, 4084.0], "f4"), "y": np.array([4070.0, 4071.0], "f4")},
                      tlim={"x": (0.5, 8192.5), "y": (0.5, 8192.5)})
    lim = gsl.sky_limits(evt + "[sky=circle(4082.25,4076.25,20)][bin sky=1]")
    assert lim.dmfilter == "x=4062.2:4102.2:#40,y=4056.2:4096.2:#40"   # B8 grid, '%.1f' of .25
    assert gsl.sky_limits(evt + "[sky=circle(4082.25,4076.25,20)][bin sky=1]", 2).xygrid == \
        "4062.25:4102.25:#40,4056.25:4096.25:#40"


def test_command_line_then_pget_xygrid(tmp_path, sh):
    """The Must-show: run the tool, then `pget get_sky_limits xygrid` gives the string."""
    path = image(tmp_path, 294, 297, (3595.5, 3799.5), 4.0)
    done = sh("get_sky_limits", path, cwd=tmp_path)
    assert done.status == 0, done.err
    assert "    3595.5:4771.5:#294,3799.5:4987.5:#297\n" in done.out
    got = sh("pget", "get_sky_limits", "xygrid", cwd=tmp_path)
    assert (got.status, got.out) == (0, "3595.5:4771.5:#294,3799.5:4987.5:#297\n")
    got = sh("pget", "get_sky_limits", "dmfilter", cwd=tmp_path)
    assert got.out == "x=3595.5:4771.5:#294,y=3799.5:4987.5:#297\n"
    # precision and quiet running through the command line
    done = sh("get_sky_limits", path, "precision=3", "verbose=0", cwd=tmp_path)
    assert (done.status, done.out) == (0, "")
    assert sh("pget", "get_sky_limits", "xygrid", cwd=tmp_path).out == \
        "3595.500:4771.500:#294,3799.500:4987.500:#297\n"


def test_command_line_error_is_one_line(tmp_path, sh, make_events):
    evt = make_events(columns={"x": np.array([1.0], "f4"), "y": np.array([1.0], "f4")})
    done = sh("get_sky_limits", evt, cwd=tmp_path)
    assert done.status == 1
    assert done.err == f"# get_sky_limits (pyciao 0.1.0): ERROR: The file '{evt}' is not an image.\n"
