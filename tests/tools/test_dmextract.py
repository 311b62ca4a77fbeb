"""dmextract: spec dm.md §8.6 (E1-E6) with events placed to match the source_counts thread,
the error arithmetic against a real CIAO radial profile, the OGIP layout of real CIAO
spectra, light curves against numpy, and bad input."""
import os

import numpy as np
import pytest
from astropy.io import fits

from pyciao import dmextract
from pyciao.dm import open_virtual
from pyciao.dm.textformat import format_real
from pyciao.errors import ToolError

P1 = (4060.8724, 4239.33)        # the source_counts thread's source and second source
P2 = (4244.0, 4094.0)
ACIS = {"x": (0.5, 8192.5), "y": (0.5, 8192.5), "pi": (1, 1024), "ccd_id": (0, 9)}
DTCOR = 0.98733739787229        # ACIS full frame: 3.2 / 3.24104


def ring(rng, centre, r0, r1, n):
    """``n`` float32 sky positions strictly inside the annulus r0..r1 (r0 = 0: a circle)."""
    out, got = [], 0
    while got < n:
        r = np.sqrt(rng.uniform(r0 ** 2, r1 ** 2, 4 * n))
        th = rng.uniform(0, 2 * np.pi, 4 * n)
        x = (centre[0] + r * np.cos(th)).astype("f4")
        y = (centre[1] + r * np.sin(th)).astype("f4")
        d = np.hypot(x - centre[0], y - centre[1])
        ok = (d > r0 + 1e-3) & (d < r1 - 1e-3)
        out.append(np.column_stack([x[ok], y[ok]]))
        got += int(ok.sum())
    return np.vstack(out)[:n]


@pytest.fixture(scope="module")
def source_counts(tmp_path_factory, events_writer):
    """Events with the thread's counts in its regions: 7792 in circle r=20 around the source,
    5057 in its 40-60 annulus, 640 in 86-114, 3 in circle r=6 around the second source, 119
    in its 10-30 annulus; 800 more in rings no region covers."""
    rng = np.random.default_rng(1838)
    xy = np.vstack([ring(rng, P1, 0, 20, 7792), ring(rng, P1, 40, 60, 5057), ring(rng, P1, 86, 114, 640),
                    ring(rng, P2, 0, 6, 3), ring(rng, P2, 10, 30, 119), ring(rng, P1, 25, 35, 500),
                    ring(rng, P1, 65, 80, 300)])
    n = len(xy)
    cols = {"time": np.sort(rng.uniform(84245790, 84253740, n)), "ccd_id": np.full(n, 7, "i2"),
            "x": xy[:, 0], "y": xy[:, 1], "energy": rng.uniform(300, 8000, n).astype("f4"),
            "pi": rng.integers(1, 1025, n).astype("i4"), "status": np.zeros((n, 32), bool)}
    folder = tmp_path_factory.mktemp("source_counts")
    path = events_writer(folder / "acis_1838_evt2.fits", cols, tlim=ACIS,
                        header={"TSTART": 84244214.754698, "TSTOP": 84253882.042561,
                                "EXPOSURE": 7854.4664748687, "LIVETIME": 7854.4664748687,
                                "ONTIME": 7955.2000074089, "DTCOR": DTCOR},
                        gtis={"GTI7": [(84245785.9481317699, 84253742.5989308059)]})
    (folder / "stack.reg").write_text("circle(4060.8724,4239.33,20)\ncircle(4244,4094,6)\n")
    (folder / "stackbgd.reg").write_text("annulus(4060.8724,4239.33,40,60)\nannulus(4244,4094,10,30)\n")
    return folder, path


def run(params, tmp_path, infile, outfile="out.fits", **kw):
    out = str(tmp_path / outfile)
    dmextract.run(params("dmextract", infile=infile, outfile=out, **kw))
    return out


def listed(path, cols):
    """The values dmlist prints for ``cols`` (the DM number format)."""
    data = open_virtual(f"{path}[cols {','.join(cols)}]").read()
    return [[format_real(data[c][i]) for c in data] for i in range(len(next(iter(data.values()))))]


