"""dmgti, dmsort, dmmerge: the light curve -> GTI -> filtered events round trip on real data
(stingray_obs10027), the filter and dm_intro threads' outputs, merging with GTIs."""
import numpy as np
import pytest
from astropy.io import fits

from pyciao import dmcopy, dmextract, dmgti, dmmerge, dmsort
from pyciao.dm import open_virtual
from pyciao.dm import gti as gtimod
from pyciao.dm.textformat import format_real
from pyciao.errors import ToolError

DTCOR = 0.98733739787229


def intervals(path):
    """START/STOP of the first GTI block of a file."""
    d = next(h.data for h in fits.open(path) if h.name == "GTI")
    return np.column_stack([d["START"], d["STOP"]])


def merged_bins(lo, hi, good):
    """Consecutive good bins [lo, hi) joined, computed here with plain Python."""
    out = []
    for a, b, g in zip(lo, hi, good):
        if not g:
            continue
        if out and a <= out[-1][1]:
            out[-1][1] = b
        else:
            out.append([a, b])
    return np.array(out).reshape(-1, 2)


# --------------------------------------------------------------------------- the Must-show round trip
def test_stingray_light_curve_gti_filter_round_trip(shared_data, tmp_path, params):
    """dmextract light curve -> dmgti on the count rate -> dmcopy [@gti] keeps exactly the
    events inside the new GTIs (real ACIS-S events of M82, ObsID 10027)."""
    evt = shared_data / "stingray_obs10027" / "chandra_noener_test.fits"
    lc, gti, filt = (str(tmp_path / n) for n in ("lc.fits", "gti.fits", "filt.fits"))
    dmextract.run(params("dmextract", infile=f"{evt}[bin time=::20]", outfile=lc, opt="ltc1"))
    dmgti.run(params("dmgti", infile=lc, outfile=gti, userlimit="(count_rate>4.8)&&(count_rate<6.0)"))
    dmcopy.run(params("dmcopy", infile=f"{evt}[@{gti}]", outfile=filt))

    raw = fits.getdata(evt, "EVENTS")
    t = raw["time"]
    (start, stop), = intervals(evt)
    curve = fits.getdata(lc, "LIGHTCURVE")
    # the light curve against numpy: 20 s bins from the start of the GTI, cut at its end
    edges = start + 20.0 * np.arange(len(curve) + 1)
    expected, _ = np.histogram(t[(t >= start) & (t < stop)], np.minimum(edges, stop))
    np.testing.assert_array_equal(curve["COUNTS"], expected)
    dtcor = fits.getheader(evt, "EVENTS")["DTCOR"]
    np.testing.assert_allclose(curve["EXPOSURE"], (np.minimum(edges[1:], stop) - edges[:-1]) * dtcor)
    # the GTIs are the good bins, joined, cut at the end of the data
    good = (curve["COUNT_RATE"] > 4.8) & (curve["COUNT_RATE"] < 6.0)
    assert 0 < good.sum() < len(good) and len(intervals(gti)) > 2
    want = merged_bins(curve["TIME_MIN"], np.minimum(curve["TIME_MAX"], stop), good)
    np.testing.assert_array_equal(intervals(gti), want)
    # the filtered events: exactly those inside the new GTIs, as many as the good bins held
    inside = np.zeros(len(t), bool)
    for a, b in want:
        inside |= (t >= a) & (t < b)
    kept = fits.getdata(filt, "EVENTS")
    np.testing.assert_array_equal(kept["time"], t[inside])
    np.testing.assert_array_equal(kept["x"], raw["x"][inside])
    assert len(kept) == curve["COUNTS"][good].sum()
    # the filtered file's GTI and exposure follow
    np.testing.assert_array_equal(intervals(filt), want)
    assert fits.getheader(filt, "EVENTS")["EXPOSURE"] == pytest.approx(gtimod.total(want) * dtcor, rel=1e-12)


def test_round_trip_on_the_command_line(shared_data, tmp_path, sh):
    evt = shared_data / "stingray_obs10027" / "chandra_noener_test.fits"
    assert sh("dmextract", f"{evt}[bin time=::50]", "lc.fits", "opt=ltc1", cwd=tmp_path).status == 0
    done = sh("dmgti", "lc.fits", "gti.fits", "count_rate<5.4", cwd=tmp_path)
    assert (done.status, done.err) == (0, "")
    done = sh("dmcopy", f"{evt}[@gti.fits]", "filt.fits", cwd=tmp_path)
    assert done.status == 0, done.err
    curve = fits.getdata(tmp_path / "lc.fits")
    assert len(fits.getdata(tmp_path / "filt.fits", "EVENTS")) == curve["COUNTS"][curve["COUNT_RATE"] < 5.4].sum()


