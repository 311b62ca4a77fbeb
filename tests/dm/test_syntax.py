"""The virtual-file parser: shapes seen in real CIAO usage (spec dm.md §1) and error positions."""
import pytest

from pyciao.dm.syntax import (
    And, AxisFilter, CompareFilter, DMSyntaxError, FileFilter, Or, RangeFilter, RegionFilter,
    RowFilter, parse_intervals, parse_virtual_file)
from pyciao.errors import ToolError


def texts(interval):
    return (interval.lo.text if interval.lo else None, interval.hi.text if interval.hi else None,
            interval.single)


def test_block_filter_bin_in_order():
    vf = parse_virtual_file("evt2.fits[events][energy=500:7000][bin sky=1]")
    assert vf.path == "evt2.fits" and vf.block == "events"
    (g,) = vf.filters
    assert isinstance(g.expr, RangeFilter) and g.expr.name == "energy"
    assert [texts(i) for i in g.expr.intervals] == [("500", "7000", False)]
    (ax,) = vf.bin.axes
    assert ax.names == ("sky",) and ax.step.text == "1" and ax.lo is None


def test_one_group_comma_joined_with_region():
    vf = parse_virtual_file("evt2.fits[energy=500:7000,sky=circle(4096.5,4096.5,20)][bin sky=1]")
    expr = vf.filters[0].expr
    assert isinstance(expr, And)
    rng, reg = expr.terms
    assert rng.name == "energy" and isinstance(reg, RegionFilter)
    assert reg.name == "sky" and reg.text == "circle(4096.5,4096.5,20)"
    assert vf.text[reg.text_pos:].startswith("circle(")


def test_comma_is_or_within_a_column_and_and_across():
    expr = parse_virtual_file("e.fits[grade=0,2:4,6,ccd_id=7]").filters[0].expr
    grade, ccd = expr.terms
    assert [texts(i) for i in grade.intervals] == [("0", "0", True), ("2", "4", False), ("6", "6", True)]
    assert ccd.name == "ccd_id"


def test_open_ranges_and_operators():
    expr = parse_virtual_file("m.txt[sepn<1,inst=ACIS-I,time>10,pi<=5,pha>=3,grade!=1,e=:4000,f=4000:]").filters[0].expr
    ops = [(t.name, t.op, t.value.text) for t in expr.terms if isinstance(t, CompareFilter)]
    assert ops == [("sepn", "<", "1"), ("time", ">", "10"), ("pi", "<=", "5"),
                   ("pha", ">=", "3"), ("grade", "!=", "1")]
    inst = expr.terms[1]
    assert texts(inst.intervals[0]) == ("ACIS-I", "ACIS-I", True)
    assert texts(expr.terms[-2].intervals[0]) == (None, "4000", False)
    assert texts(expr.terms[-1].intervals[0]) == ("4000", None, False)


def test_parenthesised_or_groups():
    expr = parse_virtual_file("f[(a=1:2)||(a=3:4,b=5)]").filters[0].expr
    assert isinstance(expr, Or) and len(expr.terms) == 2
    assert isinstance(expr.terms[1], And)


def test_explicit_pair_region_and_exclude():
    vf = parse_virtual_file("f.fits[exclude (x,y)=field()-ellipse(1,2,3,4,0)]")
    g = vf.filters[0]
    assert g.exclude and g.expr.pair == ("x", "y") and g.expr.text == "field()-ellipse(1,2,3,4,0)"


def test_nested_virtual_file_inside_region_and_at_filter():
    vf = parse_virtual_file("evt[sky=region(src.fits[#row=2])][bin pi=::1]")
    assert vf.filters[0].expr.text == "region(src.fits[#row=2])"
    vf = parse_virtual_file("asol.fits[@evt.fits[sky=region(a)||sky=region(b)]]")
    assert vf.filters[0].expr == FileFilter("evt.fits[sky=region(a)||sky=region(b)]", 0) or \
        vf.filters[0].expr.spec == "evt.fits[sky=region(a)||sky=region(b)]"


def test_rows_and_axes():
    vf = parse_virtual_file("t.fits[#row=1:3,490:495,740:745]")
    r = vf.filters[0].expr
    assert isinstance(r, RowFilter) and len(r.intervals) == 3
    a = parse_virtual_file("cube.fits[#3=10]").filters[0].expr
    assert isinstance(a, AxisFilter) and a.axis == 3 and texts(a.intervals[0]) == ("10", "10", True)


def test_at_file_filter_followed_by_clause():
    expr = parse_virtual_file("evt2.fits[@acis_gti.fits,energy=1:2]").filters[0].expr
    assert isinstance(expr.terms[0], FileFilter) and expr.terms[0].spec == "acis_gti.fits"