# --------------------------------------------------------------------------- E1-E3 (source_counts)
def test_e1_circle_with_annulus_background(source_counts, tmp_path, params):
    folder, evt = source_counts
    out = run(params, tmp_path, f"{evt}[bin sky=circle(4060.8724,4239.33,20)]", opt="generic",
              bkg=f"{evt}[bin sky=annulus(4060.8724,4239.33,86,114)]")
    assert listed(out, ["counts", "net_counts"]) == [["7792.0", "7746.2857142857"]]


def test_e2_region_stack_one_row_per_region(source_counts, tmp_path, params, monkeypatch):
    folder, evt = source_counts
    monkeypatch.chdir(folder)
    out = run(params, tmp_path, f"{evt}[bin sky=@stack.reg]", opt="generic", bkg=f"{evt}[bin sky=@stackbgd.reg]")
    assert listed(out, ["counts", "area", "bg_counts", "bg_area", "net_counts", "net_err"]) == [
        ["7792.0", "1256.6370614359", "5057.0", "6283.1853071796", "6780.60", "89.4107376102"],
        ["3.0", "113.0973355292", "119.0", "2513.2741228718", "-2.3550", "1.8002708130"]]


def test_e3_region_file_is_one_region(source_counts, tmp_path, params, monkeypatch):
    folder, evt = source_counts
    monkeypatch.chdir(folder)
    out = run(params, tmp_path, f"{evt}[bin sky=region(stack.reg)]", opt="generic",
              bkg=f"{evt}[bin sky=region(stackbgd.reg)]")
    assert listed(out, ["counts", "area", "bg_counts", "bg_area", "net_counts", "net_err"]) == [
        ["7795.0", "1369.7343969651", "5176.0", "8796.4594300514", "6989.0228571429", "88.9972030746"]]


def test_e1_through_the_command_line_and_dmlist(source_counts, tmp_path, sh):
    """The thread as typed: dmextract, then `dmlist ...[cols counts,net_counts] data,clean`."""
    folder, evt = source_counts
    done = sh("dmextract", f"{evt}[bin sky=circle(4060.8724,4239.33,20)]", "1838_simple.fits",
              f"bkg={evt}[bin sky=annulus(4060.8724,4239.33,86,114)]", "opt=generic", "clob+", cwd=tmp_path)
    assert done.status == 0, done.err
    listing = sh("dmlist", "1838_simple.fits[cols counts,net_counts]", "data,clean", cwd=tmp_path)
    assert listing.out == "#  COUNTS               NET_COUNTS\n               7792.0      7746.2857142857\n"


# --------------------------------------------------------------------------- E5: radial profile layout
def test_e5_annulus_grid_rows_and_columns_as_ciao_writes_them(source_counts, tmp_path, params, shared_data):
    folder, evt = source_counts
    out = run(params, tmp_path, f"{evt}[bin sky=annulus(4060.8724,4239.33,10:200:5)]", opt="generic",
              bkg=f"{evt}[bin sky=annulus(4060.8724,4239.33,200,225)]")
    prof = open_virtual(out).read()
    assert len(prof["COUNTS"]) == 38
    assert prof["R"][0].tolist() == [10.0, 15.0] and prof["R"][-1].tolist() == [195.0, 200.0]
    assert format_real(prof["RMID"][0]) == "12.50" and prof["SHAPE"][0] == "Annulus"
    assert prof["COMPONENT"].tolist() == list(range(1, 39))
    np.testing.assert_allclose(prof["AREA"], np.pi * (prof["R"][:, 1] ** 2 - prof["R"][:, 0] ** 2), rtol=1e-12)
    # the same column set, units and order as CIAO's radial profile (ObsID 1838, real file;
    # our table has no dmtcalc-added RMID at the end but CIAO 4's RMID after R)
    real = fits.open(shared_data / "sherpa_test_data" / "1838_rprofile_rmid.fits")[1]
    ours = fits.open(out)[1]
    for name in real.columns.names:
        assert name in ours.columns.names, name
        if name != "RMID":          # dmtcalc added RMID without a unit; CIAO 4 writes pixel
            assert (ours.columns[name].unit or "") == (real.columns[name].unit or ""), name
    assert ours.header["MTYPE1"] == "sky" and ours.header["MFORM1"] == "X,Y"
    assert ours.header["TCTYP" + str(ours.columns.names.index("AREA") + 1)] == "CEL_AREA"
    assert ours.header["TCDLT" + str(ours.columns.names.index("AREA") + 1)] == pytest.approx(0.242064, rel=1e-9)
    assert real.header["TCDLT9"] == pytest.approx(0.242064, rel=1e-9)      # the same 0.492"**2
    assert ours.header["HDUCLAS1"] == real.header["HDUCLAS1"] == "HISTOGRAM"
    assert fits.open(out)[2].header["HDUNAME"] == "GTI7"                   # GTI blocks follow


