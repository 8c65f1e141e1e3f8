"""Cooperation areas: which fields of cooperation a document speaks of, with the evidence.

The vocabulary (area ids, labels, definitions) and the phrases that signal each area are data in
`schemas/lookups/areas.yaml`. At first use every area's phrases are compiled into one regular
expression, and its proper names that do not count by themselves ("the Peacebuilding
Commission", "the Counter-Terrorism Committee") into one masking expression. Matching runs on
the lower-cased text, so offsets are those of the normalized text.

`extract_areas(text)` returns one `AreaHit` per area found: how many mentions, the span of the
first one and the sentence that holds it (`sentence_spans` splits UN prose into sentences,
knowing that "para.", "No.", "Mr.", "Art.", "i.e." do not end one).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from flows.core.fastscan import fast, literal_prefixes
from flows.core.lookups import load_lookup
from flows.core.models import AreaHit

LOOKUP = "areas"

# --- pattern syntax of areas.yaml -----------------------------------------------------------

_MACRO = re.compile(r"\{([a-z_]+)\}")
_HYPHEN = "(?:[ \t]*[-\u2010\u2011\u2012\u2013][ \t]*\\n?[ \t]*|\\s+)?"  # hyphen, dash, space or nothing
_SPACE = r"\s+"


def _expand_macros(pattern: str, macros: dict[str, str], depth: int = 0) -> str:
    if depth > 5:
        raise ValueError(f"macros nest too deep in {pattern!r}")
    return _MACRO.sub(lambda m: _expand_macros(macros[m.group(1)], macros, depth + 1), pattern)


def _translate(pattern: str) -> str:
    """Turn the YAML phrase syntax into a regular expression: spaces and word hyphens made loose."""
    out: list[str] = []
    in_class = False
    escaped = False
    for i, ch in enumerate(pattern):
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == "\\":
            out.append(ch)
            escaped = True
        elif in_class:
            out.append(ch)
            in_class = ch != "]"
        elif ch == "[":
            out.append(ch)
            in_class = True
        elif ch == " ":
            out.append(_SPACE)
        elif (
            ch == "-"
            and 0 < i < len(pattern) - 1
            and (pattern[i - 1].isalpha() or pattern[i - 1] in "?)")
            and (pattern[i + 1].isalpha() or pattern[i + 1] == "(")
        ):
            out.append(_HYPHEN)
        else:
            out.append(ch)
    return "".join(out)


def _compile_phrases(patterns: Iterable[str], macros: dict[str, str]) -> re.Pattern[str] | None:
    parts = [f"(?:{_translate(_expand_macros(p, macros))})" for p in patterns]
    if not parts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)")


@dataclass(frozen=True, slots=True)
class _Area:
    area_id: str
    label: str
    definition: str
    keywords: tuple[str, ...]  # every match holds one of these (lower case)
    phrases: re.Pattern[str] | None  # hits, unless inside one of `masks`
    masks: re.Pattern[str] | None  # names that do not count by themselves
    in_context: re.Pattern[str] | None  # hits matched on the unmasked text
    # strings one of which begins every match of `phrases` / `in_context` (None: scan instead)
    phrase_prefixes: frozenset[str] | None = None
    context_prefixes: frozenset[str] | None = None
    mask_prefixes: frozenset[str] | None = None


@cache
def _compiled() -> tuple[_Area, ...]:
    data: dict[str, Any] = load_lookup(LOOKUP)
    macros: dict[str, str] = dict(data.get("macros") or {})
    areas: list[_Area] = []
    for row in data["areas"]:
        phrases = _compile_phrases(row.get("patterns") or [], macros)
        in_context = _compile_phrases(row.get("in_context") or [], macros)
        masks = _compile_phrases(row.get("not_by_themselves") or [], macros)
        areas.append(_Area(
            area_id=row["area_id"], label=row["label"], definition=" ".join(row["definition"].split()),
            keywords=tuple(str(k).lower() for k in row.get("keywords") or []),
            phrases=phrases,
            masks=masks,
            in_context=in_context,
            phrase_prefixes=literal_prefixes(phrases, through_spaces=True) if phrases is not None else None,
            context_prefixes=literal_prefixes(in_context, through_spaces=True) if in_context is not None else None,
            mask_prefixes=literal_prefixes(masks, through_spaces=True) if masks is not None else None,
        ))
    return tuple(areas)


def load_areas() -> list[dict[str, str]]:
    """The `areas` vocabulary, in the order of CONTRACT.md: {area_id, label, definition}."""
    return [{"area_id": a.area_id, "label": a.label, "definition": a.definition} for a in _compiled()]


# --- sentences ------------------------------------------------------------------------------

# Words that a full stop follows without ending the sentence (lower case, without the stop).
_ABBREVIATIONS = frozenset({
    "para", "paras", "no", "nos", "mr", "mrs", "ms", "dr", "prof", "art", "arts", "i.e", "e.g", "cf",
    "vol", "vols", "chap", "sect", "p", "pp", "fig", "op", "st", "jr", "sr", "gen", "lt", "col", "amb",
    "h.e", "u.n", "u.s", "u.k", "rev", "corr", "add", "annex", "approx", "inc", "co", "ltd", "viz",
    "al", "ibid", "resp", "suppl", "e.g.", "i.e.", "messrs", "mm", "rep", "gov", "sec", "dept",
})
_SENTENCE_END = re.compile(r"[.!?](?:[\"'”’)\]]*)(?=\s)")
_TOKEN_BEFORE = re.compile(r"([\w./\-]*)$")
_ENUMERATION = re.compile(r"^(?:\d{1,3}|[ivxlcdm]{1,6}|[a-z])$", re.I)
_LOOKBACK = 40


def _line_sentences(text: str, start: int, end: int) -> Iterable[tuple[int, int]]:
    """Sentence spans inside text[start:end], a single line (paragraph)."""
    begin = start
    for m in _SENTENCE_END.finditer(text, start, end):
        stop = m.start()  # position of the '.', '!' or '?'
        after = m.end()
        nxt = after
        while nxt < end and text[nxt].isspace():
            nxt += 1
        if nxt >= end:
            break  # the line's end closes the sentence anyway
        following = text[nxt]
        if text[stop] == ".":
            token = _TOKEN_BEFORE.search(text, max(begin, stop - _LOOKBACK), stop).group(1)
            low = token.lower()
            if following.islower() or following in ",;:":
                continue
            if low in _ABBREVIATIONS or low.rstrip(".") in _ABBREVIATIONS:
                continue
            if len(token) == 1 and token.isupper():  # an initial: "Yousef M. Al Dobeay"
                continue
            if "/" in token and any(c.isdigit() for c in token):  # a document symbol: "S/PRST/2013/12."
                continue
            if "." in token.strip(".") and all(len(p) <= 2 for p in token.split(".") if p):
                continue  # dotted abbreviations: "U.N.", "a.m."
            if stop - len(token) == begin and _ENUMERATION.match(token):
                continue  # paragraph numbers at the start of a line: "1. Requests", "II. Background"
        elif following.islower():
            continue
        yield begin, after
        begin = nxt
    yield begin, end


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`; a line break always ends a sentence.

    Spans exclude surrounding whitespace and together cover every non-blank character.
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    n = len(text)
    while pos < n:
        nl = text.find("\n", pos)
        line_end = n if nl < 0 else nl
        s, e = pos, line_end
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            for a, b in _line_sentences(text, s, e):
                while b > a and text[b - 1].isspace():
                    b -= 1
                if a < b:
                    spans.append((a, b))
        pos = line_end + 1
    return spans


def _sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence that holds text[start:end] (only the line around it is split)."""
    line_start = text.rfind("\n", 0, start) + 1
    nl = text.find("\n", start)
    line_end = len(text) if nl < 0 else nl
    spans = sentence_spans(text[line_start:line_end])
    for a, b in spans:
        if a <= start - line_start < b:
            return line_start + a, max(line_start + b, end)  # a mention may run past a line break
    return start, end


