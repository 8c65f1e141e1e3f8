"""Citations in the French, Spanish, Russian, Arabic and Chinese texts of UN documents.

The same facts as `flows.core.citations` finds in English, with the same canonical
`cited_symbol` whatever the language (built by `flows.core.symbols`):

- document symbols (language-neutral, but set in other scripts and punctuation: "(S/2022/655)،",
  "S/PRST/2015/25号主席声明", full-width parentheses, guillemets);
- resolutions and lists of them: "résolutions 2240 (2015), 2312 (2016) et 2598 (2021)",
  "resolución 67/264", "резолюции 2250 (2015)", "القرارين 2240 (2015) و 2312 (2016)",
  "第2240(2015)、2312(2016)和2598(2021)号决议"; a number printed without its year ("第1701号决议")
  takes the year printed with the same number elsewhere in the document, else it is not cited;
- Charter articles and chapters: "Article 52 de la Charte", "Capítulo VII de la Carta",
  "статьи 41 главы VII Устава", "《联合国宪章》第五十二条", "الفصل السابع من ميثاق الأمم المتحدة";
- pinpoints, in the English canonical form: "paragraphe 4 de sa résolution 716 (1991)" ->
  "para. 4", "第2240(2015)号决议第7、8、9和10段" -> "paras. 7, 8, 9 and 10".

The words are data (`schemas/lookups/languages.yaml`). Patterns run on a matching view of the
text (`languages.matching_view`: Arabic-Indic digits, full-width forms made ASCII one character
for one), so offsets are those of the text and `raw == text[start:end]`. Never raises on any text.
"""

from __future__ import annotations

import re
from functools import cache

from flows.core.citations import _SINGLE as _SYMBOL_PART
from flows.core.citations import _Cand, _dedupe, _masthead, _printed_symbols, _resolution_symbols_of
from flows.core.languages import arabic_ordinals, chinese_number, language_data, matching_view, ordinal_arabic
from flows.core.models import Citation
from flows.core.symbols import CHARTER, int_to_roman, roman_to_int, symbol_kind

LANGUAGES = ("fr", "es", "ru", "ar", "zh")

# --- language-neutral patterns (on the matching view) ----------------------------------------

# A symbol: not preceded by a Latin letter, digit or symbol character (another script may touch it:
# "S/PRST/2015/25号", "(S/2022/655)،").
_SYMBOL_RE = re.compile(
    rf"(?<![A-Za-z0-9/.\-])(?P<core>{_SYMBOL_PART}(?:\s?[-\u2010-\u2015]\s?{_SYMBOL_PART})*)"
    r"(?P<suffix>\s?\(\s?(?:[12]\d{3}|[IVXL]{1,6}|E?S-[IVXL]{1,5})\s?\))?"
)
_YEAR = r"(?:19[4-9]\d|20\d\d)"
_ITEM = (r"(?P<num>\d{1,4})(?:/(?P<num2>\d{1,4}))?"
         r"(?P<letters>\s?(?<![A-Za-z])[A-Z](?:\s?(?:,|-|–)\s?[A-Z])*(?![A-Za-z]))?"
         rf"(?:\s?\(\s?(?P<suffix>{_YEAR}|[IVXL]{{1,6}})\s?\))?"
         r"(?![0-9A-Za-z/])")
_ITEM_RE = re.compile(_ITEM)
_ITEM_ANY = re.sub(r"\?P<\w+>", "?:", _ITEM)  # the same, without names (repeated in a list)
_NUMS = r"\d{1,3}(?![\d/.]\d)"
_ROMANS = r"[IVX]{1,5}(?![A-Za-z])"


