"""CIAO HISTORY records: written by history_records, read back by parse_history.

The layout is the one CIAO tools write (the real fluximage output in the shared data:
``TOOL  :name   date`` then ``PARM  :name=value``, values over 56 characters continued on
``CONT  :`` records, each 64 characters and a sequence number).
"""
from astropy.io import fits

from pyciao.dm.writer import history_records, parse_history


def test_round_trip():
    long_value = "primary/acisf00650N004_evt2.fits.gz[ccd_id=7][bin x=3522.5:4758.5:2]"
    params = [("infile", long_value), ("outfile", "gkper_broad.img"), ("option", "")]
    recs = history_records("dmcopy", params, 7, date="2020-04-29T13:32:59")
    assert recs[0] == f"{' TOOL  :dmcopy   2020-04-29T13:32:59':<64}ASC00007"
    assert [r[:8] for r in recs] == [" TOOL  :", " PARM  :", " CONT  :", " PARM  :", " PARM  :"]
    assert parse_history(["some free text"] + recs) == [
        (None, "some free text", None), ("dmcopy", "2020-04-29T13:32:59", params)]


def test_reads_ciaos_own_records(shared_data):
    """The fluximage record of a real CIAO output: its 21 parameters, in .par order."""
    h = fits.getheader(shared_data / "kglotfelty_ciao_tools/images/"
                                     "gkper_obs650_broad_thresh.fits")
    runs = [r for r in parse_history(h["HISTORY"]) if r[0] is not None]
    tool, date, params = runs[-1]
    assert (tool, date) == ("fluximage", "2020-04-29T13:33:42")
    assert params[0] == ("infile", "primary/*evt2.fits.gz[ccd_id=7]")
    assert dict(params)["tmpdir"] == "/tmp" and len(params) == 21
    dmcopy = [r for r in runs if r[0] == "dmcopy"][-2]
    assert dict(dmcopy[2])["infile"] == ("primary/acisf00650N004_evt2.fits.gz[ccd_id=7][bin "
                                         "x=3522.5:4758.5:2,y=3768.5:5006.5:2][energy=500.0:"
                                         "7000.0][opt type=i4]")
