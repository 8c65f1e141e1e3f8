"""The speed-ups of the extractors find exactly what the plain code finds.

flows.core.fastscan (FastPattern, trie_alternation, literal_prefixes) and the fast paths built on
it in areas, entities and metadata are each compared with the plain way on generated texts.
"""

from __future__ import annotations

import re
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from flows.core import areas, dates, entities, fastscan, metadata
from flows.core.fastscan import FastPattern, literal_prefixes, trie_alternation

_PIECES = st.sampled_from([
    " ", "  ", "\n", ", ", ". ", "-", "\u2011", "’", "(", ")", "_", "İ", "ß", "K", "é", "Ｕ", "2", "1267",
    "in", "In", "at", "Mr.", "Ms", "Ambassador", "Paris", "PARIS", "New", "York", "Abuja", "on", "Kelvin",
    "United", "Nations", "Security", "Council", "the", "The", "African", "Union", "AU", "OIC", "Sahel",
    "conflict", "prevention", "peace-building", "peacebuilding", "Peacebuilding", "Commission", "of",
    "human", "rights", "resolution", "settlement", "dialogue", "between", "report", "coordination",
    "Organisation", "Organization", "programme", "Counter-Terrorism", "Committee", "Executive", "Directorate",
    "held", "meeting", "established", "pursuant", "to", "Tribunal", "International", "Tuesday", "24", "July",
])
_TEXTS = st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=60).map("".join)

_PATTERNS = [
    re.compile(r"(?<![\w\-])(?:Mr|Mrs|Ambassador)\.?\s+(?=[^\W\d_])"),
    re.compile(r"\b(?P<name>(?:International\s+)?Tribunal|Committee)\s+established\s+pursuant"),
    re.compile(r"(?<![\w\-])(?:[Hh]eld in|[Ii]n|[Aa]t)\s+(?=[A-Z])"),
    re.compile(r"\b(?:meeting|summit)s?\b", re.I),
    re.compile(r"(?<!\w)(?:peace(?:[ \-])?building|conflict\s+prevention)(?!\w)"),
    re.compile(r"(?:^|\n)[“\"]?On\s+(?P<date>[^,\n]{6,40}),"),
    re.compile(r"(?<![\w\-’'])[A-Z][^\W\d_]+"),
    re.compile(r"(?x) (?<!\w) pea ce  # a comment to the end of the pattern"),
    re.compile(r"(?i)(?<![\w-])[0-3]?\d\s+(?:may|june)"),  # a digit range under IGNORECASE
    re.compile(r"x*"),  # can match the empty string: no locator, the plain pattern
]


def _spans(matches) -> list[tuple[tuple[int, int], tuple]]:
    return [(m.span(), m.groups()) for m in matches]


@settings(max_examples=150, deadline=None)
@given(_TEXTS, st.integers(0, 30), st.integers(0, 30))
def test_fast_pattern_finds_what_re_finds(text: str, pos: int, cut: int):
    endpos = max(pos, len(text) - cut)
    for rx in _PATTERNS:
        fast = FastPattern(rx)
        assert _spans(fast.finditer(text)) == _spans(rx.finditer(text)), rx.pattern
        assert _spans(fast.finditer(text, pos, endpos)) == _spans(rx.finditer(text, pos, endpos)), rx.pattern
        a, b = fast.search(text, pos, endpos), rx.search(text, pos, endpos)
        assert (a and (a.span(), a.groups())) == (b and (b.span(), b.groups())), rx.pattern


def test_fast_pattern_accelerates_lookbehind_patterns_only_when_it_can():
    assert FastPattern(_PATTERNS[0]).accelerated
    assert FastPattern(_PATTERNS[3]).accelerated  # IGNORECASE: the case variants are listed
    assert not FastPattern(_PATTERNS[-1]).accelerated


@settings(max_examples=120, deadline=None)
@given(st.lists(st.text(alphabet="abcxyz", min_size=1, max_size=5), min_size=1, max_size=12),
       st.text(alphabet="abcxyz", max_size=6))
def test_trie_alternation_matches_exactly_the_words(words: list[str], other: str):
    rx = re.compile(trie_alternation([list(w) for w in words]))
    for w in words:
        assert rx.fullmatch(w)
    assert bool(rx.fullmatch(other)) == (other in words)


@settings(max_examples=120, deadline=None)
@given(_TEXTS)
def test_every_area_match_begins_with_a_literal_prefix(text: str):
    low = text.lower()
    for area in areas._compiled():
        for rx in (area.phrases, area.in_context):
            prefixes = literal_prefixes(rx) if rx is not None else None
            if prefixes is None:
                continue
            for m in rx.finditer(low):
                assert any(low.startswith(p, m.start()) for p in prefixes), (area.area_id, m.group())


