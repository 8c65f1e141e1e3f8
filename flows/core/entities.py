"""Organizations, countries, places and persons named in a (normalized) UN document.

How it works, in passes over the text:

1. A word trie built from the data under `schemas/lookups/` (the organization registry, the
   country names of pycountry and the UN's variants, the regions of `places.yaml`) is walked
   from every capitalized word; the longest registered name wins (leftmost-longest), so a
   country inside a registered organization ("African Union Mission in Somalia") is not a
   country mention. Names match whatever the case of function words, line breaks, hyphens
   ("Counter-Terrorism" / "Counterterrorism"), "Organisation" / "Organization"; acronyms match
   as whole words with exact case.
2. Document-level rules: an acronym in parentheses after a name defines it ("Group of 5 for the
   Sahel (G5)"; an unregistered "Contact Group on X (CGX)" becomes an ad hoc organization when
   its letters spell the name and its head word is an organization word); generic short forms
   ("Executive Directorate", "the Tribunal") refer back to an organization named earlier;
   "International Tribunal established pursuant to resolution 827" resolves by resolution.
3. Persons: honorific + name ("Mr. Khaled Khiari"), function + comma + name ("the Director
   General of the World Health Organization, Margaret Chan"), title + name ("President Adama
   Barrow"), "(Signed) Name" with its title lines, speaker lines of meeting records.
4. Places: GeoNames cities (flows.core.gazetteer.find_city) in a place-like context ("held in
   X", "offices in X and Y", "X, Saudi Arabia"), large cities standing alone, and named
   localities ("Khan al-Asal area", "X in the vicinity of Y").

Everything here is plain Python; no function raises on arbitrary text.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from flows.core.gazetteer import City, country_name, country_names, find_city
from flows.core.lookups import load_lookup
from flows.core.models import EntityMention

# --------------------------------------------------------------------------- tokens -------

_TOKEN = re.compile(r"[^\W_]+|,")  # commas are tokens: "X, Y" never matches a name "X Y"
# what may stand between two words of one name: spaces, one line break, hyphens, apostrophes
_GAP = re.compile(r"[ \t\n\-\u2010\u2011\u2012\u2013\u2014'\u2018\u2019`/]{1,4}")
_SPELLING = (("isation", "ization"), ("programme", "program"), ("centre", "center"),
             ("defence", "defense"), ("labour", "labor"))
_FUNCTION_WORDS = frozenset("the of for and in on to at de la du des le les et a an".split())


_NORM_CACHE: dict[str, str] = {}


def _norm_token(tok: str) -> str:
    t = _NORM_CACHE.get(tok)
    if t is None:
        t = _norm_token_uncached(tok)
        if len(_NORM_CACHE) < 200_000:
            _NORM_CACHE[tok] = t
    return t


def _norm_token_uncached(tok: str) -> str:
    t = tok.casefold()
    if not t.isascii():
        t = unicodedata.normalize("NFKD", t).encode("ascii", "ignore").decode() or t
    for a, b in _SPELLING:
        if a in t:
            t = t.replace(a, b)
    return t


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("\u2019", "'")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


def _gap_ok(text: str, a: int, b: int) -> bool:
    gap = text[a:b]
    return gap == "" or (bool(_GAP.fullmatch(gap)) and gap.count("\n") <= 1)


# --------------------------------------------------------------------------- registry -----


@dataclass(frozen=True, slots=True)
class _Target:
    """What a name in the trie stands for."""

    key: str
    etype: str  # organization, country, place
    name: str
    acronym: str | None = None
    country_iso3: str | None = None
    wikidata_id: str | None = None
    mode: str = "name"  # name, generic (alone only), short (refers back), acronym


@dataclass(slots=True)
class _Trie:
    root: dict = field(default_factory=dict)

    def add(self, keys: list[str], payload: tuple) -> None:
        node = self.root
        for k in keys:
            node = node.setdefault(k, {})
        node.setdefault(None, []).append(payload)


def _variants(name: str) -> set[str]:
    """A name and its hyphen variants: "Co-operation" -> "Cooperation"; "EUTM Mali" -> "EUTMMali"."""
    out = {name}
    parts = re.split(r"(?<=[^\W\d_])-(?=[^\W_])", name)
    if 1 < len(parts) <= 4:
        out.add("".join(parts))
    return out


@cache
def organization_registry() -> list[dict[str, Any]]:
    """The curated registry: id, name, acronym, wikidata_id, kind (and parent, successor)."""
    rows = []
    for e in load_lookup("organizations") or []:
        rows.append({"id": e["id"], "name": e["name"], "acronym": e.get("acronym"),
                     "wikidata_id": e.get("wikidata_id"), "kind": e.get("kind"),
                     "parent": e.get("parent"), "successor": e.get("successor")})
    return rows


@cache
def _org_entries() -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in load_lookup("organizations") or []}


@cache
def _places() -> dict[str, dict[str, Any]]:
    return {p["id"]: p for p in (load_lookup("places") or {}).get("regions", [])}


@cache
def _titles() -> dict[str, Any]:
    return load_lookup("person_titles") or {}


@dataclass(slots=True)
class _Matchers:
    names: _Trie
    acronyms: _Trie
    by_resolution: dict[int, _Target]
    acronym_targets: dict[str, _Target]


def _org_target(e: dict[str, Any], mode: str = "name") -> _Target:
    return _Target(f"org:{e['id']}", "organization", e["name"], e.get("acronym"), None,
                   e.get("wikidata_id"), mode)


def _add_name(trie: _Trie, name: str, target: _Target) -> None:
    name = re.sub(r"^(?:the|The)\s+", "", name.strip())
    for variant in _variants(name):
        toks = _TOKEN.findall(variant)
        if not toks:
            continue
        caps = tuple(t[0].isupper() for t in toks)
        trie.add([_norm_token(t) for t in toks], (target, caps))


def _add_acronym(trie: _Trie, acronym: str, target: _Target) -> None:
    for variant in _variants(acronym) | {acronym.replace(" ", "")}:
        toks = _TOKEN.findall(variant)
        if toks:
            trie.add(toks, (target, None))


@cache
def _matchers() -> _Matchers:
    names, acronyms = _Trie(), _Trie()
    by_resolution: dict[int, _Target] = {}
    acronym_targets: dict[str, _Target] = {}
    for e in _org_entries().values():
        target = _org_target(e)
        for n in [e["name"], *(e.get("aliases") or []), *(e.get("former_names") or [])]:
            _add_name(names, n, target)
        for n in e.get("generic_aliases") or []:
            _add_name(names, n, _org_target(e, "generic"))
        for n in e.get("short_forms") or []:
            _add_name(names, n, _org_target(e, "short"))
        for a in [e.get("acronym"), *(e.get("acronyms") or [])]:
            if a:
                _add_acronym(acronyms, a, target)
                acronym_targets[a] = target
        for num in e.get("established_by_resolution") or []:
            by_resolution[int(num)] = target
    for p in _places().values():
        target = _Target(f"place:{p['id']}", "place", p["name"], None, p.get("country_iso3"))
        for n in [p["name"], *(p.get("aliases") or [])]:
            _add_name(names, n, target)
    for name, iso3 in country_names().items():
        if "," in name:  # pycountry's inverted forms ("Korea, Republic of") are never printed
            continue
        target = _Target(f"country:{iso3}", "country", country_name(iso3) or name, None, iso3)
        if name.isupper() and " " not in name:
            _add_acronym(acronyms, name, target)
        else:
            _add_name(names, name, target)
    return _Matchers(names, acronyms, by_resolution, acronym_targets)


# --------------------------------------------------------------------------- matching -----


@dataclass(slots=True)
class _Span:
    start: int
    end: int
    target: _Target


def _caps_ok(caps: tuple[bool, ...], toks: list[str], i: int) -> bool:
    """The capitals of a registered name are kept in the text (one may drop in a long name)."""
    if caps[0] and not (toks[i][0].isupper() or toks[i][0].isdigit()):
        return False
    need = [k for k, c in enumerate(caps) if c]
    missing = sum(1 for k in need if not (toks[i + k][0].isupper() or toks[i + k][0].isdigit()))
    return missing == 0 or (missing == 1 and len(need) >= 4)


def _all_caps_line(text: str, pos: int) -> bool:
    a = text.rfind("\n", 0, pos) + 1
    b = text.find("\n", pos)
    line = text[a: b if b >= 0 else len(text)]
    letters = [c for c in line if c.isalpha()]
    return len(letters) > 12 and not any(c.islower() for c in letters)


def _walk(trie: _Trie, text: str, keys: list[str], spans: list[tuple[int, int]], i: int,
          raw: list[str], check_caps: bool) -> tuple[int, _Target] | None:
    node = trie.root
    best = None
    j = i
    n = len(keys)
    while j < n:
        child = node.get(keys[j])
        if child is None:
            break
        if j > i and not _gap_ok(text, spans[j - 1][1], spans[j][0]):
            break
        node = child
        for target, caps in node.get(None, ()):
            if not check_caps or _caps_ok(caps, raw, i):
                best = (j, target)
                break
        j += 1
    return best


def _generic_ok(text: str, raw: list[str], spans: list[tuple[int, int]], i: int, j: int) -> bool:
    """A generic name stands alone: not after another capitalized word, not followed by of/for."""
    if i > 0:
        prev = raw[i - 1]
        gap = text[spans[i - 1][1]: spans[i][0]]
        if prev[0].isupper() and prev not in ("The", "A") and "\n" not in gap and gap.strip(" -") == "":
            return False
    return not _GENERIC_AFTER.match(text, spans[j][1])


_GENERIC_AFTER = re.compile(r"\s+(?:of\b|for\s+(?:the\s+)?[A-Z])")
_PAREN_ACRONYM = re.compile(r"\s?\((?P<acr>[A-Z][A-Za-z0-9]*(?:[\-/][A-Za-z0-9]+)*(?: [A-Z][A-Za-z]+)?)\)")


def _match_registered(text: str) -> tuple[list[_Span], list[str], list[tuple[int, int]]]:
    m = _matchers()
    spans = [(t.start(), t.end()) for t in _TOKEN.finditer(text)]
    raw = [text[a:b] for a, b in spans]
    keys = [_norm_token(t) for t in raw]
    out: list[_Span] = []
    named: set[str] = set()
    established = [(em.start(), m.by_resolution[int(em.group("num"))].key) for em in _ESTABLISHED.finditer(text)
                   if int(em.group("num")) in m.by_resolution]
    i, n = 0, len(raw)
    while i < n:
        first = raw[i][0]
        if not (first.isupper() or first.isdigit()):
            i += 1
            continue
        found = _walk(m.names, text, keys, spans, i, raw, True)
        acr = _walk(m.acronyms, text, raw, spans, i, raw, False)
        if acr and (found is None or acr[0] >= found[0]):
            j, target = acr
            if j == i and len(raw[i]) <= 3 and _all_caps_line(text, spans[i][0]):
                acr = None
            else:
                found = acr
        if found is None:
            i += 1
            continue
        j, target = found
        if target.mode == "generic" and not _generic_ok(text, raw, spans, i, j):
            i = j + 1
            continue
        if target.mode == "short":
            earlier = target.key in named or any(k == target.key and a < spans[i][0] for a, k in established)
            if not earlier or not _generic_ok(text, raw, spans, i, j):
                i = j + 1
                continue
        named.add(target.key)
        out.append(_Span(spans[i][0], spans[j][1], target))
        i = j + 1
    return out, raw, spans


_ESTABLISHED = re.compile(
    r"\b(?P<name>(?:International\s+)?Tribunal|(?:Security\s+Council\s+)?Committee)\s+established\s+"
    r"(?:pursuant\s+to|by|under)\s+(?:Security\s+Council\s+)?resolution\s+(?P<num>\d{2,4})")

_ORG_HEADS = frozenset("""mission office force group commission committee council organization organisation
union agency programme program fund bank forum panel court tribunal operation operations centre center
directorate institute army front movement authority community conference initiative platform network
association alliance league partnership coalition secretariat service services unit board team
brigade corps police assembly parliament federation foundation facility cell""".split())
_LOWER_OK = frozenset("of the for and in on to off at de la du des le les et".split())


def _expand_acronym(text: str, paren_start: int, acr: str) -> tuple[int, str] | None:
    """Schwartz-Hearst-like: the words before "(ACR)" whose initials spell the acronym."""
    line_start = max(text.rfind("\n", 0, paren_start) + 1, paren_start - 200)
    before = text[line_start:paren_start]
    words = list(re.finditer(r"[^\W\d_][\w'’\-]*", before))
    letters = [c for c in acr if c.isupper()]
    if len(letters) < 2 or not words:
        return None
    k = len(letters) - 1
    idx = len(words) - 1
    first = None
    while idx >= 0 and k >= 0:
        w = words[idx].group()
        if w.lower() in _LOWER_OK:
            idx -= 1
            continue
        parts = [p for p in re.split(r"[\-]", w) if p]
        for p in reversed(parts):
            if k >= 0 and p[0].upper() == letters[k]:
                k -= 1
        first = idx
        idx -= 1
        if len(words) - idx > len(letters) + 6:
            return None
    if k >= 0 or first is None:
        return None
    start = line_start + words[first].start()
    phrase = text[start:paren_start].strip()
    if not phrase[:1].isupper():
        return None
    head = re.split(r"\s+(?:of|for|in|on|to|off|at)\s+", phrase)[0].split()[-1].casefold()
    if head not in _ORG_HEADS:
        return None
    return start, " ".join(phrase.split())


def _document_rules(text: str, found: list[_Span]) -> list[_Span]:
    """Acronyms defined in parentheses, organizations named by the resolution that made them."""
    m = _matchers()
    extra: list[_Span] = []
    by_end = {s.end: s for s in found if s.target.etype == "organization"}
    covered = {(s.start, s.end) for s in found}
    defined: dict[str, _Target] = {}
    for pm in _PAREN_ACRONYM.finditer(text):
        acr = pm.group("acr")
        if acr in m.acronym_targets or len(acr) > 14 or sum(c.isupper() or c.isdigit() for c in acr) < 2:
            continue
        a_start, a_end = pm.start("acr"), pm.end("acr")
        if (a_start, a_end) in covered:
            continue
        before = by_end.get(pm.start()) or by_end.get(pm.start() - 0)
        if before is not None:
            defined[acr] = before.target
            continue
        exp = _expand_acronym(text, pm.start(), acr)
        if exp is None:
            continue
        start, name = exp
        if any(s.start < pm.start() and s.end > start and s.target.etype == "organization"
               and s.end - s.start >= pm.start() - start for s in found):
            continue
        target = _Target(f"org:{_slug(acr)}", "organization", name, acr)
        defined[acr] = target
        extra.append(_Span(start, start + len(text[start:pm.start()].rstrip()), target))
    for em in _ESTABLISHED.finditer(text):
        target = m.by_resolution.get(int(em.group("num")))
        if target is not None:
            extra.append(_Span(em.start("name"), em.end("name"), target))
    if defined:
        pat = re.compile(r"(?<![\w\-])(" + "|".join(re.escape(a) for a in sorted(defined, key=len, reverse=True))
                         + r")(?![\w\-])")
        for am in pat.finditer(text):
            extra.append(_Span(am.start(), am.end(), defined[am.group(1)]))
    # a short form ("the Tribunal") after an organization that a rule above found
    return extra


# --------------------------------------------------------------------------- persons ------

_PARTICLES = frozenset("al el es bin ibn ben abu bint de da das dos du del della di van von der den la le ould ag y e".split())
_NAME_WORD = re.compile(r"([^\W\d_][^\W\d_]*(?:['’‘\-][^\W\d_]+)*)(\.?)")


@cache
def _person_vocab() -> tuple[frozenset[str], re.Pattern, re.Pattern, re.Pattern]:
    t = _titles()
    stop = frozenset(str(w).casefold() for w in t.get("not_name_words", []))
    hon = sorted({h.rstrip(".") for h in t.get("honorifics", [])}, key=len, reverse=True)
    hon_re = re.compile(r"(?<![\w.])(?:" + "|".join(re.escape(h).replace(r"\ ", r"\s+") for h in hon)
                        + r")\.?(?:\s+(?:Mr|Mrs|Ms|Dr)\.?)?\s+(?=[^\W\d_])")
    funcs = sorted(set(t.get("functions", [])), key=len, reverse=True)
    func_re = re.compile(r"(?<![\w\-])(?P<func>" + "|".join(re.escape(f) for f in funcs)
                         + r")(?P<rest>(?:\s(?:(?!\.\s)[^,;:\n“”\"()]){0,160}?)??),\s+"
                         r"(?:(?:Mr|Mrs|Ms|Dr|H\.\s?E)\.?\s+)?(?=[^\W\d_])")
    pre = sorted(set(t.get("title_prefixes", [])), key=len, reverse=True)
    pre_re = re.compile(r"(?<![\w\-])(?P<func>" + "|".join(re.escape(f) for f in pre) + r")\s+(?=[^\W\d_])")
    return stop, hon_re, func_re, pre_re


def _scan_name(text: str, pos: int, allow_newline: bool = False) -> tuple[int, int, list[str]] | None:
    """The capitalized name that starts at pos: words, particles, initials; one line."""
    stop = _person_vocab()[0]
    words: list[str] = []
    end = pos
    p = pos
    while len(words) < 6:
        m = _NAME_WORD.match(text, p)
        if not m:
            break
        w, dot = m.group(1), m.group(2)
        low = w.casefold()
        if w[-2:] in ("’s", "'s") and len(w) > 3:  # a possessive ends the name
            w, dot = w[:-2], ""
            low = w.casefold()
            if w[0].isupper() and low not in stop:
                words.append(w)
                end = m.start(1) + len(w)
            break
        if w[0].isupper():
            if low in stop and not (words and low in ("al", "el")):
                break
            if dot and len(w) == 1:  # an initial "M."
                words.append(w + ".")
                end = m.end()
            else:
                words.append(w)
                end = m.end(1)
        elif low.split("-")[0] in _PARTICLES and words:
            words.append(w)
            end = m.end(1)
        else:
            break
        p = m.end()
        if text.startswith(" ", p) and p + 1 < len(text) and text[p + 1] != " ":
            p += 1
            continue
        if text.startswith("\n", p) and len(words) == 1 and allow_newline:
            nxt = _NAME_WORD.match(text, p + 1)
            # "Mr. Alexander\nLomaia, Permanent Representative": a name wrapped at a line end
            if nxt and nxt.group(1)[0].isupper() and nxt.group(1).casefold() not in stop \
                    and text[nxt.end():nxt.end() + 1] in (",", " ", "") and "\n" not in text[nxt.end():nxt.end() + 2]:
                p += 1
                continue
        break
    while words and (words[-1].casefold() in _PARTICLES or (len(words[-1]) == 2 and words[-1].endswith("."))):
        # a name does not end on a particle or an initial
        drop = words.pop()
        end = text.rfind(drop, pos, end)
        end = pos + len(text[pos:end].rstrip()) if end > pos else pos
    if not words:
        return None
    return pos, end, words


def _canonical_person(words: list[str]) -> str:
    out = []
    for w in words:
        if len(w) > 1 and w.isupper() and w.isalpha():
            w = w.capitalize()
        out.append(w)
    return " ".join(out)


@dataclass(slots=True)
class _Person:
    start: int
    end: int
    words: list[str]
    title: str | None = None
    affiliation: str | None = None
    strong: bool = False  # found after an honorific or "(Signed)": wins over a country/place


_SIGNED = re.compile(r"\(Signed\)\s+")
_SPEAKER_AFF = re.compile(r"\s*\((?P<aff>[^()\n]{2,60})\)\s*:")
_TITLE_AFTER = re.compile(r",\s+(?:the\s+)?(?P<t>[A-Z][\w\-’']*(?:[ \-](?:[A-Z][\w\-’']*|of|for|the|and|on|to|in))*)")
_TITLE_HEADS = re.compile(r"Secretary|Director|Representative|Minister|President|Envoy|Commissioner|Observer|"
                          r"Head|Chair|Coordinator|Adviser|Advisor|Ambassador|Prosecutor|Judge|Rapporteur|Mediator|Chief")


def _find_persons(text: str, blocked: list[_Span]) -> list[_Person]:
    stop, hon_re, func_re, pre_re = _person_vocab()
    org_cover = _Cover([(s.start, s.end) for s in blocked if s.target.etype == "organization"])
    any_cover = _Cover([(s.start, s.end) for s in blocked])
    out: list[_Person] = []

    def add(p: _Person, min_words: int) -> None:
        if len(p.words) < min_words or p.end <= p.start:
            return
        if all(w.isupper() and len(w) > 1 for w in p.words) and len(p.words) == 1:
            return
        if org_cover.hits(p.start, p.end) or (not p.strong and any_cover.hits(p.start, p.end)):
            return
        out.append(p)

    for m in hon_re.finditer(text):
        got = _scan_name(text, m.end(), allow_newline=True)
        if not got:
            continue
        s, e, words = got
        p = _Person(s, e, words, strong=True)
        sm = _SPEAKER_AFF.match(text, e)
        if sm:
            p.affiliation = sm.group("aff").strip()
        tm = _TITLE_AFTER.match(text, e)
        if tm and _TITLE_HEADS.search(tm.group("t")):
            p.title = tm.group("t").strip()
        add(p, 1)
    for m in func_re.finditer(text):
        got = _scan_name(text, m.end())
        if not got:
            continue
        s, e, words = got
        nxt = text[e:e + 6]
        if not (nxt == "" or nxt[0] in ",.;:)\n" or nxt.startswith((" and ", " to ", " (", " who", " on "))):
            continue
        title = (m.group("func") + m.group("rest")).strip()
        add(_Person(s, e, words, title=" ".join(title.split())), 2)
    for m in pre_re.finditer(text):
        got = _scan_name(text, m.end())
        if not got:
            continue
        s, e, words = got
        add(_Person(s, e, words, title=m.group("func")), 2)
    for m in _SIGNED.finditer(text):
        got = _scan_name(text, m.end())
        if not got:
            continue
        s, e, words = got
        title = _signature_title(text, e)
        add(_Person(s, e, words, title=title, strong=True), 1)
    return out


_LETTER_FROM = re.compile(r"\bfrom the (?P<t>(?:Deputy )?Permanent (?:Representative|Observer)|Chargé d['’]affaires a\.i\.)"
                          r" of (?:the )?(?P<c>[A-Z][^\n,]{1,80}?) to the United Nations")


def _signature_title(text: str, end: int) -> str | None:
    """The function printed on the lines under a signature."""
    lines = text[end:end + 400].split("\n")[1:6]
    titles = []
    for line in lines:
        line = line.strip()
        if not line or len(line) > 90 or line.endswith(".") and len(line) > 50:
            break
        if line.startswith("(Signed)"):
            break
        titles.append(line)
    if not titles:
        return None
    title = titles[-1]
    lm = _LETTER_FROM.search(text)
    if lm and lm.group("t").startswith(title):
        return f"{lm.group('t')} of {lm.group('c')} to the United Nations"
    return title


class _Cover:
    """Does a range overlap any of a set of ranges? (prefix maximum of the ends, bisect)."""

    def __init__(self, ranges: list[tuple[int, int]]) -> None:
        ranges = sorted(ranges)
        self._starts = [a for a, _ in ranges]
        self._max_end: list[int] = []
        top = -1
        for _, b in ranges:
            top = max(top, b)
            self._max_end.append(top)

    def hits(self, a: int, b: int) -> bool:
        k = bisect.bisect_left(self._starts, b)
        return k > 0 and self._max_end[k - 1] > a


# --------------------------------------------------------------------------- places -------

_CITY_STOP = frozenset("""january february march april may june july august september october november
december monday tuesday wednesday thursday friday saturday sunday of mission union independence
security progress unity liberty concord hope victory justice peace mobile nice reading bath
split time faith grace chance power trust energy mercy liberty commerce industry enterprise opportunity paradise harmony providence carmel
university college temple church lincoln washington jackson madison franklin hamilton clinton
wellington nelson salisbury cambridge oxford""".split())
_PLACE_LEAD = re.compile(
    r"(?<![\w\-])(?:[Hh]eld in|[Hh]osted in|[Ii]n|[Aa]t|[Nn]ear|[Oo]utside|[Ff]rom|[Tt]o|[Vv]ia|[Aa]round|"
    r"city of|town of|village of|vicinity of|outskirts of|capital of)\s+(?=[A-Z])")
_DESIGNATOR = re.compile(r"\s+(?:governorate|province|region|area|district|village|town|city|camp|refugee camp|"
                         r"municipality|county|prefecture|locality|subregion|sub-district)\b")
_VICINITY = re.compile(r"\s+(?:in the vicinity of|near|outside)\s+[A-Z]")
_ADJECTIVAL = re.compile(r"(?:ern|ian|ean|ese|ish|ic|Arab|an)$")
_DECL_AFTER = re.compile(r"\s+(?:Declaration|Plan|Statute|Conventions?|Communiqu|Agreements?|Accords?|Process|"
                         r"Principles|Protocol|Document|Final|Summit|Conference|Consensus|Programme|Agenda|Call|"
                         r"Peace|Framework|Roadmap|Road|Commitments?|Initiative|Treaty|Charter|Group|Club|Office)")
_BIG_CITY = 1_000_000
_PREV_CAP = re.compile(r"(?<![\w\-])(?:[A-Z][\w\-'’‘]*|al-[A-Z][\w\-'’‘]*)\Z")


_DESIGNATOR_OR_VICINITY = re.compile(
    r"(?<=[\w’'])\s+(?:governorate|province|region|area|district|village|town|city|camp|refugee camp|municipality|"
    r"county|prefecture|locality|subregion|sub-district|in the vicinity of|near|outside)\b")
_RUN_BEFORE = re.compile(r"(?:[A-Z][\w’‘'\-]*\s(?:(?:al|el|es|de|da|bin|ibn)[\-\s])?){0,3}[A-Z][\w’‘'\-]*\Z")
_CAP_WORD = re.compile(r"(?<![\w\-’'])[A-Z][^\W\d_]+")


@cache
def _big_city_first_words() -> frozenset[str]:
    from flows.core.gazetteer import _city_index

    return frozenset(key.split()[0] for key, city in _city_index().items() if city.population >= _BIG_CITY)


def _scan_place_name(text: str, pos: int) -> tuple[int, int, list[str]] | None:
    got = _scan_name(text, pos)
    if not got:
        return None
    return got


def _find_places(text: str, taken: _Cover, countries: list[_Span]) -> list[tuple[int, int, str, str, str | None]]:
    """(start, end, key, name, country_iso3) of places not in the registry."""
    out: list[tuple[int, int, str, str, str | None]] = []
    seen: set[tuple[int, int]] = set()
    country_at = {s.start: s for s in countries}

    def country_after(e: int) -> str | None:
        m = re.match(r",\s+(?:(?:[Nn]orth|[Ss]outh)(?:-?[Ee]ast|-?[Ww]est)?(?:ern)?[\s\-]+|"
                     r"(?:[Ee]ast|[Ww]est|[Cc]entral)(?:ern)?[\s\-]+)?", text[e:e + 40])
        if not m:
            return None
        s = country_at.get(e + m.end())
        return s.target.country_iso3 if s else None

    def emit(s: int, e: int, words: list[str], need_city: bool, country: str | None = None) -> None:
        if (s, e) in seen or taken.hits(s, e) or any(a < e and b > s for a, b in seen):
            return
        name = " ".join(words)
        low = name.casefold()
        if low in _CITY_STOP or words[0].casefold() in _person_vocab()[0] or len(words) > 4 or len(name) < 3:
            return
        city: City | None = find_city(name)
        if city is None and need_city:
            return
        seen.add((s, e))
        if city is not None:
            out.append((s, e, f"place:{city.geonameid}", city.name, city.country_iso3))
        else:
            out.append((s, e, f"place:{_slug(name)}", name, country))

    for m in _PLACE_LEAD.finditer(text):
        pos = m.end()
        while True:
            got = _scan_place_name(text, pos)
            if not got:
                break
            s, e, words = got
            if _DECL_AFTER.match(text, e):
                break
            country = country_after(e)
            if country:
                emit(s, e, words, False, country)
            else:
                emit(s, e, words, True)
            nm = re.match(r"(?:,\s+(?:and\s+)?|\s+and\s+)(?=[A-Z])", text[e:e + 8])
            if not nm:
                break
            pos = e + nm.end()
    starts: set[int] = set()
    for dm in _DESIGNATOR_OR_VICINITY.finditer(text):
        run = _RUN_BEFORE.search(text, max(0, dm.start() - 80), dm.start())
        if run:
            starts.add(run.start())
    big = _big_city_first_words()
    for m in _CAP_WORD.finditer(text):
        if m.group().casefold() in big:
            starts.add(m.start())
    for s in sorted(starts):
        if s > 0 and (text[s - 1].isalpha() or text[s - 1] in "-'’‘"):
            continue
        if s > 1 and text[s - 1] == " " and _PREV_CAP.search(text, max(0, s - 40), s - 1):
            continue  # inside a capitalized run: the run is judged from its first word
        got = _scan_place_name(text, s)
        if not got:
            continue
        s, e, words = got
        if _DESIGNATOR.match(text, e) and not _ADJECTIVAL.search(words[-1]):
            emit(s, e, words, False, country_after(_DESIGNATOR.match(text, e).end()))
        elif _VICINITY.match(text, e) and len(words) <= 3:
            emit(s, e, words, False)
        elif not _DECL_AFTER.match(text, e):
            city = find_city(" ".join(words))
            if city is not None and city.population >= _BIG_CITY and not text[e:e + 1].isalnum():
                emit(s, e, words, True)
    return out


# --------------------------------------------------------------------------- API ----------


def extract_entities(text: str) -> list[EntityMention]:
    """Every mention of an organization, country, place or person in a normalized text."""
    if not text:
        return []
    found, _, _ = _match_registered(text)
    found.extend(_document_rules(text, found))
    found = _dedupe_spans(found)
    persons = _find_persons(text, found)
    person_cover = _Cover([(p.start, p.end) for p in persons])
    found = [s for s in found if s.target.etype == "organization" or not person_cover.hits(s.start, s.end)]
    taken = _Cover([(s.start, s.end) for s in found] + [(p.start, p.end) for p in persons])
    places = _find_places(text, taken, [s for s in found if s.target.etype == "country"])

    out: list[EntityMention] = []
    for s in found:
        t = s.target
        out.append(EntityMention(t.key, t.etype, t.name, text[s.start:s.end], s.start, s.end,
                                 acronym=t.acronym, country_iso3=t.country_iso3, wikidata_id=t.wikidata_id))
    for (a, b, key, name, iso3) in places:
        out.append(EntityMention(key, "place", name, text[a:b], a, b, country_iso3=iso3))
    out.extend(_person_mentions(text, persons, found))
    out.sort(key=lambda e: (e.start, e.end, e.entity_key))
    return out


def _dedupe_spans(spans: list[_Span]) -> list[_Span]:
    """Keep the longest of overlapping spans (the registered match before a rule's on ties)."""
    ordered = sorted(spans, key=lambda s: (-(s.end - s.start), s.start))
    kept: list[_Span] = []
    cover: list[tuple[int, int]] = []
    for s in ordered:
        if any(a < s.end and b > s.start for a, b in cover):
            continue
        kept.append(s)
        cover.append((s.start, s.end))
    kept.sort(key=lambda s: s.start)
    return kept


def _person_mentions(text: str, persons: list[_Person], found: list[_Span]) -> list[EntityMention]:
    # de-duplicate overlapping person candidates: longest, then the one with a title
    persons = sorted(persons, key=lambda p: (-(p.end - p.start), p.title is None, p.start))
    kept: list[_Person] = []
    for p in persons:
        if any(q.start < p.end and q.end > p.start for q in kept):
            continue
        kept.append(p)
    full = {}
    for p in kept:
        if len(p.words) > 1:
            full.setdefault(_canonical_person(p.words[-1:]).casefold(), _canonical_person(p.words))
    titles: dict[str, tuple[str | None, str | None]] = {}
    resolved = []
    for p in sorted(kept, key=lambda p: p.start):
        name = _canonical_person(p.words)
        if len(p.words) == 1:
            name = full.get(name.casefold(), name)
        aff = p.affiliation or _affiliation(p.title, found, text)
        t, a = titles.get(name, (None, None))
        titles[name] = (t or p.title, a or aff)
        resolved.append((p, name))
    out = []
    for p, name in resolved:
        t, a = titles[name]
        out.append(EntityMention(f"person:{_slug(name)}", "person", name, text[p.start:p.end], p.start, p.end,
                                 title=t, affiliation=a))
    return out


def _affiliation(title: str | None, found: list[_Span], text: str) -> str | None:
    if not title:
        return None
    m = re.search(r"\b(?:of|to)\s+(?:the\s+)?(?P<x>[A-Z][^,;]*)$", title)
    if not m:
        return None
    x = m.group("x")
    x = re.split(r"\s+(?:to|for|on)\s+", x)[0]
    return x.strip() or None
