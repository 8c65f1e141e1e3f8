"""What a UN document says about itself: symbol, kind, body, title, date and languages.

Everything is read from the masthead and the opening lines of the normalized text (the
running headers, footers and job numbers of PDF extractions are already gone, and a date is
never taken from the body of the text when the masthead prints one). The vocabularies
(kinds of documents, bodies, language names, stop words) are data in
`schemas/lookups/doc_types.yaml`. `extract_metadata` never raises.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from functools import cache
from typing import Any

from flows.core import symbols
from flows.core.dates import find_dates
from flows.core.fastscan import fast
from flows.core.lookups import load_lookup
from flows.core.models import DocumentMeta

__all__ = ["extract_metadata", "canonical_symbol", "detect_language", "masthead_body", "find_symbol", "ordinal_suffix"]

_HEAD_CHARS = 2500  # the masthead and the heading live in the first lines
_SYMBOL_LINES = 40

_SYM_CORE = (
    r"[A-Z]{1,6}(?:\s?\.\s?\d+)?\s?/\s?[A-Z0-9][\w.\-]*(?:\s?/\s?[\w.\-]*[\w])*"
)
_SYMBOL_LINE = re.compile(
    rf"^(?:Document symbol:\s*)?(?P<sym>{_SYM_CORE}(?:\s?-\s?{_SYM_CORE})?)"
    r"(?P<year>\s*\(\s?\d{4}\s?\))?(?P<vol>\s*\(\s?Vol\.\s*[IVXL]+\s?\))?\s*\*?\s*(?:&.*)?$"
)
_SUPPLEMENT_SYMBOL = re.compile(rf"Supplement\s+No\.?\s*\d+\s*\((?P<sym>{_SYM_CORE})\)", re.I)
_SPACE = re.compile(r"\s+")

_DISTR = re.compile(r"\bDistr\s*\.?\s*:?", re.I)
_DISTRIBUTION = re.compile(r"\bDistr\s*\.?\s*:?\s*(?P<level>general|limited|restricted)\b", re.I)
_ORIGINAL = re.compile(r"\bOriginal\s*:\s*", re.I)
_ADOPTED = re.compile(
    r"\b(?:Resolution\s+)?adopted\s+by\s+the\s+(?P<body>Security Council|General Assembly|Economic and Social Council|"
    r"Human Rights Council)(?:\s+at\s+its\s+\d{1,5}(?:st|nd|rd|th|d)\s+(?:plenary\s+)?meeting)?,?\s+on\s+",
    re.I,
)
_HELD_ON = re.compile(
    r"\b(?:At the \d{1,5}(?:st|nd|rd|th|d) meeting of the [A-Z][\w ]+?, held on|^On)\s+", re.M
)
_LETTER_DATED = re.compile(r"\b(?:Identical\s+)?letters?\s+dated\s+", re.I)
_WEEKDAY_DATE = re.compile(
    r"^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?\s+", re.M
)
_RES_HEADING = re.compile(r"^\s*RESOLUTION\s+(?P<n>\d{1,5})\s*\(\s?(?P<y>\d{4})\s?\)\s*$", re.I | re.M)
_GA_RES_TITLE = re.compile(r"^\s*(?P<num>\d{1,3}/\d{1,4})\s*\.\s*(?P<title>.*)$", re.M)
_RECORD_HEADING = re.compile(r"^\s*(?P<n>\d{1,5})(?:st|nd|rd|th|d)\s+(?P<plen>plenary\s+)?meeting\s*$", re.M | re.I)
_ROMAN_HEADING = re.compile(r"\s+(?:[IVX]{1,5}|[A-H])\.\s+[A-Z][a-z]")


@cache
def _cfg() -> dict[str, Any]:
    return load_lookup("doc_types")


@cache
def _symbol_rules() -> list[tuple[re.Pattern[str], str]]:
    return [(re.compile(r["pattern"], re.I), r["doc_type"]) for r in _cfg()["symbol_rules"]]


@cache
def _heading_rules() -> list[tuple[re.Pattern[str], str]]:
    return [(re.compile(r"^[ \t]*(?:" + r["pattern"] + ")", re.I | re.M), r["doc_type"]) for r in _cfg()["heading_rules"]]


@cache
def _body_line() -> re.Pattern[str]:
    names = "|".join(re.escape(b).replace(r"\ ", r"\s+") for b in _cfg()["bodies"])
    return re.compile(rf"^[ \t]*(?P<body>{names})[ \t]*$", re.I | re.M)


@cache
def _lang_re() -> re.Pattern[str]:
    names = "|".join(_cfg()["languages"])
    return re.compile(rf"(?P<langs>(?:{names})(?:\s*(?:,|/|\band\b)\s*(?:{names}))*)\b", re.I)


@cache
def _sentence_start() -> re.Pattern[str]:
    words = "|".join(re.escape(w) for w in _cfg()["sentence_starts"])
    return re.compile(rf"\s(?:{words})(?=\s|,)")


# --- symbol -------------------------------------------------------------------------------


def canonical_symbol(raw: str) -> str:
    """The canonical form of a symbol printed in a masthead, in the one grammar of UN symbols
    (`flows.core.symbols.canonical_symbol`), so that a document and its citations agree:
    "S/2018/25*" -> "S/2018/25", "A /67/PV.3" -> "A/67/PV.3", "Corr.l" -> "Corr.1",
    "S/RES/794 ( 1992)" -> "S/RES/794 (1992)", "A/67/49 (Vol. I)" -> "A/67/49 (Vol. I)". A
    string that grammar does not read is kept with its spaces and trailing asterisks removed."""
    return symbols.canonical_symbol(raw) or _SPACE.sub("", raw.strip()).rstrip("*")


def find_symbol(text: str) -> str | None:
    """The document's own symbol as printed in its masthead, canonical; None if not printed."""
    head = text[:_HEAD_CHARS]
    for i, line in enumerate(head.splitlines()):
        if i >= _SYMBOL_LINES:
            break
        line = line.strip()
        if not line or len(line) > 60:
            continue
        m = _SYMBOL_LINE.match(line)
        if m and re.search(r"\d", m.group("sym")):
            return canonical_symbol(m.group("sym") + (m.group("year") or "") + (m.group("vol") or ""))
    m = _SUPPLEMENT_SYMBOL.search(head)
    if m:
        return canonical_symbol(m.group("sym"))
    return None