def test_literal_prefixes_give_up_where_a_match_may_begin_anywhere():
    assert literal_prefixes(re.compile(r"\w+ing")) is None
    assert literal_prefixes(re.compile(r"peace", re.I)) is None
    # optional parts are followed, a run of spaces ends the prefixes; only the shortest are kept
    assert literal_prefixes(re.compile(r"(?<!\w)(?:peace|conflicts?) prevention")) == {
        "peace prevention", "conflict prevention", "conflicts prevention"}
    assert literal_prefixes(re.compile(r"(?<!\w)(?:peace|conflicts?)\s+prevention")) == {"peace", "conflict"}


@settings(max_examples=120, deadline=None)
@given(_TEXTS)
def test_areas_candidates_find_what_the_window_scan_finds(text: str):
    low = text.lower()
    if len(low) != len(text):
        return
    starts = areas._keyword_starts(low)
    prefixed = areas._prefix_starts(low)
    for i, area in enumerate(areas._compiled()):
        windows = areas._windows(starts, area.keywords)
        for kind, rx, prefixes in (("phrases", area.phrases, area.phrase_prefixes),
                                   ("in_context", area.in_context, area.context_prefixes)):
            if rx is None or not windows:
                continue
            cands = areas._candidates(prefixed, i, kind, prefixes)
            assert areas._find(rx, low, windows, cands) == areas._find(rx, low, windows), area.area_id


@settings(max_examples=120, deadline=None)
@given(_TEXTS)
def test_keyword_offsets_are_every_occurrence(text: str):
    low = text.lower()
    found = areas._keyword_starts(low)
    for kw in {kw for area in areas._compiled() for kw in area.keywords}:
        assert found.get(kw, []) == [i for i in range(len(low)) if low.startswith(kw, i)], kw


@settings(max_examples=150, deadline=None)
@given(_TEXTS)
def test_big_city_starts_are_those_of_every_capitalized_word(text: str):
    big = entities._big_city_first_words()
    expected = [m.start() for m in entities._CAP_WORD.finditer(text) if m.group().casefold() in big]
    assert entities._big_city_starts(text) == expected


@settings(max_examples=150, deadline=None)
@given(_TEXTS)
def test_previous_token_is_the_tokenizers(text: str):
    tokens = [(t.start(), t.end()) for t in entities._TOKEN.finditer(text)]
    for pos in [a for a, _ in tokens] + [len(text)]:  # asked at the start of a token
        before = [t for t in tokens if t[1] <= pos]
        assert entities._previous_token(text, pos) == (before[-1] if before else None)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 6)), max_size=25), st.integers(0, 40),
       st.integers(0, 6))
def test_disjoint_ranges_answer_like_a_scan(ranges: list[tuple[int, int]], a: int, size: int):
    cover = entities._Disjoint()
    kept: list[tuple[int, int]] = []
    for start, length in ranges:
        end = start + length
        if any(x < end and y > start for x, y in kept):
            assert cover.overlaps(start, end)
            continue
        assert not cover.overlaps(start, end)
        cover.add(start, end)
        kept.append((start, end))
    assert cover.overlaps(a, a + size) == any(x < a + size and y > a for x, y in kept)


@settings(max_examples=150, deadline=None)
@given(_TEXTS)
def test_language_words_are_the_word_pattern_ones(text: str):
    low = text.lower()
    assert metadata._words(low) == metadata._WORD.findall(low)


_DATE_PIECES = st.sampled_from([
    "1", "12", "31", "3rd", "1er", " ", "  ", "\n", ",", "-", "\u2013", " to ", " and ", " of ", " de ", "mai", "Mai",
    "MAY", "May", "mar.", "Mar", "MARS", "Sept.", "sept", "septembre", "décembre", "DÉCEMBRE", "Jan.", "janvier",
    "2013", "1999", "2025-07-24", "12025-07-24", ".", "x", "é", "²", "_", "enero", "generous", "Février", "ſept",
])
_DATE_TEXTS = st.lists(st.one_of(_DATE_PIECES, st.text(max_size=4)), max_size=30).map("".join)


def _plain_anchor_re() -> re.Pattern[str]:
    """The month-name and ISO-date anchors as one plain alternation (longest names first)."""
    forms: set[str] = set()
    for name in dates._months():
        lower = (name,) if name in dates._lowercase_months() else ()
        for form in (name.capitalize(), name.upper(), *lower):
            forms.add(re.escape(form) + (r"\.?" if dates._dotted(name) else ""))
    alt = "|".join(sorted(forms, key=len, reverse=True))
    return re.compile(rf"(?<![^\W\d_])(?:{alt})(?![^\W\d_])|\b{dates._YEAR}-[01]\d-[0-3]\d\b")


@settings(max_examples=200, deadline=None)
@given(_DATE_TEXTS)
def test_date_anchors_are_the_plain_alternations(text: str):
    assert dates._anchors(text) == [m.span() for m in _plain_anchor_re().finditer(text)]


def _date_tuples(found: list[dates.DateSpan]) -> list[tuple]:
    return [(d.start, d.end, d.start_date, d.end_date, d.raw) for d in found]