@cache
def _res(lang: str) -> dict[str, re.Pattern[str]]:
    """The compiled patterns of one language."""
    d = language_data(lang)
    # "2395 (2017) 2396 (2017)": two years in a row need no separator
    sep = rf"(?:{d['separator_re']}|\s+(?=\d{{1,4}}\s?\(\s?{_YEAR}\s?\)))"
    out: dict[str, re.Pattern[str]] = {}
    if "resolution_re" in d:
        item = rf"{_ITEM_ANY}(?:{d['item_date_re']})?"
        out["resolution"] = re.compile(rf"(?P<kw>{d['resolution_re']}){d.get('after_keyword_re', '')}\s+(?P<list>{item}(?:(?:{sep}){item})*)")
    else:  # the numbers before the word: 第2240(2015)、2312(2016)号决议
        pre, suf = d["list_prefix_re"], d["item_suffix_re"]
        out["resolution"] = re.compile(
            rf"(?P<kw>{pre})?(?P<list>{_ITEM_ANY}(?:{suf})?(?:(?:{sep}){_ITEM_ANY}(?:{suf})?)*){d['resolution_after_re']}"
        )
    out["sep"] = re.compile(sep)
    out["item_tail"] = re.compile(d.get("item_date_re") or d.get("item_suffix_re") or "(?!)")
    if "article_re" in d:
        link, charter = d["link_re"], d["charter_re"]
        # "Article 41 du Chapitre VII de la Charte", "статьи 41 главы VII Устава"
        out["to_charter"] = re.compile(
            r"(?:\s?\(\d{1,2}\))?"  # "статье 53(1) Устава": a paragraph of the article
            rf"(?:\s*,?\s*(?:{d['pinpoint_words_re']})\s+\d{{1,2}}\s*,?)?"
            rf"(?:\s+{link}\s+(?P<chap_kw>{d['chapter_re']})\s+(?P<chap>{_ROMANS}|{_ordinals_re()}))?"
            rf"\s+{link}\s*(?P<charter>{charter})" if link != "(?:)" else
            r"(?:\s?\(\d{1,2}\))?"
            rf"(?:\s+(?P<chap_kw>{d['chapter_re']})\s+(?P<chap>{_ROMANS}))?\s+(?P<charter>{charter})"
        )
        nums = rf"(?P<nums>{_NUMS}(?:{d['and_re']}{_NUMS}|{d['to_re']}{_NUMS})*|{_ordinals_re()})"
        romans = rf"(?P<nums>{_ROMANS}(?:{d['and_re']}{_ROMANS})*|{_ordinals_re()})"
        out["article"] = re.compile(rf"(?P<kw>{d['article_re']})\s+{nums}")
        out["chapter"] = re.compile(rf"(?P<kw>{d['chapter_re']})\s+{romans}")
        out["pin_before"] = re.compile(
            rf"(?P<word>{d['pinpoint_words_re']})\s+(?P<ref>{_NUMS}(?:(?:{d['and_re']}|{d['to_re']}){_NUMS})*)"
            rf"(?:{d['pinpoint_before_re']})"
        )
    else:
        cn = r"[〇零一二三四五六七八九十百两\d]{1,6}"
        out["charter_zh"] = re.compile(
            rf"{d['charter_re']}(?P<parts>(?:第{cn}[条章](?:第{cn}[款项段])?(?:(?:和|及|、)(?=第))?)+)"
        )
        out["part_zh"] = re.compile(rf"第(?P<n>{cn})(?P<kind>[条章])(?:第(?P<pin>{cn})[款项段])?")
        out["pin_after"] = re.compile(
            rf"\s*第(?P<ref>\d{{1,3}}(?:(?:{d['and_re']}|{d['to_re']})\d{{1,3}})*)\s*(?P<word>段|附件)"
        )
    return out


@cache
def _ordinals_re() -> str:
    """The Arabic ordinal words as one alternation (longest first)."""
    words = sorted(arabic_ordinals(), key=len, reverse=True)
    return "(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words) + ")(?![^\\W\\d_])"


# --- helpers -------------------------------------------------------------------------------


def _number(tok: str, roman: bool) -> str | None:
    """The article number ("52") or chapter numeral ("VII") of a printed token (digits, roman
    numerals, Chinese numerals or an Arabic ordinal word)."""
    tok = " ".join(tok.split())
    if tok.isdigit():
        value = int(tok)
    elif re.fullmatch(r"[IVX]+", tok):
        value = roman_to_int(tok) or 0
    else:
        value = ordinal_arabic(tok) or chinese_number(tok) or 0
    if not 0 < value <= (19 if roman else 111):
        return None
    return int_to_roman(value) if roman else str(value)