# --- body, type, title --------------------------------------------------------------------


def masthead_body(text: str) -> str | None:
    """The organ named on a line of its own in the masthead ("Security Council"), or None."""
    m = _body_line().search(text[:1200])
    if not m:
        return None
    found = _SPACE.sub(" ", m.group("body")).lower()
    for name in _cfg()["bodies"]:
        if name.lower() == found:
            return name
    return None


def _symbol_body(symbol: str | None) -> str | None:
    if not symbol:
        return None
    first = re.split(r"[/.]", symbol, maxsplit=1)[0]
    return _cfg()["symbol_bodies"].get(first)


def _doc_type(text: str, symbol: str | None) -> tuple[str, re.Match[str] | None]:
    if symbol:
        for rx, kind in _symbol_rules():
            if rx.search(symbol):
                return kind, None
    head = text[:_HEAD_CHARS]
    best: tuple[int, str, re.Match[str]] | None = None
    for rx, kind in _heading_rules():
        m = rx.search(head)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), kind, m)
    if best:
        return best[1], best[2]
    return "other", None


def _join_heading(text: str, start: int, max_lines: int = 4, max_chars: int = 400) -> str:
    """The heading that begins at `start`, joined across the lines it wraps over."""
    lines: list[str] = []
    pos = start
    for _ in range(max_lines):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        line = text[pos:end].strip()
        if not line:
            break
        lines.append(line)
        joined = " ".join(lines)
        if len(joined) >= max_chars or re.search(r"[.:;]$", line):
            break
        nxt_end = text.find("\n", end + 1)
        nxt = text[end + 1 : nxt_end if nxt_end >= 0 else len(text)].strip()
        # a wrapped heading continues on a line that is not a new heading or paragraph number
        if not nxt or re.match(r"^(?:[IVX]+\.|\d+\.|[A-Z]\.|Annex|Introduction)", nxt):
            break
        starts = find_dates(nxt)
        if starts and starts[0].start == 0 and not line.endswith(","):
            break
        pos = end + 1
    return " ".join(lines)[:max_chars]


