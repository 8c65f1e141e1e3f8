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
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol, TypeVar

from flows.core.fastscan import fast, literal_prefixes, trie_alternation
from flows.core.gazetteer import City, country_name, country_names, find_city
from flows.core.lookups import load_lookup
from flows.core.models import EntityMention

# --------------------------------------------------------------------------- tokens -------

_TOKEN = re.compile(r"[^\W_]+|,")  # commas are tokens: "X, Y" never matches a name "X Y"
# what may stand between two words of one name: spaces, one line break, hyphens, apostrophes
_GAP = re.compile(r"[ \t\n\-\u2010\u2011\u2012\u2013\u2014'\u2018\u2019`/]{1,4}")  # and at most one "\n"
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


# Prepositions that registered names use interchangeably ("Office for West Africa", "Office in
# West Africa"; "Mission in Mali", "Mission to Mali"): one key, so a name matches with any of them.
_PREPOSITIONS = frozenset("of for on in to at".split())


def _norm_token_uncached(tok: str) -> str:
    t = tok.casefold()
    if t in _PREPOSITIONS:
        return "of"
    if not t.isascii():
        t = unicodedata.normalize("NFKD", t).encode("ascii", "ignore").decode() or t
    for a, b in _SPELLING:
        if a in t:
            t = t.replace(a, b)
    return t


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("\u2019", "'")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


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
    first_words: re.Pattern  # the ASCII tokens that may begin a name or an acronym (a filter)


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
    return _Matchers(names, acronyms, by_resolution, acronym_targets, _first_words(names, acronyms))


def _spellings(key: str) -> set[str]:
    """The lower-case ASCII words that _norm_token turns into `key` (British and US spellings)."""
    out = {key}
    for british, us in _SPELLING:
        out |= {v[:i] + british + v[i + len(us):] for v in list(out) for i in _occurrences(v, us)}
    return out


def _occurrences(text: str, sub: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(sub), text)]


def _ascii_atoms(word: str, fold_case: bool) -> list[str] | None:
    """Regex atoms of a token that begins with a capital or a digit, None when it cannot.

    `fold_case`: letters after the first match either case (a normalized name key)."""
    if not word.isascii() or not (word[0].isupper() or word[0].isdigit() or fold_case):
        return None
    first = word[0].upper() if fold_case else word[0]
    if not (first.isupper() or first.isdigit()):
        return None
    rest = [f"[{c}{c.upper()}]" if fold_case and c.isalpha() else re.escape(c) for c in word[1:]]
    return [re.escape(first), *rest]


def _first_words(names: _Trie, acronyms: _Trie) -> re.Pattern:
    """A filter, run in C, for the tokens that may begin a registered name or acronym.

    It finds a superset of them among ASCII tokens: every spelling of the first word of a
    name (any case after a capital) and the first token of each acronym. A token with a
    letter outside ASCII is a candidate anyway (see _candidate_starts); _match_registered
    checks each candidate exactly."""
    words = [atoms for key in names.root if key is not None for spelling in _spellings(key)
             if (atoms := _ascii_atoms(spelling, True)) is not None]
    words += [atoms for raw in acronyms.root if raw is not None
              if (atoms := _ascii_atoms(raw, False)) is not None]
    # the look-behind comes after the first character: no word character before the token
    return re.compile(trie_alternation(words, after_first=r"(?<![^\W_][\s\S])") + r"(?![^\W_])")


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
    need = _capital_positions(caps)
    missing = sum(1 for k in need if not (toks[i + k][0].isupper() or toks[i + k][0].isdigit()))
    return missing == 0 or (missing == 1 and len(need) >= 4)


@cache
def _capital_positions(caps: tuple[bool, ...]) -> tuple[int, ...]:
    """Which words of a registered name are capitalized (the same few tuples, computed once)."""
    return tuple(k for k, c in enumerate(caps) if c)


_ASCII_LOWER = re.compile(r"[a-z]")


def _all_caps_between(text: str, a: int, b: int) -> bool:
    if _ASCII_LOWER.search(text, a, b):  # most lines: a lower-case letter, found in C
        return False
    line = text[a:b]
    letters = [c for c in line if c.isalpha()]
    return len(letters) > 12 and not any(c.islower() for c in letters)


