"""Find and normalize citations of UN instruments in a normalized text.

What is found (canonical forms: CONTRACT.md):

- document symbols of every series (A/67/280, S/2013/446, E/CN.4/2005/L.10/Add.1, ST/SGB/2009/4,
  SC/6816, joint symbols A/67/280-S/2012/614), cleaned by `flows.core.symbols.canonical_symbol`;
- resolutions in running text ("Security Council resolution 1963 (2010)", "resolutions 1267
  (1999), 1333 (2000) and 1390 (2002)", "General Assembly resolutions 67/264 and 65/283",
  "69/96 A and B", "3419 A to D (XXX)"), the body taken from the name printed before
  "resolution" or, when none is, from the form of the number;
- presidential statements (S/PRST/2013/12, "PRST 2006/39") and meeting records (S/PV.7015);
- Charter articles and chapters ("Article 24", "Arts. 52 and 53", "Chapter VIII of the Charter")
  one citation per article, and the Charter itself; rules of procedure ("rule 39 of its
  provisional rules of procedure");
- pinpoints (para./paras./annex/sect./chap.) printed after or before a citation;
- "ibid." / "idem", resolved to the last source given in a parenthetical reference (or, for a
  footnote that begins with "Ibid.", in the footnotes above it), with `via_ibid`.

Not cited: the document's own symbol in its masthead (and anywhere else: a document does not
cite itself), dates, meeting numbers, job numbers, barcodes and page numbers.

Every Citation's `raw` is `text[start:end]`. The functions never raise on any text.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache, lru_cache
from heapq import heappop, heappush

from flows.core.dates import month_number
from flows.core.lookups import load_lookup
from flows.core.models import Citation
from flows.core.symbols import (
    CHARTER,
    canonical_symbol,
    int_to_roman,
    resolution_symbol,
    roman_to_int,
    symbol_kind,
)

# --- vocabularies ---------------------------------------------------------------------------


@cache
def _vocab() -> dict:
    return load_lookup("citation_patterns")


def _alternation(names) -> str:
    return "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in sorted(set(names), key=len, reverse=True))


@cache
def _body_tail_re() -> re.Pattern:
    """Matches a body name at the end of a window ending just before "resolution"."""
    v = _vocab()
    alts = [(n, code) for code, names in v["un_bodies"].items() for n in names]
    alts += [(n, "NONUN") for n in v["non_un_bodies"]]
    # one group per body code; longest names first so that the leftmost match is the longest
    alts.sort(key=lambda a: len(a[0]), reverse=True)
    by_group: dict[str, list[str]] = {}
    for name, group in alts:
        by_group.setdefault(group, []).append(re.escape(name).replace(r"\ ", r"\s+"))
    body = "|".join(f"(?P<{g}>(?<![\\w-])(?:{'|'.join(ps)}))" for g, ps in by_group.items())
    return re.compile(rf"(?:{body})(?:['’]s)?\s+(?:of\s+the\s+United\s+Nations\s+)?$")


@cache
def _other_instrument_re() -> re.Pattern:
    return re.compile(r"\b(?:" + _alternation(_vocab()["other_instruments"]) + r")\b")


@cache
def _rules_res() -> list[tuple[re.Pattern, str]]:
    out = []
    for spec in _vocab()["rules_of_procedure"].values():
        pat = re.compile(
            r"\b[Rr]ules?\s+(?P<nums>\d{1,3}(?:\s*(?:,|and|to|-|–)\s*\d{1,3})*)\s*,?\s+of\s+"
            r"(?:the\s+|its\s+|the\s+(?:Security\s+|General\s+)?(?:Council|Assembly)['’]s\s+)?"
            r"(?:" + spec["phrase"] + r")"
        )
        out.append((pat, spec["symbol"]))
    return out


@cache
def _pin_words() -> dict[str, str]:
    return {k.casefold(): v for k, v in _vocab()["pinpoint_words"].items()}


# --- regular expressions (compiled once) ----------------------------------------------------

_SEG = r"[A-Za-z0-9]+(?:\.[A-Za-z0-9]+|-(?![A-Z][A-Z0-9]{0,5}\s?/)[A-Za-z0-9]+)*"
_SINGLE = rf"[A-Z][A-Z0-9]{{0,5}}(?:\s?/\s?{_SEG})+"
_SYMBOL_RE = re.compile(
    rf"(?<![\w/.\-])(?P<core>{_SINGLE}(?:\s?[-\u2010-\u2015]\s?{_SINGLE})*)"
    r"(?P<suffix>\s?\(\s?(?:[12l][\dlO ]{3,4}|[IVXL]{1,6}|E?S-[IVXL]{1,5}|Vol\.\s?[IVXL]{1,5})\s?\))?"
)
_PRST_SHORT_RE = re.compile(r"(?<![\w/])PRST\s?(?P<year>(?:19|20)\d\d)/(?P<num>\d{1,3})\b")
# the document system's addresses carry the symbol: undocs.org/S/2013/1, docs.un.org/en/A/RES/60/1
_DOC_URL_RE = re.compile(r"(?:undocs\.org|docs\.un\.org|documents\.un\.org)/(?:[a-z]{2}/)?(?:symbol/)?(?P<sym>[A-Z][A-Za-z0-9/.\-]+)$")
_URL_RE = re.compile(r"(?<![\w@/])(?:https?://|www\.)[^\s()<>\"“”]+")

_RES_KW_RE = re.compile(r"\b(?:[Rr]esolutions?|RESOLUTIONS?)"
                        r"(?:\s*,?\s+(?:including|in\s+particular|notably|especially|namely)\s*,?)?\s+(?=\d|E?S-\d)")
# a list taken up again after a clause: "... and 1888 (2009), and recalling also 2419 (2018)" (the
# items after it carry their year, so a bare number is never read as a resolution)
_LIST_RESUMED_RE = re.compile(r"\s*,?\s*(?:and\s+)?(?:recalling|reaffirming|noting|welcoming|recognizing|reiterating"
                              r"|taking\s+note\s+of)\s+(?:also\s+|further\s+|its\s+)*"
                              r"(?=\d{1,4}\s?\(\s?(?:19|20)\d\d\s?\))")
# "presidential statement 2012/5", "presidential statements 2013/4 and 2014/1"
_PRST_WORDS_RE = re.compile(r"[Pp]residential\s+[Ss]tatements?\s+(?P<list>(?:19|20)\d\d/\d{1,3}"
                            r"(?:\s*(?:,\s*(?:and\s+)?|and\s+)(?:19|20)\d\d/\d{1,3})*)(?![\w/])")
_PRST_ITEM_RE = re.compile(r"(?P<year>(?:19|20)\d\d)/(?P<num>\d{1,3})")
_YEAR = r"[12l]\s?[\dlO]\s?[\dlO][\dlO]"
_ITEM_RE = re.compile(
    r"(?:(?P<special>E?S-\d{1,2})/(?P<snum>\d{1,3})"
    r"|(?P<num>\d{1,4})(?:/(?P<num2>\d{1,4}))?)"
    r"(?P<letters>\s?(?<![\w/])[A-Z](?:\s?(?:,|and|to|-|–)\s?[A-Z])*(?=\s*(?:[,;.:)(]|and\b|or\b|of\b|to\b|in\b|on\b|$)))?"
    rf"(?:\s?\(\s?(?P<suffix>{_YEAR}|[IVXL]{{1,6}}|E?S-[IVXL]{{1,5}})\s?\))?"
    r"(?![\w/])"
)
_DATE_AFTER_RE = re.compile(
    r"\s*,?\s+of\s+(?P<day>\d{1,2})\s+(?P<month>[A-Z][a-z]+)\s+(?P<year>(?:19|20)\d\d)\b"
)
_DATE_BEFORE_RE = re.compile(
    r"(?P<day>\d{1,2})\s+(?P<month>[A-Z][a-z]+)\s+(?P<year>(?:19|20)\d\d)\s*,?\s*\(\s*(?:see\s+)?$"
)
_LIST_SEP_RE = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+|as\s+well\s+as\s+)?|\s+and\s+|\s+or\s+|\s+)")

_ARTICLE_RE = re.compile(
    r"\b(?P<kw>Articles?|Arts?\.|articles?|ARTICLES?)\s+"
    r"(?P<nums>\d{1,3}(?![\d/.]\d)(?:\s*(?:,|and|or|to|-|–)\s*\d{1,3}(?![\d/.]\d))*)(?![\w/])"
)
_CHAPTER_RE = re.compile(
    r"\b(?P<kw>Chapters?|chapters?|CHAPTERS?)\s+(?P<nums>[IVX]{1,5}(?:\s*(?:,|and|or)\s*[IVX]{1,5})*)\b(?!\.\d)"
)
_CHARTER_AFTER_RE = re.compile(
    r"(?P<para>\s*,?\s*paragraphs?\s+(?P<pnum>\d{1,2})\s*,?)?\s*(?i:of\s+(?:the\s+)?(?:United\s+Nations\s+|UN\s+)?"
    r"Charter)(?P<ofun>(?i:\s+of\s+the\s+United\s+Nations))?(?P<ofother>\s+of\s+(?:the\s+)?[A-Z])?"
)
_PARA_OF_RE = re.compile(r"(?:[Pp]aragraph|[Pp]ara\.)\s+(?P<pnum>\d{1,2})\s+of\s+$")
_OF_OTHER_RE = re.compile(r"\s*(?:,\s*(?:paragraph|para\.)\s+\d+\s*,?)?\s*(?:of|in|to)\s+\S")
_CHARTER_MENTION_RE = re.compile(
    r"(?:Charter\s+of\s+the\s+United\s+Nations|United\s+Nations\s+Charter|UN\s+Charter|\bthe\s+Charter\b"
    r"(?!\s+of\s+(?!the\s+United\s+Nations)))"
)

_IBID_RE = re.compile(r"(?<![\w.])(?:[Ii]bid|IBID|[Ii]dem)\b\.?")

# pinpoints printed after a citation: ", para. 24", ", paras. 106-116", ", annex III", ", sect. II"
_PIN_WORD = (r"(?:operative\s+paragraphs?|paragraphs?|paras?\.?|pars\.|annex(?:es)?|appendix|enclosure|sections?|sects?\."
             r"|chapters?|chaps?\.|pages?|pp?\.|part|vol\.|volume|table|figure|box)")
_PIN_REF = (r"(?:[IVXL]{1,6}\b|\d{1,4}(?:\s?\([a-z]{1,4}\))?(?:\s?\([ivx]{1,5}\))?|[A-Z]\b)"
            r"(?:\s*(?:-|–|to|and|,\s*(?:and\s+)?)\s*(?:\d{1,4}|[IVXL]{1,6}\b|\([a-z]{1,4}\)|[A-Z]\b)(?:\s?\([a-z]{1,4}\))?)*")
_PIN_ONE = rf"(?P<word>{_PIN_WORD})(?:\s+(?P<ref>{_PIN_REF}))?"
_PIN_AFTER_RE = re.compile(rf"(?:\s*\))?\s*,\s*(?:and\s+|in\s+particular\s+|see\s+)?(?P<pin>{_PIN_WORD}(?:\s+{_PIN_REF})?(?:\s*,\s*{_PIN_WORD}\s+{_PIN_REF})*)")
_PIN_ONE_RE = re.compile(_PIN_ONE, re.I)
_PIN_BEFORE_RE = re.compile(
    rf"(?P<pin>(?:operative\s+|preambular\s+)?{_PIN_WORD}\s+{_PIN_REF})\s+(?:of|in)\s+"
    r"(?:(?:its|his|her|their|the|that|this|Security\s+Council|General\s+Assembly|Council|Assembly|document)\s+){0,3}"
    # "paragraph 7 of its report contained in document A/67/666/Add.1", "... of the report of the
    # Secretary-General (S/2013/163)"
    r"(?:(?:report|letter|note|communication)\s+(?:(?:contained|issued|circulated|reproduced|published)\s+)?"
    r"(?:in|as)\s+(?:document\s+)?|report\s+of\s+the\s+Secretary-General\s*\(\s*)?$"
)

_PAREN_RE = re.compile(r"[()\n]")


@dataclass(slots=True)
class _Cand:
    start: int
    end: int
    symbol: str
    kind: str
    pinpoint: str | None = None
    stated_date: dt.date | None = None
    via_ibid: bool = False
    printed_symbol: bool = False  # found as a printed symbol (not a resolution in words)


# --- helpers --------------------------------------------------------------------------------


def _scan(text: str, rx: re.Pattern, anchors: tuple[tuple[str, int], ...]) -> list[re.Match]:
    """Matches of `rx` that start `back` characters before an occurrence of an anchor literal.

    A literal is found with str.find (memchr speed); the full pattern only runs where one is.
    This is what keeps extraction at tens of MB/s: an alternation of keywords scanned with
    `finditer` would test every position of the text."""
    seen: set[int] = set()
    out: list[re.Match] = []
    for lit, back in anchors:
        i = text.find(lit)
        while i >= 0:
            start = i - back
            if start >= 0 and start not in seen:
                seen.add(start)
                m = rx.match(text, start)
                if m:
                    out.append(m)
            i = text.find(lit, i + 1)
    out.sort(key=lambda m: m.start())
    return out


_SYMBOL_START_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def _symbol_matches(text: str, pattern: re.Pattern = _SYMBOL_RE) -> list[re.Match]:
    """Matches of a symbol pattern (_SYMBOL_RE, or another language's), found from the slashes
    of the text."""
    out: list[re.Match] = []
    covered = -1
    i = text.find("/")
    while i >= 0:
        if i >= covered:
            pos = i
            if pos > 0 and text[pos - 1] == " ":
                pos -= 1
            k = 0
            while pos > 0 and k < 7 and text[pos - 1] in _SYMBOL_START_CHARS:
                pos -= 1
                k += 1
            # the prefix starts with a letter: only the leftmost character of the run can start a
            # match ("ST/SGB", not "T/"): inside the run, _SYMBOL_RE's (?<![\w/.\-]) fails
            m = pattern.match(text, pos) if pos < i and text[pos].isupper() else None
            if m and m.end() > i:
                out.append(m)
                covered = m.end()
        i = text.find("/", i + 1)
    return out


def _date(day: str, month: str, year: str) -> dt.date | None:
    m = month_number(month)
    if m is None:
        return None
    try:
        return dt.date(int(year), m, int(day))
    except ValueError:
        return None


def _canon_pin(pin: str) -> str:
    """Write a printed pinpoint in the contract's forms: "para. 24", "paras. 106-116", "annex III"."""
    out = []
    for m in _PIN_ONE_RE.finditer(pin):
        word = re.sub(r"\s+", " ", m.group("word")).casefold()
        canon = _pin_words().get(word, word)
        ref = m.group("ref")
        if ref:
            ref = re.sub(r"\s*(?:-|–|\bto\b)\s*", "-", ref)
            ref = re.sub(r"\s*,\s*", ", ", ref)
            ref = re.sub(r"\s+", " ", ref).strip()
            plural = bool(re.search(r"-|\band\b|,", ref))
            if plural and canon in ("para.", "sect.", "chap.", "p."):
                canon = {"para.": "paras.", "sect.": "sects.", "chap.": "chaps.", "p.": "pp."}[canon]
            if not plural and canon in ("paras.", "sects.", "chaps.", "pp.", "annexes"):
                canon = {"paras.": "para.", "sects.": "sect.", "chaps.": "chap.", "pp.": "p.", "annexes": "annex"}[canon]
            out.append(f"{canon} {ref}")
        else:
            out.append(canon)
    return ", ".join(out)


def _expand_numbers(nums: str, roman: bool = False) -> list[tuple[str, int, int]]:
    """Split "52 and 53" / "52 to 54" / "VII and VIII" into (value, start, end) within `nums`;
    ranges are expanded (the inner numbers take the span of the range's end)."""
    out: list[tuple[str, int, int]] = []
    pos = 0
    pending_range = False
    for m in re.finditer(r"[IVX]+|\d+", nums):
        tok = m.group(0)
        sep = nums[pos:m.start()]
        pos = m.end()
        if out and re.search(r"\bto\b|-|–", sep):
            pending_range = True
        if pending_range and out:
            lo = roman_to_int(out[-1][0]) if roman else int(out[-1][0])
            hi = roman_to_int(tok) if roman else int(tok)
            if lo is not None and hi is not None and 0 < hi - lo <= 20:
                for v in range(lo + 1, hi):
                    out.append((int_to_roman(v) if roman else str(v), m.start(), m.end()))
            pending_range = False
        out.append((tok, m.start(), m.end()))
    return out


def _charter_context(text: str, pos: int, window: int = 600) -> bool:
    """True when the Charter is named shortly before `pos` and no other instrument closer."""
    lo = max(0, pos - window)
    chunk = text[lo:pos]
    last = None
    for m in _CHARTER_MENTION_RE.finditer(chunk):
        last = m
    if last is None:
        return False
    return _other_instrument_re().search(chunk, last.end()) is None


# --- the extractors -------------------------------------------------------------------------


def _printed_symbols(text: str, out: list[_Cand], pattern: re.Pattern = _SYMBOL_RE) -> None:
    """One candidate per printed symbol (a pattern with groups core and suffix)."""
    for m in _symbol_matches(text, pattern):
        core = m.group("core")
        end = m.end("core")
        sym = None
        if m.group("suffix") and ("RES" in core or "Vol" in m.group("suffix")):  # A/67/49 (Vol. I)
            sym = canonical_symbol(core + " " + m.group("suffix").strip())
            if sym is not None and "(" in sym:
                end = m.end()
            else:
                sym = None
        if sym is None:
            sym = canonical_symbol(core)
        if sym is None:
            continue
        # do not end a span on spaces that the pattern allowed inside the symbol
        start = m.start("core")
        while end > start and text[end - 1].isspace():
            end -= 1
        out.append(_Cand(start, end, sym, symbol_kind(sym), printed_symbol=True))


def _symbols(text: str, out: list[_Cand]) -> None:
    _printed_symbols(text, out)
    for m in _scan(text, _PRST_SHORT_RE, (("PRST", 0),)):
        sym = canonical_symbol(f"S/PRST/{m.group('year')}/{m.group('num')}")
        if sym:
            out.append(_Cand(m.start(), m.end(), sym, "prst"))
    for m in _scan(text, _PRST_WORDS_RE, (("residential", 1),)):
        for item in _PRST_ITEM_RE.finditer(text, m.start("list"), m.end("list")):
            sym = canonical_symbol(f"S/PRST/{item.group('year')}/{item.group('num')}")
            if sym:
                out.append(_Cand(m.start() if item.start() == m.start("list") else item.start(), item.end(), sym, "prst"))
    for m in _scan(text, _URL_RE, (("www.", 0), ("http", 0))):
        url = m.group(0).rstrip(".,;:’'\"")
        if len(url) > 4:
            out.append(_Cand(m.start(), m.start() + len(url), url, "url"))
            d = _DOC_URL_RE.search(url)
            if d:
                sym = canonical_symbol(d.group("sym"))
                if sym:
                    out.append(_Cand(m.start() + d.start("sym"), m.start() + d.end("sym"), sym, symbol_kind(sym)))


@cache
def _body_last_words() -> tuple[str, ...]:
    """The last word of every body name, and "Nations" (of "... of the United Nations")."""
    v = _vocab()
    names = [n for ns in v["un_bodies"].values() for n in ns] + list(v["non_un_bodies"])
    return tuple(sorted({n.split()[-1] for n in names if n.split()} | {"Nations"}))


def _body_match(text: str, pos: int) -> tuple[str | None, int]:
    """The body code printed just before "resolution" at `pos` (SC, GA, ..., "-" for a body that
    is not of the UN, or None) and the offset where its name starts (`pos` when there is none)."""
    lo = max(0, pos - 70)
    window = text[lo:pos]
    # _body_tail_re ends with a body name (or "of the United Nations"), maybe "'s", then spaces:
    # the last word of the window must end with the last word of a name for it to match
    tail = window.rsplit(None, 1)
    if not tail:
        return None, pos
    last = tail[-1]
    if last[-2:] in ("'s", "’s"):
        last = last[:-2]
    if not last.endswith(_body_last_words()):
        return None, pos
    m = _body_tail_re().search(window)
    if not m:
        return None, pos
    for code, val in m.groupdict().items():
        if val:
            return ("-" if code == "NONUN" else code), lo + m.start()
    return None, pos


_YEAR_RE = re.compile(_YEAR)
_SPACES_RE = re.compile(r"\s+")
_CAPITAL_RE = re.compile(r"[A-Z]")
_LETTER_RANGE_RE = re.compile(r"\bto\b|-|–")
_YEAR_DIGITS = str.maketrans("lO", "10")


def _resolution_symbols(body: str | None, item: re.Match) -> list[str]:
    """Canonical symbols of one item of a resolution list ("1963 (2010)", "69/96 A and B")."""
    key = (body, *item.group("special", "snum", "num", "num2", "suffix", "letters"))
    return list(_resolution_symbols_of(key))


@lru_cache(maxsize=1 << 14)
def _resolution_symbols_of(key: tuple[str | None, ...]) -> tuple[str, ...]:
    """_resolution_symbols on the groups of an item (memoized: the same items recur)."""
    body, special, snum, num, num2, suffix, letters_raw = key
    letters: list[str | None] = [None]
    if letters_raw:
        toks = _CAPITAL_RE.findall(letters_raw)
        if _LETTER_RANGE_RE.search(letters_raw) and len(toks) == 2 and toks[0] < toks[1]:
            toks = [chr(c) for c in range(ord(toks[0]), ord(toks[1]) + 1)]
        letters = list(dict.fromkeys(toks)) or [None]
    year: str | None = None
    if suffix and _YEAR_RE.fullmatch(suffix):
        year = _SPACES_RE.sub("", suffix).translate(_YEAR_DIGITS)
        if not 1946 <= int(year) <= 2099:
            return ()
    roman = suffix if suffix and not year else None
    out: list[str | None] = []
    if special:
        if body not in (None, "GA"):
            return ()
        out = [resolution_symbol("GA", snum, letter, None, session=special) for letter in letters]
    elif num2 is not None:
        first = int(num)
        if len(num) == 4 and 1946 <= first <= 2099:  # ECOSOC / Commission: 1996/31
            if body in ("ECOSOC", "CHR"):
                out = [resolution_symbol(body, num2, letter, None, session=num) for letter in letters]
        elif 1 <= first <= 199 and len(num) <= 3 and not num.startswith("0"):
            # "Security Council and General Assembly resolutions 60/180": the form decides (GA)
            code = body if body in ("GA", "HRC") else ("GA" if body in (None, "SC") else None)
            if code:
                out = [resolution_symbol(code, num2, letter, None, session=num) for letter in letters]
    elif roman:
        if roman_to_int(roman.split("-")[-1]) is None:
            return ()
        code = "ECOSOC" if body == "ECOSOC" else ("GA" if body in (None, "GA", "SC") else None)
        if code:
            out = [resolution_symbol(code, num, letter, roman) for letter in letters]
    elif year:
        if body in (None, "SC"):
            if letters != [None]:
                return ()
            out = [resolution_symbol("SC", num, None, year)]
        elif body == "GA" and int(year) <= 1975:
            session = int_to_roman(int(year) - 1945)
            out = [resolution_symbol("GA", num, letter, session) for letter in letters]
    return tuple(s for s in out if s)


def _resolutions(text: str, out: list[_Cand]) -> None:
    for kw in _scan(text, _RES_KW_RE, (("esolution", 1), ("ESOLUTION", 1))):
        body, body_start = _body_match(text, kw.start())
        if body == "-":
            continue
        # the span of the first item starts at the body name when one is printed
        first_start = body_start if body else kw.start()
        pos = kw.end()
        first = True
        while True:
            item = _ITEM_RE.match(text, pos)
            if not item or item.end() == item.start():
                break
            syms = _resolution_symbols(body, item)
            if not syms:
                break
            start = first_start if first else item.start()
            end = item.end()
            while end > start and text[end - 1].isspace():
                end -= 1
            stated = None
            after = end
            dm = _DATE_AFTER_RE.match(text, end)
            if dm:
                stated = _date(dm.group("day"), dm.group("month"), dm.group("year"))
                if stated:
                    after = dm.end()
            for sym in syms:
                out.append(_Cand(start, end, sym, symbol_kind(sym), stated_date=stated))
            first = False
            sep = _LIST_SEP_RE.match(text, after)
            resumed = _LIST_RESUMED_RE.match(text, after)
            if resumed and (nxt := _ITEM_RE.match(text, resumed.end())) and nxt.group("suffix") \
                    and nxt.group("num2") is None:
                pos = resumed.end()
                continue
            if not sep:
                break
            nxt = _ITEM_RE.match(text, sep.end())
            if not nxt or not nxt.group("suffix") and nxt.group("num2") is None and nxt.group("special") is None:
                break
            if not sep.group(0).strip() and not (item.group("suffix") and nxt.group("suffix")):
                break  # only "1655 (2006) 1680 (2006)" may go without a separator
            pos = sep.end()


def _charter(text: str, out: list[_Cand]) -> None:
    """Charter articles and chapters, one citation each. A bare mention of the Charter ("in
    accordance with the Charter of the United Nations") is not emitted: it cites no provision,
    and annotators do not count it as a citation."""
    anchors = {"Article": (("rticle", 1), ("RTICLE", 1), ("Art", 0)), "Chapter": (("hapter", 1), ("HAPTER", 1))}
    for rx, kind in ((_ARTICLE_RE, "Article"), (_CHAPTER_RE, "Chapter")):
        for m in _scan(text, rx, anchors[kind]):
            kw = m.group("kw")
            roman = kind == "Chapter"
            nums = _expand_numbers(m.group("nums"), roman=roman)
            if roman:
                nums = [n for n in nums if (roman_to_int(n[0]) or 0) and roman_to_int(n[0]) <= 19]
            if not nums:
                continue
            after = _CHARTER_AFTER_RE.match(text, m.end())
            pin = None
            para_before = _PARA_OF_RE.search(text, max(0, m.start() - 20), m.start()) if kind == "Article" else None
            if after and not after.group("ofother"):
                if after.group("pnum") and kind == "Article" and len(nums) == 1:
                    pin = f"para. {after.group('pnum')}"
            elif after or _OF_OTHER_RE.match(text, m.end()):
                continue  # "article 3 of the Charter of the League of Arab States", "Chapter V of the Agreement"
            else:
                if not kw[0].isupper():
                    continue
                ok = _charter_context(text, m.start())
                if not ok and roman and all(n[0] in ("VI", "VII", "VIII") for n in nums) and kw[:1] == "C":
                    ok = _other_instrument_re().search(text, max(0, m.start() - 200), m.start()) is None
                if not ok:
                    continue
            if pin is None and para_before is not None and len(nums) == 1:
                pin = f"para. {para_before.group('pnum')}"  # "paragraph 3 of Article 2"
            base = m.start("nums")
            for i, (val, s, e) in enumerate(nums):
                start = m.start() if i == 0 else base + s
                out.append(_Cand(start, base + e, f"{CHARTER}, {kind} {val}", "charter", pinpoint=pin))


def _rules(text: str, out: list[_Cand]) -> None:
    if "procedure" not in text:
        return  # every phrase of rules_of_procedure names the rules "of procedure"
    for rx, symbol in _rules_res():
        for m in _scan(text, rx, (("ule", 1),)):
            nums = _expand_numbers(m.group("nums"))
            if not nums:
                continue
            pin = ("rule " if len(nums) == 1 else "rules ") + re.sub(r"\s+", " ", m.group("nums")).strip()
            out.append(_Cand(m.start(), m.end(), symbol, "rules_of_procedure", pinpoint=pin))


# literals one of which any match of _PIN_BEFORE_RE contains (its pinpoint word, case-sensitive)
_PIN_BEFORE_LITERALS = ("para", "pars.", "annex", "appendix", "enclosure", "sect", "chap", "page", "p.",
                        "part", "vol", "table", "figure", "box")


def _may_have_pin_before(text: str, lo: int, hi: int) -> bool:
    """False when _PIN_BEFORE_RE cannot match in text[lo:hi] (no "of"/"in", no pinpoint word)."""
    window = text[lo:hi]
    if "of" not in window and "in" not in window:
        return False
    return any(map(window.__contains__, _PIN_BEFORE_LITERALS))


def _pinpoints(text: str, cands: list[_Cand]) -> None:
    for c in cands:
        if c.kind in ("url", "rules_of_procedure"):
            continue
        m = _PIN_AFTER_RE.match(text, c.end)
        if m and c.pinpoint is None:
            pin = _canon_pin(m.group("pin"))
            if pin:
                c.pinpoint = pin
                continue
        if c.pinpoint is None and c.kind != "charter" and _may_have_pin_before(text, max(0, c.start - 80), c.start):
            b = _PIN_BEFORE_RE.search(text, max(0, c.start - 80), c.start)
            if b:
                pin = _canon_pin(b.group("pin"))
                if pin:
                    c.pinpoint = pin


def _paren_groups(text: str) -> list[tuple[int, int]]:
    """(open, close) offsets of balanced parentheses on one line."""
    groups = []
    stack: list[int] = []
    for m in _PAREN_RE.finditer(text):
        ch = m.group(0)
        if ch == "(":
            stack.append(m.start())
        elif ch == ")":
            if stack:
                groups.append((stack.pop(), m.start()))
        else:
            stack.clear()
    groups.sort()
    return groups


def _enclosing(groups: list[tuple[int, int]], starts: list[int], s: int, e: int) -> tuple[int, int] | None:
    """The innermost parenthesis group that strictly encloses [s, e)."""
    i = bisect_left(starts, s)
    best = None
    for j in range(i - 1, max(-1, i - 40), -1):
        o, c = groups[j]
        if o < s and c >= e:
            if best is None or o > best[0]:
                best = (o, c)
    return best


def _ibids(text: str, cands: list[_Cand]) -> list[_Cand]:
    ibid_matches = _scan(text, _IBID_RE, (("bid", 1), ("BID", 1), ("dem", 1)))
    if not ibid_matches:
        return []
    sources = sorted((c for c in cands if c.kind not in ("rules_of_procedure",)), key=lambda c: (c.start, c.end))
    groups = _paren_groups(text)
    starts = [g[0] for g in groups]
    # parenthetical sources: the citations inside a parenthesis group
    paren_src = [c for c in sources if c.kind != "charter" and _enclosing(groups, starts, c.start, c.end) is not None]
    # Each "ibid." looks back at the citations before it. They are kept in running form (no list
    # of all earlier citations is built or searched per "ibid."): the latest-ending parenthetical
    # source so far, a heap of the ibid citations not yet ended, and the candidates by start.
    by_end = sorted(paren_src, key=lambda c: c.end)  # stable: ties keep paren_src's order
    n_ended = 0
    best_src: _Cand | None = None
    best_out: _Cand | None = None
    waiting: list[tuple[int, int, _Cand]] = []  # (end, order, ibid citation) not yet before an "ibid."
    firsts = _FirstFrom(cands)
    out: list[_Cand] = []
    out_firsts = _FirstFrom(out)
    breaks = [nl.start() for nl in _NEWLINE_RE.finditer(text)]
    for m in ibid_matches:
        s, e = m.start(), m.end()
        i = bisect_left(breaks, s)
        line_start = breaks[i - 1] + 1 if i > 0 else 0
        target: _Cand | None = None
        if _FOOTNOTE_HEAD_RE.fullmatch(text, line_start, s):  # nothing but a footnote number before it
            target = _footnote_source(text, line_start, firsts, out_firsts)
        else:
            g = _enclosing(groups, starts, s, e)
            if g is None:
                continue  # "ibid." outside a parenthetical reference or a footnote: not a citation
            while n_ended < len(by_end) and by_end[n_ended].end <= s:
                c = by_end[n_ended]
                n_ended += 1
                if best_src is None or (c.end, c.start) > (best_src.end, best_src.start):
                    best_src = c
            while waiting and waiting[0][0] <= s:
                c = heappop(waiting)[2]
                if best_out is None or (c.end, c.start) > (best_out.end, best_out.start):
                    best_out = c
            # max() over paren_src + out: the first of equals wins, so paren_src on a tie
            target = best_src
            if best_out is not None and (target is None or (best_out.end, best_out.start) > (target.end, target.start)):
                target = best_out
        if target is None:
            continue
        pin = None
        pm = _PIN_AFTER_RE.match(text, e)
        if pm:
            pin = _canon_pin(pm.group("pin")) or None
        out.append(_Cand(s, e, target.symbol, target.kind, pinpoint=pin, via_ibid=True))
        heappush(waiting, (e, len(out), out[-1]))
    return out


_NEWLINE_RE = re.compile("\n")
_FOOTNOTE_HEAD_RE = re.compile(r"\s*(?:\d{1,3}\s*)?")


class _FirstFrom:
    """The first candidate (by start, then end) that starts in a range, not a Charter citation:
    a binary search in the candidates sorted once (they may grow at the end, in start order)."""

    def __init__(self, cands: list[_Cand]) -> None:
        self.cands = cands
        self.sorted: list[_Cand] = []
        self.starts: list[int] = []

    def __call__(self, lo: int, hi: int) -> _Cand | None:
        if len(self.sorted) != len(self.cands):
            new = self.cands[len(self.sorted):]
            chain = self.sorted[-1:] + new
            if all((a.start, a.end) <= (b.start, b.end) for a, b in zip(chain, chain[1:], strict=False)):
                self.sorted += new  # appended in order (the ibid citations): no sort again
                self.starts += [c.start for c in new]
            else:
                self.sorted = sorted(self.cands, key=lambda c: (c.start, c.end))
                self.starts = [c.start for c in self.sorted]
        for k in range(bisect_left(self.starts, lo), len(self.sorted)):
            c = self.sorted[k]
            if c.start >= hi:
                return None
            if c.kind not in ("charter",):
                return c
        return None


# an operative-paragraph number printed at the end of a line ("... all 1."), not "No. 241."
_BODY_LINE_END_RE = re.compile(r"(?<!No\.)(?<!\bp\.)(?<!pp\.)(?<!para\.)(?<!paras\.)(?<!vol\.)(?:^|\s)\(?\d{1,3}\)?\.$")
_LETTERS_RE = re.compile(r"[A-Za-z]")


def _is_footnote_line(line: str) -> bool:
    """A line that looks like a footnote: short, ends with a full stop, not an operative number."""
    if not line or len(line) > 300 or not line.endswith("."):
        return False
    if _IBID_RE.match(line):
        return True
    return _LETTERS_RE.search(line) is not None and _BODY_LINE_END_RE.search(line) is None


def _footnote_source(text: str, line_start: int, *firsts: _FirstFrom) -> _Cand | None:
    """The source of a footnote that begins with "Ibid.": the first citation of the closest
    footnote-like line above it; None if that line cites no UN instrument (e.g. "United Nations,
    Treaty Series, vol. 70, No. 241.")."""
    end = line_start - 1
    for _ in range(40):
        if end <= 0:
            return None
        prev_start = text.rfind("\n", 0, end) + 1
        line = text[prev_start:end].strip()
        line_end = end
        end = prev_start - 1
        if not _is_footnote_line(line):
            continue  # body text between two footnote blocks
        inside = [c for first in firsts if (c := first(prev_start, line_end)) is not None]
        if inside:
            return min(inside, key=lambda c: (c.start, c.end))  # the first of equals: as listed
        return None
    return None


_MARKER_RE = re.compile(
    r"(?<=[A-Za-z”’\"),;])\s(?P<n>\d{1,3})(?=\s|$)"
    r"(?!\s+(?:January|February|March|April|May|June|July|August|September|October|November|December|per\b|to\b|and\s+\d))"
)
_PIN_AFTER_MARKER_RE = re.compile(
    rf"\s*,?\s*(?:and\s+)?(?:in\s+particular|especially|notably|including)\s+(?P<pin>{_PIN_WORD}\s+{_PIN_REF})"
)


# what _PIN_AFTER_MARKER_RE needs, from its keyword on: a quick test that the text has one at all
_MARKER_PIN_RE = re.compile(rf"(?:particular|especially|notably|including)\s+{_PIN_WORD}\s+{_PIN_REF}")
_MARKER_PIN_ANCHORS = (("particular", 0), ("especially", 0), ("notably", 0), ("including", 0))


def _footnote_pinpoints(text: str, cands: list[_Cand]) -> None:
    """Attach pinpoints printed next to a footnote marker in the body ("the report entitled
    'An Agenda for Peace', 2 and in particular section VII") to the citation of that footnote.
    Footnotes are numbered through the document; in the normalized text their numbers are lost,
    so the k-th footnote line of a block goes with the k-th marker of the text above the block."""
    if not cands:
        return
    if not _scan(text, _MARKER_PIN_RE, _MARKER_PIN_ANCHORS):
        return  # no "in particular section VII" anywhere: no line-by-line walk of the text
    lines: list[tuple[int, int]] = []
    pos = 0
    for m in re.finditer(r"\n|$", text):
        lines.append((pos, m.start()))
        pos = m.end()
    blocks: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    prev_blank = True
    for s, e in lines:
        line = text[s:e].strip()
        if current and _is_footnote_line(line):
            current.append((s, e))
        elif not current and prev_blank and _is_footnote_line(line):
            current = [(s, e)]
        else:
            if current:
                blocks.append(current)
            current = []
        prev_blank = not line
    if current:
        blocks.append(current)
    if not blocks:
        return
    by_start = sorted(cands, key=lambda c: c.start)
    starts = [c.start for c in by_start]
    n = 0
    prev_end = 0
    for block in blocks:
        body_lo, body_hi = prev_end, block[0][0]
        i = bisect_left(starts, block[0][0])
        if i >= len(starts) or starts[i] >= block[-1][1]:  # no citation in this block: nothing to attach
            n += len(block)
            prev_end = block[-1][1]
            continue
        markers = []
        expected = n + 1
        for m in _MARKER_RE.finditer(text, body_lo, body_hi):
            if int(m.group("n")) == expected:
                markers.append(m)
                expected += 1
                if len(markers) == len(block):
                    break
        n += len(block)
        prev_end = block[-1][1]
        if len(markers) != len(block):
            continue
        for marker, (ls, le) in zip(markers, block, strict=True):
            pm = _PIN_AFTER_MARKER_RE.match(text, marker.end())
            if not pm:
                continue
            i = bisect_left(starts, ls)
            inside = [c for c in by_start[i:i + 8] if c.start < le and c.kind not in ("charter", "url")]
            if inside and inside[0].pinpoint is None:
                inside[0].pinpoint = _canon_pin(pm.group("pin"))


# --- masthead -------------------------------------------------------------------------------

_MASTHEAD_MAX_LINES = 40
_BODY_LINE_CHARS = 200  # the masthead ends at the first line of running text
_MASTHEAD_SYMBOL_LINE_RE = re.compile(r"^(?:supplement\s+no\.\s*\d+\s*|document\s+symbol\s*:\s*)?\(?", re.I)


# what may follow the symbol on a masthead line: "*", "(Vol. I)", "& Corrs. 1 and 2", ")"
_MASTHEAD_REST_RE = re.compile(r"\s*(?:\*|\((?:Vol|Part|Suppl)[^)]*\)|&\s*Corr.*|\))?\s*$", re.I)


def _masthead(text: str, cands: list[_Cand]) -> tuple[set[str], list[tuple[int, int]]]:
    """Own symbols printed in the masthead (a short line that begins with a symbol, or
    "Supplement No. 34 (A/10034)" on the cover of Official Records) and the spans of those lines.
    The masthead is the run of lines before the first line of running text."""
    own: set[str] = set()
    spans: list[tuple[int, int]] = []
    if text.count("\n", 0, 2000) < 2:
        return own, spans  # a sentence or a line alone has no masthead
    # the masthead lines are at most _MASTHEAD_MAX_LINES lines of _BODY_LINE_CHARS characters
    limit = _MASTHEAD_MAX_LINES * (_BODY_LINE_CHARS + 1)
    printed = [c for c in cands if c.printed_symbol and c.start < limit]
    if not printed:
        return own, spans
    starts = sorted(c.start for c in printed)
    j = 0
    pos = 0
    for _ in range(_MASTHEAD_MAX_LINES):
        if pos >= len(text) or pos > starts[-1]:
            break  # no printed symbol on this line or below
        nl = text.find("\n", pos)
        end = len(text) if nl < 0 else nl
        if end - pos > _BODY_LINE_CHARS:
            break
        while j < len(starts) and starts[j] < pos:
            j += 1
        if j == len(starts) or starts[j] >= end:
            pos = end + 1
            continue  # no printed symbol on this line
        line = text[pos:end]
        stripped = line.strip()
        if stripped and len(stripped) <= 60:
            lead = pos + (len(line) - len(line.lstrip()))
            head = _MASTHEAD_SYMBOL_LINE_RE.match(stripped)
            sym_at = lead + (head.end() if head else 0)
            inside = [c for c in printed if pos <= c.start < end]
            if inside and inside[0].start == sym_at and _MASTHEAD_REST_RE.match(text, inside[0].end, end):
                own.update(c.symbol for c in inside)
                spans.append((pos, end))
        pos = end + 1
    return own, spans


# --- entry point ----------------------------------------------------------------------------


def extract_citations(text: str, language: str | None = "en") -> list[Citation]:
    """All citations of UN instruments in `text` (normalized), sorted by (start, end, cited_symbol).
    `language` is the ISO 639-1 code of the text: a text in another language than English is read
    by `flows.core.citations_lang` (the same canonical symbols)."""
    if language not in (None, "en"):
        from flows.core.citations_lang import extract_citations_lang  # it imports this module

        return extract_citations_lang(text, language)
    if not text or not isinstance(text, str):
        return []
    cands: list[_Cand] = []
    _symbols(text, cands)
    _resolutions(text, cands)
    _charter(text, cands)
    _rules(text, cands)
    own, header_spans = _masthead(text, cands)
    if header_spans:
        cands = [c for c in cands if not any(s <= c.start < e for s, e in header_spans)]
    cands = _dedupe(cands)
    _pinpoints(text, cands)
    _stated_dates(text, cands)
    cands += _ibids(text, cands)
    _footnote_pinpoints(text, cands)
    result = []
    for c in cands:
        if c.symbol in own:
            continue
        result.append(Citation(
            cited_symbol=c.symbol, cited_kind=c.kind, raw=text[c.start:c.end], start=c.start, end=c.end,
            pinpoint=c.pinpoint, via_ibid=c.via_ibid, stated_date=c.stated_date,
        ))
    result.sort(key=lambda c: (c.start, c.end, c.cited_symbol))
    return result


def _dedupe(cands: list[_Cand]) -> list[_Cand]:
    """One candidate per (span, symbol); a symbol inside another citation of the same symbol goes."""
    cands.sort(key=lambda c: (c.start, -c.end, c.symbol))
    out: list[_Cand] = []
    seen: set[tuple[int, int, str]] = set()
    for c in cands:
        key = (c.start, c.end, c.symbol)
        if key in seen:
            continue
        seen.add(key)
        out.append(c)
    # a document symbol found inside a resolution span ("resolution 1963 (2010)" has none) or a
    # PRST short form inside a full S/PRST symbol goes
    # `out` is in (start, -end) order and holds each (span, symbol) once, so a span that holds
    # another of the same symbol comes before it: the largest end seen so far for a symbol says
    # whether some earlier span encloses this one (one pass, no pairwise comparison)
    keep = []
    reach: dict[str, int] = {}
    for c in out:
        if c.kind != "url":
            if reach.get(c.symbol, -1) >= c.end:
                continue
            reach[c.symbol] = c.end
        keep.append(c)
    return keep


def _stated_dates(text: str, cands: list[_Cand]) -> None:
    for c in cands:
        if c.stated_date is not None or c.kind not in ("prst",):
            continue
        m = _DATE_AFTER_RE.match(text, c.end)
        if m:
            c.stated_date = _date(m.group("day"), m.group("month"), m.group("year"))
            continue
        b = _DATE_BEFORE_RE.search(text, max(0, c.start - 40), c.start)
        if b:
            c.stated_date = _date(b.group("day"), b.group("month"), b.group("year"))
