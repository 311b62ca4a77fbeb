"""The shipped system parameter files against CIAO's facts.

Facts (../shared/data/ciao_contrib, see its PROVENANCE.md): the parameter table that CIAO's
runtool carries for 204 tools (names, types, defaults, ranges, enumerations, and whether a
parameter is automatic), the real contrib .par files, and plist/pline listings recorded from
real CIAO runs. Files are read with paramio's parser, the project's only one.
"""
import json
import pathlib
import re

import pytest

import pyciao.param
from paramio.grammar import Comment, Param, read_parfile
from paramio.values import base_type, to_python

PARAM_DIR = pathlib.Path(pyciao.param.__file__).parent
SHIPPED = sorted(p.stem for p in PARAM_DIR.glob("*.par"))
# The CIAO tools (and CIAO parameter files) of the current issues; files in param/ that the
# table does not know are pyciao's own tools (simulator and so on) and are checked for form only.
CIAO_FILES = ["ardlib", "asphist", "colors", "dmcoords", "dmcopy", "dmextract", "dmgti",
              "dmhedit", "dmimgcalc", "dmimgthresh", "dmkeypar", "dmlist", "dmmerge", "dmsort",
              "dmstat", "fluximage", "geom", "get_sky_limits", "mkexpmap", "mkinstmap"]


_TABLE = {}


@pytest.fixture
def table(shared_data):
    if not _TABLE:
        path = shared_data / "ciao_contrib" / "derived_ciao_parinfo_from_runtool.json"
        _TABLE.update(json.loads(path.read_text()))
    return _TABLE


def params(name):
    return read_parfile(PARAM_DIR / f"{name}.par").params


def test_every_tool_of_the_current_issues_has_a_file():
    assert set(CIAO_FILES) <= set(SHIPPED)


def facts(table, name):
    if name not in table:
        pytest.skip(f"{name} is not a CIAO tool: no facts to check against")
    return table[name]


@pytest.mark.parametrize("name", SHIPPED)
def test_names_order_and_required_parameters_match_ciao(name, table):
    entry = facts(table, name)
    ours = [p for p in params(name) if p.name != "mode"]
    # runtool lists the automatic (mode "a") parameters, then the others, each in file order
    assert [p.name for p in ours if p.mode == "a"] == [q["name"] for q in entry["req"]]
    assert [p.name for p in ours if p.mode != "a"] == [q["name"] for q in entry["opt"]]


@pytest.mark.parametrize("name", SHIPPED)
def test_types_defaults_and_ranges_match_ciao(name, table):
    ours = {p.name: p for p in params(name)}
    entry = facts(table, name)
    for fact in entry["req"] + entry["opt"]:
        p = ours[fact["name"]]
        where = f"{name}.{p.name}"
        assert p.type == fact["type"], where
        default = to_python(p.type, p.value, p.name)
        if base_type(p.type) in ("s", "f") and default == "":
            default = None  # the table writes an empty default as null
        assert default == fact["default"], where
        if fact["kind"] == "ParSet":
            assert p.min.split("|") == fact["options"] and p.max == "", where
        elif fact["kind"] == "ParRange":
            bounds = [to_python(p.type, t) if t else None for t in (p.min, p.max)]
            assert bounds == [fact["min"], fact["max"]], where
        else:
            assert (p.min, p.max) == ("", ""), where


@pytest.mark.parametrize("name", SHIPPED)
def test_mode_parameter_comes_last(name):
    last = params(name)[-1]
    if name == "colors":  # colour tables have no mode parameter in CIAO (see the runtool tests)
        assert all(p.name != "mode" for p in params(name))
        return
    assert (last.name, last.type, last.mode) == ("mode", "s", "h")
    if name in ("mkexpmap", "mkinstmap"):
        assert (last.value, last.min) == ("ql", "ql|hl|q|h")
    elif name == "ardlib":
        assert (last.value, last.min) == ("hl", "ql|hl|q|h")
    else:
        assert (last.value, last.min, last.max) == ("ql", "", "")


@pytest.mark.parametrize("name", SHIPPED)
def test_prompts_are_our_own_words(name, table):
    """Every parameter has a prompt, and none is CIAO's text (ignoring case and blanks)."""
    entry = facts(table, name)
    theirs = {q["name"]: q["prompt"] for q in entry["req"] + entry["opt"]}
    squash = lambda text: re.sub(r"\W+", "", text).lower()  # noqa: E731
    for p in params(name):
        if p.name == "mode":
            continue
        assert p.prompt, f"{name}.{p.name} has no prompt"
        assert squash(p.prompt) != squash(theirs[p.name]), f"{name}.{p.name}"