class _CapsLines:
    """Whether the line of an offset is in capitals (a heading), for many offsets of one text:
    each line is looked at once (a long line
    with many acronyms on it is not scanned again for each of them)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.breaks: list[int] | None = None  # offsets of the newlines, found on first use
        self.seen: dict[int, bool] = {}

    def __call__(self, pos: int) -> bool:
        text = self.text
        if self.breaks is None:
            self.breaks = [m.start() for m in _NEWLINE.finditer(text)]
        i = bisect.bisect_left(self.breaks, pos)  # the first newline at or after pos ends the line
        if i not in self.seen:
            a = self.breaks[i - 1] + 1 if i > 0 else 0
            b = self.breaks[i] if i < len(self.breaks) else len(text)
            self.seen[i] = _all_caps_between(text, a, b)
        return self.seen[i]


_NEWLINE = re.compile("\n")


# One step of a walk: a gap that may stand between two words of one name (the characters of
# _GAP, at most 4 of them) and the token after it. Gap and token characters have nothing in
# common, so the token found is the leftmost one after the gap.
_STEP = re.compile(_GAP.pattern.replace("{1,4}", "{0,4}") + r"([^\W_]+|,)")


class _Run:
    """The tokens from one capitalized word on, read from the text only as far as a walk goes.

    Token i+1 is the leftmost token at or after the end of token i (the tokens that
    `_TOKEN.finditer` gives over the whole text) when what stands between them may stand
    inside a name (see _GAP); the run ends at any other gap: a walk stops there anyway, so
    what follows is never read."""

    __slots__ = ("text", "ends", "raw", "_keys", "_closed")

    def __init__(self, text: str, end: int, raw: str, key: str) -> None:
        self.text = text
        self.ends = [end]
        self.raw = [raw]
        self._keys = [key]
        self._closed = False

    def has(self, k: int) -> bool:
        """Read tokens up to token k; False when the run ends before it."""
        raw = self.raw
        while len(raw) <= k:
            if self._closed:
                return False
            at = self.ends[-1]
            t = _STEP.match(self.text, at)
            if t is None or (t.start(1) - at > 1 and self.text.count("\n", at, t.start(1)) > 1):
                self._closed = True  # no token, or not one that may continue a name
                return False
            self.ends.append(t.end())
            raw.append(t.group(1))
        return True

    def key(self, k: int) -> str:
        keys = self._keys
        while len(keys) <= k:
            keys.append(_norm_token(self.raw[len(keys)]))
        return keys[k]


def _walk(trie: _Trie, run: _Run, normalized: bool) -> tuple[int, _Target] | None:
    """Longest registered name from the run's first token: (index of its last token, target).

    `normalized`: the trie holds normalized tokens (names, whose capitals are checked), else
    the tokens as printed (acronyms). The run holds only tokens joined by gaps that may stand
    inside a name."""
    node = trie.root
    best = None
    k = 0
    while run.has(k):
        child = node.get(run.key(k) if normalized else run.raw[k])
        if child is None:
            break
        node = child
        ends_here = node.get(None)
        if ends_here is not None:
            for target, caps in ends_here:
                if not normalized or _caps_ok(caps, run.raw, 0):
                    best = (k, target)
                    break
            if len(node) == 1:
                break  # no longer entry goes on from here: the next token is not read
        k += 1
    return best


def _previous_token(text: str, pos: int) -> tuple[int, int] | None:
    """(start, end) of the token that ends last at or before pos (tokens: _TOKEN)."""
    end = pos
    while end > 0 and not (text[end - 1].isalnum() or text[end - 1] == ","):
        end -= 1  # str.isalnum() is exactly [^\W_] of `re`
    if end == 0:
        return None
    if text[end - 1] == ",":
        return end - 1, end
    start = end - 1
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    return start, end


def _generic_ok(text: str, start: int, end: int) -> bool:
    """A generic name stands alone: not after another capitalized word, not followed by of/for."""
    prev = _previous_token(text, start)
    if prev is not None:
        word = text[prev[0]:prev[1]]
        gap = text[prev[1]:start]
        if word[0].isupper() and word not in ("The", "A") and "\n" not in gap and gap.strip(" -") == "":
            return False
    return not _GENERIC_AFTER.match(text, end)


_GENERIC_AFTER = re.compile(r"\s+(?:of\b|for\s+(?:the\s+)?[A-Z])")
_PAREN_ACRONYM = re.compile(r"\s?\((?P<acr>[A-Z][A-Za-z0-9]*(?:[\-/][A-Za-z0-9]+)*(?: [A-Z][A-Za-z]+)?)\)")
_PAREN_ACRONYM_CORE = re.compile(_PAREN_ACRONYM.pattern.removeprefix(r"\s?"))  # begins with "(": found in C
_ONE_SPACE = re.compile(r"\s")


def _paren_acronyms(text: str) -> list[tuple[int, str, int, int]]:
    """(match start, acronym, acronym start, acronym end) of every match of _PAREN_ACRONYM.

    The same matches as its `finditer`, found from the "(" that every match holds (a match
    holds one: an acronym has no parenthesis, so matches never overlap): a match begins one
    character earlier when a white space stands before the parenthesis."""
    out = []
    for pm in _PAREN_ACRONYM_CORE.finditer(text):
        p = pm.start()
        start = p - 1 if p > 0 and _ONE_SPACE.match(text, p - 1) else p
        out.append((start, pm.group("acr"), pm.start("acr"), pm.end("acr")))
    return out


# a word character outside ASCII (the class first: `re` skips over ASCII in C)
_NON_ASCII_LETTER = re.compile(r"[^\x00-\x7f](?<=\w)")


def _candidate_starts(text: str, first_words: re.Pattern) -> list[int]:
    """Offsets of the tokens that may begin a registered name: the ASCII tokens that the
    first-word filter finds, and every token that holds a word character outside ASCII (its
    normalized form is not known before _norm_token runs)."""
    starts = [c.start() for c in first_words.finditer(text)]
    others: set[int] = set()
    n = len(text)
    token_end = 0
    for c in () if text.isascii() else _NON_ASCII_LETTER.finditer(text):
        p = c.start()
        if p < token_end:
            continue  # in the token found last: same start (a run without spaces is walked once)
        token_end = p + 1
        while p > 0 and text[p - 1].isalnum():  # back to the start of the token
            p -= 1
        while token_end < n and text[token_end].isalnum():  # and on to its end
            token_end += 1
        others.add(p)
    if others:
        starts = sorted(others.union(starts))
    return starts


def _match_registered(text: str, established: list[tuple[int, str]]) -> list[_Span]:
    """Registered names and acronyms, leftmost-longest, walked from each capitalized token.

    `established`: (offset, key) of the organizations that "... established pursuant to
    resolution N" names, so that a short form after it refers back."""
    m = _matchers()
    out: list[_Span] = []
    named: set[str] = set()
    pos = 0
    name_starts, acronym_starts = m.names.root, m.acronyms.root
    all_caps_line = _CapsLines(text)
    for start in _candidate_starts(text, m.first_words):
        if start < pos:
            continue  # inside the name matched last
        token = _TOKEN.match(text, start)
        raw = token.group()
        if not (raw[0].isupper() or raw[0].isdigit()):
            continue
        key = _norm_token(raw)
        if key not in name_starts and raw not in acronym_starts:
            continue  # no registered name or acronym begins with this word
        run = _Run(text, token.end(), raw, key)
        # a walk from a word that begins no entry of its trie finds nothing: not walked
        found = _walk(m.names, run, True) if key in name_starts else None
        acr = _walk(m.acronyms, run, False) if raw in acronym_starts else None
        if acr and (found is None or acr[0] >= found[0]):
            j, target = acr
            if j == 0 and len(run.raw[0]) <= 3 and all_caps_line(start):
                acr = None
            else:
                found = acr
        if found is None:
            continue
        j, target = found
        end = run.ends[j]
        pos = end
        if target.mode == "generic" and not _generic_ok(text, start, end):
            continue
        if target.mode == "short":
            earlier = target.key in named or any(k == target.key and a < start for a, k in established)
            if not earlier or not _generic_ok(text, start, end):
                continue
        named.add(target.key)
        out.append(_Span(start, end, target))
    return out


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
    """The name that "(ACR)" defines: the initials that spell it, else a looser spelling."""
    found = _expand_acronym_strictly(text, paren_start, acr)
    if found is None:
        line_start = max(text.rfind("\n", 0, paren_start) + 1, paren_start - 200)
        words = list(_ACR_WORD.finditer(text, line_start, paren_start))
        found = _expand_acronym_loosely(text, words, acr)
    return found


