"""Reading and filtering tables: block choice, exact filter semantics (spec dm.md §1.2-1.6, §8.3)."""
import numpy as np
import pytest
from astropy.io import fits

from pyciao.dm.virtual import open_virtual
from pyciao.errors import ToolError


# ------------------------------------------------------------------ blocks and files
def test_default_block_is_events_not_null_primary(obs1479):
    v = open_virtual(str(obs1479 / "acis_evt2.fits.gz"))
    assert v.kind == "table" and v.name == "EVENTS" and v.nrows == 1306


@pytest.mark.parametrize("sel,name", [("[2]", "EVENTS"), ("[events]", "EVENTS"), ("[GTI6]", "GTI6"),
                                      ("[gti0]", "GTI0"), ("[1]", "PRIMARY")])
def test_block_by_number_or_name(obs1479, sel, name):
    v = open_virtual(str(obs1479 / "acis_evt2.fits.gz") + sel)
    assert v.name == name


def test_missing_file_block_column_named(obs1479, tmp_path):
    with pytest.raises(ToolError, match="nosuch.fits does not exist"):
        open_virtual(str(tmp_path / "nosuch.fits"))
    with pytest.raises(ToolError, match="block 'SPECTRUM' not found") as exc:
        open_virtual(str(obs1479 / "acis_evt2.fits.gz") + "[SPECTRUM]")
    assert "column " in str(exc.value)        # and it says where in the string
    with pytest.raises(ToolError, match="column 'enrgy' not found in block EVENTS") as exc:
        open_virtual(str(obs1479 / "acis_evt2.fits.gz") + "[enrgy=1:2]")
    spec = str(obs1479 / "acis_evt2.fits.gz") + "[enrgy=1:2]"
    assert f"column {spec.index('enrgy') + 1} " in str(exc.value)


def test_not_a_fits_file(tmp_path):
    p = tmp_path / "x.fits"
    p.write_text("hello")
    with pytest.raises(ToolError, match="is not a FITS file"):
        open_virtual(str(p))


# ------------------------------------------------------------------ filter semantics
@pytest.fixture
def edges(make_events):
    energy = np.array([999.9999, 1000.0, 1500.0, 1999.999, 2000.0, 2000.001, np.nan, 4000.0], "f4")
    grade = np.array([0, 1, 2, 3, 4, 5, 6, 7], "i2")
    return make_events(columns={"energy": energy, "grade": grade},
                       tlim={"energy": (0.0, 1e6), "grade": (0, 7)}, units={"energy": "eV"})


def rows(spec):
    v = open_virtual(spec)
    return list(np.flatnonzero(np.isin(np.arange(8), v.row_indices()))) if v.nrows else []


def test_f1_real_column_half_open(edges):
    # 1000 <= e < 2000: 999.9999 out, 1000 in, 1999.999 in, 2000 out (float32 values, exact)
    assert rows(edges + "[energy=1000:2000]") == [1, 2, 3]


def test_f1_float32_bounds_are_exact(edges):
    # 1999.999 as float32 is 1999.9990234375; a bound just above it must keep it
    assert rows(edges + "[energy=1999.99902:2000]") == [3]
    assert rows(edges + "[energy=1999.99903:2000]") == []


def test_f2_integer_inclusive_and_value_lists(edges):
    assert rows(edges + "[grade=0,2:4,6]") == [0, 2, 3, 4, 6]
    v = open_virtual(edges + "[grade=0,2,3,4,6]")
    assert v.subspace.value("grade").text() == "0:0,2:2,3:3,4:4,6:6"


def test_f3_open_ranges(edges):
    assert rows(edges + "[energy=:2000]") == [0, 1, 2, 3]        # NaN never passes
    assert rows(edges + "[energy=2000:]") == [4, 5, 7]


def test_comparisons_and_exclude(edges):
    assert rows(edges + "[energy>2000]") == [5, 7]
    assert rows(edges + "[energy>=2000]") == [4, 5, 7]
    assert rows(edges + "[grade<2]") == [0, 1]
    assert rows(edges + "[grade!=3]") == [0, 1, 2, 4, 5, 6, 7]
    inc = set(rows(edges + "[energy=1000:2000]"))
    exc = set(rows(edges + "[exclude energy=1000:2000]"))
    assert inc | exc == set(range(8)) and not inc & exc


