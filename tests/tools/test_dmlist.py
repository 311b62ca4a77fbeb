"""dmlist: spec dm.md §4.1 layouts and §8.8 vectors L1-L8."""
import numpy as np
import pytest
from astropy.io import fits

from pyciao import dmextract, dmlist
from pyciao.dm.textformat import format_real


def tbl(tmp_path, cols):
    fmt = {np.dtype("f8"): "D", np.dtype("i4"): "J", np.dtype("i2"): "I"}
    hdu = fits.BinTableHDU.from_columns([fits.Column(k, fmt[v.dtype], array=v) for k, v in cols.items()])
    hdu.header["EXTNAME"] = "HISTOGRAM"
    p = tmp_path / "t.fits"
    fits.HDUList([fits.PrimaryHDU(), hdu]).writeto(p)
    return str(p)


@pytest.mark.parametrize("value,text", [
    (141.0, "141.0"), (196.68853153279, "196.6885315328"), (4720.5, "4720.50"), (0.0, "0"),
    (6780.6, "6780.60"), (-2.355, "-2.3550"), (7746.28571428571, "7746.2857142857"),
    (84270903.78902, "84270903.7890200019"), (0.0850773, "0.08507730"), (0.869113769736977, "0.86911376973698"),
    (4.975567703e-13, "4.975567703E-13"), (6.31156e-05, "6.31156E-05"), (1e-9, "1E-09"), (float("nan"), "NaN")])
def test_real_number_rule(value, text):
    assert format_real(value) == text


def test_l1_to_l6_clean_layout(tmp_path, params, capsys):
    path = tbl(tmp_path, {"COUNTS": np.array([141.0, 0.0]), "AREA": np.array([196.68853153279, 1.0]),
                          "BG_COUNTS": np.array([4720.5, 2.0]), "N": np.array([253, 7], "i4")})
    dmlist.run(params("dmlist", infile=path, opt="data,clean"))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "#  COUNTS               AREA                 BG_COUNTS            N"       # L5
    assert lines[1] == "                141.0       196.6885315328              4720.50        253"  # L1-L4
    assert lines[2][:21] == " " * 20 + "0"                                                          # L6


def test_l7_counts(obs1479, params, capsys):
    dmlist.run(params("dmlist", infile=str(obs1479 / "acis_evt2.fits.gz") + "[energy=500:7000]", opt="counts"))
    e = fits.getdata(obs1479 / "acis_evt2.fits.gz", 1)
    assert capsys.readouterr().out == f"{int(np.sum((e['energy'] >= 500) & (e['energy'] < 7000)))}\n"


def test_blocks_layout(obs1479, params, capsys):
    path = str(obs1479 / "acis_evt2.fits.gz")
    dmlist.run(params("dmlist", infile=path, opt="blocks"))
    lines = capsys.readouterr().out.splitlines()
    assert lines[:5] == [" ", "-" * 80, f"Dataset: {path}", "-" * 80, " "]
    assert lines[5] == "     Block Name                          Type         Dimensions"
    # the same widths as the recorded lines in test_blocks_widths_as_recorded
    assert lines[7] == "Block    1: PRIMARY                        Null        "
    assert lines[8] == "Block    2: EVENTS                         Table        19 cols x 1306     rows"
    assert lines[9] == "Block    3: GTI3                           Table         2 cols x 2        rows"


def test_blocks_widths_as_recorded(tmp_path, params, capsys):
    """Lines printed by CIAO's `dmlist <file> blocks` (cxcsds/ciao-threads notebooks):
    acisfptemp.ipynb / filter.ipynb `Block    2: FILTER                         Table         1 cols x 0        rows`,
    acisfptemp.ipynb `Block    3: GTI                            Table         2 cols x 4        rows`,
    param_files.ipynb `Block    2: ASPSOL                         Table        20 cols x 36529    rows`,
    every notebook `Block    1: PRIMARY                        Null        ` (`Null` and 8 spaces).
    (dm_intro.ipynb: `Table        15 cols x 489454   rows`, `Table         2 cols x 1        rows`.)"""
    def table(name, ncols, nrows):
        hdu = fits.BinTableHDU.from_columns([fits.Column(f"C{i}", "B", array=np.zeros(nrows, "u1"))
                                             for i in range(ncols)])
        hdu.header["EXTNAME"] = name
        return hdu
    path = tmp_path / "blocks.fits"
    fits.HDUList([fits.PrimaryHDU(), table("FILTER", 1, 0), table("GTI", 2, 4),
                  table("ASPSOL", 20, 36529)]).writeto(path)
    dmlist.run(params("dmlist", infile=str(path), opt="blocks"))
    assert capsys.readouterr().out.splitlines()[7:] == [
        "Block    1: PRIMARY                        Null        ",
        "Block    2: FILTER                         Table         1 cols x 0        rows",
        "Block    3: GTI                            Table         2 cols x 4        rows",
        "Block    4: ASPSOL                         Table        20 cols x 36529    rows"]