_ACR_WORD = re.compile(r"[^\W\d_][\w'’\-]*")


def _expand_acronym_strictly(text: str, paren_start: int, acr: str) -> tuple[int, str] | None:
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
    head = re.split(r"\s+(?:of|for|in|on|to|off|at)\s+", phrase)[0].split()[-1]
    if head.casefold() not in _ORG_HEADS and not _head_vocab()[0].fullmatch(head):
        return None
    return start, " ".join(phrase.split())


@cache
def _head_vocab() -> tuple[re.Pattern, frozenset[str], frozenset[str], frozenset[str]]:
    """(head-noun expression, complement prepositions, inner words, names that are no organization)."""
    data = load_lookup("organization_heads") or {}
    heads = sorted(data.get("heads", []), key=len, reverse=True)
    pat = re.compile(r"(?<![\w\-])(?:" + "|".join(re.escape(h).replace(r"\ ", r" ") for h in heads) + r")(?![\w\-])")
    return (pat, frozenset(data.get("complement_prepositions", [])), frozenset(data.get("inner_words", [])),
            frozenset(n.casefold() for n in data.get("not_organizations", [])))


@cache
def _head_rules() -> tuple[frozenset[str], tuple[str, ...], frozenset[str], frozenset[str]]:
    """(heads that take a place complement, head phrases that name no organization, words that
    end a name after its complement, words that never begin one)."""
    data = load_lookup("organization_heads") or {}
    return (frozenset(data.get("located_heads", [])), tuple(data.get("not_organization_heads", [])),
            frozenset(data.get("not_in_complements", [])), frozenset(data.get("not_modifiers", [])))


_CAP_TOKEN = re.compile(r"(?:[A-Z][\w'’\-]*|\d{1,4})")
_WORD_BEFORE = re.compile(r"(?:(?<=[\s\-])|^)([\w'’&]+)([ \-])$")
_SENTENCE_START = re.compile(r"(?:^|[.;:!?]\s+|\n)$")
_HEAD_ESTABLISHED = re.compile(r"\s+(?:established\s+(?:pursuant\s+to|by|under)|pursuant\s+to)\s+(?:Security\s+Council\s+)?resolutions?\s+"
                               r"(?P<num>\d{2,4})(?:\s+\((?P<year>\d{4})\))?")


_MODIFIER_INNER = frozenset(("of", "and", "&"))


def _modifiers_before(text: str, head_start: int, org_ends: set[int], stops: set[int], floor: int) -> int:
    """Start of the capitalized words that stand right before a head noun on its line
    ("United Nations Liaison Office", "Fifth Committee"): "of" or "and" only between two
    capitalized words ("Peace and Security"), never after a registered organization ("... Fund
    for Women and United Nations Children's Fund"); at most eight words."""
    inner, not_modifiers = _MODIFIER_INNER, _head_rules()[3]
    start = head_start
    n = 0
    while n < 8:
        m = _WORD_BEFORE.search(text, max(0, start - 40), start)
        if m is None or m.start(1) < floor:
            break
        w = m.group(1)
        if m.end(1) in stops or text.startswith(w, head_start):
            break  # a formal country name, or the head word repeated ("Commission Commission")
        if _CAP_TOKEN.fullmatch(w) and w not in not_modifiers \
                and not (w[0].isdigit() and n and text[m.start(1) - 1:m.start(1)] != "-"):  # "2020 Working Group"
            start, n = m.start(1), n + 1
            continue
        if w in inner and w != "the" and n:
            prev = _WORD_BEFORE.search(text, max(0, m.start(1) - 40), m.start(1))
            if prev is not None and _CAP_TOKEN.fullmatch(prev.group(1)) and prev.group(1) not in not_modifiers \
                    and prev.end(1) not in org_ends and prev.start(1) >= floor and not prev.group(1)[0].isdigit():
                start, n = prev.start(1), n + 2
                continue
        break
    # a capitalized word that opens a sentence and reads as a verb ("Welcomes", "Urging") is no part
    while start < head_start and _SENTENCE_START.search(text, max(0, start - 3), start):
        first = _CAP_TOKEN.match(text, start)
        if first is None or not first.group().endswith(("s", "ing")) or first.end() >= head_start:
            break
        nxt = re.compile(r"[ \-]+").match(text, first.end())
        start = nxt.end() if nxt else head_start
    return start