def test_and_across_groups_and_or_with_parentheses(edges):
    assert rows(edges + "[energy=1000:2000][grade=2:3]") == [2, 3]
    assert rows(edges + "[energy=1000:2000,grade=2:3]") == [2, 3]
    assert rows(edges + "[(grade=0)||(grade=7,energy=4000)]") == [0, 7]


def test_f4_strings_and_comparisons(make_events):
    path = make_events(columns={"obsid": np.array([1, 2, 3, 4], "i4"),
                                "inst": np.array(["ACIS-I", "ACIS-S", "ACIS-I", "HRC-I"]),
                                "sepn": np.array([0.5, 0.2, 2.0, 0.1], "f8"),
                                "time": np.array([20.0, 30.0, 40.0, 5.0], "f8")}, wcs=False)
    v = open_virtual(path + "[sepn<1,inst=ACIS-I,time>10][cols obsid,time]")
    assert [c.name for c in v.columns] == ["obsid", "time"]
    assert list(v.read()["obsid"]) == [1]


def test_f5_counts_greater_than(make_events):
    path = make_events(columns={"energy": np.array([1675.0, 1725.0, 1775.0, 1825.0], "f8"),
                                "counts": np.array([253, 268, 258, 250], "i4"),
                                "other": np.array([1, 2, 3, 4], "i2")}, wcs=False)
    d = open_virtual(path + "[counts>250][cols energy,counts]").read()
    assert list(d) == ["energy", "counts"]
    assert list(d["energy"]) == [1675.0, 1725.0, 1775.0] and list(d["counts"]) == [253, 268, 258]


def test_f6_f7_rows(make_events):
    path = make_events(columns={"v": np.arange(1, 3101, dtype="i4")}, wcs=False)
    v = open_virtual(path + "[#row=1:3,490:495,740:745,3000:3005]")
    assert v.nrows == 21
    assert list(v.read()["v"]) == [1, 2, 3, *range(490, 496), *range(740, 746), *range(3000, 3006)]
    v = open_virtual(path + "[#row=0]")
    assert v.nrows == 0 and v.header["NAXIS2"] == 3100


def test_f13_drop_and_rename(obs1479):
    v = open_virtual(str(obs1479 / "acis_evt2.fits.gz") + "[cols -pha,-pi]")
    names = [c.name for c in v.columns]
    assert "pha" not in names and "pi" not in names and len(names) == 17
    v = open_virtual(str(obs1479 / "acis_evt2.fits.gz") + "[cols PSFFRAC=energy,x]")
    assert [c.name for c in v.columns] == ["PSFFRAC", "x"]
    e = fits.getdata(obs1479 / "acis_evt2.fits.gz", 1)
    np.testing.assert_array_equal(v.read()["PSFFRAC"], e["energy"])


def test_vector_names_expand_in_cols(obs1479):
    v = open_virtual(str(obs1479 / "acis_evt2.fits.gz") + "[cols sky,chip]")
    assert [c.name for c in v.columns] == ["x", "y", "chipx", "chipy"]


def test_filters_read_only_the_columns_they_need(obs1479):
    v = open_virtual(str(obs1479 / "acis_evt2.fits.gz") + "[energy=500:7000,ccd_id=2]")
    assert sorted(v.predicate.columns) == ["ccd_id", "energy"]
    e = fits.getdata(obs1479 / "acis_evt2.fits.gz", 1)
    truth = np.flatnonzero((e["energy"] >= 500) & (e["energy"] < 7000) & (e["ccd_id"] == 2))
    np.testing.assert_array_equal(v.row_indices(), truth)
    chunks = list(v.iter_chunks(["x"], chunk_rows=100))
    np.testing.assert_array_equal(np.concatenate([c["x"] for c in chunks]), e["x"][truth])