def test_ornate_data_and_rows(tmp_path, params, capsys):
    path = tbl(tmp_path, {"TIME": np.arange(1.0, 31.0), "COUNT_RATE": np.arange(30) / 8.0})
    dmlist.run(params("dmlist", infile=path + "[#row=1:3,20:21]", opt="data"))
    lines = capsys.readouterr().out.splitlines()
    assert lines[2] == "Data for Table Block HISTOGRAM"
    assert lines[5] == "ROW    TIME                 COUNT_RATE"
    assert lines[7] == "     1                  1.0                    0"
    assert lines[10] == "     4                 20.0               2.3750"      # renumbered 1..5
    dmlist.run(params("dmlist", infile=path, opt="data", rows="2:3"))
    lines = capsys.readouterr().out.splitlines()
    assert [l[:6] for l in lines[7:]] == ["     2", "     3"]


def test_vector_and_bit_cells(obs1479, params, capsys):
    dmlist.run(params("dmlist", infile=str(obs1479 / "acis_evt2.fits.gz") + "[cols sky,status][#row=1]", opt="data"))
    lines = capsys.readouterr().out.splitlines()
    assert lines[5].startswith("ROW    sky(x,y)                                 status[4]")
    assert lines[7] == "     1 (     4134.5122070312,     3975.9152832031) " + "0" * 32


def test_header_and_keys(obs1479, params, capsys):
    dmlist.run(params("dmlist", infile=str(obs1479 / "acis_evt2.fits.gz"), opt="header"))
    lines = capsys.readouterr().out.splitlines()
    assert lines[2] == "Header keys for block EVENTS"
    row = next(l for l in lines if " ORIGIN " in l)
    assert row[5:] == "ORIGIN               ASC                            String       Source of FITS file"
    tstart = next(l for l in lines if " TSTART " in l)
    assert tstart[5:] == "TSTART                59265748.9351489991           Real8        Observation start time"
    assert not any(" TTYPE1 " in l or " DSTYP1 " in l for l in lines)


def test_cols_layout(obs1479, params, capsys):
    dmlist.run(params("dmlist", infile=str(obs1479 / "acis_evt2.fits.gz"), opt="cols"))
    lines = capsys.readouterr().out.splitlines()
    assert lines[5] == "ColNo  Name                 Unit        Type             Range            Null"
    assert lines[7] == "   2   ccd_id                            Int2           0:9                  -          CCD reporting event"
    assert lines[10] == "   5   chip(chipx,chipy)    pixel        Int2           1:1024               -          Chip coords"
    # lines as recorded by dm_intro.ipynb (`dmlist "acisf01843N004_evt2.fits[events]" cols`)
    assert lines[13] == "   8   sky(x,y)             pixel        Real4          0.50:     8192.50    -          sky coordinates"
    assert lines[16] == "  11   energy               eV           Real4          0:  1000000.0        -          nominal energy of event (eV)"
    # time has no TLMIN/TLMAX in Chandra event files: TSTART:TSTOP, as dm_intro's
    # `   1   time                 s            Real8          84270902.1685000062: 84280645.8188659996 -  ...`
    assert lines[6].startswith("   1   time                 s            Real8          "
                               "59265748.9351489991: 59288380.9359669983 -          S/C TT")


def test_image_cols(obs1479, params, capsys):
    dmlist.run(params("dmlist", infile=str(obs1479 / "acis_dm_bin10_img.fits.gz"), opt="cols"))
    lines = capsys.readouterr().out.splitlines()
    assert lines[6] == "   1   EVENTS_IMAGE[10,10]               Int2(10x10)    -                    "
    assert "   1   1,2    sky(x) = (+4000.00) +(+10.0)* ((#1)-(+0.50))" in lines