_COMPLEMENT = re.compile(r" (?P<prep>[a-z]+) (?:the )?(?=[A-Z0-9])")
_COMPLEMENT_WORD = re.compile(r"(?:[A-Z](?:[\w\-]|['’](?=\w))*|\d{1,4})(?![\w\-]|['’]\w)")  # "Experts’": no "’"
_NAME_PART = re.compile(r"[A-Z](?:[a-z][\w'’\-]*|[A-Z][\w'’\-]*)")  # "Sierra", "ECOWAS": no "5", no "S"
_DAY_MONTH = re.compile(r" (?:January|February|March|April|May|June|July|August|September|October|November|December)\b")
_NEXT_CAPITALIZED = re.compile(r"[ \-][A-Z][a-z]")
_MONTH = re.compile(r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
                    r"|\d{4})(?![\w'’\-])")
_INNER_GAP = re.compile(r" (?P<w>[a-z&]+) (?:the )?(?=[A-Z])")


def _complements_after(text: str, head_end: int, preps: frozenset[str], inner: frozenset[str],
                       org_starts: set[int], located: bool, no_modifiers: bool) -> int:
    """End of the complements after a head noun ("of Auditors", "of Nine on Liberia"): a
    preposition and capitalized words, twice at most; a complement that is a registered
    organization is a name of its own and ends the name before it."""
    stop_words = _head_rules()[2]
    end = head_end
    for _ in range(2):
        cm = _COMPLEMENT.match(text, end)
        if cm is None or cm.group("prep") not in preps or cm.end() in org_starts or _MONTH.match(text, cm.end()):
            break
        if cm.group("prep") in ("in", "at") and not located:
            break  # "Union in the Central African Republic": where it acts, not its name
        w = _COMPLEMENT_WORD.match(text, cm.end())
        if w is None or (w.group()[0].isdigit() and (cm.group("prep") != "of" or _DAY_MONTH.match(text, w.end()))):
            break
        if end == head_end and no_modifiers and cm.group("prep") not in ("of", "for", "on"):
            break  # "Office to the Council": a head alone takes only of/for/on
        stop = w.end()
        before_and = None
        while not w.group()[0].isdigit():  # "Group of 20": a number is the whole complement
            g = _INNER_GAP.match(text, stop)
            if g is not None and g.group("w") in inner and g.group("w") not in preps - {"of", "and"} \
                    and g.end() not in org_starts:
                nw = _COMPLEMENT_WORD.match(text, g.end())
                if nw is not None and _NAME_PART.fullmatch(nw.group()) and nw.group() not in stop_words:
                    if g.group("w") == "and" and before_and is None:
                        before_and = stop
                    stop = nw.end()
                    continue
            nw = _COMPLEMENT_WORD.match(text, stop + 1) if text[stop:stop + 1] == " " else None
            if nw is None or (stop + 1) in org_starts or _MONTH.match(text, stop + 1) or not _NAME_PART.fullmatch(nw.group()) \
                    or nw.group().casefold() in _FUNCTION_WORDS or nw.group() in stop_words:
                break
            stop = nw.end()
        if before_and is not None and _head_vocab()[0].search(text, before_and, stop) and \
                _head_vocab()[0].match(text, stop - len(text[before_and:stop].split()[-1])):
            stop = before_and  # "Central Bank of Somalia and Financial Reporting Centre": two names
        end = stop
    return end