def test_filter_after_bin_and_output_block_name():
    vf = parse_virtual_file("evt.fits[bin x=1:10:2,y=1:10:2][energy=500:7000][opt type=i4]")
    assert vf.bin and vf.filters and vf.options == {"type": "i4"}
    vf = parse_virtual_file("psf.fits[2][bin x=1:64,y=1:64][opt type=i4][PSF]")
    assert vf.block == 2 and vf.out_block == "PSF"
    vf = parse_virtual_file("evt2.fits[events][bin x=::4,y=::4][IMAGE]")
    assert vf.out_block == "IMAGE"


def test_bin_forms():
    vf = parse_virtual_file("e[bin x=3595.5:4771.5:#294,(x,y)=2,pi,sky=2000:7000:8;flux]")
    a, b, c, d = vf.bin.axes
    assert (a.lo.text, a.hi.text, a.nbins) == ("3595.5", "4771.5", 294)
    assert b.names == ("x", "y") and b.step.text == "2"
    assert c.names == ("pi",) and c.step is None
    assert (d.lo.text, d.hi.text, d.step.text) == ("2000", "7000", "8")
    assert vf.bin.weight == "flux"
    ax = parse_virtual_file("e[bin x=3900:4400]").bin.axes[0]
    assert ax.step is None and ax.lo.text == "3900"
    ax = parse_virtual_file("e[bin sky=circle(1,2,3)]").bin.axes[0]
    assert ax.region == "circle(1,2,3)"
    ax = parse_virtual_file("e[bin sky=@annuli.reg]").bin.axes[0]
    assert ax.stack == "annuli.reg"
    ax = parse_virtual_file("e[bin rawx=0:4095:1, rawy=22528:26623:1]").bin.axes
    assert [a.names for a in ax] == [("rawx",), ("rawy",)]


def test_cols_forms():
    vf = parse_virtual_file("tbl.fits[cols counts,area][#row=1:3]")
    assert [c.name for c in vf.cols[0]] == ["counts", "area"]
    vf = parse_virtual_file("file[col counts, area,bg_counts,bg_area]")
    assert len(vf.cols[0]) == 4
    vf = parse_virtual_file("f[cols -pha,-pi]")
    assert all(c.drop for c in vf.cols[0])
    vf = parse_virtual_file("f[cols PSFFRAC=counts,BG_PSFFRAC=bg_counts]")
    assert [(c.name, c.new_name) for c in vf.cols[0]] == [("counts", "PSFFRAC"), ("bg_counts", "BG_PSFFRAC")]


def test_options_and_subspace():
    vf = parse_virtual_file("f[option type=i4 mem=80][opt null=-99,full][subspace - time,-expno]")
    assert vf.options == {"type": "i4", "mem": "80", "null": "-99", "full": True}
    assert vf.subspace_removals == ["time", "expno"]
    assert parse_virtual_file("5794.tsv[opt kernel=text/tsv][cols ks_prob_b]").options["kernel"] == "text/tsv"


def test_filter_keyword_optional_and_stdin():
    a = parse_virtual_file("f[filter energy=1:2]").filters[0].expr
    b = parse_virtual_file("f[energy=1:2]").filters[0].expr
    assert a.name == b.name == "energy"
    vf = parse_virtual_file("-[cols energy]")
    assert vf.path == "-"


def test_bit_pattern_is_a_plain_value():
    expr = parse_virtual_file("e[status=xxxxxx00xxxx0xxx00000000x0000000]").filters[0].expr
    assert expr.intervals[0].lo.text == "xxxxxx00xxxx0xxx00000000x0000000"


def test_rows_parameter_helper():
    assert [texts(i) for i in parse_intervals("1:5")] == [("1", "5", False)]


@pytest.mark.parametrize("text,col", [
    ("in.fits[cols x", 8),              # unmatched bracket points at the '['
    ("in.fits[energy=1:2:3]", 16),      # too many ':' points at the value
    ("in.fits[energy=]", 16),           # missing value
    ("in.fits[bin x=1:10:0]", 20),      # zero bin size points at the step
    ("in.fits[bin x=a:b]", 15),         # non-numeric limit
    ("in.fits[sky=circle(1,2,3]", 19),  # the unclosed paren
    ("in.fits[]", 8),
    ("in.fits[energy=1:2]junk", 20),
])
def test_errors_point_at_the_offending_column(text, col):
    with pytest.raises(DMSyntaxError) as exc:
        parse_virtual_file(text)
    err = exc.value
    assert isinstance(err, ToolError)
    assert err.pos + 1 == col, (err.pos, str(err))
    assert f"column {col}" in str(err) and "\n" not in str(err)
    assert err.caret().splitlines()[1].index("^") == col - 1