def test_subspace_listing(obs1479, params, capsys):
    dmlist.run(params("dmlist", infile=str(obs1479 / "acis_evt2.fits.gz") + "[ccd_id=2,grade=0,2,3,4,6]",
                      opt="subspace"))
    text = capsys.readouterr().out
    assert "Data subspace for block EVENTS: Components: 1 Descriptors:" in text
    assert "   2 ccd_id               Int2                2:2 " in text
    assert "0:0,2:2,3:3,4:4,6:6" in text and "TABLE GTI2" in text
    # real ranges, as recorded by dm_intro.ipynb (`dmlist acisf01843N004_evt2.fits full`)
    lines = text.splitlines()
    for recorded in ("   7 det                  [ 1] detx               0.50:     8192.50 ",
                     "   7 det                  [ 2] dety               0.50:     8192.50 ",
                     "  11 energy               Real4                                  0:  1000000.0 "):
        assert recorded in lines


def test_outfile(obs1479, params, tmp_path, capsys):
    out = tmp_path / "list.txt"
    dmlist.run(params("dmlist", infile=str(obs1479 / "acis_evt2.fits.gz"), opt="counts", outfile=str(out)))
    assert capsys.readouterr().out == "" and out.read_text() == "1306\n"


def real_table(tmp_path, cols, vector=None, name="t.fits"):
    """A table of real columns (2-element values become R[2]-style array columns), with
    ``vector=("sky", "X,Y")`` declared through MTYPE1/MFORM1."""
    fcols = []
    for key, v in cols.items():
        v = np.asarray(v)
        if v.dtype.kind == "i":
            fcols.append(fits.Column(key, "I", array=v))
        else:
            fcols.append(fits.Column(key, "2D" if v.ndim == 2 else "D", array=v))
    hdu = fits.BinTableHDU.from_columns(fcols)
    if vector:
        hdu.header["MTYPE1"], hdu.header["MFORM1"] = vector
    p = tmp_path / name
    fits.HDUList([fits.PrimaryHDU(), hdu]).writeto(p)
    return str(p)


def test_array_cells_radial_profile_thread(shared_data, params, capsys):
    """radial_profile.ipynb, `dmlist 1838_rprofile.fits'[cols R,RMID]' data row=1:5`, on the
    same dmextract profile of ObsID 1838 (sherpa_test_data/1838_rprofile_rmid.fits)."""
    recorded = """\
ROW    R[2]                                     RMID
 
     1                [       10.0        15.0]                12.50
     2                [       15.0        20.0]                17.50
     3                [       20.0        25.0]                22.50
     4                [       25.0        30.0]                27.50
     5                [       30.0        35.0]                32.50"""
    path = shared_data / "sherpa_test_data" / "1838_rprofile_rmid.fits"
    dmlist.run(params("dmlist", infile=f"{path}[cols R,RMID]", opt="data", rows="1:5"))
    assert capsys.readouterr().out.splitlines()[5:] == recorded.splitlines()


def test_array_cell_wider_than_its_field(tmp_path, params, capsys):
    """periscope_drift.ipynb (celldetect source list, `[cols net_counts,x,y,snr,r]` data):
    `     1               6013.0 (     4107.9815646040,     4100.3877845463)        73.2762756348 [        3.4674890041         2.9725918770]`
    -- an array whose elements fill their 20 columns overflows its field."""
    path = real_table(tmp_path, {"NET_COUNTS": [6013.0], "X": [4107.981564604], "Y": [4100.3877845463],
                                 "SNR": [73.2762756348], "R": [[3.4674890041, 2.972591877]]},
                      vector=("POS", "X,Y"))
    dmlist.run(params("dmlist", infile=path, opt="data"))
    lines = capsys.readouterr().out.splitlines()
    assert lines[5] == "ROW    NET_COUNTS           POS(X,Y)                                 SNR                  R[2]"
    assert lines[7] == ("     1               6013.0 (     4107.9815646040,     4100.3877845463)        "
                        "73.2762756348 [        3.4674890041         2.9725918770]")


def test_vector_cell_is_not_aligned(tmp_path, params, capsys):
    """tg_piled_zero.ipynb, `dmlist tg_mask.fits"[cols shape,sky]" data`: a shorter vector text
    stays where it starts (`(     4098.4541015625,     4125.5781250)` under
    `(     4099.9145507812,     4115.2641601562)`); SHAPE is left out here."""
    path = real_table(tmp_path, {"X": [4099.9145507812, 4098.4541015625], "Y": [4115.2641601562, 4125.578125]},
                      vector=("SKY", "X,Y"))
    dmlist.run(params("dmlist", infile=path, opt="data"))
    assert capsys.readouterr().out.splitlines()[7:] == [
        "     1 (     4099.9145507812,     4115.2641601562)",
        "     2 (     4098.4541015625,     4125.5781250)"]