def test_counts_are_the_events_inside_boundary_inclusive(make_events, tmp_path, params):
    x = np.array([100.0, 110.0, 100.0, 110.001, 105.0], "f4")
    y = np.array([100.0, 100.0, 110.0, 100.0, 105.0], "f4")
    # no MTYPE in this file: sky still means (x, y); without a WCS there is no EQPOS
    evt = make_events(columns={"x": x, "y": y}, tlim={"x": (0.5, 8192.5), "y": (0.5, 8192.5)}, wcs=False)
    out = run(params, tmp_path, f"{evt}[bin sky=circle(100,100,10)]", opt="generic")
    assert open_virtual(out).read(["COUNTS"])["COUNTS"].tolist() == [4.0]   # on the edge counts
    assert "RA" not in fits.getdata(out, "HISTOGRAM").columns.names


# --------------------------------------------------------------------------- arithmetic
def test_derived_columns_reproduce_a_real_ciao_radial_profile(shared_data):
    """1838_rprofile_rmid.fits (dmextract, CIAO 3.3, error=gaussian): from its COUNTS, AREA,
    BG_COUNTS, BG_AREA and EXPOSURE every other column follows."""
    d = fits.getdata(shared_data / "sherpa_test_data" / "1838_rprofile_rmid.fits", "HISTOGRAM")
    err = dmextract.count_errors(d["COUNTS"], "gaussian")
    bg_err = dmextract.count_errors(d["BG_COUNTS"], "gaussian")
    got = dmextract.net_columns(d["COUNTS"], err, d["AREA"].astype("f8"), d["EXPOSURE"], d["BG_COUNTS"],
                                bg_err, d["BG_AREA"].astype("f8"), d["BG_EXPOSURE"])
    got.update(ERR_COUNTS=err, BG_ERR=bg_err)
    for name in ("ERR_COUNTS", "BG_ERR", "COUNT_RATE", "COUNT_RATE_ERR", "BG_RATE", "BG_SUR_BRI",
                 "BG_SUR_BRI_ERR", "NET_COUNTS", "NET_ERR", "NET_RATE", "ERR_RATE", "SUR_BRI", "SUR_BRI_ERR"):
        np.testing.assert_allclose(got[name], d[name], rtol=2e-7, atol=1e-12, err_msg=name)


def test_gehrels_and_gaussian_errors():
    n = np.array([0, 1, 4, 100])
    np.testing.assert_allclose(dmextract.count_errors(n, "gaussian"), [0, 1, 2, 10])
    np.testing.assert_allclose(dmextract.count_errors(n, "gehrels"), 1 + np.sqrt(n + 0.75))
    with pytest.raises(ToolError, match="gaussian or gehrels"):
        dmextract.count_errors(n, "poisson")


def test_background_scaling_with_exposure_and_bkgnorm():
    got = dmextract.net_columns([100.0], [10.0], [10.0], [1000.0], [50.0], [5.0], [100.0], [500.0], 2.0)
    scale = (10 / 100) * (1000 / 500) * 2.0
    assert got["NET_COUNTS"][0] == pytest.approx(100 - 50 * scale)
    assert got["NET_ERR"][0] == pytest.approx(np.hypot(10, 5 * scale))
    assert got["BG_RATE"][0] == pytest.approx(0.1)


