"""dmkeypar (spec §4.3, L8) and dmhedit (§4.4)."""
import numpy as np
import pytest
from astropy.io import fits

from pyciao import dmhedit, dmkeypar
from pyciao.errors import ToolError


@pytest.fixture
def keyfile(tmp_path):
    h = fits.Header()
    h["LIVETIME"] = (5977.7355472452, "[s] Livetime")
    h["RA_NOM"] = 184.2374583333333
    h["NROWS"] = 942
    h["EXPOSURE"] = 110000.0
    h["DATAMODE"] = "FAINT"
    h["CLOCKAPP"] = True
    p = tmp_path / "k.fits"
    fits.HDUList([fits.PrimaryHDU(), fits.BinTableHDU.from_columns(
        [fits.Column("X", "D", array=np.arange(3.0))], header=h, name="EVENTS")]).writeto(p)
    return str(p)


@pytest.mark.parametrize("key,text,dtype", [("LIVETIME", "5977.7355472452", "real"), ("ra_nom", "184.2374583333333", "real"),
                                            ("NROWS", "942", "integer"), ("EXPOSURE", "110000.0", "real"),
                                            ("datamode", "FAINT", "string"), ("CLOCKAPP", "yes", "boolean")])
def test_l8_echo_values_as_stored(keyfile, params, capsys, key, text, dtype):
    out = dmkeypar.run(params("dmkeypar", infile=keyfile, keyword=key, echo=True))
    assert capsys.readouterr().out == text + "\n"
    assert out["exist"] is True and out["value"] == text and out["datatype"] == dtype


def test_typed_outputs_and_unit(keyfile, params):
    out = dmkeypar.run(params("dmkeypar", infile=keyfile, keyword="LIVETIME"))
    assert out["rval"] == 5977.7355472452 and out["unit"] == "s" and out["comment"] == "Livetime"
    out = dmkeypar.run(params("dmkeypar", infile=keyfile, keyword="NROWS"))
    assert out["ival"] == 942 and out["rval"] == 942.0
    out = dmkeypar.run(params("dmkeypar", infile=keyfile, keyword="NOPE"))
    assert out["exist"] is False and out["datatype"] == "null"
    with pytest.raises(ToolError, match="keyword 'NOPE' not found"):
        dmkeypar.run(params("dmkeypar", infile=keyfile, keyword="NOPE", echo=True))


def test_virtual_file_keywords_are_recomputed(shared_data, params, capsys):
    evt = str(shared_data / "xrayevents_obs1479" / "acis_evt2.fits.gz")
    dmkeypar.run(params("dmkeypar", infile=evt + "[ccd_id=3][time=59267347.33515049:59270000]",
                        keyword="LIVETIME", echo=True))
    live = float(capsys.readouterr().out)
    dtcor = 9.8733739787229E-01
    assert live == pytest.approx((59270000 - 59267347.33515049) * dtcor, rel=1e-12)


def test_dmhedit_add_change_delete(keyfile, params):
    dmhedit.run(params("dmhedit", infile=keyfile + "[EVENTS]", operation="add", key="OBJECT", value="M82"))
    dmhedit.run(params("dmhedit", infile=keyfile, operation="add", key="NROWS", value="7", datatype="long",
                       unit="count", comment="rows"))
    dmhedit.run(params("dmhedit", infile=keyfile, operation="delete", key="DATAMODE"))
    with fits.open(keyfile, checksum=True) as f:
        h = f[1].header
        assert h["OBJECT"] == "M82" and h["NROWS"] == 7 and h.comments["NROWS"] == "[count] rows"
        assert "DATAMODE" not in h and f[1].data["X"].tolist() == [0.0, 1.0, 2.0]
        assert any("TOOL  :dmhedit" in str(v) for v in h["HISTORY"])


def test_dmhedit_edit_list(keyfile, params, tmp_path):
    lst = tmp_path / "edits.lis"
    lst.write_text("#add\nOBSERVER = 'Dr. X'\nRA_NOM = 10.5\nFLAG = T\n#delete\nEXPOSURE\n")
    dmhedit.run(params("dmhedit", infile=keyfile, filelist=str(lst)))
    h = fits.getheader(keyfile, 1)
    assert h["OBSERVER"] == "Dr. X" and h["RA_NOM"] == 10.5 and h["FLAG"] is True and "EXPOSURE" not in h


def test_dmhedit_refuses_structure(keyfile, params):
    with pytest.raises(ToolError, match="NAXIS2"):
        dmhedit.run(params("dmhedit", infile=keyfile, operation="add", key="NAXIS2", value="5"))
    with pytest.raises(ToolError, match="unknown operation"):
        dmhedit.run(params("dmhedit", infile=keyfile, operation="frob", key="X", value="5"))