# --------------------------------------------------------------------------- dmgti
def test_filter_thread_gti_from_a_flaring_light_curve(make_events, tmp_path, params):
    """filter thread: `dmgti userlimit="count_rate<=80.0"` on a 3.24104 s light curve gave a
    FILTER + GTI file with 5 intervals (listed by `dmlist bkg_gti.fits blocks,subspace`).
    Events are placed so that the same bins flare; the intervals must come back (to the
    last bit of the bin-edge arithmetic, which CIAO does slightly differently: 1e-7 s)."""
    lo, hi, step = 84270902.1685000062, 84280645.8188659996, 3.24104
    n = int(np.ceil((hi - lo) / step))
    edges = np.minimum(lo + step * np.arange(n + 1), hi)
    counts = np.full(n, 20)
    counts[list(range(1028, 1038)) + [1043, 1045, 2743]] = 300
    rng = np.random.default_rng(1843)
    t = np.sort(np.concatenate([rng.uniform(edges[k], edges[k + 1], counts[k]) for k in range(n)]))
    evt = make_events(columns={"time": t, "x": np.full(len(t), 4000.0, "f4"), "y": np.full(len(t), 4000.0, "f4")},
                      tlim={"x": (0.5, 8192.5), "y": (0.5, 8192.5)}, header={"DTCOR": DTCOR},
                      gtis={"GTI7": [(lo, hi)]})
    lc, gti = str(tmp_path / "background_lc.fits"), str(tmp_path / "bkg_gti.fits")
    dmextract.run(params("dmextract", infile=f"{evt}[bin time=::3.24104]", outfile=lc, opt="ltc1"))
    dmgti.run(params("dmgti", infile=lc, outfile=gti, userlimit="count_rate<=80.0"))
    thread = [("84270902.1685000062", "84274233.9576200247"), ("84274266.3680200279", "84274282.5732200146"),
              ("84274285.8142600060", "84274289.0553000271"), ("84274292.2963400185", "84279792.3412200212"),
              ("84279795.5822600126", "84280645.8188659996")]
    np.testing.assert_allclose(intervals(gti), np.array(thread, float), rtol=0, atol=1e-7)
    blocks = fits.open(gti)
    assert [b.name for b in blocks] == ["PRIMARY", "FILTER", "GTI"]
    assert blocks["FILTER"].header["NAXIS2"] == 0 and blocks["FILTER"].header["TFIELDS"] == 1
    h = blocks["FILTER"].header
    assert (h["DSTYP1"], h["DSVAL1"], h["DSREF1"]) == ("TIME", "TABLE", ":GTI")
    # the file is a filter: [@bkg_gti.fits] reads these intervals
    assert open_virtual(f"{evt}[@{gti}]").nrows == int(sum(((t >= a) & (t < b)).sum()
                                                           for a, b in intervals(gti)))


def test_mtl_rows_cover_timedel_and_conditions_either_way_round(tmp_path, params):
    """A table without bin edges (an MTL, a phase table): each row covers TIMEDEL around
    TIME (TIMEPIXR 0.5); `(0.4<=phase)&&(phase<0.9)` as in the phase_bin thread."""
    t = 100.0 + np.arange(10.0)
    phase = np.array([0.1, 0.5, 0.6, 0.95, 0.4, 0.45, 0.2, 0.9, 0.85, 0.3])
    hdu = fits.BinTableHDU.from_columns([fits.Column("time", "D", array=t), fits.Column("phase", "D", array=phase)])
    hdu.header["TIMEDEL"], hdu.header["TIMEPIXR"] = 1.0, 0.5
    path = tmp_path / "phase.fits"
    fits.HDUList([fits.PrimaryHDU(), hdu]).writeto(path)
    out = str(tmp_path / "high.gti")
    dmgti.run(params("dmgti", infile=str(path), outfile=out, userlimit="((0.4<=phase)&&(phase<0.9))"))
    np.testing.assert_array_equal(intervals(out), [[100.5, 102.5], [103.5, 105.5], [107.5, 108.5]])


def test_row_intervals_without_timedel_use_the_spacing():
    start, stop = dmgti.row_intervals(np.array([0.0, 2.0, 4.0, 10.0]))
    np.testing.assert_array_equal(start, [-1.0, 1.0, 3.0, 7.0])
    np.testing.assert_array_equal(stop, [1.0, 3.0, 7.0, 13.0])