# --- matching -------------------------------------------------------------------------------


# A match starts at most _BACK characters before the keyword it holds and ends at most _AHEAD
# characters after it; a name to mask reaches at most _NAME characters beyond the hit.
_BACK = 160
_AHEAD = 160
_NAME = 160


def _windows(starts: dict[str, list[int]], keywords: tuple[str, ...]) -> list[tuple[int, int]]:
    """Merged stretches of the text where a match holding one of the keywords may start.

    `starts`: every offset of every keyword (see _keyword_starts). After an occurrence at i the
    next one used for the same keyword is the first at or after i + _BACK: any occurrence skipped
    over lies in [i, i + _BACK) and its matches start in [i - _BACK, i + _BACK)."""
    spans: list[tuple[int, int]] = []
    for kw in keywords:
        step = _BACK
        size = step + len(kw)
        resume = -1
        for i in starts.get(kw, ()):
            if i >= resume:
                spans.append((i - _BACK if i > _BACK else 0, i + size))
                resume = i + step
    if not spans:
        return []
    spans.sort()
    merged = [spans[0]]
    for a, b in spans[1:]:
        last_a, last_b = merged[-1]
        if a <= last_b:
            if b > last_b:
                merged[-1] = (last_a, b)
        else:
            merged.append((a, b))
    return merged