def _split_numbers(view: str, lang: str, roman: bool) -> list[tuple[str, int, int]]:
    """(number, start, end) of "52 et 53", "7 à 10" (expanded), "VII", "السابع"."""
    d = language_data(lang)
    ordinal = re.fullmatch(_ordinals_re(), view)
    if ordinal:
        n = _number(view, roman)
        return [(n, 0, len(view))] if n else []
    tok_re = r"[IVX]+" if roman else r"\d+"
    out: list[tuple[str, int, int]] = []
    pos = 0
    to_re = re.compile(d["to_re"])
    for m in re.finditer(tok_re, view):
        sep = view[pos:m.start()]
        pos = m.end()
        n = _number(m.group(0), roman)
        if n is None:
            continue
        if out and to_re.fullmatch(sep):
            lo = roman_to_int(out[-1][0]) if roman else int(out[-1][0])
            hi = roman_to_int(n) if roman else int(n)
            if lo and hi and 0 < hi - lo <= 20:
                out.extend((int_to_roman(v) if roman else str(v), m.start(), m.end()) for v in range(lo + 1, hi))
        out.append((n, m.start(), m.end()))
    return out


def _pinpoint(word: str, ref: str, lang: str) -> str | None:
    """A printed pinpoint in the English canonical form: "para. 3", "paras. 7, 8 and 10", "paras. 7-10"."""
    d = language_data(lang)
    canon = d["pinpoint_words"].get(word.strip()) or d["pinpoint_words"].get(word.strip().lower())
    if canon is None:
        return None
    nums = re.findall(r"\d+", ref)
    if not nums:
        return None
    if len(nums) == 1:
        return f"{canon.rstrip('s.') + '.' if canon in ('paras.', 'sects.') else canon} {nums[0]}"
    plural = {"para.": "paras.", "sect.": "sects.", "annex": "annexes"}.get(canon, canon)
    if len(nums) == 2 and re.search(d["to_re"], ref[ref.find(nums[0]) + len(nums[0]):]) and \
            not re.search(d["and_re"], ref[ref.find(nums[0]) + len(nums[0]):ref.rfind(nums[1])]):
        return f"{plural} {nums[0]}-{nums[1]}"
    return f"{plural} {', '.join(nums[:-1])} and {nums[-1]}"


def _items(view: str, lang: str, m: re.Match[str]) -> list[re.Match[str]]:
    """The items of a matched list, walked from its start: item, its date or suffix, separator."""
    rx = _res(lang)
    out = []
    pos, end = m.start("list"), m.end("list")
    while pos < end:
        item = _ITEM_RE.match(view, pos, end)
        if not item or item.end() == item.start():
            break
        out.append(item)
        pos = item.end()
        tail = rx["item_tail"].match(view, pos, end)
        if tail:
            pos = tail.end()
        sep = rx["sep"].match(view, pos, end)
        if not sep:
            break
        pos = sep.end()
    return out


def _years_by_number(view: str, lang: str) -> dict[str, str]:
    """The year printed with each resolution number in the text ("1701" -> "2006"), when one is."""
    out: dict[str, str] = {}
    for m in _res(lang)["resolution"].finditer(view):
        for item in _items(view, lang, m):
            if item.group("suffix") and item.group("num2") is None:
                out.setdefault(item.group("num"), item.group("suffix"))
    return out


# --- the extractors -------------------------------------------------------------------------


def _resolutions(view: str, lang: str, out: list[_Cand]) -> None:
    rx = _res(lang)
    years: dict[str, str] | None = None
    for m in rx["resolution"].finditer(view):
        items = _items(view, lang, m)
        for i, item in enumerate(items):
            suffix = item.group("suffix")
            if suffix is None and item.group("num2") is None:
                if years is None:
                    years = _years_by_number(view, lang)
                suffix = years.get(item.group("num"))
                if suffix is None:
                    continue  # "résolution 2254" and the year printed nowhere: not cited
            letters = item.group("letters")
            key = (None, None, None, item.group("num"), item.group("num2"), suffix, letters)
            start = m.start() if i == 0 else item.start()
            end = m.end() if i == len(items) - 1 and "resolution_after_re" in language_data(lang) else item.end()
            for sym in _resolution_symbols_of(key):
                out.append(_Cand(start, end, sym, symbol_kind(sym)))


