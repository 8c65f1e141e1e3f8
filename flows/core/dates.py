"""Dates as UN documents print them: "24 July 2025", "3 and 4 April 2012", "28 to 30 May 2013",
"30 November-2 December 2010", "12-14 March 2019", "March 28, 2007".

`find_dates(text)` yields every date expression with its offsets (a single day or a range);
`parse_date(s)` reads the first date of a string. Month names are data
(`schemas/lookups/meeting_words.yaml`). Nothing here raises on arbitrary text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from flows.core.fastscan import trie_alternation
from flows.core.lookups import load_lookup

__all__ = ["DateSpan", "find_dates", "parse_date", "month_number", "ordinal_value"]


@dataclass(frozen=True, slots=True)
class DateSpan:
    """A date expression: `text[start:end]`, the first and the last day it names."""

    start: int
    end: int
    start_date: dt.date
    end_date: dt.date
    raw: str

    @property
    def is_range(self) -> bool:
        return self.end_date != self.start_date


@cache
def _months() -> dict[str, int]:
    words = load_lookup("meeting_words")
    months = {str(k).lower(): int(v) for k, v in words["months"].items()}
    months.update({str(k).lower(): int(v) for k, v in (words.get("months_lowercase") or {}).items()})
    return months


@cache
def _lowercase_months() -> frozenset[str]:
    return frozenset(str(k).lower() for k in (load_lookup("meeting_words").get("months_lowercase") or {}))


def month_number(name: str) -> int | None:
    """1..12 for an English month name or abbreviation ("Sept.", "december"), else None."""
    return _months().get(name.strip().rstrip(".").lower())


@cache
def _ordinal_words() -> dict[str, int]:
    data = load_lookup("meeting_words")["ordinals"]
    words: dict[str, int] = {}
    for group in ("units", "teens", "tens_ordinal"):
        words.update({k: int(v) for k, v in data[group].items()})
    for tens_word, tens in data["tens"].items():
        for unit_word, unit in data["units"].items():
            words[f"{tens_word}-{unit_word}"] = int(tens) + int(unit)
            words[f"{tens_word} {unit_word}"] = int(tens) + int(unit)
    return words


def ordinal_value(word: str) -> int | None:
    """17 for "seventeenth", 75 for "Seventy-fifth", 644 for "644th"; else None."""
    w = " ".join(word.strip().lower().replace("\u2011", "-").split())
    m = re.fullmatch(r"(\d{1,5})\s*(?:st|nd|rd|th|d)", w)
    if m:
        return int(m.group(1))
    return _ordinal_words().get(w.replace(" - ", "-"))


def _month_alt() -> str:
    """The month names as one trie (one branch tested per character, not one per name). In a
    date a month name is a whole run of letters, with its stop or not, so the order of the
    alternatives does not change what a date expression matches."""
    return trie_alternation(sorted([*map(re.escape, n), *((r"\.?",) if _dotted(n) else ())] for n in _months()))


_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:1[6-9]\d\d|2[01]\d\d)"
_DASH = r"\s*[-\u2010-\u2015]\s*"
_TO = rf"(?:{_DASH}|\s+(?:to|until|through|till)\s+)"


@cache
def _date_re() -> re.Pattern[str]:
    mon = rf"(?:{_month_alt()})"
    patterns = [
        # 30 November 2010 - 2 December 2010; 1 January 2017 to 31 December 2019
        rf"(?P<a_d1>{_DAY})\s+(?P<a_m1>{mon}),?\s+(?P<a_y1>{_YEAR}){_TO}(?P<a_d2>{_DAY})\s+(?P<a_m2>{mon}),?\s+(?P<a_y2>{_YEAR})",
        # 30 November-2 December 2010; 30 November to 2 December 2010
        rf"(?P<b_d1>{_DAY})\s+(?P<b_m1>{mon}){_TO}(?P<b_d2>{_DAY})\s+(?P<b_m2>{mon}),?\s+(?P<b_y>{_YEAR})",
        # 12-14 March 2019; 28 to 30 May 2013; 7 and 8 December 2005; 3, 4 and 5 April 2012
        rf"(?P<c_d1>{_DAY})(?:(?:,\s*{_DAY})*(?:,?\s+and\s+)|{_TO})(?P<c_d2>{_DAY})\s+(?P<c_m>{mon}),?\s+(?P<c_y>{_YEAR})",
        # 24 July 2025
        rf"(?P<e_d>{_DAY}|1er)\s+(?:of\s+|de\s+)?(?P<e_m>{mon}),?\s+(?:de\s+)?(?P<e_y>{_YEAR})",
        # March 28-30, 2007; March 28, 2007
        rf"(?P<f_m>{mon})\s+(?P<f_d1>{_DAY})(?:{_TO}(?P<f_d2>{_DAY}))?,?\s+(?P<f_y>{_YEAR})",
        # 2025-07-24
        rf"(?P<g_y>{_YEAR})-(?P<g_m>[01]\d)-(?P<g_d>[0-3]\d)",
    ]
    return re.compile(r"(?<![\w-])(?:" + "|".join(patterns) + r")(?![\w])", re.I)


def _num(s: str | None) -> int:
    m = re.match(r"\d+", s or "")
    return int(m.group(0)) if m else 1  # "1er" janvier


def _mk(y: int, m: int | None, d: int) -> dt.date | None:
    if not m:
        return None
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _dates_of(m: re.Match[str]) -> tuple[dt.date | None, dt.date | None]:
    g = m.groupdict()
    if g["a_d1"]:
        return (_mk(_num(g["a_y1"]), month_number(g["a_m1"]), _num(g["a_d1"])),
                _mk(_num(g["a_y2"]), month_number(g["a_m2"]), _num(g["a_d2"])))
    if g["b_d1"]:
        y = _num(g["b_y"])
        m1, m2 = month_number(g["b_m1"]), month_number(g["b_m2"])
        y1 = y - 1 if m1 and m2 and m1 > m2 else y  # 30 December-2 January 2011
        return _mk(y1, m1, _num(g["b_d1"])), _mk(y, m2, _num(g["b_d2"]))
    if g["c_d1"]:
        y, mo = _num(g["c_y"]), month_number(g["c_m"])
        return _mk(y, mo, _num(g["c_d1"])), _mk(y, mo, _num(g["c_d2"]))
    if g["e_d"]:
        d = _mk(_num(g["e_y"]), month_number(g["e_m"]), _num(g["e_d"]))
        return d, d
    if g["f_m"]:
        y, mo = _num(g["f_y"]), month_number(g["f_m"])
        first = _mk(y, mo, _num(g["f_d1"]))
        return first, (_mk(y, mo, _num(g["f_d2"])) if g["f_d2"] else first)
    d = _mk(_num(g["g_y"]), _num(g["g_m"]), _num(g["g_d"]))
    return d, d


def _dotted(name: str) -> bool:
    """Whether an abbreviation may carry a full stop ("Sept.", "Jan."): short names but "may"."""
    return len(name) <= 4 and name != "may"


_NO_LETTER_BEFORE = r"(?<![^\W\d_][\s\S])"  # put after a first letter: no letter before it


def _form_trie_re(forms: set[str]) -> re.Pattern[str]:
    """Whole-word month forms as a trie whose first atoms are literal letters, so that `re`
    skips in C to the letters a form can begin with. A month form is a whole run of letters
    (and an optional stop), so the order of the alternatives does not change what is found."""
    words = sorted([*map(re.escape, form), *((r"\.?",) if _dotted(form.lower()) else ())] for form in forms)
    return re.compile(rf"(?:{trie_alternation(words, after_first=_NO_LETTER_BEFORE)})(?![^\W\d_])")


@cache
def _capital_anchor_re() -> re.Pattern[str]:
    """Month names written with a capital ("March", "MARCH", "Sept."): capitals are rare."""
    return _form_trie_re({form for name in _months() for form in (name.capitalize(), name.upper())})


@cache
def _iso_anchor_re() -> re.Pattern[str]:
    """ISO dates ("2025-07-24"), found from their first hyphen (a literal: `re` skips to it in C);
    the match begins 4 characters after the date does."""
    return re.compile(rf"-(?<=(?<!\w){_YEAR}-)[01]\d-[0-3]\d\b")


@cache
def _lowercase_anchor_automaton() -> Any:
    """The month names also written in lower case ("mars", "décembre"): one Aho-Corasick pass
    finds every place they occur (a `re` pass would stop at every a, d, e, m, n, o, s ...).
    None without pyahocorasick (a trie expression is used instead)."""
    try:
        import ahocorasick
    except ImportError:  # pragma: no cover - the same offsets, found slower
        return None
    automaton = ahocorasick.Automaton()
    for name in _lowercase_months():
        automaton.add_word(name, (len(name), _dotted(name)))
    automaton.make_automaton()
    return automaton


_LETTER = re.compile(r"[^\W\d_]")  # a letter, as `re` sees one


def _lowercase_anchors(text: str) -> list[tuple[int, int]]:
    """(start, end) of the lower-case month names that are whole words, with their stop when
    one follows and may belong ("juin." but not the stop of "juin.x")."""
    automaton = _lowercase_anchor_automaton()
    if automaton is None:  # pragma: no cover - without pyahocorasick
        return [m.span() for m in _form_trie_re(set(_lowercase_months())).finditer(text)]
    out: list[tuple[int, int]] = []
    letter = _LETTER.match
    for last, (length, dotted) in automaton.iter(text):
        start, end = last + 1 - length, last + 1
        if start > 0 and letter(text, start - 1):
            continue
        if dotted and text.startswith(".", end) and not letter(text, end + 1):
            out.append((start, end + 1))
        elif not letter(text, end):
            out.append((start, end))
    return out


def _anchors(text: str) -> list[tuple[int, int]]:
    """(start, end) of the month names and ISO dates of `text`, in order: every date expression
    holds one (a cheap first pass). Matches of the three kinds never overlap (a month name is a
    whole run of letters, an ISO date a run of digits and hyphens)."""
    found = [m.span() for m in _capital_anchor_re().finditer(text)]
    extra = _lowercase_anchors(text)
    if "-" in text:
        extra += [(m.start() - 4, m.end()) for m in _iso_anchor_re().finditer(text)]
    if extra:
        found = sorted(found + extra)
    return found


_BACK = 40  # a date expression starts at most this far before its (first) month name


def find_dates(text: str, language: str | None = None) -> list[DateSpan]:
    """Every date expression in `text` (single days and ranges), in order, with offsets.
    `language` (ISO 639-1) adds the dates of Russian, Arabic (Arabic-Indic digits too) and
    Chinese texts ("29 января 2021 года", "29 كانون الثاني/يناير 2021", "2021年1月29日"); English,
    French and Spanish dates are read in every text."""
    spans: list[DateSpan] = []
    if not text:
        return spans
    if language in _lang_date_res():
        return _find_dates_lang(text, language)
    full = _date_re()
    done = 0  # text before this offset is already read
    for a_start, a_end in _anchors(text):
        if a_start < done:
            continue
        lo = max(done, a_start - _BACK)
        for m in full.finditer(text, lo, min(len(text), a_end + 60)):
            if m.end() <= a_start:
                continue  # a date that ends before this month name was read with an earlier one
            first, last = _dates_of(m)
            done = m.end()
            if first is None or last is None or last < first:
                break
            spans.append(DateSpan(m.start(), m.end(), first, last, m.group(0)))
            break
        else:
            done = a_end
    return spans


@cache
def _lang_date_res() -> dict[str, tuple[re.Pattern[str], dict[str, int]]]:
    """language -> (its date expression, its month names), from schemas/lookups/languages.yaml."""
    out = {}
    for lang, spec in load_lookup("languages")["dates"].items():
        months = {" ".join(str(k).split()): int(v) for k, v in (spec.get("months") or {}).items()}
        alt = "|".join(re.escape(m).replace(r"\ ", r"\s+") for m in sorted(months, key=len, reverse=True))
        out[lang] = (re.compile(spec["date_re"].replace("MONTH", alt or "(?!)")), months)
    return out


def _find_dates_lang(text: str, language: str) -> list[DateSpan]:
    """The dates of a text in one of the languages of `_lang_date_res`, on the matching view of
    the text (Arabic-Indic digits read as ASCII digits: the offsets are those of `text`)."""
    from flows.core.languages import matching_view

    rx, months = _lang_date_res()[language]
    view = matching_view(text)
    spans = []
    for m in rx.finditer(view):
        month = m.group("m")
        number = int(month) if month.isdigit() else months.get(" ".join(month.split()))
        d = _mk(int(m.group("y")), number, int(m.group("d")))
        if d is not None:
            spans.append(DateSpan(m.start(), m.end(), d, d, text[m.start():m.end()]))
    # French, Spanish and English dates may be printed too (a masthead's "29 September 2022")
    english = [e for e in find_dates(text) if not any(e.start < s.end and s.start < e.end for s in spans)]
    return sorted(spans + english, key=lambda s: s.start)


def parse_date(s: str) -> dt.date | None:
    """The first date written in `s` ("24 July 2025", "Tuesday, 4 September 2012", "2025-07-24")."""
    if not s:
        return None
    found = find_dates(s)
    return found[0].start_date if found else None