@pytest.mark.parametrize("limit,message", [("count_rate>", "ends too early"), ("nosuch>1", "unknown name"),
                                           ("count_rate=5", "condition")])
def test_dmgti_bad_input(tmp_path, params, limit, message):
    hdu = fits.BinTableHDU.from_columns([fits.Column("TIME", "D", array=[1.0, 2.0]),
                                         fits.Column("COUNT_RATE", "D", array=[1.0, 2.0])])
    path = tmp_path / "lc.fits"
    fits.HDUList([fits.PrimaryHDU(), hdu]).writeto(path)
    with pytest.raises(ToolError, match=message):
        dmgti.run(params("dmgti", infile=str(path), outfile=str(tmp_path / "g.fits"), userlimit=limit))
    assert not (tmp_path / "g.fits").exists()


# --------------------------------------------------------------------------- dmsort
def test_dm_intro_sort_descending_count_rate(tmp_path, params):
    """dm_intro: `dmsort bkg_lc.fits sorted_bkg_lc.fits keys=-count_rate`; the first ten rows
    CIAO printed (the two 166.2499996779 rows in reverse file order)."""
    top = [("84274245.3012599945", "185.9374996397"), ("84274261.5064600110", "184.0624996434"),
           ("84274248.5423000157", "174.3749996621"), ("84274258.2654200196", "166.2499996779"),
           ("84274242.0602200031", "166.2499996779"), ("84274235.5781400204", "163.1249996839"),
           ("84274238.8191800117", "158.1249996936"), ("84274264.7475000024", "156.8749996960"),
           ("84274255.0243799984", "155.3124996991"), ("84274251.7833400071", "148.1249997130")]
    rows = sorted([(float(a), float(b)) for a, b in top] + [(84270903.78902 + k, 10.0 + k) for k in range(20)])
    hdu = fits.BinTableHDU.from_columns([fits.Column("TIME", "D", array=[r[0] for r in rows]),
                                         fits.Column("COUNT_RATE", "D", array=[r[1] for r in rows])])
    hdu.header["EXTNAME"] = "LIGHTCURVE"
    path = tmp_path / "bkg_lc.fits"
    fits.HDUList([fits.PrimaryHDU(), hdu]).writeto(path)
    out = tmp_path / "sorted_bkg_lc.fits"
    dmsort.run(params("dmsort", infile=str(path), outfile=str(out), keys="-count_rate"))
    d = open_virtual(str(out)).read()
    got = [(format_real(a), format_real(b)) for a, b in zip(d["TIME"][:10], d["COUNT_RATE"][:10])]
    assert got == top


def test_sort_orders():
    a = np.array([3, 1, 2, 1, 3])
    b = np.array([0.5, 0.2, 0.1, 0.1, np.nan])
    assert dmsort.sort_order([a], [False]).tolist() == [1, 3, 2, 0, 4]           # stable
    assert dmsort.sort_order([a], [True]).tolist() == [4, 0, 2, 3, 1]            # ties reversed
    assert dmsort.sort_order([a, b], [False, True]).tolist() == [1, 3, 2, 4, 0]  # NaN ranks last
    assert dmsort.parse_keys("-count_rate, time") == [("count_rate", True), ("time", False)]


def test_sort_keeps_other_blocks_and_rejects_bad_keys(make_events, tmp_path, params):
    evt = make_events(columns={"time": np.array([3.0, 1.0, 2.0]), "x": np.array([1, 2, 3], "f4"),
                               "y": np.array([1, 2, 3], "f4")}, gtis={"GTI7": [(0.0, 5.0)]})
    out = tmp_path / "s.fits"
    dmsort.run(params("dmsort", infile=evt, outfile=str(out), keys="time"))
    assert fits.getdata(out, "EVENTS")["x"].tolist() == [2.0, 3.0, 1.0]
    assert [b.name for b in fits.open(out)] == ["PRIMARY", "EVENTS", "GTI"]
    for keys, msg in (("nosuch", "not found"), ("", "no sort keys")):
        with pytest.raises(ToolError, match=msg):
            dmsort.run(params("dmsort", infile=evt, outfile=str(tmp_path / "t.fits"), keys=keys))
    assert not (tmp_path / "t.fits").exists()