# --------------------------------------------------------------------------- spectra and histograms
def test_pha1_layout_and_backscal_as_real_ciao_spectra(make_events, tmp_path, params, shared_data):
    """3c273_bg.pi (CIAO dmextract, [sky=region(4 circles r=10)][bin pi]) has BACKSCAL =
    region area / 8192**2 = 1.8725351414620E-05; 9774_bg.pi shows the CIAO 4 column set."""
    rng = np.random.default_rng(3)
    n = 4000
    evt = make_events(columns={"x": rng.uniform(4000, 4300, n).astype("f4"), "y": rng.uniform(3950, 4150, n).astype("f4"),
                               "pi": rng.integers(1, 1025, n).astype("i4")},
                      tlim={"x": (0.5, 8192.5), "y": (0.5, 8192.5), "pi": (1, 1024)},
                      header={"EXPOSURE": 1000.0})
    reg = "circle(4119,4014.75,10)+circle(4077,4025.75,10)+circle(4186.5,4023.25,10)+circle(4196.25,4064.5,10)"
    out = run(params, tmp_path, f"{evt}[sky={reg}][bin pi]", opt="pha1")
    ours = fits.open(out)["SPECTRUM"]
    real = fits.open(shared_data / "sherpa_test_data" / "9774_bg.pi")["SPECTRUM"]
    assert ours.columns.names == real.columns.names == ["CHANNEL", "PI", "COUNTS", "COUNT_RATE"]
    assert [c.format for c in ours.columns] == [c.format for c in real.columns]
    for key in ("TUNIT1", "TTYPE2", "TUNIT3", "TUNIT4", "TLMIN1", "TLMAX1", "TLMIN2", "TLMAX2", "TLMIN4",
                "DETCHANS", "POISSERR", "CONTENT", "HDUCLASS", "HDUCLAS1", "HDUCLAS2", "HDUCLAS3",
                "HDUCLAS4", "HDUVERS", "CHANTYPE", "AREASCAL", "CORRSCAL", "QUALITY", "GROUPING"):
        assert ours.header[key] == real.header[key], key
    backscal = fits.getheader(shared_data / "sherpa_test_data" / "3c273_bg.pi", "SPECTRUM")["BACKSCAL"]
    assert ours.header["BACKSCAL"] == pytest.approx(backscal, rel=1e-12)
    x, y, pi = (fits.getdata(evt, "EVENTS")[c] for c in ("x", "y", "pi"))
    inside = np.zeros(n, bool)
    for cx, cy in ((4119, 4014.75), (4077, 4025.75), (4186.5, 4023.25), (4196.25, 4064.5)):
        inside |= np.hypot(x.astype("f8") - cx, y.astype("f8") - cy) <= 10
    expected = np.bincount(pi[inside], minlength=1025)[1:]
    np.testing.assert_array_equal(ours.data["COUNTS"], expected)
    assert ours.header["TOTCTS"] == inside.sum()
    np.testing.assert_allclose(ours.data["COUNT_RATE"], expected / 1000.0)


def test_gehrels_spectrum_has_stat_err(make_events, tmp_path, params):
    evt = make_events(columns={"pi": np.array([1, 1, 2], "i4")}, tlim={"pi": (1, 4)}, header={"EXPOSURE": 10.0})
    out = run(params, tmp_path, f"{evt}[bin pi]", opt="pha1", error="gehrels")
    d = fits.getdata(out, "SPECTRUM")
    assert d["COUNTS"].tolist() == [2, 1, 0, 0] and d["CHANNEL"].tolist() == [1, 2, 3, 4]
    np.testing.assert_allclose(d["STAT_ERR"], 1 + np.sqrt(np.array([2, 1, 0, 0]) + 0.75))
    assert fits.getheader(out, "SPECTRUM")["POISSERR"] is False


def test_b9_generic_energy_histogram(source_counts, tmp_path, params):
    """expmap_acis_multi: `[bin energy=500:7000:50]` op=generic -> 130 rows, ENERGY centres
    525, 575 ...; the row printed 1675.0 is the bin [1650, 1700)."""
    folder, evt = source_counts
    out = run(params, tmp_path, f"{evt}[sky=circle(4060.8724,4239.33,20)][bin energy=500:7000:50]", opt="generic")
    h = open_virtual(out).read()
    assert len(h["ENERGY"]) == 130 and h["ENERGY"][0] == 525.0
    assert format_real(h["ENERGY"][23]) == "1675.0"
    e = fits.getdata(evt, "EVENTS")
    sel = np.hypot(e["x"].astype("f8") - P1[0], e["y"].astype("f8") - P1[1]) <= 20
    expected, _ = np.histogram(e["energy"][sel], bins=np.arange(500, 7001, 50))
    np.testing.assert_array_equal(h["COUNTS"], expected)
    assert h["COUNTS"].dtype == np.int32