@cache
def _scan_automaton() -> Any:
    """One Aho-Corasick automaton of every area's keywords and of the literal prefixes of every
    area's expressions. The value of a string: (its length, the keyword or None, the (area
    index, "phrases", "in_context" or "masks") of the expressions that it is a prefix of): one pass
    over the text finds both kinds. None without pyahocorasick."""
    try:
        import ahocorasick
    except ImportError:  # pragma: no cover - plain searches then give the same offsets
        return None
    owners: dict[str, list[tuple[int, str]]] = {}
    for i, area in enumerate(_compiled()):
        for kind, prefixes in (("phrases", area.phrase_prefixes), ("in_context", area.context_prefixes),
                               ("masks", area.mask_prefixes)):
            for prefix in sorted(prefixes or ()):
                owners.setdefault(prefix, []).append((i, kind))
    keywords = {kw for area in _compiled() for kw in area.keywords}
    automaton = ahocorasick.Automaton()
    for word in sorted(keywords | set(owners)):
        automaton.add_word(word, (len(word), word if word in keywords else None, tuple(owners.get(word, ()))))
    automaton.make_automaton()
    return automaton


def _scan(low: str, with_prefixes: bool = True) -> tuple[dict[str, list[int]],
                                                          dict[tuple[int, str], list[int]] | None]:
    r"""(every offset of every area keyword, overlapping ones included, in order;
    per (area index, expression) the sorted offsets where one of its literal prefixes starts a
    word, None when not asked for or not available). The expressions begin with (?<!\w): a
    prefix offset is where a match may start.

    One pass of one Aho-Corasick automaton over the text."""
    automaton = _scan_automaton()
    starts: dict[str, list[int]] = {}
    if automaton is None:
        for kw in {kw for area in _compiled() for kw in area.keywords}:
            i = low.find(kw)
            while i >= 0:
                starts.setdefault(kw, []).append(i)
                i = low.find(kw, i + 1)
        return starts, None
    prefixed: dict[tuple[int, str], list[int]] = {}
    for end, (size, kw, owners) in automaton.iter(low):
        p = end - size + 1
        if kw is not None:
            offsets = starts.get(kw)
            if offsets is None:
                starts[kw] = [p]
            else:
                offsets.append(p)
        if owners and with_prefixes:
            if p > 0:
                before = low[p - 1]
                if before.isalnum() or before == "_":  # exactly \w: not the start of a word
                    continue
            for key in owners:
                offsets = prefixed.get(key)
                if offsets is None:
                    prefixed[key] = [p]
                else:
                    offsets.append(p)
    if not with_prefixes:
        return starts, None
    for offsets in prefixed.values():
        offsets.sort()  # found in the order of their ends: prefixes differ in length
    return starts, prefixed


def _keyword_starts(low: str) -> dict[str, list[int]]:
    """Every offset (overlapping ones included) of every area keyword in `low`, in order."""
    return _scan(low, with_prefixes=False)[0]


def _prefix_starts(low: str) -> dict[tuple[int, str], list[int]] | None:
    r"""Per (area index, expression), the sorted offsets of `low` where one of its literal
    prefixes starts a word: where a match may start (None without pyahocorasick)."""
    return _scan(low)[1]


def _find(rx: re.Pattern[str], low: str, windows: list[tuple[int, int]] | None,
          candidates: list[int] | None = None) -> list[tuple[int, int]]:
    """Spans of the matches of `rx` in `low`, the same as a full scan, looked for in `windows` only.

    `candidates`: the sorted offsets where a match of `rx` may start (its literal prefixes,
    see _prefix_starts); `rx` is then tried there only, which is `finditer` over each window
    without running the expression at every position of it."""
    if windows is None:
        return [m.span() for m in rx.finditer(low) if m.end() > m.start()]
    n = len(low)
    out: list[tuple[int, int]] = []
    pos = 0
    for a, b in windows:
        a = max(a, pos)
        end = min(n, b + _AHEAD)
        if candidates is None:
            for m in fast(rx).finditer(low, a, end):  # the same matches, located in C
                if m.start() >= b:
                    break
                if m.end() > m.start():
                    out.append(m.span())
                    pos = m.end()
            continue
        for m in _matches_at(rx, low, a, b, candidates, end):  # never empty: a match has a prefix
            out.append(m.span())
            pos = m.end()
    return out