def _cut_run_on(title: str) -> str:
    """Cut a heading where the body text it runs into begins."""
    m = _sentence_start().search(title)
    if m and m.start() > 20:
        title = title[: m.start()]
    m = _ROMAN_HEADING.search(title)
    if m and m.start() > 20:
        title = title[: m.start()]
    return title.strip().rstrip(",;:")


def _smart_case(s: str) -> str:
    """An all-capitals heading in ordinary case ("STATEMENT BY THE PRESIDENT" -> "Statement by the President")."""
    if not s or not s.isupper():
        return s
    small = {"of", "the", "and", "by", "to", "for", "on", "in", "at", "a", "an"}
    words = s.lower().split()
    return " ".join(w if (i and w in small) else w[:1].upper() + w[1:] for i, w in enumerate(words))


def _title(text: str, doc_type: str, body: str, symbol: str | None, heading: re.Match[str] | None) -> str:
    head = text[:_HEAD_CHARS]
    if doc_type == "presidential_statement":
        m = re.search(r"statement by the president of the (security council|general assembly|economic and social council)", head, re.I)
        organ = _smart_case(m.group(1).upper()) if m else body
        return f"Statement by the President of the {organ}"
    if doc_type == "resolution":
        m = _GA_RES_TITLE.search(head)
        if m and m.group("title").strip():
            t = _join_heading(head, m.start("title"))
            t = re.split(r"\s+The (?:General Assembly|Security Council|Economic and Social Council)\b", t)[0]
            return _cut_run_on(t.strip())
        m = _RES_HEADING.search(head)
        if m:
            return f"Resolution {m.group('n')} ({m.group('y')})"
        if symbol:
            sm = re.search(r"/RES/(\d+)\s*\((\d{4})\)", symbol)
            if sm:
                return f"Resolution {sm.group(1)} ({sm.group(2)})"
            sm = re.search(r"/RES/(.+)$", symbol)
            if sm:
                return f"Resolution {sm.group(1)}"
        return "Resolution"
    if doc_type == "meeting_record":
        m = _RECORD_HEADING.search(head)
        if m:
            plen = "plenary " if m.group("plen") else ""
            return f"{m.group('n')}{ordinal_suffix(int(m.group('n')))} {plen}meeting"
        return f"Meeting record {symbol}" if symbol else "Meeting record"
    if heading is not None:
        line_start = head.rfind("\n", 0, heading.start()) + 1
        raw = _join_heading(head, line_start)
        if doc_type == "letter":
            raw = _letter_title(raw)
        return _smart_case(_cut_run_on(raw))
    # other: the first line under the masthead that is not furniture
    return _first_heading(head)


def ordinal_suffix(n: int) -> str:
    """The suffix of an ordinal number: 1 -> "st", 22 -> "nd", 12 -> "th"."""
    if 10 <= n % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def _letter_title(raw: str) -> str:
    m = re.search(r"\baddressed to (?:the )?", raw)
    if not m:
        return raw
    return raw[: m.end()] + _cut_run_on(" " + raw[m.end():]).strip()


def _first_heading(head: str) -> str:
    for line in head.splitlines():
        s = line.strip()
        if len(s.split()) < 3 or s.lower().startswith(("best copy", "document symbol")) or _SYMBOL_LINE.match(s) or _body_line().match(s):
            continue
        if re.match(r"^(?:United Nations|UNITED|NATIONS|Distr|Original|ORIGINAL|General$|GENERAL$|NO COVER|\(\d\))", s):
            continue
        if find_dates(s) and len(s) < 30:
            continue
        if sum(c.isalpha() for c in s) < len(s) * 0.6:
            continue
        return _smart_case(s[:300])
    return ""


def distribution(text: str) -> str | None:
    """The distribution printed in the masthead ("Distr.: General", "Distr.\nGENERAL"), or None."""
    m = fast(_DISTRIBUTION).search(text, 0, min(len(text), _HEAD_CHARS))
    return m.group("level").capitalize() if m else None