def test_clean_vector_and_array_cells_as_recorded(tmp_path, params, capsys):
    """data,clean lines recorded in the threads. fluxes.ipynb,
    `dmlist "single/run2_broad.flux[cols x,y,r,net_rate_aper,net_rate_aper_lo,net_rate_aper_hi]" data,clean`;
    masks.ipynb, `dmlist excluded_srcs.reg"[#row=1:5]" data,clean` (rows 1-2, compared without
    their 19-column SHAPE field, whose width this test does not pin down)."""
    flux_head = ("#  sky(X,Y)                                 R[2]                                     "
                 "NET_RATE_APER        NET_RATE_APER_LO     NET_RATE_APER_HI")
    flux_row = ("                   3423.770      3795.910            9.624140                    0"
                "           0.03917760           0.03747350           0.04089210")
    path = real_table(tmp_path, {"X": [3423.77], "Y": [3795.91], "R": [[9.62414, 0.0]],
                                 "NET_RATE_APER": [0.0391776], "NET_RATE_APER_LO": [0.0374735],
                                 "NET_RATE_APER_HI": [0.0408921]}, vector=("sky", "X,Y"))
    dmlist.run(params("dmlist", infile=path, opt="data,clean"))
    assert capsys.readouterr().out.splitlines() == [flux_head, flux_row]

    mask_head = ("#  POS(X,Y)                                 SHAPE              R[2]                                     "
                 "ROTANG[2]                                COMPONENT")
    mask_rows = [
        ("                                  NaN NaN Field                                               NaN NaN"
         "                                  NaN NaN          1"),
        ("              4111.9611650485      2756.0 !Ellipse                  27.5003337860        24.0958766937"
         "                       115.2232360840 NaN          1")]
    without_shape = [mask_head[:44] + mask_head[63:]] + [r[:41] + r[60:] for r in mask_rows]
    nan = float("nan")
    path = real_table(tmp_path, {"X": [nan, 4111.9611650485], "Y": [nan, 2756.0],
                                 "R": [[nan, nan], [27.500333786, 24.0958766937]],
                                 "ROTANG": [[nan, nan], [115.223236084, nan]],
                                 "COMPONENT": np.array([1, 1], "i2")}, vector=("POS", "X,Y"), name="m.fits")
    dmlist.run(params("dmlist", infile=path, opt="data,clean"))
    assert capsys.readouterr().out.splitlines() == without_shape


def test_cols_real_ranges_as_recorded(tmp_path, params, capsys):
    """chart.ipynb, `dmlist HRMA_..._i0000_rays.fits cols` (a PSF ray file: Real8 columns with
    TLMIN/TLMAX): the upper end of a range is padded to 20 before its zeros are stripped."""
    recorded = """\
   1   rt_cosx              none         Real8          -0.99955486303817:   -0.99764895820946 Label for field
   2   rt_cosy              none         Real8          -0.06430099113787:    0.06267061028205 Label for field
   3   rt_cosz              none         Real8          -0.06042128212595:    0.06201398069612 Label for field
   4   rt_kev               KeV          Real8          0.40001209364319:        5.8122639775 Label for field
   5   rt_x                 mm           Real8          -10079.770:   -10079.770 Label for field
   6   rt_y                 mm           Real8          -76.3245922374:       29.9410040569 Label for field
   7   rt_z                 mm           Real8          -18.1259441110:       23.9538474092 Label for field
   8   rt_time              sec          Real8          75214792.9965114295: 75265107.1430721879 Label for field
   9   rt_wght              none         Real8          0.11886753453729:    0.82573220135493 Label for field"""
    rows = [line.split() for line in recorded.splitlines()]
    hdu = fits.BinTableHDU.from_columns([fits.Column(r[1], "D", unit=r[2], array=np.zeros(1)) for r in rows])
    for i, r in enumerate(rows, start=1):
        lo, hi = r[4].split(":") if r[5] == "Label" else (r[4][:-1], r[5])
        hdu.header[f"TLMIN{i}"], hdu.header[f"TLMAX{i}"] = float(lo), float(hi)
        hdu.header.comments[f"TTYPE{i}"] = "Label for field"
    hdu.header["EXTNAME"] = "PSFRAYS"
    path = tmp_path / "rays.fits"
    fits.HDUList([fits.PrimaryHDU(), hdu]).writeto(path)
    dmlist.run(params("dmlist", infile=str(path), opt="cols"))
    assert capsys.readouterr().out.splitlines()[6:] == recorded.splitlines()