# --------------------------------------------------------------------------- light curves
def test_e4_light_curve_rates_and_errors_as_the_dm_intro_thread(make_events, tmp_path, params):
    """dm_intro: `[bin time=::3.24104]` opt=ltc1 printed TIME 84270903.7890200019 (row 1, no
    events), 84272491.8986200094 / COUNT_RATE 6.5624999873 / STAT_ERR 4.5825756950 (21
    events), 84272495.1396600008 / 10.312499980 / 5.7445626465 (33 events); row 490 is cut
    by the start of a GTI: 25 events, rate 10.0895122324, STAT_ERR 5.0."""
    lo, step = 84270902.1685000062, 3.24104
    edge = lambda k: lo + k * step                             # noqa: E731
    gti2_start = edge(490) - 25 / (10.0895122324 * DTCOR)      # leaves the thread's partial bin
    rng = np.random.default_rng(4)
    times = np.sort(np.concatenate([rng.uniform(gti2_start, edge(490), 25), rng.uniform(edge(490), edge(491), 21),
                                    rng.uniform(edge(491), edge(492), 33)]))
    evt = make_events(columns={"time": times, "x": np.full(len(times), 4000.0, "f4"),
                               "y": np.full(len(times), 4000.0, "f4")},
                      tlim={"x": (0.5, 8192.5), "y": (0.5, 8192.5)}, header={"DTCOR": DTCOR},
                      gtis={"GTI7": [(lo, edge(10)), (gti2_start, edge(600))]})
    out = run(params, tmp_path, f"{evt}[bin time=::3.24104]", opt="ltc1")
    lc = open_virtual(out).read()
    assert len(lc["TIME"]) == 600
    assert listed(out, ["time", "count_rate", "stat_err"])[0] == ["84270903.7890200019", "0", "0"]
    rows = listed(out, ["time", "count_rate", "stat_err"])
    assert rows[490][1:] == ["6.5624999873", "4.5825756950"] and rows[491][1:] == ["10.312499980", "5.7445626465"]
    assert rows[490][0] == "84272491.8986200094"
    assert lc["COUNT_RATE"][489] == pytest.approx(10.0895122324, rel=1e-9) and rows[489][2] == "5.0"
    assert lc["TIME_BIN"].tolist() == list(range(1, 601))
    assert lc["EXPOSURE"][20] == 0 and lc["COUNT_RATE"][20] == 0      # in the GTI gap
    h = fits.getheader(out, "LIGHTCURVE")
    assert (h["TIMEDEL"], h["TIMEPIXR"], h["TCTYP3"], h["TCRPX3"]) == (step, 0.5, "DT", lc["TIME"][0])


def test_light_curve_with_background_against_numpy(make_events, tmp_path, params):
    rng = np.random.default_rng(5)
    n = 20000
    t = np.sort(rng.uniform(1000.0, 3000.0, n))
    x = rng.uniform(3000, 5000, n).astype("f4")
    y = rng.uniform(3000, 5000, n).astype("f4")
    evt = make_events(columns={"time": t, "x": x, "y": y}, tlim={"x": (0.5, 8192.5), "y": (0.5, 8192.5)},
                      header={"DTCOR": 0.9}, gtis={"GTI7": [(1000.0, 2500.0), (2600.0, 3000.0)]})
    out = run(params, tmp_path, f"{evt}[sky=circle(4000,4000,300)][bin time=::100]", opt="ltc1",
              bkg=f"{evt}[sky=annulus(4000,4000,400,600)]")
    lc = open_virtual(out).read()
    edges = 1000.0 + 100.0 * np.arange(21)
    xs, ys = x.astype("f8"), y.astype("f8")
    r = np.hypot(xs - 4000, ys - 4000)
    src, _ = np.histogram(t[r <= 300], edges)
    bkg, _ = np.histogram(t[(r >= 400) & (r <= 600)], edges)
    np.testing.assert_array_equal(lc["COUNTS"], src)
    np.testing.assert_array_equal(lc["BG_COUNTS"], bkg)
    overlap = np.clip(np.minimum(edges[1:], 2500) - np.maximum(edges[:-1], 1000), 0, None) + \
        np.clip(np.minimum(edges[1:], 3000) - np.maximum(edges[:-1], 2600), 0, None)
    np.testing.assert_allclose(lc["EXPOSURE"], overlap * 0.9)
    area, bg_area = np.pi * 300 ** 2, np.pi * (600 ** 2 - 400 ** 2)
    np.testing.assert_allclose(lc["AREA"], area)
    np.testing.assert_allclose(lc["BG_AREA"], bg_area)
    np.testing.assert_allclose(lc["NET_COUNTS"], src - bkg * area / bg_area)
    good = overlap > 0
    np.testing.assert_allclose(lc["NET_RATE"][good], (src - bkg * area / bg_area)[good] / (overlap[good] * 0.9))
    assert np.all(lc["COUNT_RATE"][~good] == 0)