def _is_masked(area: _Area, low: str, start: int, end: int, candidates: list[int] | None = None) -> bool:
    """Whether a match of the area's masks, found by `finditer` over the text from _NAME
    characters before the hit to _NAME after it, overlaps the hit.

    `candidates`: the sorted offsets where a match of the masks may start (their literal
    prefixes, see _scan); the masks are then tried there only, as in _find."""
    if area.masks is None:
        return False
    a, b = max(0, start - _NAME), min(len(low), end + _NAME)
    if candidates is None:
        # the expression begins with (?<!\w): FastPattern skips in C to where a name may begin
        matches: Iterable[re.Match[str]] = fast(area.masks).finditer(low, a, b)
    else:
        matches = _matches_at(area.masks, low, a, b, candidates)
    for m in matches:
        if m.start() < end and m.end() > start:
            return True
        if m.start() >= end:
            break
    return False


def _matches_at(rx: re.Pattern[str], low: str, a: int, b: int, candidates: list[int],
                end: int | None = None) -> Iterator[re.Match[str]]:
    """`rx.finditer(low, a, end)` (end: `b` by default) for the matches starting before `b`, when
    every match of `rx` starts at one of the sorted `candidates` (and none is empty): the leftmost
    candidate where it matches, then the next one at or after that match's end."""
    end = b if end is None else end
    k = bisect.bisect_left(candidates, a)
    while k < len(candidates) and candidates[k] < b:
        m = rx.match(low, candidates[k], end)
        k += 1
        if m is not None:
            yield m
            k = bisect.bisect_left(candidates, m.end(), k)


def _candidates(prefixed: dict[tuple[int, str], list[int]] | None, i: int, kind: str,
                prefixes: frozenset[str] | None) -> list[int] | None:
    """The candidate starts of one expression (None: it has no prefixes, scan its windows)."""
    if prefixed is None or prefixes is None:
        return None
    return prefixed.get((i, kind), [])


def _lower(text: str) -> str:
    """`text` in lower case, character for character, so offsets stay those of `text`.

    "İ" (U+0130) is the one character whose lower() is longer (an "i" and a combining dot); it
    is read as the "i" that a case-insensitive match would take it for ("İstanbul", "MEDİATION")."""
    low = text.lower()
    return low if len(low) == len(text) else text.replace("\u0130", "i").lower()


def _matches(text: str, full_scan: bool = False) -> dict[str, list[tuple[int, int]]]:
    """Per area id, the sorted spans of its mentions in `text`.

    `full_scan` runs every expression over the whole text instead of near the keywords only
    (same result, slower: the tests use it to check the keywords).
    """
    found: dict[str, list[tuple[int, int]]] = {}
    low = _lower(text)
    starts, prefixed = (None, None) if full_scan else _scan(low)  # where each expression may match
    for i, area in enumerate(_compiled()):
        windows = None if starts is None else _windows(starts, area.keywords)
        if windows == []:
            continue
        hits: list[tuple[int, int]] = []
        if area.phrases is not None:
            cands = _candidates(prefixed, i, "phrases", area.phrase_prefixes)
            mask_cands = _candidates(prefixed, i, "masks", area.mask_prefixes)
            hits.extend(span for span in _find(area.phrases, low, windows, cands)
                        if not _is_masked(area, low, *span, mask_cands))
        if area.in_context is not None:
            hits.extend(_find(area.in_context, low, windows, _candidates(prefixed, i, "in_context",
                                                                         area.context_prefixes)))
        if hits:
            found[area.area_id] = sorted(set(hits))
    return found


def extract_areas(text: str) -> list[AreaHit]:
    """One `AreaHit` per cooperation area the text speaks of, sorted by area_id."""
    out: list[AreaHit] = []
    for area_id, hits in sorted(_matches(text).items()):
        start, end = hits[0]
        ev_start, ev_end = _sentence_around(text, start, end)
        out.append(AreaHit(
            area_id=area_id, n_mentions=len(hits), start=start, end=end,
            evidence=text[ev_start:ev_end], evidence_start=ev_start, evidence_end=ev_end,
        ))
    return out
