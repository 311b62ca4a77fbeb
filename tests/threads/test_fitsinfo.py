"""FITS files as comparable text: header keys and data statistics."""
import gzip
import shutil

import numpy as np
from astropy.io import fits

from pyciao.threads import fitsinfo
from pyciao.threads.compare import Tolerance, compare_text, diff_as_text


def _image(path, data, **keys):
    hdu = fits.PrimaryHDU(data)
    for k, v in keys.items():
        hdu.header[k] = v
    hdu.writeto(path, overwrite=True, checksum=True)
    return path


def _point_source(shift=(0, 0)):
    img = np.zeros((20, 30), dtype=np.int32)
    img[8 + shift[1], 12 + shift[0]] = 50
    img[8 + shift[1], 13 + shift[0]] = 10
    return img


def test_image_summary(tmp_path):
    text = fitsinfo.summarize(_image(tmp_path / "img.fits", _point_source(), OBJECT="RCW 103"))
    lines = text.splitlines()
    assert "[0 PRIMARY] BITPIX  =                   32 / array data type" in lines
    assert "[0 PRIMARY] OBJECT  = 'RCW 103 '" in lines
    assert "[0 PRIMARY] image 30 x 20 int32" in lines
    assert "[0 PRIMARY] data: finite 600, nan 0, nonzero 2, sum 60, mean 0.1, sigma 2.07926269" in lines
    assert "[0 PRIMARY] data: max 50 at (13, 9)" in lines          # FITS (x, y), 1-based
    assert "[0 PRIMARY] data: centroid (13.16666667, 9)" in lines
    assert not any("CHECKSUM" in x or "DATASUM" in x for x in lines)


def test_a_shifted_image_fails_the_comparison(tmp_path):
    a = fitsinfo.summarize(_image(tmp_path / "a.fits", _point_source()))
    b = fitsinfo.summarize(_image(tmp_path / "b.fits", _point_source(shift=(1, 0))))
    result = compare_text(a, b, Tolerance())
    assert not result.ok
    text = diff_as_text(result.diff)
    assert "- [0 PRIMARY] data: max 50 at (13, 9)" in text
    assert "+ [0 PRIMARY] data: max 50 at (14, 9)" in text


def test_float_images_with_nan(tmp_path):
    img = np.full((3, 4), np.nan, dtype=np.float32)
    img[1, 1:3] = [1.5, 2.5]
    text = fitsinfo.summarize(_image(tmp_path / "f.fits", img))
    assert "[0 PRIMARY] data: finite 2, nan 10, nonzero 2, sum 4, mean 2, sigma 0.5" in text
    assert "[0 PRIMARY] data: min 1.5 at (2, 2)" in text


def test_table_summary(tmp_path):
    cols = [fits.Column("time", "D", unit="s", array=np.array([3.0, 1.0, 2.0])),
            fits.Column("ccd_id", "I", array=np.array([7, 7, 6])),
            fits.Column("sky", "2E", unit="pixel", array=np.array([[1, 2], [3, 4], [5, 6]])),
            fits.Column("name", "8A", array=np.array(["a", "b", "a"])),
            fits.Column("flag", "L", array=np.array([True, False, True]))]
    table = fits.BinTableHDU.from_columns(cols, name="EVENTS")
    fits.HDUList([fits.PrimaryHDU(), table]).writeto(tmp_path / "t.fits")
    text = fitsinfo.summarize(tmp_path / "t.fits")
    assert "[0 PRIMARY] no data" in text
    assert "[1 EVENTS] table 3 rows x 5 columns" in text
    assert "[1 EVENTS] col time (D, s): min 1, max 3, mean 2, first 3, last 2" in text
    assert "[1 EVENTS] col ccd_id (I): min 6, max 7, mean 6.666666667, first 7, last 6" in text
    assert "[1 EVENTS] col sky (2E, pixel): min 1, max 6, mean 3.5, first [1 2], last [5 6]" in text
    assert "[1 EVENTS] col name (8A): distinct 2, first 'a', last 'a'" in text
    assert "[1 EVENTS] col flag (L): true 2 of 3" in text


def test_fits_detection_includes_gzip(tmp_path):
    path = _image(tmp_path / "img.fits", _point_source())
    with open(path, "rb") as src, gzip.open(tmp_path / "img.fits.gz", "wb") as dst:
        shutil.copyfileobj(src, dst)
    (tmp_path / "notes.txt").write_text("SIMPLE text\n")
    assert fitsinfo.is_fits(path)
    assert fitsinfo.is_fits(tmp_path / "img.fits.gz")
    assert not fitsinfo.is_fits(tmp_path / "notes.txt")
    assert fitsinfo.summarize(tmp_path / "img.fits.gz") == fitsinfo.summarize(path)


def test_real_chandra_events(shared_data):
    """The real obs 1479 event file summarizes (19 columns, gzip)."""
    text = fitsinfo.summarize(shared_data / "xrayevents_obs1479" / "acis_evt2.fits.gz")
    assert "[1 EVENTS] table 1306 rows x 19 columns" in text
    assert "[1 EVENTS] col energy (" in text


def test_long_history_is_counted_and_the_last_records_kept(tmp_path):
    hdu = fits.PrimaryHDU(np.zeros((2, 2)))
    for k in range(30):
        hdu.header.add_history(f"record {k}")
    hdu.header["AFTER"] = 1
    hdu.writeto(tmp_path / "h.fits")
    lines = fitsinfo.summarize(tmp_path / "h.fits").splitlines()
    history = [x for x in lines if "HISTORY" in x]
    assert history[0] == f"[0 PRIMARY] HISTORY: 30 records, the last {fitsinfo.HISTORY_SHOWN} follow in place"
    assert history[1:] == [f"[0 PRIMARY] HISTORY record {k}" for k in range(30 - fitsinfo.HISTORY_SHOWN, 30)]
    start = lines.index(history[0])
    assert lines[start:start + len(history)] == history        # in place, in order