@settings(max_examples=200, deadline=None)
@given(_DATE_TEXTS)
def test_month_trie_finds_the_dates_of_the_plain_alternation(text: str):
    fast_found = _date_tuples(dates.find_dates(text))
    plain = "|".join(rf"{re.escape(n)}\.?" if dates._dotted(n) else re.escape(n)
                     for n in sorted(dates._months(), key=len, reverse=True))
    original = dates._month_alt
    try:
        dates._month_alt = lambda: plain
        dates._date_re.cache_clear()
        assert fast_found == _date_tuples(dates.find_dates(text))
    finally:
        dates._month_alt = original
        dates._date_re.cache_clear()


@settings(max_examples=200, deadline=None)
@given(_TEXTS)
def test_place_leads_read_backwards_end_where_the_forward_scan_ends(text: str):
    assert entities._place_lead_ends(text) == [m.end() for m in entities._PLACE_LEAD.finditer(text)]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["(", ")", " ", "\n", "\u00a0", "AB", "A", "b", "1", "-", "/", " X", "x"]),
                max_size=30).map("".join))
def test_parenthesized_acronyms_are_the_plain_scans(text: str):
    plain = [(m.start(), m.group("acr"), m.start("acr"), m.end("acr")) for m in entities._PAREN_ACRONYM.finditer(text)]
    assert entities._paren_acronyms(text) == plain


# --- prefixes through white space, mask candidates, one scan for the person cues -------------

_SPACED_PIECES = st.sampled_from([" ", "  ", "\n", "\t", "\u2028", "\u00a0", " \n", "in", "of", "the", "close",
                                  "consultation", "with", "co", "-", "\u2013", "mediation", "peace", "building",
                                  "security", "council", "office", "for", "x", "é"])
_SPACED_TEXTS = st.lists(st.one_of(_SPACED_PIECES, st.text(max_size=4)), max_size=40).map("".join)


def test_white_space_is_what_re_calls_white_space():
    every = "".join(map(chr, range(0x110000)))
    assert fastscan._white_space(False) == frozenset(re.findall(r"\s", every))
    assert fastscan._white_space(True) == frozenset(re.findall(r"(?a)\s", every))


def test_prefixes_through_spaces_go_on_through_one_space_only():
    rx = re.compile(r"(?<!\w)(?:peace|conflicts?)\s+prevention")
    found = literal_prefixes(rx, through_spaces=True)
    assert {"peace prevention", "conflict prevention", "conflicts prevention", "peace\n", "peace  "} <= found
    assert "peace" not in found and "peace " not in found  # both begin far more places than a match
    # a class and an optional part: "co-mediation", "co mediation", "comediation"
    found = literal_prefixes(re.compile(r"co(?:[ \t]*[-\u2013][ \t]*|\s+)?mediation"), through_spaces=True)
    assert {"comediation", "co-mediation", "co\u2013mediation", "co mediation"} <= found
    assert literal_prefixes(re.compile(r"\w+ing"), through_spaces=True) is None


@settings(max_examples=150, deadline=None)
@given(_SPACED_TEXTS)
def test_every_area_match_begins_with_a_prefix_through_spaces(text: str):
    low = text.lower()
    for area in areas._compiled():
        for rx, prefixes in ((area.phrases, area.phrase_prefixes), (area.in_context, area.context_prefixes),
                             (area.masks, area.mask_prefixes)):
            if rx is None or prefixes is None:
                continue
            for m in rx.finditer(low):
                assert any(low.startswith(p, m.start()) for p in prefixes), (area.area_id, m.group())


@settings(max_examples=150, deadline=None)
@given(_SPACED_TEXTS, st.sampled_from(_PATTERNS[:-1]))
def test_prefixes_through_spaces_begin_every_match(text: str, rx: re.Pattern):
    prefixes = literal_prefixes(rx, through_spaces=True)
    if prefixes is None:
        return
    for m in rx.finditer(text):
        assert any(text.startswith(p, m.start()) for p in prefixes), (rx.pattern, m.group())


@settings(max_examples=150, deadline=None)
@given(_TEXTS)
def test_masks_tried_at_their_candidates_answer_like_the_scan(text: str):
    low = text.lower()
    if len(low) != len(text):
        return
    prefixed = areas._prefix_starts(low)
    for i, area in enumerate(areas._compiled()):
        cands = areas._candidates(prefixed, i, "masks", area.mask_prefixes)
        if area.masks is None or cands is None:
            continue
        for start in range(0, len(low), 3):
            for end in (start + 1, start + 12):
                assert areas._is_masked(area, low, start, end, cands) == areas._is_masked(area, low, start, end)


@settings(max_examples=200, deadline=None)
@given(_TEXTS)
def test_person_cues_are_the_three_scans(text: str):
    patterns = entities._person_vocab()[1:]
    expected = tuple([_spans(rx.finditer(text)) for rx in patterns])
    assert tuple(_spans(found) for found in entities._person_cues(text)) == expected


@settings(max_examples=150, deadline=None)
@given(_TEXTS)
def test_language_word_counts_are_those_of_the_words(text: str):
    low = text.lower()
    expected = Counter(w.encode("utf-8") for w in metadata._WORD.findall(low))
    assert metadata._word_counts(low) == expected
