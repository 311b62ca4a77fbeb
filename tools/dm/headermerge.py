"""Merging the headers of several inputs into one output header (dmimgcalc, dmmerge).

CIAO drives this with a lookup table (``lookupTab``, default
``${ASCDS_CALIB}/dmmerge_header_lookup.txt``): one keyword per line followed by its rules,
``;``-separated. The first input's header is the base; a keyword named in the table is
checked across all inputs and, when the values disagree (or it is missing from some), its
rule decides the outcome and a message is printed, one line per keyword in alphabetical
order, with CIAO's wording (spec dm.md §6.1, seen in the threads)::

    warning: CONTENT has 1 different values.
    warning: DETNAM has different value...Merged...
    BTIMCORR not present in all input files...FAIL...
    OBI_NUM values are different...FAIL...
    omit - FOC_LEN values different more than 1.000000
    omit - keyword DEC_NOM not present in all input files

Rules (names case-insensitive; [I] where the threads show no message):

``Merge-<v>``        differing values -> ``<v>`` (``Merged``) with a warning
``Force-<v>``        after ``Merge``: the value used when the keyword is missing somewhere;
                     alone: always ``<v>``
``Force``            differing values -> keep the first, warn ``has N different values``
``WarnFirst``        differing values -> keep the first, with a warning [I wording]
``WarnPrefer-<v>``   differing values -> ``<v>``, with a warning [I wording]
``WarnOmit-<tol>``   numbers differing by more than ``tol`` (or missing somewhere) -> dropped
``Fail``             differing or missing -> dropped, ``...FAIL...`` (the run goes on, as in
                     the threads); ``Fail;Default-<v>`` writes ``<v>`` instead
``Max``              the largest value
``calcForce``        recomputed: DATE now, TSTART/DATE-OBS from the earliest input,
                     TSTOP/DATE-END from the latest, others keep the first
``calcGTI``          exposure keywords; the caller recomputes them from merged GTIs, else
                     the first input's value is kept
``Skip``             not checked: the first value is kept
``PUT_STRING-<v>``   always ``<v>``

When no table file is readable the built-in :data:`DEFAULT_RULES` (CIAO's dmmerge table as
its behaviour shows in the threads: mission keywords merged, pointing keywords omitted
beyond a tolerance, calibration file names failing) is used.
"""
from __future__ import annotations

import datetime
import os
import sys

from astropy.io import fits

from ..errors import ToolError

__all__ = ["DEFAULT_RULES", "read_lookup_table", "merge_headers", "resolve_lookup_table"]