# --------------------------------------------------------------------------- E6 and bad input
def test_e6_image_with_a_filter_warns_no_rows(tmp_path, params, capsys):
    h = fits.Header()
    for n in (1, 2):
        h[f"CTYPE{n}P"], h[f"CRVAL{n}P"], h[f"CRPIX{n}P"], h[f"CDELT{n}P"] = "xy"[n - 1], 0.5, 0.5, 1.0
    img = tmp_path / "img.fits"
    fits.PrimaryHDU(np.ones((50, 50), "f4"), h).writeto(img)
    out = run(params, tmp_path, f"{img}[sky=circle(25,25,20)][bin sky=annulus(25,25,0:10:5)]", opt="generic")
    err = capsys.readouterr().err
    assert f'WARNING: Input file, "{img}[sky=circle(25,25,20)]", has no rows in it.' in err
    d = open_virtual(out).read()
    # pixels of 1.0: the sum equals the number of pixel centres inside, and AREA that count
    cx = np.arange(1, 51)
    r = np.hypot(*np.meshgrid(cx - 25.0, cx - 25.0))
    np.testing.assert_allclose(d["COUNTS"], [np.sum(r <= 5), np.sum((r >= 5) & (r <= 10))])
    np.testing.assert_allclose(d["AREA"], d["COUNTS"])


@pytest.mark.parametrize("spec,message", [
    ("[bin sky=region(empty.reg)]", "no shapes|unable|empty"),
    ("[bin status]", "cannot bin column 'status'"),
    ("[bin nosuch]", "column 'nosuch' not found"),
    ("", "no binning specification"),
    ("[bin x,y]", "bins one column"),
])
def test_bad_input_is_one_clear_error_and_no_output(source_counts, tmp_path, params, monkeypatch, spec, message):
    folder, evt = source_counts
    (tmp_path / "empty.reg").write_text("# Region file format: CIAO version 1.0\n")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "bad.fits"
    with pytest.raises(ToolError, match=message) as caught:
        dmextract.run(params("dmextract", infile=f"{evt}{spec}", outfile=str(out), opt="generic"))
    assert "\n" not in str(caught.value)
    assert not out.exists() and os.listdir(tmp_path) == ["empty.reg"]


def test_unsupported_options_are_refused(source_counts, tmp_path, params):
    folder, evt = source_counts
    for kw, msg in ((dict(exp="exp.fits"), "exp="), (dict(opt="pha2"), "pha2"), (dict(wmap="det=8"), "wmap"),
                    (dict(opt="ltc1"), "time binning")):
        with pytest.raises(ToolError, match=msg):
            run(params, tmp_path, f"{evt}[bin sky=circle(4060.8724,4239.33,20)]", **kw)
    assert not (tmp_path / "out.fits").exists()


