"""Properties of the symbol functions and of the citation extractor (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from flows.core.citations import extract_citations
from flows.core.symbols import SymbolPart, UNSymbol, canonical_symbol, format_symbol, parse_symbol
from flows.core.textnorm import normalize_text

_num = st.integers(min_value=100, max_value=99999).map(str)
_small = st.integers(min_value=1, max_value=999).map(str)
_year = st.integers(min_value=1946, max_value=2030).map(str)
_roman = st.sampled_from(["I", "V", "X", "XV", "XXI", "XXX", "XLIV"])
_tail = st.sampled_from(["", "/Rev.1", "/Corr.2", "/Add.1", "/Add.1-3", "/Rev.1/Add.2"])


@st.composite
def _part(draw) -> SymbolPart:
    kind = draw(st.sampled_from(["doc", "sess", "sc", "ga", "gaold", "prst", "pv", "l"]))
    if kind == "doc":
        segs = (draw(st.sampled_from(["A", "S", "E"])), draw(_num))
    elif kind == "sess":
        segs = (draw(st.sampled_from(["A", "S", "E", "ST"])), draw(_small), draw(_small))
    elif kind == "sc":
        return SymbolPart(("S", "RES", draw(_small)), None, draw(st.one_of(st.none(), _year)))
    elif kind == "ga":
        return SymbolPart(("A", "RES", draw(_small), draw(_small)), draw(st.sampled_from([None, "A", "B"])))
    elif kind == "gaold":
        return SymbolPart(("A", "RES", draw(_num)), draw(st.sampled_from([None, "A"])), draw(_roman))
    elif kind == "prst":
        segs = ("S", "PRST", draw(_year), draw(_small))
    elif kind == "pv":
        segs = (draw(st.sampled_from(["S", "A"])), "PV." + draw(_small))
        if segs[0] == "A":
            segs = ("A", draw(_small), segs[1])
    else:
        segs = ("A", draw(_small), "L." + draw(_small))
    tail = draw(_tail)
    return SymbolPart(segs + tuple(t for t in tail.split("/") if t))


@st.composite
def _symbol(draw) -> UNSymbol:
    first = draw(_part())
    if first.letter or first.suffix or draw(st.booleans()):
        return UNSymbol((first,))
    second = SymbolPart(("S", draw(_year), draw(_small)))
    return UNSymbol((first, second))


@given(_symbol())
def test_parse_format_roundtrip(sym):
    s = format_symbol(sym)
    assert parse_symbol(s) == sym
    assert format_symbol(parse_symbol(s)) == s


@given(_symbol())
def test_canonical_of_canonical_is_identity(sym):
    s = format_symbol(sym)
    assert canonical_symbol(s) == s


@given(st.text(max_size=60))
def test_canonical_symbol_is_idempotent(s):
    once = canonical_symbol(s)
    if once is not None:
        assert canonical_symbol(once) == once
        assert parse_symbol(once) is not None


@given(st.text(max_size=400))
def test_normalizing_twice_changes_nothing(raw):
    once = normalize_text(raw)
    assert normalize_text(once) == once


_PIECES = st.sampled_from([
    "resolution ", "resolutions ", "1963 (2010)", "67/264", " and ", ", ", "(", ")", "ibid.", "Ibid., para. 3.",
    "Article 24", "Arts. 52 and 53", " of the Charter", "Chapter VII", "S/PRST/2013/12", "A/67/280-S/2012/614",
    "A /67/PV.3", "para. 5", "\n", "\n\n", " ", "3419 A to D (XXX)", "rule 39 of its provisional rules of procedure",
    "General Assembly ", "Security Council ", "www.un.org", "Corr.l", "–", "S/", "/", "12", "XXX", "of 31 October 2000",
])


@settings(max_examples=300)
@given(st.one_of(st.text(max_size=300), st.lists(_PIECES, max_size=30).map("".join)))
def test_extraction_never_raises_and_offsets_hold(text):
    cits = extract_citations(text)
    for c in cits:
        assert text[c.start:c.end] == c.raw
        assert 0 <= c.start < c.end <= len(text)
    assert cits == sorted(cits, key=lambda c: (c.start, c.end, c.cited_symbol))
