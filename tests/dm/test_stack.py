"""Stacks: the spec dm.md §8.4 vectors S1-S10."""
import pytest

from pyciao.dm.stack import StackError, expand_stack


def test_s1_commas_inside_brackets_kept():
    assert expand_stack("a.fits,b.fits[energy=1:2,pi=3]") == ["a.fits", "b.fits[energy=1:2,pi=3]"]


def test_s2_spaces_commas_semicolons():
    assert expand_stack("a.fits b.fits;c.fits") == ["a.fits", "b.fits", "c.fits"]


@pytest.fixture
def listdir(tmp_path):
    d = tmp_path / "dir"
    d.mkdir()
    (d / "list.lis").write_text("x.fits\n# c\n\n/abs/y.fits\n!z.fits\n")
    return tmp_path


def test_s3_relative_to_stack_file(listdir):
    assert expand_stack("@dir/list.lis", base_dir=str(listdir)) == ["dir/x.fits", "/abs/y.fits", "z.fits"]


def test_s4_no_prefix(listdir):
    assert expand_stack("@-dir/list.lis", base_dir=str(listdir)) == ["x.fits", "/abs/y.fits", "z.fits"]


def test_s5_filter_appended(listdir):
    assert expand_stack("@dir/list.lis[ccd_id=7]", base_dir=str(listdir)) == [
        "dir/x.fits[ccd_id=7]", "/abs/y.fits[ccd_id=7]", "z.fits[ccd_id=7]"]


def test_s6_igrid():
    assert expand_stack("r.fits[component=igrid(1:3:1)]") == [
        "r.fits[component=1]", "r.fits[component=2]", "r.fits[component=3]"]


def test_s7_rgrid():
    assert expand_stack("img[bin sky=rgrid(0:20:10,0:10:10)]") == [
        "img[bin sky=rectangle(0,0,10,10)]", "img[bin sky=rectangle(10,0,20,10)]"]


def test_pgrid_and_lgrid():
    assert expand_stack("pgrid(0,0,0:20:10,0:360:180)") == [
        "pie(0,0,0,10,0,180)", "pie(0,0,0,10,180,360)", "pie(0,0,10,20,0,180)", "pie(0,0,10,20,180,360)"]
    assert expand_stack("e[energy=lgrid(0.5:1.5:0.5)]") == ["e[energy=0.5]", "e[energy=1]", "e[energy=1.5]"]


def test_s8_continuation(tmp_path):
    (tmp_path / "c.lis").write_text("a.fits \\\n[energy=1:2]\n")
    assert expand_stack("@-c.lis", base_dir=str(tmp_path)) == ["a.fits[energy=1:2]"]


def test_s9_empty():
    assert expand_stack("") == [""]


def test_s10_missing(tmp_path):
    with pytest.raises(StackError) as exc:
        expand_stack("@missing.lis", base_dir=str(tmp_path))
    assert str(exc.value) == "can not open stack 'missing.lis'"
    assert exc.value.origin == "stklib"


def test_recursive_stack(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "top.lis").write_text("@sub/inner.lis\nq.fits\n")
    (tmp_path / "sub" / "inner.lis").write_text("p.fits\n")
    assert expand_stack("@+top.lis", base_dir=str(tmp_path)) == ["sub/p.fits", "q.fits"]


def test_glob_keeps_filter_and_literal_when_no_match(tmp_path):
    for n in ("imap.e1.fits", "imap.e2.fits"):
        (tmp_path / n).write_text("")
    assert expand_stack("imap.*.fits[cols x]", base_dir=str(tmp_path)) == [
        "imap.e1.fits[cols x]", "imap.e2.fits[cols x]"]
    assert expand_stack("nothing*.fits", base_dir=str(tmp_path)) == ["nothing*.fits"]