def _charter(view: str, lang: str, out: list[_Cand]) -> None:
    rx = _res(lang)
    if "charter_zh" in rx:
        for m in rx["charter_zh"].finditer(view):
            for part in rx["part_zh"].finditer(view, m.start("parts"), m.end("parts")):
                kind = "Chapter" if part.group("kind") == "章" else "Article"
                n = _number(part.group("n"), roman=kind == "Chapter") or (
                    _number(str(chinese_number(part.group("n")) or 0), roman=kind == "Chapter"))
                if n is None:
                    continue
                pin = None
                if part.group("pin"):
                    pin = f"para. {chinese_number(part.group('pin')) or part.group('pin')}"
                start = m.start() if part.start() == m.start("parts") else part.start()
                out.append(_Cand(start, part.end(), f"{CHARTER}, {kind} {n}", "charter", pinpoint=pin))
        return
    to_charter = rx["to_charter"]
    for kind, key in (("Article", "article"), ("Chapter", "chapter")):
        for m in rx[key].finditer(view):
            after = to_charter.match(view, m.end())
            if not after:
                continue
            nums = _split_numbers(m.group("nums"), lang, roman=kind == "Chapter")
            base = m.start("nums")
            for i, (val, s, e) in enumerate(nums):
                out.append(_Cand(m.start() if i == 0 else base + s, base + e, f"{CHARTER}, {kind} {val}", "charter"))
            if kind == "Article" and after.group("chap"):
                chap = _number(after.group("chap"), roman=True)
                if chap:
                    out.append(_Cand(after.start("chap_kw"), after.end("chap"), f"{CHARTER}, Chapter {chap}", "charter"))


def _pinpoints(view: str, lang: str, cands: list[_Cand]) -> None:
    rx = _res(lang)
    for c in cands:
        if c.pinpoint is not None or c.kind in ("url", "charter"):
            continue
        if "pin_after" in rx:
            m = rx["pin_after"].match(view, c.end)
            if m:
                c.pinpoint = _pinpoint(m.group("word"), m.group("ref"), lang)
            continue
        lo = max(0, c.start - 80)
        b = rx["pin_before"].search(view, lo, c.start)  # the pattern ends with "$": at c.start
        if b is not None:
            c.pinpoint = _pinpoint(b.group("word"), b.group("ref"), lang)


_TITLE_LINES = 12


def _title_resolution(view: str, cands: list[_Cand]) -> set[str]:
    """The resolution a document is, named alone on one of its first lines ("Résolution 2561 (2021)",
    "第2511(2020)号决议", "Резолюция 2652 (2022),"): a document does not cite itself."""
    head_end = 0
    for _ in range(_TITLE_LINES):
        nl = view.find("\n", head_end)
        if nl < 0:
            head_end = len(view)
            break
        head_end = nl + 1
    own = set()
    for c in cands:
        if c.start >= head_end or c.printed_symbol or c.kind != "sc_resolution":
            continue
        line_start = view.rfind("\n", 0, c.start) + 1
        line_end = view.find("\n", c.end)
        line = view[line_start:len(view) if line_end < 0 else line_end]
        if line.strip().rstrip(",.:;") == view[c.start:c.end]:
            own.add(c.symbol)
    return own


# --- entry point ----------------------------------------------------------------------------


def extract_citations_lang(text: str, language: str) -> list[Citation]:
    """All citations of UN instruments in `text` written in `language` (fr, es, ru, ar, zh),
    sorted by (start, end, cited_symbol). Another language code reads only the symbols."""
    if not text or not isinstance(text, str):
        return []
    view = matching_view(text)
    cands: list[_Cand] = []
    _printed_symbols(view, cands, _SYMBOL_RE)
    if language in LANGUAGES:
        _resolutions(view, language, cands)
        _charter(view, language, cands)
    own, header_spans = _masthead(view, cands)
    own |= _title_resolution(view, cands)
    if header_spans:
        cands = [c for c in cands if not any(s <= c.start < e for s, e in header_spans)]
    cands = _dedupe(cands)
    if language in LANGUAGES:
        _pinpoints(view, language, cands)
    result = [
        Citation(cited_symbol=c.symbol, cited_kind=c.kind, raw=text[c.start:c.end], start=c.start, end=c.end,
                 pinpoint=c.pinpoint, via_ibid=c.via_ibid, stated_date=c.stated_date)
        for c in cands if c.symbol not in own
    ]
    result.sort(key=lambda c: (c.start, c.end, c.cited_symbol))
    return result
