"""UN document symbols: cleaning, canonical form, kind and resolution facts.

A UN document symbol is a series of elements separated by slashes: `A/67/280`, `S/PRST/2013/12`,
`E/CN.4/2005/L.10/Add.1`, `ST/SGB/2009/4`. Joint documents of two organs carry two symbols joined
by a hyphen (`A/67/280-S/2012/614`). Security Council resolutions carry the year of adoption in
parentheses (`S/RES/1963 (2010)`), General Assembly resolutions before 1976 the roman number of
the session (`A/RES/3369 (XXX)`), lettered GA resolutions a capital letter (`A/RES/69/96 A`).

`canonical_symbol` turns a symbol as printed (spaces, link markup, OCR confusions, en dashes,
glued joint symbols, a trailing asterisk) into that canonical form; `parse_symbol` and
`format_symbol` convert between the canonical string and a structured `UNSymbol`, and
`format_symbol(parse_symbol(s)) == s` for every canonical `s`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from flows.core.lookups import load_lookup

CHARTER = "Charter of the United Nations"

# The functions below are pure functions of a string; the extractor calls them once per printed
# symbol or resolution, and the same symbols recur through a corpus (A/RES/60/1, S/RES/1325 (2000)):
# their results are memoized (bounded caches, immutable results).
_CACHE_SIZE = 1 << 15


@cache
def _vocab() -> dict:
    return load_lookup("citation_patterns")


@cache
def _prefixes() -> frozenset[str]:
    return frozenset(_vocab()["symbol_prefixes"])


@cache
def _rules_symbols() -> frozenset[str]:
    return frozenset(v["symbol"] for v in _vocab()["rules_of_procedure"].values())


# --- roman numerals -------------------------------------------------------------------------

_ROMAN_VALUES = (("M", 1000), ("CM", 900), ("D", 500), ("CD", 400), ("C", 100), ("XC", 90), ("L", 50),
                 ("XL", 40), ("X", 10), ("IX", 9), ("V", 5), ("IV", 4), ("I", 1))
_ROMAN = re.compile(r"^M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})$")


def roman_to_int(s: str) -> int | None:
    """The value of a well-formed roman numeral ("XXX" -> 30), None if `s` is not one."""
    if not s or not _ROMAN.match(s):
        return None
    total, i = 0, 0
    for sym, val in _ROMAN_VALUES:
        while s.startswith(sym, i):
            total += val
            i += len(sym)
    return total


def int_to_roman(n: int) -> str:
    out = []
    for sym, val in _ROMAN_VALUES:
        while n >= val:
            out.append(sym)
            n -= val
    return "".join(out)


# --- structure ------------------------------------------------------------------------------

# One element of a symbol: "67", "RES", "PV.3", "L.21", "Add.1-3", "S-23", "CN.4", "Corr.1".
_SEGMENT = re.compile(r"^[A-Za-z0-9]+(?:\.[A-Za-z0-9]+|-[A-Za-z0-9]+)*$")
# The parenthesized suffix of a resolution: year, GA session, special or emergency session.
_SUFFIX = re.compile(r"^(?:1[89]\d\d|20\d\d|[IVXL]+|S-[IVXL]+|ES-[IVXL]+)$")
# the volume of a document published in several ("A/67/49 (Vol. I)"): part of its symbol, any document's
_VOLUME = re.compile(r"^Vol\. (?:[IVXL]+|\d{1,2})$")
_LOOSE_VOLUME = re.compile(r"^Vol\.?\s*([IVXL]+|\d{1,2})$", re.IGNORECASE)
_LETTER = re.compile(r"^[A-Z]$")


@dataclass(frozen=True, slots=True)
class SymbolPart:
    """One symbol of a (possibly joint) document symbol."""

    segments: tuple[str, ...]  # ("S", "RES", "1963")
    letter: str | None = None  # lettered GA resolutions: "A" of "A/RES/69/96 A"
    suffix: str | None = None  # "2010" of S/RES/1963 (2010); "XXX" of A/RES/3369 (XXX); "Vol. I" of A/67/49 (Vol. I)


@dataclass(frozen=True, slots=True)
class UNSymbol:
    parts: tuple[SymbolPart, ...]


@dataclass(frozen=True, slots=True)
class ResolutionInfo:
    body: str
    number: int
    session: int | None
    year: int | None


@lru_cache(maxsize=_CACHE_SIZE)
def _segment_ok(seg: str) -> bool:
    return bool(_SEGMENT.match(seg)) and not _ocr_confused(seg)


_ASCII_DIGIT = re.compile(r"[0-9]")


def _valid_part(p: SymbolPart) -> bool:
    if len(p.segments) < 2 or p.segments[0] not in _prefixes():
        return False
    rest = p.segments[1:]
    for seg in rest:
        if not _segment_ok(seg):
            return False
    # the segments passed _SEGMENT (ASCII letters, digits, "." and "-"): a digit is [0-9]
    if _ASCII_DIGIT.search("".join(rest)) is None:
        return False
    if len(rest) == 1 and rest[0].isdigit() and len(rest[0]) < 3:
        return False  # "S/2", "A/1": OCR debris, not a symbol
    if p.letter is not None and not _LETTER.match(p.letter):
        return False
    volume = p.suffix is not None and _VOLUME.match(p.suffix) is not None
    if p.suffix is not None and not volume and not _SUFFIX.match(p.suffix):
        return False
    if (p.letter or (p.suffix and not volume)) and not _is_resolution_segments(p.segments):
        return False
    return True


def _is_resolution_segments(segments: tuple[str, ...]) -> bool:
    return "RES" in segments[1:-1]


def format_symbol(sym: UNSymbol) -> str:
    """The canonical string of a structured symbol."""
    out = []
    for p in sym.parts:
        s = "/".join(p.segments)
        if p.letter:
            s += " " + p.letter
        if p.suffix:
            s += f" ({p.suffix})"
        out.append(s)
    return "-".join(out)


_CANON_PART = re.compile(
    r"(?P<body>[A-Z][A-Z0-9]*(?:/[A-Za-z0-9]+(?:\.[A-Za-z0-9]+|-(?![A-Z][A-Z0-9]*/)[A-Za-z0-9]+)*)+)"
    r"(?: (?P<letter>[A-Z]))?(?: \((?P<suffix>Vol\. [IVXL0-9]+|[A-Z0-9\-]+)\))?"
)


def parse_symbol(s: str) -> UNSymbol | None:
    """Parse a canonical symbol; None if `s` is not exactly a canonical UN symbol."""
    if not isinstance(s, str) or not s:
        return None
    return _parse_symbol(s)


@lru_cache(maxsize=_CACHE_SIZE)
def _parse_symbol(s: str) -> UNSymbol | None:
    parts: list[SymbolPart] = []
    pos = 0
    while True:
        m = _CANON_PART.match(s, pos)
        if not m:
            return None
        part = SymbolPart(tuple(m.group("body").split("/")), m.group("letter"), m.group("suffix"))
        if not _valid_part(part):
            return None
        parts.append(part)
        pos = m.end()
        if pos == len(s):
            break
        if s[pos] != "-":
            return None
        pos += 1
    sym = UNSymbol(tuple(parts))
    return sym if format_symbol(sym) == s else None


# --- cleaning of printed symbols ------------------------------------------------------------

_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_SPACES_AROUND = re.compile(r"\s*([/.])\s*")
_DASH = re.compile(r"\s*[\u2010-\u2015\u2212-]\s*(?=[A-Z][A-Z0-9]*\s*/)")
_GLUED_JOINT = re.compile(r"(?<=/)(\d+)(?=([A-Z][A-Z0-9]*)/\d)")
_TAIL = re.compile(r"^(?P<body>.*?)(?:\s*(?P<letter>\b[A-Z]))?\s*(?:\(\s*(?P<suffix>[^()]{1,10}?)\s*\))?$")
_OCR_NUMERIC = re.compile(r"^[0-9lIO]*[0-9][0-9lIO]*$")
_OCR_AFTER_DOT = re.compile(r"^(?P<head>(?:Corr|Add|Rev|PV|SR|L|CRP|WP|Sub|Amend|Suppl|Vol)\.)(?P<num>[0-9lI]+)$")
_YEAR_OCR = str.maketrans({"l": "1", "I": "1", "O": "0", "o": "0"})


def _ocr_confused(seg: str) -> bool:
    """True for an element where a letter stands for a digit ("4l", "Corr.l")."""
    if _OCR_NUMERIC.match(seg) and not seg.isdigit():
        return True
    for piece in seg.split("-"):
        m = _OCR_AFTER_DOT.match(piece)
        if m and not m.group("num").isdigit():
            return True
    return False


def _fix_segment(seg: str) -> str:
    if _OCR_NUMERIC.match(seg):
        return seg.translate(_YEAR_OCR)
    pieces = seg.split("-")
    fixed = []
    for piece in pieces:
        m = _OCR_AFTER_DOT.match(piece)
        if m:
            piece = m.group("head") + m.group("num").translate(_YEAR_OCR)
        elif _OCR_NUMERIC.match(piece):
            piece = piece.translate(_YEAR_OCR)
        fixed.append(piece)
    return "-".join(fixed)


def _clean_part(text: str) -> SymbolPart | None:
    m = _TAIL.match(text.strip())
    if not m:
        return None
    body = m.group("body").strip().rstrip("/")
    letter = m.group("letter")
    suffix = m.group("suffix")
    if suffix is not None:
        volume = _LOOSE_VOLUME.match(suffix.strip())
        suffix = f"Vol. {volume.group(1).upper()}" if volume else re.sub(r"\s+", "", suffix)
        if re.fullmatch(r"[0-9lIO]{4}", suffix):
            suffix = suffix.translate(_YEAR_OCR)
    segments = tuple(_fix_segment(s) for s in body.split("/"))
    if not segments or any(not s for s in segments):
        return None
    part = SymbolPart(segments, letter, suffix)
    if not _valid_part(part) and (letter or suffix):
        # the letter or suffix was not part of the symbol (e.g. "S/2013/5 (2013)"): drop it
        part = SymbolPart(segments)
    return part if _valid_part(part) else None


def canonical_symbol(s: str) -> str | None:
    """The canonical form of a printed UN symbol, or None if `s` is not one."""
    if not isinstance(s, str):
        return None
    return _canonical_symbol(s)


@lru_cache(maxsize=_CACHE_SIZE)
def _canonical_symbol(s: str) -> str | None:
    s = _LINK.sub(lambda m: m.group(1), s)
    s = s.replace("\\", "").replace("*", "").strip().rstrip(".,;:")
    if not s:
        return None
    s = re.sub(r"\s+", " ", s)
    s = _SPACES_AROUND.sub(r"\1", s)
    s = _DASH.sub("-", s)
    s = _GLUED_JOINT.sub(r"\1-", s)
    chunks = _split_joint(s)
    parts = []
    for chunk in chunks:
        part = _clean_part(chunk)
        if part is None:
            return None
        parts.append(part)
    if not parts:
        return None
    out = format_symbol(UNSymbol(tuple(parts)))
    return out if parse_symbol(out) is not None else None


_JOINT_SPLIT = re.compile(r"-(?=[A-Z][A-Z0-9]*/)")


def _split_joint(s: str) -> list[str]:
    """Split a joint symbol at hyphens that start a new symbol ("A/67/280-S/2012/614")."""
    out: list[str] = []
    for chunk in _JOINT_SPLIT.split(s):
        if out and "/" in out[-1] and _looks_like_symbol_start(chunk):
            out.append(chunk)
        elif out:
            out[-1] = out[-1] + "-" + chunk
        else:
            out.append(chunk)
    return out


def _looks_like_symbol_start(c: str) -> bool:
    head = c.split("/", 1)[0]
    return head in _prefixes()


# --- kinds and resolution facts ------------------------------------------------------------

_URL = re.compile(r"^(?:https?://|www\.)", re.I)


def symbol_kind(symbol: str) -> str:
    """The cited_kind of a canonical cited_symbol (CONTRACT.md vocabulary)."""
    if not symbol:
        return "other"
    if isinstance(symbol, str):
        return _symbol_kind(symbol)
    return _symbol_kind.__wrapped__(symbol)


@lru_cache(maxsize=_CACHE_SIZE)
def _symbol_kind(symbol: str) -> str:
    if symbol.startswith(CHARTER):
        return "charter"
    if _URL.match(symbol):
        return "url"
    if symbol in _rules_symbols():
        return "rules_of_procedure"
    sym = parse_symbol(symbol)
    if sym is None:
        return "other"
    first = sym.parts[0].segments
    if len(sym.parts) == 1:
        if first[:2] == ("S", "RES"):
            return "sc_resolution"
        if first[:2] == ("A", "RES"):
            return "ga_resolution"
        if first[:2] == ("S", "PRST"):
            return "prst"
    markers = tuple(m + "." for m in _vocab()["meeting_record_markers"])
    if any(seg.startswith(markers) or seg in _vocab()["meeting_record_markers"] for seg in first[1:]):
        return "meeting_record"
    return "document"


def resolution_info(symbol: str) -> ResolutionInfo | None:
    """Body, number, session and year of a GA or SC resolution symbol; None for anything else."""
    sym = parse_symbol(symbol)
    if sym is None or len(sym.parts) != 1:
        return None
    p = sym.parts[0]
    seg = p.segments
    names = _vocab()["body_names"]
    if seg[:2] == ("S", "RES") and len(seg) == 3 and seg[2].isdigit():
        year = int(p.suffix) if p.suffix and p.suffix.isdigit() else None
        return ResolutionInfo(names["SC"], int(seg[2]), None, year)
    if seg[:2] == ("A", "RES"):
        if len(seg) == 4 and seg[2].isdigit() and seg[3].isdigit():
            return ResolutionInfo(names["GA"], int(seg[3]), int(seg[2]), None)
        if len(seg) == 4 and seg[3].isdigit():  # special / emergency special sessions: A/RES/ES-10/2
            return ResolutionInfo(names["GA"], int(seg[3]), None, None)
        if len(seg) == 3 and seg[2].isdigit():
            session = roman_to_int(p.suffix) if p.suffix else None
            return ResolutionInfo(names["GA"], int(seg[2]), session, None)
    return None


def resolution_symbol(body: str, number: str, letter: str | None = None, suffix: str | None = None,
                      session: str | None = None) -> str | None:
    """Build the canonical symbol of a resolution from its parts (body code from the YAML)."""
    try:
        return _resolution_symbol(body, number, letter, suffix, session)
    except TypeError:  # an unhashable argument: compute without the cache
        return _resolution_symbol.__wrapped__(body, number, letter, suffix, session)


@lru_cache(maxsize=_CACHE_SIZE)
def _resolution_symbol(body: str, number: str, letter: str | None, suffix: str | None,
                       session: str | None) -> str | None:
    stem = _vocab()["resolution_series"].get(body)
    if stem is None:
        return None
    segs = stem.split("/")
    if session is not None:
        segs.append(session)
    segs.append(number)
    part = SymbolPart(tuple(segs), letter, suffix)
    if not _valid_part(part):
        return None
    return format_symbol(UNSymbol((part,)))