_MERGE = "Merge-Merged;Force-Unknown"
DEFAULT_RULES = {
    "MISSION": "Merge-Merged;Force-AXAF", "TELESCOP": _MERGE, "OBJECT": _MERGE,
    "OBSERVER": _MERGE, "TITLE": _MERGE, "OBS_ID": _MERGE, "DS_IDENT": _MERGE,
    "SEQ_NUM": _MERGE, "INSTRUME": _MERGE, "DETNAM": _MERGE, "ASPTYPE": _MERGE,
    "GRATING": _MERGE, "OBS_MODE": _MERGE, "DATAMODE": _MERGE,
    "ORIGIN": "WarnFirst;Force-ASC", "CONTENT": "Force",
    # Quiet: the tool stamps its own CREATOR on the output, and the block name follows the
    # first input (the exposure-map thread divides an EVENTS_IMAGE by an EXPMAP and CIAO
    # prints no HDUNAME message).
    "CREATOR": "Skip", "HDUNAME": "Skip",
    "RA_NOM": "WarnOmit-0.0003", "DEC_NOM": "WarnOmit-0.0003", "ROLL_NOM": "WarnOmit-1.0",
    "RA_PNT": "WarnOmit-0.0003", "DEC_PNT": "WarnOmit-0.0003", "ROLL_PNT": "WarnOmit-1.0",
    "FP_TEMP": "WarnOmit-2.0", "RAND_SKY": "WarnOmit-0.05", "RAND_PI": "WarnOmit-0.05",
    "RAND_TG": "WarnOmit-0.05", "SIM_X": "WarnOmit-0.001", "SIM_Y": "WarnOmit-0.001",
    "SIM_Z": "WarnOmit-0.1", "FOC_LEN": "WarnOmit-1.0",
    "EQUINOX": "WarnPrefer-2000.0", "RADECSYS": "WarnPrefer-ICRS", "RADESYS": "WarnPrefer-ICRS",
    "DATACLAS": "WarnPrefer-Observed", "TIMVERSN": "WarnFirst", "CLOCKAPP": "WarnFirst",
    "MJDREF": "Fail", "BTIMNULL": "Fail", "BTIMRATE": "Fail", "BTIMDRFT": "Fail",
    "BTIMCORR": "Fail", "TIERRELA": "Max", "TIERABSO": "Max", "TIMEDEL": "Max",
    "DATE": "calcForce", "DATE-OBS": "calcForce", "DATE-END": "calcForce",
    "TSTART": "calcForce", "TSTOP": "calcForce", "ONTIME": "calcGTI", "LIVETIME": "calcGTI",
    "LIVTIME": "calcGTI", "EXPOSUR": "calcGTI", "EXPOSURE": "calcGTI", "DTCOR": "calcForce",
    "TIMEUNIT": "Fail;Default-s", "TIMESYS": "Fail;Default-UTC", "TIMEPIXR": "Fail;Default-0.5",
    "OBI_NUM": "Fail",
    **{k: "Fail" for k in ("ASOLFILE", "BPIXFILE", "FLTFILE", "MASKFILE", "MTLFILE", "PBKFILE",
                           "THRFILE", "GAINFILE", "CTIFILE", "TGAINFIL", "GRD_FILE", "BIASFILE",
                           "DTFFILE", "FLATFILE", "HYPFILE", "SATFILE", "OSIPFILE", "AIMPFILE")},
}

# Keywords that are structure, not content: never merged.
_STRUCTURE = {"SIMPLE", "XTENSION", "BITPIX", "NAXIS", "EXTEND", "PCOUNT", "GCOUNT", "TFIELDS",
              "EXTNAME", "EXTVER", "CHECKSUM", "DATASUM", "HISTORY", "COMMENT", ""}


def resolve_lookup_table(value):
    """The rules for a ``lookupTab`` parameter: a readable file's rules, else the defaults
    (an unset ``${ASCDS_CALIB}`` or the literal default name falls back silently; any other
    unreadable file is an error)."""
    text = str(value or "").strip()
    if not text or text.lower() == "none":
        return dict(DEFAULT_RULES)
    path = os.path.expandvars(os.path.expanduser(text))
    if os.path.isfile(path):
        return read_lookup_table(path)
    if "$" in path or os.path.basename(path) == "dmmerge_header_lookup.txt":
        return dict(DEFAULT_RULES)
    raise ToolError(f"Unable to open lookup table {text}")


def read_lookup_table(path):
    """{KEYWORD: rules} from a lookup-table file (``#`` comments and blank lines skipped)."""
    rules = {}
    with open(path, encoding="ascii", errors="replace") as fh:
        for line in fh:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split(None, 1)
            rules[parts[0].upper()] = parts[1].strip() if len(parts) > 1 else ""
    return rules


def _rule_for(key, rules):
    if key in rules:
        return rules[key]
    # LIVTIME / EXPOSUR stand for the per-chip LIVTIMEn / EXPOSURn keywords
    stem = key.rstrip("0123456789")
    if stem != key and stem in rules and rules[stem].lower() == "calcgti":
        return rules[stem]
    return None


def _parse_rules(text):
    out = []
    for piece in text.split(";"):
        piece = piece.strip()
        if not piece:
            continue
        name, _, arg = piece.partition("-")
        out.append((name.strip().lower(), arg.strip() if _ else None))
    return out


def _same(a, b):
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return float(a) == float(b)
    return str(a).strip() == str(b).strip()


def _typed(text, like):
    if isinstance(like, bool):
        return text.strip().upper() in ("T", "TRUE", "YES")
    if isinstance(like, int):
        try:
            return int(text)
        except ValueError:
            return text
    if isinstance(like, float):
        try:
            return float(text)
        except ValueError:
            return text
    return text


