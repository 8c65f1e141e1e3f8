"""Faster `finditer`/`search` for patterns that begin with a look-behind or a word boundary.

Python's `re` skips quickly (in C) to the places where a match can begin only when the pattern
begins with a literal or a character set. A pattern such as `(?<![\\w\\-])(?:Mr|Mrs|Ambassador)\\s+`
begins with a zero-width assertion instead, so `finditer` runs the whole pattern at every
position of the text: about 30 MB/s, whatever the pattern.

`FastPattern` wraps such a pattern without changing what it finds. From the parsed pattern it
computes the characters that a match can begin with (for the example: "M" and "A") and compiles
a *locator*: that character set, then a look-behind that holds the original pattern as a
look-ahead. The locator has a character-set prefix, so `re` skips in C to the candidate
characters and runs the original pattern only there; at the position the locator finds, the
original pattern is matched once more to return the very match object `finditer` would return
(same groups, same span). When the first characters cannot be computed (a negated class, `.`,
a pattern that can match the empty string, ...) the wrapper falls back to the original pattern.

Two builders serve the same aim, for vocabularies: `trie_alternation` turns many words into
one expression that shares their common prefixes (`re` then tests one branch per character,
not one per word), and `literal_prefixes` lists strings one of which begins every match of a
pattern, so that a multi-string search (Aho-Corasick) finds every place where it may match.

The analysis reads `re._parser`, CPython's own parser (3.11+); any error there falls back to
the plain pattern (or to no prefixes).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from functools import cache

try:  # CPython 3.11+: the parser behind re.compile
    from re import _constants as _c
    from re import _parser
except ImportError:  # pragma: no cover - another implementation: always fall back
    _parser = None
    _c = None

# A first-character set larger than this gains little: the plain pattern is used instead.
_MAX_CLASS_ITEMS = 120


class _GiveUp(Exception):
    """The pattern holds something the analysis does not follow (its caller falls back)."""


_CATEGORY_CLASS = {}
if _c is not None:
    _CATEGORY_CLASS = {
        _c.CATEGORY_DIGIT: r"\d", _c.CATEGORY_SPACE: r"\s", _c.CATEGORY_WORD: r"\w",
        _c.CATEGORY_NOT_DIGIT: r"\D", _c.CATEGORY_NOT_SPACE: r"\S", _c.CATEGORY_NOT_WORD: r"\W",
    }


def _char(code: int) -> str:
    return re.escape(chr(code))  # escapes "-", "]", "^" and "\\" too


def _class_items(items: list) -> list[str]:
    """The items of an IN node as character-class text (a negated class gives up)."""
    out: list[str] = []
    for op, av in items:
        if op is _c.LITERAL:
            out.append(_char(av))
        elif op is _c.RANGE:
            out.append(f"{_char(av[0])}-{_char(av[1])}")
        elif op is _c.CATEGORY and av in _CATEGORY_CLASS:
            out.append(_CATEGORY_CLASS[av])
        else:  # NEGATE, RANGE_UNI_IGNORE, ... : not worth handling
            raise _GiveUp
    return out


def _first(seq) -> tuple[list[str], bool]:
    """(class items a match of `seq` can begin with, whether `seq` can match the empty string)."""
    items: list[str] = []
    for op, av in seq:
        if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
            continue  # zero width: only narrows where a match begins
        if op is _c.LITERAL:
            return items + [_char(av)], False
        if op is _c.IN:
            return items + _class_items(av), False
        if op is _c.SUBPATTERN:
            if av[1] or av[2]:  # (?i:...) and the like: the class outside would not follow them
                raise _GiveUp
            sub, nullable = _first(av[3])
        elif op is _c.ATOMIC_GROUP:
            sub, nullable = _first(av)
        elif op is _c.BRANCH:
            sub, nullable = [], False
            for branch in av[1]:
                b_items, b_nullable = _first(branch)
                sub += b_items
                nullable = nullable or b_nullable
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
            lo, _hi, body = av
            sub, nullable = _first(body)
            nullable = nullable or lo == 0
        else:  # ANY, NOT_LITERAL, GROUPREF, GROUPREF_EXISTS, ...
            raise _GiveUp
        items += sub
        if not nullable:
            return items, False
    return items, True


def _locator(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """`[F](?<=(?=P)[\\s\\S])`: a character F that a match of P can begin with, where P matches."""
    if _parser is None or not isinstance(pattern.pattern, str):
        return None
    try:
        items, nullable = _first(_parser.parse(pattern.pattern, pattern.flags))
    except (_GiveUp, re.error, AttributeError, TypeError, ValueError):
        return None
    if pattern.flags & re.IGNORECASE:
        items = _both_cases(items)
        if items is None:
            return None
    items = list(dict.fromkeys(items))
    if nullable or not items or len(items) > _MAX_CLASS_ITEMS:
        return None
    body = pattern.pattern + ("\n" if pattern.flags & re.VERBOSE else "")  # close a trailing comment
    # case-sensitive even in an IGNORECASE pattern (the variants are listed): only then does
    # `re` use the class to skip ahead
    first = "(?-i:[" + "".join(items) + "])" if pattern.flags & re.IGNORECASE else "[" + "".join(items) + "]"
    try:
        return re.compile(f"{first}(?<=(?={body})[\\s\\S])", pattern.flags)
    except re.error:
        return None


@cache
def _ascii_case_variants() -> dict[str, tuple[str, ...]]:
    """For each ASCII letter, every character that `re` matches it with under IGNORECASE
    ("k": "k", "K" and the Kelvin sign), found by asking `re` itself."""
    letters = [chr(c) for c in range(ord("a"), ord("z") + 1)]
    others = "".join(chr(c) for c in range(0x80, 0x110000) if not 0xD800 <= c < 0xE000)
    extra = re.findall("(?i)(?:" + "|".join(letters) + ")", others)
    return {c: tuple(dict.fromkeys([c, c.upper(), *(x for x in extra if re.fullmatch("(?i)" + c, x))]))
            for c in letters}


_DIGIT_RANGE = re.compile(r"[0-9]-[0-9]")  # a range of digits as _class_items writes it


def _both_cases(items: list[str]) -> list[str] | None:
    """The first-character items of an IGNORECASE pattern, spelt out in every case (None: a
    class or a character outside ASCII, not worth the trouble)."""
    out: list[str] = []
    for item in items:
        if item in _CATEGORY_CLASS.values() or _DIGIT_RANGE.fullmatch(item):
            out.append(item)  # no case to fold
            continue
        ch = item[-1] if item.startswith("\\") and len(item) == 2 else item
        if len(ch) != 1 or not ch.isascii():
            return None
        if ch.isalpha():
            out.extend(re.escape(v) for v in _ascii_case_variants()[ch.lower()])
        else:
            out.append(item)
    return out


class FastPattern:
    """`finditer` and `search` of a compiled pattern, with the same results, found faster."""

    __slots__ = ("pattern", "_locate")

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        locator = _locator(pattern)
        self._locate = locator.search if locator is not None else None

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        """`pattern.search(text, pos, endpos)`."""
        end = len(text) if endpos is None else endpos
        if self._locate is None:
            return self.pattern.search(text, pos, end)
        hit = self._locate(text, pos, end)
        return None if hit is None else self.pattern.match(text, hit.start(), end)

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match[str]]:
        """`pattern.finditer(text, pos, endpos)`: the same match objects, in the same order."""
        end = len(text) if endpos is None else endpos
        if self._locate is None:
            yield from self.pattern.finditer(text, pos, end)
            return
        locate, match = self._locate, self.pattern.match
        while True:
            hit = locate(text, pos, end)
            if hit is None:
                return
            m = match(text, hit.start(), end)
            yield m
            pos = m.end()  # never empty: a pattern that can match the empty string has no locator

    @property
    def accelerated(self) -> bool:
        """Whether a locator was built (else every call goes to the plain pattern)."""
        return self._locate is not None


@cache
def fast(pattern: re.Pattern[str]) -> FastPattern:
    """The FastPattern of a compiled pattern (built once per pattern)."""
    return FastPattern(pattern)


def trie_alternation(words: list[list[str]], after_first: str = "") -> str:
    """One regular expression that matches any of `words`, each a list of regex atoms.

    The atoms are shared along common prefixes ("Uni" of "United" and "Union"), so `re` tests
    one branch per character instead of one per word: a filter for a large vocabulary. The
    order of the alternatives is unspecified: use it where any match will do (the caller
    checks what it found). `after_first` is put after the first atom of every word: a
    look-behind there keeps the expression's first-character prefix, which lets `re` skip in C
    to the positions where a word may begin (with literal first atoms)."""
    root: dict = {}
    for atoms in words:
        node = root
        for atom in atoms:
            node = node.setdefault(atom, {})
        node[None] = {}

    def emit(node: dict, depth: int) -> str:
        branches = [atom + (after_first if depth == 0 else "") + emit(child, depth + 1)
                    for atom, child in sorted(node.items(), key=lambda kv: kv[0] or "") if atom is not None]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if None in node:
            return body + "?" if len(branches) == 1 and len(branches[0]) == 1 else f"(?:{body})?"
        return body

    return emit(root, 0)


# Above this many prefixes, literal_prefixes gives up (the pattern is better scanned).
_MAX_PREFIXES = 4000


def literal_prefixes(pattern: re.Pattern[str], through_spaces: bool = False) -> frozenset[str] | None:
    """Strings one of which begins every match of `pattern`, or None when there are none to give.

    Read from the parsed pattern: literal characters, groups, alternatives and optional parts
    ("s?") are followed as long as they are literal; any other repeat, a class of more than a
    few characters or a backreference ends every prefix there. Zero-width assertions are
    skipped (they only narrow where a match is). A search for these strings (Aho-Corasick,
    `str.find`) then finds every position where a match may start. Only the shortest are kept
    ("prevent", not also "prevention"). None for IGNORECASE patterns, for a pattern that can
    begin with a non-literal (the empty prefix), or when the prefixes are too many.

    `through_spaces`: go on through runs of white space and other repeats of small classes
    (see _deep_sets), so that "in\\s+consultation" gives "in consultation" (and the rarer
    "in\\n", "in  " ...), not "in", which begins a word on every line."""
    if _parser is None or not isinstance(pattern.pattern, str) or pattern.flags & re.IGNORECASE:
        return None
    try:
        parsed = _parser.parse(pattern.pattern, pattern.flags).data
        if through_spaces:
            whole, begun = _deep_sets(parsed, _white_space(bool(pattern.flags & re.ASCII)))
            found = whole | begun
        else:
            found, _complete = _prefixes(parsed)
    except (_GiveUp, re.error, AttributeError, TypeError, ValueError):
        return None
    if not found or "" in found:
        return None
    return frozenset(p for p in found if not any(p[:k] in found for k in range(1, len(p))))


def _cross(heads: set[str], tails: set[str]) -> set[str]:
    out = {h + t for h in heads for t in tails}
    if len(out) > _MAX_PREFIXES:
        raise _GiveUp
    return out


def _prefixes(seq) -> tuple[set[str], bool]:
    """(prefixes, complete): `complete` when every match of seq is one of the strings itself."""
    current = {""}
    for op, av in seq:
        if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
            continue
        if op is _c.LITERAL:
            current = {p + chr(av) for p in current}
            continue
        if op is _c.IN and all(o is _c.LITERAL for o, _ in av) and len(av) <= 4:
            current = _cross(current, {chr(v) for _, v in av})
            continue
        if op is _c.SUBPATTERN and not (av[1] or av[2]):
            sub, complete = _prefixes(av[3])
        elif op is _c.BRANCH:
            sub, complete = set(), True
            for branch in av[1]:
                b_sub, b_complete = _prefixes(branch)
                sub |= b_sub
                complete = complete and b_complete
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT) and av[0] == 0 and av[1] == 1:
            sub, complete = _prefixes(av[2])  # an optional part: with it or without it
            sub = sub | {""}
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT) and av[0] >= 1:
            sub, _ = _prefixes(av[2])
            complete = False  # what follows the first repetition is not followed
        else:  # an optional part, a wide class, ...: the prefixes end here
            return current, False
        current = _cross(current, sub)
        if not complete:
            return current, False
    return current, True


# --- prefixes through white space -----------------------------------------------------------
#
# The deep analysis keeps two sets per part of a pattern: `whole`, strings that are whole
# matches of it (what follows the part is then followed too), and `begun`, strings that its
# other matches begin with (what follows is not). Every match of the part is in `whole` or
# begins with a string of `begun`. A string of `begun` may always be shortened (it then says
# less): the sets are kept small that way, and when they grow too many anyway an alternative
# falls back to the plain analysis (_prefixes).

_Sets = tuple[set[str], set[str]]
_UNKNOWN: _Sets = (set(), {""})  # a part that may begin with anything
_MAX_CLASS_CHARS = 40  # a class with more characters ends the prefixes


@cache
def _white_space(ascii_only: bool) -> frozenset[str]:
    """The characters that \\s matches: `str.isspace()` ones, which is the test `re` makes for
    \\s in a str pattern (Py_UNICODE_ISSPACE); under re.ASCII, [ \\t\\n\\r\\f\\v]."""
    if ascii_only:
        return frozenset(" \t\n\r\f\v")
    return frozenset(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())


def _class_chars(items: list, white_space: frozenset[str]) -> set[str] | None:
    """The characters of an IN node, None when they are too many or not listed."""
    out: set[str] = set()
    for op, av in items:
        if op is _c.LITERAL:
            out.add(chr(av))
        elif op is _c.RANGE and av[1] - av[0] < _MAX_CLASS_CHARS:
            out.update(map(chr, range(av[0], av[1] + 1)))
        elif op is _c.CATEGORY and av is _c.CATEGORY_SPACE:
            out |= white_space
        else:  # NEGATE, a wide range, \\w ...
            return None
    return out if len(out) <= _MAX_CLASS_CHARS else None


@cache
def _rare_space_re(white_space: frozenset[str]) -> re.Pattern[str]:
    """White space other than " ", or a " " after white space (see _rare_space_end)."""
    others = "".join(sorted(_char(ord(c)) for c in white_space if c != " "))
    every = "".join(sorted(_char(ord(c)) for c in white_space))
    return re.compile(f"[{others}]|(?<=[{every}]) ")


def _rare_space_end(tail: str, after_space: bool, white_space: frozenset[str]) -> int:
    """The end in `tail` of its first white space other than one " " between two non-spaces (a
    line break, a tab, a second space ...), or -1; `after_space`: what comes before `tail` ends
    with white space. Texts are searched with a single " " between words almost everywhere: a
    prefix goes on through that one and stops after any other."""
    if after_space and tail.startswith(" "):
        return 1
    m = _rare_space_re(white_space).search(tail)
    return -1 if m is None else m.end()


def _join(a: _Sets, b: _Sets, white_space: frozenset[str]) -> _Sets:
    """The sets of part a followed by part b (the strings of `whole` hold no rare white space,
    see _rare_space_end: a string of a's `whole` followed by one of b's is checked at b's only)."""
    whole: set[str] = set()
    begun = set(a[1])
    # per string of b, where to cut it after a head that ends with white space (True) or not
    cuts = {after_space: {tail: _rare_space_end(tail, after_space, white_space) for tail in b[0] | b[1]}
            for after_space in {head[-1:] in white_space for head in a[0]}}
    for head in a[0]:
        cut_at = cuts[head[-1:] in white_space]
        for tail in b[1]:
            cut = cut_at[tail]
            begun.add(head + (tail if cut < 0 else tail[:cut]))
        for tail in b[0]:
            cut = cut_at[tail]
            if cut < 0:
                whole.add(head + tail)
            else:
                begun.add(head + tail[:cut])
    if len(whole) + len(begun) > _MAX_PREFIXES:
        raise _GiveUp
    return whole, begun


def _deep_sets(seq, white_space: frozenset[str]) -> _Sets:
    """The sets of a sequence; the plain analysis when they grow too many."""
    try:
        acc: _Sets = ({""}, set())
        for op, av in seq:
            if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
                continue  # zero width: only narrows where a match is
            acc = _join(acc, _deep_element(op, av, white_space), white_space)
            if not acc[0]:
                break
        return acc
    except _GiveUp:
        return _plain_sets(seq)


def _plain_sets(seq) -> _Sets:
    try:
        found, complete = _prefixes(seq)
    except _GiveUp:
        return _UNKNOWN
    return (set(found), set()) if complete else (set(), set(found))


def _deep_element(op, av, white_space: frozenset[str]) -> _Sets:
    if op is _c.LITERAL:
        return {chr(av)}, set()
    if op is _c.IN:
        chars = _class_chars(av, white_space)
        return _UNKNOWN if chars is None else (chars, set())
    if op is _c.SUBPATTERN:
        return _UNKNOWN if av[1] or av[2] else _deep_sets(av[3], white_space)
    if op is _c.BRANCH:
        branches = av[1]
        sets = [_deep_sets(branch, white_space) for branch in branches]
        while sum(len(w) + len(b) for w, b in sets) > _MAX_PREFIXES:  # the largest falls back
            k = max(range(len(sets)), key=lambda i: len(sets[i][0]) + len(sets[i][1]))
            plain = _plain_sets(branches[k])
            if plain == sets[k]:
                raise _GiveUp
            sets[k] = plain
        return set().union(*(w for w, _ in sets)), set().union(*(b for _, b in sets))
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
        lo, hi, body = av
        one = _deep_sets(body, white_space)
        if hi == 1:
            return one[0] | ({""} if lo == 0 else set()), one[1]
        # one repetition, then none (when lo <= 1) or more, which begin with the first character
        # of one (no further: the sets would multiply with every repetition)
        more = {x[:1] for x in one[0] | one[1]}
        first = _join(one, ({""} if lo <= 1 else set(), more), white_space)
        return first[0] | ({""} if lo == 0 else set()), first[1]
    return _UNKNOWN  # ATOMIC_GROUP, ANY, GROUPREF, ...