def test_clobber_and_stacks(source_counts, tmp_path, params):
    folder, evt = source_counts
    a, b = tmp_path / "a.fits", tmp_path / "b.fits"
    dmextract.run(params("dmextract", infile=f"{evt}[bin pi],{evt}[bin sky=circle(4244,4094,6)]",
                         outfile=f"{a},{b}", opt="generic"))
    assert open_virtual(str(b)).read(["COUNTS"])["COUNTS"].tolist() == [3.0]
    assert len(open_virtual(str(a)).read(["COUNTS"])["COUNTS"]) == 1024
    with pytest.raises(ToolError, match="Clobber set to no"):
        dmextract.run(params("dmextract", infile=f"{evt}[bin pi]", outfile=str(a)))
    with pytest.raises(ToolError, match="2 input files but 1 output"):
        dmextract.run(params("dmextract", infile=f"{evt}[bin pi],{evt}[bin pi]", outfile=str(tmp_path / "c.fits")))


def test_counts_in_regions_of_a_real_image(shared_data, tmp_path, params):
    """expmap_acis_multi checks `dmextract "img[bin sky=@obj.reg]"` against `dmstat
    "img[sky=region(obj.reg)]"`: the pixels whose centres are inside, summed. On a real CIAO
    image (4-pixel bins from x=3532.5, y=3092.5) against numpy and against dmstat's path."""
    img = shared_data / "kglotfelty_ciao_tools" / "images" / "ngc5044_obs9399_img.fits"
    reg = tmp_path / "obj.reg"
    reg.write_text("circle(4260.3,3824.1,60)\nannulus(4260.3,3824.1,60,200)\n")
    out = run(params, tmp_path, f"{img}[bin sky=@{reg}]", opt="generic")
    d = open_virtual(out).read()
    data = fits.getdata(img).astype("f8")
    cx = 3532.5 + 4 * (np.arange(data.shape[1]) + 0.5)
    cy = 3092.5 + 4 * (np.arange(data.shape[0]) + 0.5)
    r = np.hypot(*np.meshgrid(cx - 4260.3, cy - 3824.1))
    inner, outer = r <= 60, (r >= 60) & (r <= 200)
    np.testing.assert_array_equal(d["COUNTS"], [data[inner].sum(), data[outer].sum()])
    np.testing.assert_array_equal(d["AREA"], [16.0 * inner.sum(), 16.0 * outer.sum()])
    view = open_virtual(f"{img}[sky=region({reg})]")
    assert d["COUNTS"].sum() == view.data[view.good_mask()].astype("f8").sum()
    assert d["EXPOSURE"][0] == fits.getheader(img)["EXPOSURE"]
    assert d["RA"][0] == pytest.approx(fits.getheader(img)["CRVAL1"], abs=0.1)   # near the target


def test_lightcurve_thread_dt_column_filters_and_lists(make_events, tmp_path, params):
    """lightcurve thread: `dmlist "curve_1.fits[dt=20000:30000][cols time,count_rate]" data` and
    `[cols time,dt,count_rate]` -- DT is TIME's world coordinate (TIME - first bin centre);
    CEL_AREA likewise is AREA in arcsec**2 on a profile."""
    rng = np.random.default_rng(9)
    t = np.sort(rng.uniform(0.0, 40000.0, 5000))
    evt = make_events(columns={"time": t, "x": rng.uniform(4000, 4100, 5000).astype("f4"),
                               "y": rng.uniform(4000, 4100, 5000).astype("f4")},
                      tlim={"x": (0.5, 8192.5), "y": (0.5, 8192.5)}, gtis={"GTI7": [(0.0, 40000.0)]})
    out = run(params, tmp_path, f"{evt}[bin time=::2000]", opt="ltc1")
    d = open_virtual(f"{out}[cols time,dt,count_rate]").read()
    np.testing.assert_allclose(d["DT"], d["TIME"] - 1000.0)
    assert [format_real(v) for v in d["DT"][:3]] == ["0", "2000.0", "4000.0"]
    part = open_virtual(f"{out}[dt=20000:30000][cols time,count_rate]").read()
    assert part["TIME"].tolist() == [21000.0, 23000.0, 25000.0, 27000.0, 29000.0]
    prof = run(params, tmp_path, f"{evt}[bin sky=annulus(4050,4050,0:20:10)]", "prof.fits", opt="generic")
    cel = open_virtual(f"{prof}[cols area,cel_area]").read()
    np.testing.assert_allclose(cel["CEL_AREA"], cel["AREA"] * (1.3666666666667e-4 * 3600) ** 2, rtol=1e-12)