# --------------------------------------------------------------------------- dmmerge
def test_merge_two_observations_gtis_and_exposure(make_events, tmp_path, params, capsys):
    a = make_events("a.fits", columns={"time": np.array([10.0, 20.0]), "x": np.array([1.0, 2.0], "f4"),
                                       "y": np.array([1.0, 2.0], "f4"), "pi": np.array([5, 6], "i4")},
                    header={"OBS_ID": "1842", "DTCOR": 0.5, "EXPOSURE": 50.0, "ONTIME": 100.0, "LIVETIME": 50.0},
                    gtis={"GTI7": [(0.0, 100.0)]})
    b = make_events("b.fits", columns={"time": np.array([210.0]), "x": np.array([3.0], "f8"), "y": np.array([3.0], "f4"),
                                       "pi": np.array([7], "i2"), "extra": np.array([1.0])},
                    header={"OBS_ID": "1843", "DTCOR": 0.5, "EXPOSURE": 50.0, "ONTIME": 100.0, "LIVETIME": 50.0},
                    gtis={"GTI7": [(200.0, 300.0)], "GTI6": [(200.0, 250.0)]})
    out = tmp_path / "merged.fits"
    dmmerge.run(params("dmmerge", infile=f"{a},{b}", outfile=str(out)))
    assert capsys.readouterr().err == "warning: OBS_ID has different value...Merged...\n"
    d = fits.getdata(out, "EVENTS")
    assert d.columns.names == ["time", "x", "y", "pi"]
    assert d["time"].tolist() == [10.0, 20.0, 210.0] and d["x"].tolist() == [1.0, 2.0, 3.0]
    assert d["pi"].dtype == np.dtype(">i4") and d["pi"].tolist() == [5, 6, 7]
    h = fits.getheader(out, "EVENTS")
    assert (h["OBS_ID"], h["ONTIME"], h["EXPOSURE"]) == ("Merged", 200.0, 100.0)
    np.testing.assert_array_equal(intervals(out), [[0.0, 100.0], [200.0, 300.0]])
    assert [x.name for x in fits.open(out)] == ["PRIMARY", "EVENTS", "GTI", "GTI"]


def test_merging_a_region_and_its_exclusion_gives_back_the_file(shared_data, tmp_path, params):
    """blanksky_sample: "a.evt[exclude sky=region(r)],b.evt[sky=region(r)]" - with one file,
    the two halves partition it (F12)."""
    evt = shared_data / "xrayevents_obs1479" / "acis_evt2.fits.gz"
    reg = "circle(4096,4096,300)"
    out = tmp_path / "m.fits"
    dmmerge.run(params("dmmerge", infile=f"{evt}[exclude sky={reg}],{evt}[sky={reg}]", outfile=str(out),
                       columnList="time,ccd_id,x,y,energy"))
    d = fits.getdata(out, "EVENTS")
    raw = fits.getdata(evt, "EVENTS")
    assert len(d) == len(raw) and d.columns.names == ["time", "ccd_id", "x", "y", "energy"]
    assert sorted(d["time"].tolist()) == sorted(raw["time"].tolist())
    inside = np.hypot(raw["x"] - 4096.0, raw["y"] - 4096.0) <= 300
    assert np.array_equal(np.sort(d["time"][-inside.sum():]), np.sort(raw["time"][inside]))


def test_merge_missing_column_is_an_error(make_events, tmp_path, params):
    a = make_events("a.fits", columns={"time": np.array([1.0]), "pi": np.array([1], "i4")}, wcs=False)
    b = make_events("b.fits", columns={"time": np.array([2.0])}, wcs=False)
    out = tmp_path / "m.fits"
    with pytest.raises(ToolError, match="column 'pi' is missing"):
        dmmerge.run(params("dmmerge", infile=f"{a},{b}", outfile=str(out)))
    assert not out.exists()


def test_sort_and_merge_command_lines(make_events, tmp_path, sh):
    evt = make_events(columns={"time": np.array([3.0, 1.0, 2.0]), "x": np.array([1, 2, 3], "f4"),
                               "y": np.array([1, 2, 3], "f4")}, gtis={"GTI7": [(0.0, 5.0)]})
    done = sh("dmsort", evt, "sorted.fits", "keys=-time", cwd=tmp_path)
    assert (done.status, done.out, done.err) == (0, "", "")
    assert fits.getdata(tmp_path / "sorted.fits", "EVENTS")["time"].tolist() == [3.0, 2.0, 1.0]
    done = sh("dmmerge", f"{evt},sorted.fits", "merged.fits", cwd=tmp_path)
    assert done.status == 0, done.err
    assert len(fits.getdata(tmp_path / "merged.fits", "EVENTS")) == 6
    done = sh("dmsort", evt, "sorted.fits", "keys=nosuch", "clob+", cwd=tmp_path)
    assert (done.status, done.err) == (1, "# dmsort (pyciao 0.1.0): ERROR: sort key column 'nosuch' not found "
                                          "in block EVENTS\n")