@pytest.mark.parametrize("name", ["fluximage", "get_sky_limits"])
def test_contrib_tools_match_the_real_files_except_prompts(name, shared_data):
    real = read_parfile(shared_data / "ciao_contrib" / "param" / f"{name}.par").params
    fields = lambda p: (p.name, p.type, p.mode, p.value, p.min, p.max)  # noqa: E731
    assert [fields(p) for p in params(name)] == [fields(p) for p in real]


# ---- listings recorded from real CIAO runs ---------------------------------------------------
def skeleton(listing):
    """A plist listing reduced to its structure: comment lines, and (name, hidden) pairs."""
    out = []
    for line in listing.splitlines():
        if line.startswith("#"):
            out.append(line.rstrip())
            continue
        m = re.match(r"\s*(\()?(\S+) = ", line)
        if m:
            out.append((m.group(2), bool(m.group(1))))
    return out


def our_listing(name):
    from paramio.listing import plist_text
    from paramio.session import open_params

    return plist_text(open_params(str(PARAM_DIR / f"{name}.par"), mode="rH"))


def recorded_listings(seeds):
    """``{tool: listing}`` from the plist outputs kept in the seed recordings."""
    text = (seeds / "000_d8dc0bd4bc578f24.txt").read_text()
    found = {}
    for block in re.split(r"\n(?=Parameters for )", text)[1:]:
        tool = re.match(r"Parameters for \S*/(\w+)\.par", block).group(1)
        found[tool] = block.split("\n\n\n")[0]
    return found


@pytest.mark.parametrize("name", ["asphist", "mkinstmap", "mkexpmap", "dmimgthresh",
                                  "dmimgcalc"])
def test_plist_order_and_comments_match_a_recorded_ciao_listing(name, shared_data):
    seeds = shared_data.parent / "seeds"
    if not seeds.is_dir():
        pytest.skip("seed recordings not found")
    assert skeleton(our_listing(name)) == skeleton(recorded_listings(seeds)[name])


def test_dmlist_pline_matches_the_recorded_ciao_output():
    from paramio.listing import pline_text
    from paramio.session import open_params

    # `pline dmlist` after `punlearn dmlist`, CIAO 4.16 (spec paramio.md §4.6)
    recorded = "infile='' opt='data' outfile='' rows='' cells='' verbose='0' mode='ql'\n"
    assert pline_text(open_params(str(PARAM_DIR / "dmlist.par"), mode="rH")) == recorded


def test_dmcopy_text_matches_the_runtool_recording():
    """The lines runtool's tests read back from a real dmcopy.par rewritten after setting
    infile, verbose=2 and clobber=yes (cxcsds/ciao-contrib tests/test_runtool.py), prompts
    left out (ours are our own words)."""
    from paramio.render import render_param

    ours = params("dmcopy")
    changed = {"infile": "../foo/bar.fits[foo=23:][cols bob]", "verbose": "2", "clobber": "yes"}
    for p in ours:
        p.value = changed.get(p.name, p.value)
        p.prompt = ""
    assert [render_param(p) for p in ours] == [
        'infile,f,a,"../foo/bar.fits[foo=23:][cols bob]",,,',
        'outfile,f,a,"",,,',
        'kernel,s,h,"default",,,',
        'option,s,h,"",,,',
        "verbose,i,h,2,0,5,",
        "clobber,b,h,yes,,,",
        'mode,s,h,"ql",,,',
    ]


def test_value_spellings_seen_in_ciao_listings():
    """Real listings show these exact texts (asphist: `600.` and `10000.`)."""
    asphist = {p.name: p.value for p in params("asphist")}
    assert (asphist["res_xy"], asphist["res_roll"], asphist["max_bin"]) == ("0.5", "600.", "10000.")
    assert {p.name: p.value for p in params("dmimgthresh")}["value"] == "0.0"


def test_comments_stay_where_ciao_has_them():
    entries = read_parfile(PARAM_DIR / "mkexpmap.par").entries
    kinds = ["#" if isinstance(e, Comment) else e.name for e in entries if
             isinstance(e, (Comment, Param))]
    assert kinds[kinds.index("useavgaspect") + 1: kinds.index("normalize")] == ["#"] * 4