def _head_noun_names(text: str, found: list[_Span]) -> list[_Span]:
    """Organizations that no registry entry and no "(ACRONYM)" names, read from their form: the
    capitalized words that end in an organizational head noun (`organization_heads.yaml`),
    with the complements after it. A name needs two words at least ("the Committee" alone is
    generic); a registered name inside it gives way (the longest name wins later), a registered
    organization after a preposition stays a name of its own."""
    pat, preps, inner, not_orgs = _head_vocab()
    located_heads, not_starts = _head_rules()[:2]
    org_starts = {s.start for s in found if s.target.etype == "organization"}
    org_ends = {s.end for s in found if s.target.etype == "organization"}
    # a formal country name ("United Kingdom of Great Britain and Northern Ireland") is no modifier
    country_ends = {s.end for s in found if s.target.etype == "country" and " of " in text[s.start:s.end]}
    org_cover = _Cover([(s.start, s.end) for s in found if s.target.etype == "organization"])
    by_resolution, acronym_targets = _matchers().by_resolution, _matchers().acronym_targets
    out: list[_Span] = []
    last_end = -1
    all_caps_line = _CapsLines(text)
    for hm in fast(pat).finditer(text):
        if hm.start() < last_end or all_caps_line(hm.start()):
            continue
        if org_cover.hits(hm.start(), hm.end()) or _NEXT_CAPITALIZED.match(text, hm.end()):
            continue  # the head is in a registered name, or is a modifier ("Capacity Building Programme")
        start = _modifiers_before(text, hm.start(), org_ends, country_ends, max(last_end, 0))
        em = _HEAD_ESTABLISHED.match(text, hm.end()) if hm.group() in ("Committee", "Tribunal", "Panel") else None
        if em is not None:
            if int(em.group("num")) in by_resolution:
                continue
            end = em.end()
            year = f" ({em.group('year')})" if em.group("year") else ""
            name = f"Security Council {hm.group()} established pursuant to resolution {em.group('num')}{year}"
        else:
            end = _complements_after(text, hm.end(), preps, inner, org_starts, hm.group() in located_heads,
                                     start == hm.start())
            name = " ".join(text[start:end].split())
            if text.startswith(not_starts, hm.start(), end):
                continue  # "Programme of Action": a document's name
        if start == hm.start() and end == hm.end():
            continue  # the head alone: generic
        if name.casefold() in not_orgs:
            continue
        last_end = end
        pm = _PAREN_ACRONYM.match(text, end)
        target = acronym_targets.get(pm.group("acr")) if pm else None  # "(UNSMIS)": a registered acronym names it
        if target is None or target.etype != "organization":
            target = _Target(f"org:{_slug(name)}", "organization", name, None, mode="head")
        out.append(_Span(start, end, target))
    return out


def _spell(letters: str, words: list[str]) -> bool:
    """True when the words, read in order, spell the letters: each capitalized word gives its
    initial and may give more letters of itself in order ("COmmunity"), a function word gives
    its initial or nothing ("Mission In Liberia": UNOMIL)."""
    @cache
    def go(k: int, i: int) -> bool:
        if i == len(words):
            return k == len(letters)
        w = words[i]
        if w.casefold() in _LOWER_OK:
            return go(k, i + 1) or (k < len(letters) and w[0].upper() == letters[k] and go(k + 1, i + 1))
        if k >= len(letters) or w[0].upper() != letters[k]:
            return False
        rest = w[1:].upper()
        # the word gives its initial and then 0..n more of its letters, in order
        kk, j = k + 1, 0
        if go(kk, i + 1):
            return True
        while kk < len(letters):
            j = rest.find(letters[kk], j)
            if j < 0:
                return False
            kk, j = kk + 1, j + 1
            if go(kk, i + 1):
                return True
        return False
    return go(0, 0)


def _expand_acronym_loosely(text: str, words: list[re.Match], acr: str) -> tuple[int, str] | None:
    """The capitalized name before "(ACR)" when _expand_acronym's initials do not spell it: its
    words spell the acronym with function words and inner letters ("United Nations Observer
    Mission in Liberia (UNOMIL)"), or its initials are the acronym's letters in another order
    (an acronym of the name in another language: "Economic and Monetary Community of Central
    Africa (CEMAC)"). The name's capitalized words run up to the parenthesis, and its head noun is
    an organization word."""
    if not acr.isupper() or not acr.isalpha() or len(acr) < 3 or not words:
        return None
    # the words just before the parenthesis, back to the first one that is neither capitalized
    # nor a function word between capitalized words
    first = len(words)
    for i in range(len(words) - 1, max(-1, len(words) - 13), -1):
        w = words[i].group()
        if w[0].isupper():
            first = i
        elif w.casefold() not in _LOWER_OK:
            break
    if first == len(words):
        return None
    heads = _head_vocab()[0]
    for s in range(first, len(words)):  # the longest name that fits, from its first capitalized word
        if not words[s].group()[0].isupper():
            continue
        ws = [m.group() for m in words[s:]]
        content = [w for w in ws if w.casefold() not in _LOWER_OK]
        if not (_spell(acr, ws) or sorted(w[0].upper() for w in content) == sorted(acr)):
            continue
        start = words[s].start()
        phrase = " ".join(text[start:words[-1].end()].split())
        head = re.split(r"\s+(?:of|for|in|on|to|off|at)\s+", phrase)[0].split()[-1]
        if not heads.fullmatch(head) and head.casefold() not in _ORG_HEADS:
            return None
        return start, phrase
    return None


def _document_rules(text: str, found: list[_Span], established: list[re.Match]) -> list[_Span]:
    """Acronyms defined in parentheses, organizations named by the resolution that made them.

    `established`: the matches of _ESTABLISHED in the text."""
    m = _matchers()
    extra: list[_Span] = []
    by_end = {s.end: s for s in found if s.target.etype == "organization"}
    covered = {(s.start, s.end) for s in found}
    defined: dict[str, _Target] = {}
    for pm_start, acr, a_start, a_end in _paren_acronyms(text):
        if acr in m.acronym_targets or len(acr) > 14 or sum(c.isupper() or c.isdigit() for c in acr) < 2:
            continue
        if (a_start, a_end) in covered:
            continue
        before = by_end.get(pm_start)
        if before is not None:
            defined[acr] = before.target
            continue
        exp = _expand_acronym(text, pm_start, acr)
        if exp is None:
            continue
        start, name = exp
        if any(s.start < pm_start and s.end > start and s.target.etype == "organization"
               and s.end - s.start >= pm_start - start for s in found):
            continue
        target = _Target(f"org:{_slug(acr)}", "organization", name, acr)
        defined[acr] = target
        extra.append(_Span(start, start + len(text[start:pm_start].rstrip()), target))
    for em in established:
        target = m.by_resolution.get(int(em.group("num")))
        if target is not None:
            extra.append(_Span(em.start("name"), em.end("name"), target))
    if defined:
        pat = re.compile(r"(?<![\w\-])(" + "|".join(re.escape(a) for a in sorted(defined, key=len, reverse=True))
                         + r")(?![\w\-])")
        for am in pat.finditer(text):
            extra.append(_Span(am.start(), am.end(), defined[am.group(1)]))
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