# --- dates and languages ------------------------------------------------------------------


def _first_date_after(text: str, pos: int, window: int) -> dt.date | None:
    found = find_dates(text[pos : pos + window])
    return found[0].start_date if found else None


def _date_at(text: str, pos: int) -> dt.date | None:
    found = find_dates(text[pos : pos + 40])
    return found[0].start_date if found and found[0].start == 0 else None


def _distr_date(text: str, symbol_line_end: int | None) -> dt.date | None:
    head = text[:_HEAD_CHARS]
    m = fast(_DISTR).search(head)
    if m:
        d = _first_date_after(head, m.end(), 90)
        if d:
            return d
    if symbol_line_end is not None:  # old mastheads: the date on the line under the symbol
        d = _date_at(head, symbol_line_end + 1)
        if d:
            return d
    return None


def _stated_date(text: str, doc_type: str) -> dt.date | None:
    head = text[:_HEAD_CHARS]
    if doc_type == "meeting_record":
        m = _WEEKDAY_DATE.search(head)
        if m:
            return _date_at(head, m.end())
    for rx in (_ADOPTED, _HELD_ON, _LETTER_DATED):
        for m in fast(rx).finditer(head):
            d = _date_at(head, m.end())
            if d:
                return d
    for line in head[:1500].splitlines():  # a date printed on a line of its own in the masthead
        s = line.strip()
        if 0 < len(s) <= 24:
            found = find_dates(s)
            if found and found[0].start == 0 and found[0].end == len(s):
                return found[0].start_date
    return None


def _adopted_on(text: str) -> dt.date | None:
    for m in fast(_ADOPTED).finditer(text[:_HEAD_CHARS]):
        d = _date_at(text, m.end())
        if d:
            return d
    m = re.search(r"\b\d{1,5}(?:st|nd|rd|th|d)\s+plenary\s+meeting\s*\n\s*", text[-400:])
    if m:
        return _date_at(text[-400:], m.end())
    return None


def _original_language(text: str) -> str | None:
    head = text[:_HEAD_CHARS]
    m = fast(_ORIGINAL).search(head)
    if not m:
        return None
    lm = _lang_re().match(head, m.end())
    if not lm:
        return None
    parts = re.split(r"(\s*(?:,|/|\band\b)\s*)", lm.group("langs"), flags=re.I)
    out = []
    for p in parts:
        if p.strip() in (",",):
            out.append(", ")
        elif p.strip() == "/":
            out.append("/")
        elif p.strip().lower() == "and":
            out.append(" and ")
        else:
            out.append(p.strip().capitalize())
    return "".join(out)


@cache
def _stopword_sets() -> dict[str, frozenset[str]]:
    """The stop words per language. Every entry must be a string: YAML 1.1 reads a bare `on`,
    `no` or `off` as a boolean, which would never match a word (`on` was silently lost so)."""
    sets = {}
    for lang, words in _cfg()["stopwords"].items():
        wrong = [w for w in words if not isinstance(w, str)]
        if wrong:
            raise ValueError(f"doc_types.yaml: stop words of {lang!r} must be strings, got {wrong!r} "
                             "(quote words YAML reads otherwise, such as \"on\" or \"no\")")
        sets[lang] = frozenset(words)
    return sets


@cache
def _stopword_bytes() -> dict[str, frozenset[bytes]]:
    """The stop words in UTF-8 (see _word_counts): equal strings, equal encodings."""
    return {lang: frozenset(w.encode("utf-8") for w in words) for lang, words in _stopword_sets().items()}


@cache
def _script_res() -> dict[str, re.Pattern[str]]:
    return {lang: re.compile("[" + "".join(r.encode().decode("unicode_escape") for r in ranges) + "]")
            for lang, ranges in _cfg()["scripts"].items()}


@cache
def _any_script_re() -> re.Pattern[str]:
    """Any character of any of the scripts, as one class (one pass tells whether a text holds one)."""
    return re.compile("[" + "".join(rx.pattern[1:-1] for rx in _script_res().values()) + "]")