def lightcurve_events(make_events, t0, t1):
    rng = np.random.default_rng(3)
    t = np.sort(rng.uniform(t0, t1, 3000))
    return make_events(columns={"time": t, "x": rng.uniform(4000, 4100, 3000).astype("f4"),
                                "y": rng.uniform(4000, 4100, 3000).astype("f4")},
                       header={"TSTART": t0, "TSTOP": t1}, gtis={"GTI3": [(t0, t1)]},
                       tlim={"x": (0.5, 8192.5), "y": (0.5, 8192.5)}, units={"time": "s"})


def test_lightcurve_cols_as_recorded(make_events, tmp_path, params, capsys):
    """lightcurve.ipynb: `dmextract "acisf00953N005_evt2.fits[ccd_id=3,sky=region(src2.reg)][bin time=::2000]"
    opt=ltc1` then `dmlist src2_sub_lc.fits cols` (its first ten columns; the thread's run had a
    background too). Events here span the thread's TSTART..TSTOP. `0:+Inf` is TLMIN 0, no TLMAX."""
    recorded = """\
ColNo  Name                 Unit        Type             Range
   1   TIME_BIN             channel      Int4           1:17                 S/C TT corresponding to mid-exposure
   2   TIME_MIN             s            Real8          69583184.1139039993: 69616983.4901389927 Minimum Value in Bin
   3   TIME                 s            Real8          69583184.1139039993: 69616983.4901389927 S/C TT corresponding to mid-exposure
   4   TIME_MAX             s            Real8          69583184.1139039993: 69616983.4901389927 Maximum Value in Bin
   5   COUNTS               count        Int4           -                    Counts
   6   STAT_ERR             count        Real8          0:+Inf               Statistical error
   7   AREA                 pixel**2     Real8          -Inf:+Inf            Area of extraction
   8   EXPOSURE             s            Real8          -Inf:+Inf            Time per interval
   9   COUNT_RATE           count/s      Real8          0:+Inf               Rate
  10   COUNT_RATE_ERR       count/s      Real8          0:+Inf               Rate Error"""
    evt = lightcurve_events(make_events, 69583184.113904, 69616983.490139)
    lc = str(tmp_path / "lc.fits")
    dmextract.run(params("dmextract", infile=f"{evt}[bin time=::2000]", outfile=lc, opt="ltc1"))
    dmlist.run(params("dmlist", infile=lc, opt="cols"))
    assert capsys.readouterr().out.splitlines()[5:16] == recorded.splitlines()


def test_lightcurve_time_range_is_the_columns_own(make_events, tmp_path, params, capsys):
    """With bin limits inside TSTART..TSTOP, TIME still lists its own TLMIN:TLMAX like TIME_MIN
    and TIME_MAX (in the lightcurve thread all three print the same range), not the time
    subspace's TSTART:TSTOP that the light curve carries."""
    evt = lightcurve_events(make_events, 69583184.113904, 69616983.490139)
    lc = str(tmp_path / "lc.fits")
    dmextract.run(params("dmextract", infile=f"{evt}[bin time=69590000:69600000:1000]", outfile=lc, opt="ltc1"))
    h = fits.getheader(lc, "LIGHTCURVE")
    assert (h["TTYPE3"], h["TLMIN3"], h["TLMAX3"]) == ("TIME", 69590000.0, 69600000.0)
    assert h["TSTART"] == 69583184.113904
    dmlist.run(params("dmlist", infile=lc, opt="cols"))
    assert capsys.readouterr().out.splitlines()[7:10] == [
        "   2   TIME_MIN             s            Real8          69590000.0: 69600000.0 Minimum Value in Bin",
        "   3   TIME                 s            Real8          69590000.0: 69600000.0 S/C TT corresponding to mid-exposure",
        "   4   TIME_MAX             s            Real8          69590000.0: 69600000.0 Maximum Value in Bin"]
