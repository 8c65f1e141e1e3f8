"""Numbered meetings in the French, Spanish, Russian, Arabic and Chinese texts: "9237e séance",
"9237ª sesión", "9237-м заседании", "第9237次会议", "الجلسة 9237", each with the date printed on
the same line ("Adoptée par le Conseil de sécurité à sa 9444e séance, le 19 octobre 2023") and
the organ named before it on that line, else the first organ the text names (English names:
"Security Council"), else "United Nations". `adopted_on` reads the adoption date of a resolution.

Patterns and names are data (`schemas/lookups/languages.yaml`: `meetings`, `organs`), run on the
matching view of the text (Arabic-Indic digits read as ASCII digits), so `text[start:end]` is the
printed mention. Never raises on any text.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

from flows.core.dates import find_dates
from flows.core.languages import matching_view
from flows.core.lookups import load_lookup
from flows.core.models import MeetingMention

_HEAD = 1500  # where a document names its organ (the masthead)


@cache
def _meeting_re(language: str) -> re.Pattern[str] | None:
    pattern = load_lookup("languages")["meetings"].get(language)
    return re.compile(pattern) if pattern else None


@cache
def _organ_re(language: str) -> re.Pattern[str] | None:
    """One alternation of the organs' names in `language`, a group per organ."""
    alts = []
    for i, (_, names) in enumerate(load_lookup("languages")["organs"].items()):
        if names.get(language):
            alts.append(f"(?P<o{i}>{'|'.join(names[language])})")
    return re.compile("|".join(alts)) if alts else None


def _organ(rx: re.Pattern[str] | None, view: str, lo: int, hi: int, last: bool) -> str | None:
    if rx is None:
        return None
    found = list(rx.finditer(view, lo, hi))
    if not found:
        return None
    m = found[-1] if last else found[0]
    index = int(next(k for k, v in m.groupdict().items() if v)[1:])
    return list(load_lookup("languages")["organs"])[index]


def extract_meetings_lang(text: str, language: str) -> list[MeetingMention]:
    """The numbered meetings of a text in `language` (fr, es, ru, ar, zh), sorted by offset;
    [] for another language."""
    rx = _meeting_re(language)
    if not text or rx is None:
        return []
    view = matching_view(text)
    organs = _organ_re(language)
    default = _organ(organs, view, 0, min(len(view), _HEAD), last=False) or "United Nations"
    out = []
    for m in rx.finditer(view):
        line_start = view.rfind("\n", 0, m.start()) + 1
        line_end = view.find("\n", m.end())
        line_end = len(view) if line_end < 0 else line_end
        body = _organ(organs, view, line_start, m.start(), last=True) or default
        dates = find_dates(text[line_start:line_end], language)
        after = [d for d in dates if d.start >= m.end() - line_start] or dates
        date = after[0].start_date if after else None
        out.append(MeetingMention(body=body, start=m.start(), end=m.end(), meeting_number=int(m.group("n")),
                                  start_date=date, end_date=date, status="held"))
    return out


_TITLE_LINES = 15


@cache
def _adopted_re(language: str) -> re.Pattern[str] | None:
    pattern = load_lookup("languages")["adopted"].get(language)
    return re.compile(pattern) if pattern else None


def adopted_on(text: str, language: str) -> dt.date | None:
    """The date of the line near the top of a resolution that says it was adopted ("Adoptée par
    le Conseil de sécurité le 29 janvier 2021", "2022年9月29日 9140次会议通过"); None without one."""
    rx = _adopted_re(language)
    if not text or rx is None:
        return None
    for line in text.split("\n", _TITLE_LINES)[:_TITLE_LINES]:
        if rx.search(matching_view(line)):
            found = find_dates(line, language)
            return found[0].start_date if found else None
    return None
