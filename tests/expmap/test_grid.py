"""xygrid and pixelgrid strings."""
import pytest
from pyciao.errors import ToolError
from pyciao.expmap.grid import format_xygrid, parse_pixelgrid, parse_xygrid


def test_count_form_is_outer_edges():
    ax, ay = parse_xygrid("4098.2:5288.2:#595,2973.7:4165.7:#596")      # the thread's xygrid
    assert (ax.lo, ax.n, ay.lo, ay.n) == (4098.2, 595, 2973.7, 596)
    assert ax.step == pytest.approx(2.0) and ay.step == pytest.approx(2.0)
    assert ax.hi == pytest.approx(5288.2) and ax.centres[0] == pytest.approx(4099.2)
    assert format_xygrid(ax, ay) == "4098.2:5288.2:#595,2973.7:4165.7:#596"


def test_size_form_whole_bins():
    ax, ay = parse_xygrid("2872.5:5256.5:8,2848.5:5232.5:8")             # TV-1 grid
    assert (ax.n, ay.n, ax.step) == (298, 298, 8.0)


def test_size_form_rounds_the_range_up_with_a_warning(capsys):
    ax, _ = parse_xygrid("4470:5670:32,1:33:32")
    # spec 3.2 / fluximage comment: 4470:5670:32 -> 4470:5686:32 (38 bins)
    assert (ax.lo, ax.n, ax.step, ax.hi) == (4470.0, 38, 32.0, 5686.0)
    err = capsys.readouterr().err
    assert "WARNING" in err and "4470:5686:32" in err


def test_bin_index_half_open():
    ax, _ = parse_xygrid("0.5:10.5:#10,0.5:10.5:#10")
    assert list(ax.index([0.5, 1.4999, 1.5, 10.4999])) == [0, 0, 1, 9]


@pytest.mark.parametrize("text", ["", "1:2:#3", "1:2:#0,1:2:#1", "5:1:#2,1:2:#1", "1:2:-1,1:2:1",
                                  "a:b:#1,1:2:#1", "1:2:#1.5,1:2:#1"])
def test_bad_xygrid(text):
    with pytest.raises(ToolError, match="xygrid"):
        parse_xygrid(text)


def test_pixelgrid_is_an_inclusive_pixel_range():
    ax, ay = parse_pixelgrid("1:1024:#1024,1:1024:#1024")
    assert (ax.lo, ax.step, ax.n) == (0.5, 1.0, 1024)
    assert ax.centres[0] == 1.0 and ax.centres[-1] == 1024.0
    hx, _ = parse_pixelgrid("1:16384:#2048,1:16384:#2048")               # HRC-I, bin 8 (TV-2)
    assert (hx.lo, hx.step, hx.n) == (0.5, 8.0, 2048)
    with pytest.raises(ToolError, match="pixelgrid"):
        parse_pixelgrid("1:1024")