@cache
def _person_cue_locator() -> re.Pattern | None:
    """The literal prefixes of the honorific, function and title expressions as one trie
    expression (None when one of them has none): one scan finds where any of them may match."""
    prefixes: set[str] = set()
    for rx in _person_vocab()[1:]:
        found = literal_prefixes(rx)
        if found is None:
            return None
        prefixes |= found
    return re.compile(trie_alternation([[re.escape(c) for c in p] for p in sorted(prefixes)]))


def _person_cues(text: str) -> tuple[list[re.Match], list[re.Match], list[re.Match]]:
    """The matches of the honorific, function and title expressions, each exactly its own
    `finditer`, found in one scan instead of three.

    Every match of an expression begins with one of its literal prefixes, so the expression is
    tried at each place where the locator finds a prefix of any of them, in order; as in
    `finditer`, a match is taken only at or after the end of that expression's last match."""
    patterns = _person_vocab()[1:]
    locator = _person_cue_locator()
    if locator is None:
        return tuple(list(fast(rx).finditer(text)) for rx in patterns)  # type: ignore[return-value]
    found: tuple[list[re.Match], ...] = tuple([] for _ in patterns)
    resume = [0] * len(patterns)
    pos = 0
    while (hit := locator.search(text, pos)) is not None:
        at = hit.start()
        for k, rx in enumerate(patterns):
            if at >= resume[k] and (m := rx.match(text, at)) is not None:
                found[k].append(m)
                resume[k] = m.end()
        pos = at + 1
    return found  # type: ignore[return-value]


def _find_persons(text: str, blocked: list[_Span]) -> list[_Person]:
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

    hon_matches, func_matches, pre_matches = _person_cues(text)
    for m in hon_matches:
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
    for m in func_matches:
        got = _scan_name(text, m.end())
        if not got:
            continue
        s, e, words = got
        nxt = text[e:e + 6]
        if not (nxt == "" or nxt[0] in ",.;:)\n" or nxt.startswith((" and ", " to ", " (", " who", " on "))):
            continue
        title = (m.group("func") + m.group("rest")).strip()
        add(_Person(s, e, words, title=" ".join(title.split())), 2)
    for m in pre_matches:
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
    lm = fast(_LETTER_FROM).search(text)
    if lm and lm.group("t").startswith(title):
        return f"{lm.group('t')} of {lm.group('c')} to the United Nations"
    return title


class _Disjoint:
    """Ranges added one by one, none overlapping another: does a new range overlap one of them?

    The same answer as `any(a < end and b > start for a, b in ranges)`, by bisection: the ranges
    are disjoint, so the one that starts last before `end` is the only one to look at. An empty
    range breaks that order; after one, the plain scan is used."""

    __slots__ = ("_starts", "_ends", "_plain")

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._plain = False

    def overlaps(self, start: int, end: int) -> bool:
        if self._plain:
            return any(a < end and b > start for a, b in zip(self._starts, self._ends, strict=True))
        k = bisect.bisect_left(self._starts, end)
        return k > 0 and self._ends[k - 1] > start

    def add(self, start: int, end: int) -> None:
        """Add a range that overlaps none of those added before."""
        if end <= start:
            self._plain = True
        k = bisect.bisect_left(self._starts, start)
        self._starts.insert(k, start)
        self._ends.insert(k, end)


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
# The words before a place ("held in Geneva"): those of the first group also with a capital.
_LEAD_WORDS = ("held in", "hosted in", "in", "at", "near", "outside", "from", "to", "via", "around")
_LEAD_PHRASES = ("city of", "town of", "village of", "vicinity of", "outskirts of", "capital of")


def _lead_alternatives(reverse: bool) -> list[str]:
    """The lead words as regex alternatives ("[Hh]eld in"), or spelt backwards ("ni dle[Hh]")."""
    out = []
    for word in _LEAD_WORDS + _LEAD_PHRASES:
        atoms = [f"[{word[0].upper()}{word[0]}]" if word in _LEAD_WORDS else word[0], *word[1:]]
        out.append("".join(reversed(atoms) if reverse else atoms))
    return out


_PLACE_LEAD = re.compile(r"(?<![\w\-])(?:" + "|".join(_lead_alternatives(False)) + r")\s+(?=[A-Z])")
# _PLACE_LEAD read backwards, from the capital that follows the lead word: capitals are far
# rarer than the letters a lead word begins with, so `re` skips in C over most of the text.
# The longest alternatives come first ("held in" before "in", "vicinity of" before "city of"):
# the match of a capital is then the one that _PLACE_LEAD finds, the one that starts first.
_PLACE_LEAD_REVERSED = re.compile(
    r"[A-Z](?=\s+(?:" + "|".join(sorted(_lead_alternatives(True), key=lambda a: -len(re.sub(r"\[..\]", "x", a))))
    + r")(?![\w\-]))")


