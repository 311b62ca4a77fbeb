"""Every real .par file (ciao-contrib and HEASoft) through parse -> write, and through plist.

"Canonical" is judged here by an independent description of the form CIAO writes (not by our
writer): value quoted for s/f types and bare otherwise, min/max bare, prompt quoted or empty,
no blanks around fields, LF line ends and a final newline. Canonical files must come back byte
for byte; the others must come back canonical and with the same fields.
"""
import re

from paramio.grammar import Param, parse_text, read_parfile
from paramio.listing import plist_text
from paramio.render import render
from paramio.session import ParamSession

_QUOTED = r'"(?:[^"\\]|\\.)*"'
_NONEMPTY_QUOTED = r'"(?:[^"\\]|\\.)+"'
_BARE = r'[^"\',\s](?:[^,]*[^,\s])?|'
_CANONICAL_PARAM = re.compile(
    rf"""(?P<name>[^,\s"]+),(?P<type>[A-Za-z*]+),(?P<mode>[ahqlAHQL]+),
    (?P<value>{_QUOTED}|{_BARE}),(?:{_BARE}),(?:{_BARE}),(?:{_NONEMPTY_QUOTED}|)\Z""",
    re.X,
)


def is_canonical(text):
    if "\r" in text or (text and not text.endswith("\n")):
        return False
    for line in text[:-1].split("\n") if text else []:
        if line.lstrip(" \t").startswith("#") or line == "":
            continue
        m = _CANONICAL_PARAM.match(line)
        if not m:
            return False
        string_type = m["type"].lstrip("*")[0] in "sf"
        if string_type != m["value"].startswith('"'):
            return False
        if m["value"] == '""' and not string_type:
            return False
    return True


def corpus(shared_data, folder, pattern):
    files = sorted((shared_data / folder).glob(pattern))
    assert files, f"no .par files under {folder}"
    return files


def read_text(path):
    return path.read_bytes().decode("utf-8", "surrogateescape")


def _content(text):
    """Parameters' fields and the text of comments (blank lines aside)."""
    return [e.fields() if isinstance(e, Param) else e.text
            for e in parse_text(text).entries if isinstance(e, Param) or e.text.strip()]


def check_round_trip(files):
    canonical = exact = 0
    others = []
    for path in files:
        text = read_text(path)
        written = render(parse_text(text, str(path)))
        assert is_canonical(written), path
        if is_canonical(text):
            canonical += 1
            assert written == text, path
            exact += 1
        else:
            others.append(path)
            assert _content(text) == _content(written), path  # only the form differs
    return canonical, exact, others


def test_ciao_contrib_round_trip(shared_data, capsys):
    files = corpus(shared_data, "ciao_contrib/param", "*.par")
    canonical, exact, others = check_round_trip(files)
    assert len(files) == 76
    assert exact == canonical >= 30
    with capsys.disabled():
        print(f"\nciao_contrib: {len(files)} files, {canonical} canonical (all byte-exact), "
              f"{len(others)} rewritten to canonical form")


def test_heasoft_round_trip(shared_data, capsys):
    files = corpus(shared_data, "heasoft_par", "**/*.par")
    canonical, exact, others = check_round_trip(files)
    assert len(files) >= 909
    assert exact == canonical
    with capsys.disabled():
        print(f"\nheasoft_par: {len(files)} files, {canonical} canonical (all byte-exact), "
              f"{len(others)} rewritten to canonical form")


def test_plist_every_file(shared_data):
    files = corpus(shared_data, "ciao_contrib/param", "*.par") + corpus(
        shared_data, "heasoft_par", "**/*.par"
    )
    for path in files:
        session = ParamSession(read_parfile(str(path)))
        listing = plist_text(session)
        assert listing.startswith(f"\nParameters for {path}\n\n"), path
        names = [p.name for p in session.parfile.params]
        assert len([line for line in listing.split("\n") if " = " in line]) >= len(set(names))


def test_canonical_checker_knows_the_spec_vectors():
    assert is_canonical('mode,s,h,"ql",,,\n')
    assert not is_canonical("mode,s,h,ql,,,\n")
    assert not is_canonical("mode,s,h,ql\n")
    assert is_canonical('verbose,i,h,1,0,5,"Debug Level (0-5)"\n')
    assert not is_canonical('verbose,i,h,"1",0,5,"Debug Level (0-5)"\n')
    assert not is_canonical('u,s,h,"d","d|e",,"U"\n')
    assert is_canonical('# c\n\nu,s,h,"d",d|e,,"U"\n')