_WORD = re.compile(r"[^\W\d_]+")
# Runs of ASCII lower-case letters and non-ASCII characters: every word of _WORD in a lower-cased
# text lies inside one (an ASCII character outside a-z is never a letter there), and a run made
# of a-z only is one word. A class of ranges: `re` scans it several times faster than _WORD's.
_LETTER_RUN = re.compile(r"[a-z\x80-\U0010ffff]+")


# A character outside ASCII that is not a letter of _WORD (quotes, dashes, digits of other scripts).
_NON_ASCII_NON_WORD = re.compile(r"[^\x00-\x7f](?<![^\W\d_])")

# In UTF-8, every byte of a character outside ASCII is >= 0x80: keeping a-z and those bytes and
# making every other byte a space splits an encoded text exactly where _LETTER_RUN's runs end.
_NOT_RUN_BYTES = bytes(b if 97 <= b <= 122 or b >= 0x80 else 32 for b in range(256))


def _words(low: str) -> list[str]:
    """_WORD.findall(low) for a lower-cased text, the same list, found faster.

    Once the characters outside ASCII that are not letters (typographic quotes and dashes, most
    of them) are spaces, every run of _LETTER_RUN is one word of _WORD: the ASCII letters of a
    lower-cased text are a-z, and the other ASCII characters end a run anyway."""
    if not low.isascii():
        low = _NON_ASCII_NON_WORD.sub(" ", low)
    return _LETTER_RUN.findall(low)


def _word_counts(low: str) -> Counter[bytes]:
    """How often each word of _words(low) occurs, the words encoded in UTF-8.

    The same words as _words (see _NOT_RUN_BYTES), split by `bytes.translate` and `bytes.split`,
    which run several times faster than a `findall` that makes a `str` of every word."""
    if not low.isascii():
        low = _NON_ASCII_NON_WORD.sub(" ", low)
    return Counter(low.encode("utf-8").translate(_NOT_RUN_BYTES).split())


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text: script for ru/ar/zh, function-word counts for en/fr/es."""
    sample = text[:8000]
    low = sample.lower()
    if _any_script_re().search(sample):  # else no script has a character in the sample
        letters = sum(map(len, _words(low))) or 1
        for lang, rx in _script_res().items():
            if len(rx.findall(sample)) > 0.3 * letters:
                return lang
    words = _word_counts(low)
    counts = {lang: sum(words[w] for w in stop) for lang, stop in _stopword_bytes().items()}
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] > 0 else "en"


# --- entry point --------------------------------------------------------------------------


def _symbol_line_end(text: str, symbol: str | None) -> int | None:
    if not symbol:
        return None
    pos = 0
    for i, line in enumerate(text[:_HEAD_CHARS].split("\n")):
        if i >= _SYMBOL_LINES:
            break
        if _SYMBOL_LINE.match(line.strip()):
            return pos + len(line)
        pos += len(line) + 1
    return None


def extract_metadata(text: str, source_name: str = "") -> DocumentMeta:
    """The document's metadata as its text states it. `source_name` is not read: nothing is
    taken from a file name."""
    return _extract(text or "")


def _extract(text: str) -> DocumentMeta:
    symbol = find_symbol(text)
    doc_type, heading = _doc_type(text, symbol)
    body = masthead_body(text) or _symbol_body(symbol)
    if body is None:
        m = re.search(r"\b(Security Council|General Assembly|Economic and Social Council)\b", text[:_HEAD_CHARS])
        body = m.group(1) if m else _cfg()["default_body"]
    title = _title(text, doc_type, body, symbol, heading)
    date = _distr_date(text, _symbol_line_end(text, symbol)) or _stated_date(text, doc_type)
    adopted = _adopted_on(text) if doc_type == "resolution" else None
    if date is None and adopted is not None:
        date = adopted
    return DocumentMeta(
        symbol=symbol,
        doc_type=doc_type,
        body=body,
        title=title,
        date=date,
        original_language=_original_language(text),
        language=detect_language(text),
        adopted_on=adopted,
        distribution=distribution(text),
    )