def _place_lead_ends(text: str) -> list[int]:
    """The end of every match of _PLACE_LEAD in `text`, in order (its `finditer`).

    Every match ends just before a capital and holds no other capital but its first letter,
    so the matches of two capitals never overlap, and each capital has the match of its
    longest lead word (the one that starts first) or none."""
    n = len(text)
    ends = [n - 1 - m.start() for m in _PLACE_LEAD_REVERSED.finditer(text[::-1])]
    ends.reverse()
    return ends


# the words after a place's name that say what it is ("Idlib governorate"), or where ("near X")
_PLACE_DESIGNATORS = ("governorate", "province", "region", "area", "district", "village", "town", "city", "camp",
                      "refugee camp", "municipality", "county", "prefecture", "locality", "subregion", "sub-district")
_VICINITY_WORDS = ("in the vicinity of", "near", "outside")
_DESIGNATOR = re.compile(r"\s+(?:" + "|".join(map(re.escape, _PLACE_DESIGNATORS)) + r")\b")
_VICINITY = re.compile(r"\s+(?:" + "|".join(map(re.escape, _VICINITY_WORDS)) + r")\s+[A-Z]")
_ADJECTIVAL = re.compile(r"(?:ern|ian|ean|ese|ish|ic|Arab|an)$")
_DECL_AFTER = re.compile(r"\s+(?:Declaration|Plan|Statute|Conventions?|Communiqu|Agreements?|Accords?|Process|"
                         r"Principles|Protocol|Document|Final|Summit|Conference|Consensus|Programme|Agenda|Call|"
                         r"Peace|Framework|Roadmap|Road|Commitments?|Initiative|Treaty|Charter|Group|Club|Office)")
_BIG_CITY = 1_000_000
_PREV_CAP = re.compile(r"(?<![\w\-])(?:[A-Z][\w\-'’‘]*|al-[A-Z][\w\-'’‘]*)\Z")


_DESIGNATOR_WORDS = _PLACE_DESIGNATORS + _VICINITY_WORDS
_DESIGNATOR_OR_VICINITY = re.compile(r"(?<=[\w’'])\s+(?:" + "|".join(map(re.escape, _DESIGNATOR_WORDS)) + r")\b")
# A white space that one of those words follows (the white space alone is consumed: a word
# inside another, "camp" of "refugee camp", is found too). `re` skips in C to white space and
# fails there on the first letter, most of the time.
_BEFORE_DESIGNATOR = re.compile(r"\s(?=" + trie_alternation([list(map(re.escape, w)) for w in _DESIGNATOR_WORDS])
                                + ")")


def _designator_starts(text: str) -> list[int]:
    """The starts of the matches of _DESIGNATOR_OR_VICINITY's `finditer`, in order.

    A match is a white-space run and a word after it, so it starts where the run that ends
    before an occurrence of a word starts: the expression is tried only there, and the
    candidates are taken in order, each at or after the end of the last match (as `finditer`)."""
    out: list[int] = []
    last = 0
    match = _DESIGNATOR_OR_VICINITY.match
    for cand in _BEFORE_DESIGNATOR.finditer(text):
        s = cand.start()
        while s > 0 and text[s - 1].isspace():  # str.isspace() is exactly \s of `re`
            s -= 1
        if s < last:
            continue
        m = match(text, s)
        if m is not None:
            out.append(s)
            last = m.end()
    return out


_RUN_BEFORE = re.compile(r"(?:[A-Z][\w’‘'\-]*\s(?:(?:al|el|es|de|da|bin|ibn)[\-\s])?){0,3}[A-Z][\w’‘'\-]*\Z")
_CAP_WORD = re.compile(r"(?<![\w\-’'])[A-Z][^\W\d_]+")


@cache
def _big_city_first_words() -> frozenset[str]:
    from flows.core.gazetteer import _city_index

    return frozenset(key.split()[0] for key, city in _city_index().items() if city.population >= _BIG_CITY)


# Characters outside ASCII whose case folding is ASCII ("ß" -> "ss", the Kelvin sign -> "k"):
# in a text that holds one, a word with letters outside ASCII may fold to a city's ASCII word.
_ASCII_FOLDING = re.compile("[\u00df\u017f\u1e9e\u212a\ufb00-\ufb06]")


@cache
def _big_city_words() -> re.Pattern:
    """The _CAP_WORD matches that may fold to the first word of a large city, in one expression.

    _CAP_WORD is a capital A-Z and more letters; only the city words of ASCII letters can be the
    case fold of one (the others need a letter outside ASCII: see _ASCII_FOLDING)."""
    words = [[w[0].upper(), *(f"[{c}{c.upper()}]" for c in w[1:])]
             for w in _big_city_first_words() if len(w) > 1 and w.isascii() and w.isalpha()]
    return re.compile(trie_alternation(words, after_first=r"(?<![\w\-’'][\s\S])") + r"(?![^\W\d_])")


def _big_city_starts(text: str) -> list[int]:
    """Starts of the _CAP_WORD matches whose case fold is the first word of a large city.

    The same offsets as testing every _CAP_WORD match, found in C by one expression that
    holds the city words (every match is checked as before)."""
    big = _big_city_first_words()
    if not text.isascii() and _ASCII_FOLDING.search(text):
        return [m.start() for m in fast(_CAP_WORD).finditer(text) if m.group().casefold() in big]
    return [m.start() for m in _big_city_words().finditer(text) if m.group().casefold() in big]