def test_real_counts_by_ccd(obs1479):
    spec = str(obs1479 / "acis_evt2.fits.gz")
    assert [open_virtual(spec + f"[ccd_id={c}]").nrows for c in (0, 1, 2, 3)] == [161, 62, 594, 489]
    # a ccd_id filter keeps only the matching subspace component (and its GTI)
    v = open_virtual(spec + "[ccd_id=2]")
    assert len(v.subspace.components) == 1
    assert [g.block for _, g in v.subspace.gti_blocks()] == ["GTI2"]


# ------------------------------------------------------------------ bit columns
def test_bit_patterns_on_real_hrc_status(shared_data):
    path = str(shared_data / "hyperscreen_hrc_evt1" / "hrcS_evt1_testfile.fits.gz")
    st = fits.getdata(path, 1)["status"]          # (n, 32) booleans, first bit first
    n_clean = int(np.sum(~st.any(axis=1)))
    assert open_virtual(path + "[status=0]").nrows == n_clean
    assert open_virtual(path + "[status=" + "0" * 32 + "]").nrows == n_clean
    pattern = "xxxxxx00xxxx0xxx00000000x0000000"
    want = np.ones(len(st), bool)
    for i, ch in enumerate(pattern):
        if ch != "x":
            want &= st[:, i] == (ch == "1")
    assert open_virtual(path + f"[status={pattern}]").nrows == int(want.sum())
    # short patterns are aligned to the last bits; a plain number is the field's value
    assert open_virtual(path + "[status=x1]").nrows == int(st[:, 31].sum())
    only_last = st[:, 31] & ~st[:, :31].any(axis=1)
    assert open_virtual(path + "[status=1]").nrows == int(only_last.sum())


# ------------------------------------------------------------------ GTI filters
@pytest.fixture
def gti_events(make_events, tmp_path):
    t = np.arange(0.0, 100.0, 0.5)
    ccd = np.where(np.arange(len(t)) % 2 == 0, 7, 6).astype("i2")
    evt = make_events(columns={"time": t, "ccd_id": ccd},
                      gtis={"GTI7": [(0.0, 100.0)], "GTI6": [(0.0, 40.0), (60.0, 100.0)]},
                      tlim={"ccd_id": (0, 9)}, wcs=False,
                      header={"TSTART": 0.0, "TSTOP": 100.0, "ONTIME": 100.0, "ONTIME7": 100.0,
                              "ONTIME6": 80.0, "LIVETIME": 99.0, "LIVTIME7": 99.0, "LIVTIME6": 79.2,
                              "EXPOSURE": 99.0, "EXPOSUR7": 99.0, "EXPOSUR6": 79.2, "DTCOR": 0.99})
    g = fits.BinTableHDU.from_columns([fits.Column("START", "1D", array=[10.0, 50.0]),
                                       fits.Column("STOP", "1D", array=[30.0, 70.0])], name="GTI")
    fits.HDUList([fits.PrimaryHDU(), g]).writeto(tmp_path / "flt.gti")
    return evt, str(tmp_path / "flt.gti")


def test_f8_gti_file_filter_updates_gtis_and_exposure(gti_events):
    evt, gti = gti_events
    v = open_virtual(evt + f"[@{gti}]")
    t = v.read(["time"])["time"]
    assert np.all(((t >= 10) & (t < 30)) | ((t >= 50) & (t < 70)))
    assert len(t) == 80                       # 40 s of 0.5 s ticks
    ivs = v.gti_intervals()
    np.testing.assert_array_equal(ivs["GTI7"], [[10, 30], [50, 70]])
    np.testing.assert_array_equal(ivs["GTI6"], [[10, 30], [60, 70]])   # split/trimmed
    h = v.updated_header()
    assert h["ONTIME7"] == pytest.approx(40.0) and h["ONTIME6"] == pytest.approx(30.0)
    assert h["LIVTIME6"] == pytest.approx(29.7) and h["EXPOSURE"] == pytest.approx(39.6)


def test_time_range_filter_narrows_gtis(gti_events):
    evt, _ = gti_events
    v = open_virtual(evt + "[time=35:65]")
    np.testing.assert_array_equal(v.gti_intervals()["GTI6"], [[35, 40], [60, 65]])