def merge_headers(headers, rules=None, *, out=None):
    """Merge ``headers`` (astropy Headers, first = base) by the lookup ``rules``.

    Returns ``(header, messages)``: a copy of the first header with the ruled keywords
    decided, and the message lines (already printed to ``out``, default stderr, unless
    ``out`` is False)."""
    rules = DEFAULT_RULES if rules is None else {k.upper(): v for k, v in rules.items()}
    base = headers[0].copy()
    if len(headers) < 2:
        return base, []
    keys = []
    for h in headers:
        for k in h.keys():
            if k not in _STRUCTURE and k not in keys and _rule_for(k, rules) is not None:
                keys.append(k)
    decisions = {}
    messages = []
    for key in sorted(keys):
        rule = _parse_rules(_rule_for(key, rules))
        present = [h[key] for h in headers if key in h]
        missing = len(present) < len(headers)
        first = present[0]
        differ = any(not _same(first, v) for v in present[1:])
        names = [n for n, _ in rule]
        args = dict(rule)
        value, msg, drop = first, None, False
        if "put_string" in args:
            value = args["put_string"]
        elif names and names[0] == "merge":
            if differ:
                value, msg = args["merge"], f"warning: {key} has different value...{args['merge']}..."
            elif missing and args.get("force"):
                value = _typed(args["force"], first)
        elif names and names[0] == "force" and args.get("force"):
            value = _typed(args["force"], first)
        elif names and names[0] == "force":
            if differ:
                n = sum(1 for v in present[1:] if not _same(first, v))
                msg = f"warning: {key} has {n} different values."
        elif names and names[0] == "warnfirst":
            if differ:
                msg = f"warning: {key} has different values...using first value..."
        elif names and names[0] == "warnprefer":
            if differ:
                value = _typed(args["warnprefer"], first)
                msg = f"warning: {key} has different values...using {args['warnprefer']}..."
        elif names and names[0] == "warnomit":
            tol = float(args["warnomit"])
            if missing:
                drop, msg = True, f"omit - keyword {key} not present in all input files"
            else:
                try:
                    nums = [float(v) for v in present]
                    spread = max(nums) - min(nums)
                except (TypeError, ValueError):
                    spread = 0.0 if not differ else float("inf")
                if spread > tol:
                    drop, msg = True, f"omit - {key} values different more than {tol:f}"
        elif names and names[0] == "fail":
            if missing or differ:
                msg = (f"{key} not present in all input files...FAIL..." if missing
                       else f"{key} values are different...FAIL...")
                if "default" in args:
                    value = _typed(args["default"], first)
                else:
                    drop = True
        elif names and names[0] == "max":
            try:
                value = max(present, key=float)
            except (TypeError, ValueError):
                value = first
        elif names and names[0] == "calcforce":
            value = _calc(key, headers, first)
        # calcgti, skip, unknown rules: the first value stands
        if msg:
            messages.append(msg)
        decisions[key] = (value, drop)
    for key, (value, drop) in decisions.items():
        if drop:
            if key in base:
                del base[key]
        elif key in base:
            base[key] = value
        else:
            comment = next((h.comments[key] for h in headers if key in h), "")
            base.append(fits.Card(key, value, comment), end=True)
    if out is not False:
        stream = sys.stderr if out is None else out
        for m in messages:
            print(m, file=stream, flush=True)
    return base, messages


def _calc(key, headers, first):
    if key == "DATE":
        return datetime.datetime.now().strftime("%Y-%m-%dT%H:%M:%S")
    starts = [(h.get("TSTART"), i) for i, h in enumerate(headers)
              if isinstance(h.get("TSTART"), (int, float))]
    stops = [(h.get("TSTOP"), i) for i, h in enumerate(headers)
             if isinstance(h.get("TSTOP"), (int, float))]
    if key in ("TSTART", "DATE-OBS") and starts:
        i = min(starts)[1]
        return headers[i].get(key, first)
    if key in ("TSTOP", "DATE-END") and stops:
        i = max(stops)[1]
        return headers[i].get(key, first)
    return first