# ", Saudi Arabia" / ", northern Mali" after a place: the country it is in
_COUNTRY_AFTER = re.compile(r",\s+(?:(?:[Nn]orth|[Ss]outh)(?:-?[Ee]ast|-?[Ww]est)?(?:ern)?[\s\-]+|"
                            r"(?:[Ee]ast|[Ww]est|[Cc]entral)(?:ern)?[\s\-]+)?")
_NEXT_IN_LIST = re.compile(r"(?:,\s+(?:and\s+)?|\s+and\s+)(?=[A-Z])")  # "in X, Y and Z"


def _find_places(text: str, taken: _Cover, countries: list[_Span]) -> list[tuple[int, int, str, str, str | None]]:
    """(start, end, key, name, country_iso3) of places not in the registry."""
    out: list[tuple[int, int, str, str, str | None]] = []
    seen: set[tuple[int, int]] = set()
    seen_ranges = _Disjoint()
    country_at = {s.start: s for s in countries}

    def country_after(e: int) -> str | None:
        m = _COUNTRY_AFTER.match(text[e:e + 40])
        if not m:
            return None
        s = country_at.get(e + m.end())
        return s.target.country_iso3 if s else None

    def emit(s: int, e: int, words: list[str], need_city: bool, country: str | None = None) -> None:
        if (s, e) in seen or taken.hits(s, e) or seen_ranges.overlaps(s, e):
            return
        name = " ".join(words)
        low = name.casefold()
        if low in _CITY_STOP or words[0].casefold() in _person_vocab()[0] or len(words) > 4 or len(name) < 3:
            return
        city: City | None = find_city(name)
        if city is None and need_city:
            return
        seen.add((s, e))
        seen_ranges.add(s, e)
        if city is not None:
            out.append((s, e, f"place:{city.geonameid}", city.name, city.country_iso3))
        else:
            out.append((s, e, f"place:{_slug(name)}", name, country))

    for pos in _place_lead_ends(text):
        while True:
            got = _scan_name(text, pos)
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
            nm = _NEXT_IN_LIST.match(text[e:e + 8])
            if not nm:
                break
            pos = e + nm.end()
    starts: set[int] = set()
    for d_start in _designator_starts(text):
        run = _RUN_BEFORE.search(text, max(0, d_start - 80), d_start)
        if run:
            starts.add(run.start())
    starts.update(_big_city_starts(text))
    for s in sorted(starts):
        if s > 0 and (text[s - 1].isalpha() or text[s - 1] in "-'’‘"):
            continue
        if s > 1 and text[s - 1] == " " and _PREV_CAP.search(text, max(0, s - 40), s - 1):
            continue  # inside a capitalized run: the run is judged from its first word
        got = _scan_name(text, s)
        if not got:
            continue
        s, e, words = got
        if (dm := _DESIGNATOR.match(text, e)) and not _ADJECTIVAL.search(words[-1]):
            emit(s, e, words, False, country_after(dm.end()))
        elif _VICINITY.match(text, e) and len(words) <= 3:
            emit(s, e, words, False)
        elif not _DECL_AFTER.match(text, e):
            city = find_city(" ".join(words))
            if city is not None and city.population >= _BIG_CITY and not text[e:e + 1].isalnum():
                emit(s, e, words, True)
    return out


# --------------------------------------------------------------------------- API ----------


def extract_entities(text: str, language: str | None = "en") -> list[EntityMention]:
    """Every mention of an organization, country, place or person in a normalized text.
    `language` is the ISO 639-1 code of the text: a text in another language than English is read
    by `flows.core.entities_lang` (countries and organizations, the same keys)."""
    if language not in (None, "en"):
        from flows.core.entities_lang import extract_entities_lang

        return extract_entities_lang(text, language)
    if not text:
        return []
    by_resolution = _matchers().by_resolution
    established = list(fast(_ESTABLISHED).finditer(text))
    found = _match_registered(text, [(em.start(), by_resolution[int(em.group("num"))].key) for em in established
                                     if int(em.group("num")) in by_resolution])
    found.extend(_document_rules(text, found, established))
    found.extend(_head_noun_names(text, found))
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


class _Ranged(Protocol):
    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


_R = TypeVar("_R", bound=_Ranged)


def _keep_disjoint(ordered: Iterable[_R]) -> list[_R]:
    """The items (anything with `start`/`end`), in the given order of preference, that overlap
    no item kept before them."""
    kept: list[_R] = []
    cover = _Disjoint()
    for item in ordered:
        if not cover.overlaps(item.start, item.end):
            kept.append(item)
            cover.add(item.start, item.end)
    return kept


def _dedupe_spans(spans: list[_Span]) -> list[_Span]:
    """Keep the longest of overlapping spans (the registered match before a rule's on ties)."""
    kept = _keep_disjoint(sorted(spans, key=lambda s: (-(s.end - s.start), s.start)))
    kept.sort(key=lambda s: s.start)
    return kept


def _person_mentions(text: str, persons: list[_Person], found: list[_Span]) -> list[EntityMention]:
    # de-duplicate overlapping person candidates: longest, then the one with a title
    kept = _keep_disjoint(sorted(persons, key=lambda p: (-(p.end - p.start), p.title is None, p.start)))
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
