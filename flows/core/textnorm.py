"""Turn a document's raw text into the normalized text that every offset refers to.

Two kinds of input reach this module: Markdown-ish text (the seeds: `**bold**`, links such as
`[1963 \\(2010\\)](#)`, `*ibid.*`, footnote markers `^a`) and text extracted from the UN's PDFs
(running headers and footers, job numbers, barcodes, page numbers, lines wrapped mid-sentence).
`normalize_text` removes the markup and the page furniture and joins wrapped lines, keeping
paragraphs on lines of their own. It is idempotent: normalizing twice changes nothing.

The raw text is never modified in place; callers keep it beside the normalized text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from wordfreq import zipf_frequency

# --- markup -------------------------------------------------------------------------------

_LINK = re.compile(r"\[((?:[^\[\]\\]|\\.)*)\]\((?:[^()\s]|\([^()\s]*\))*\)")
_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__", re.S)
# "*" first, its look-behind after it (`(?<![\w*]\*)` = "not after a word character or a *"):
# a pattern that begins with a literal lets `re` skip in C to the next "*".
_EMPHASIS = re.compile(r"\*(?<![\w*]\*)(?=[^\s*\d])([^*\n]*?[^\s*])\*(?![\w*])")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")
_FOOTNOTE_INLINE = re.compile(r"(?<=\S)\^(?:[a-z]|\d{1,2})\b")
_FOOTNOTE_LEAD = re.compile(r"^\^(?:[a-z]|\d{1,2})\s+", re.M)

# --- page furniture of PDF extractions ----------------------------------------------------

_NOISE_LINE = re.compile(
    r"""^(?:
        \d{2}-\d{4,6}\s*(?:\([A-Z]\))?(?:\s+\d{6})?\s*(?:\*\d{6,}\*)?   # job number 13-42009 (E) 200113
      | \d{6}                                                        # date stamp 200117
      | \*\s?\d{6,}\s?\*                                             # barcode *1342009*
      | \d{1,3}\s?/\s?\d{1,3}                                        # page number 2/4
      | [`'~^_*|.\-\s]{3,}                                           # stray glyph rows
      | \d{1,3}                                                      # bare page number
    )$""",
    re.X,
)
_HEADER_SYMBOL = re.compile(r"^[A-Z]{1,4}(?:/[A-Za-z0-9.\-]+)+(?:\s*\(\d{4}\))?\*?$")
# A line ends a sentence when it ends with one of _TERMINAL_MARKS and any closing quotes or
# brackets after it (the regex `[.:;!?]["'”’)\]]*$`, read from the line's end: a `search` for it
# would scan the whole line, a paragraph, for a full stop).
_TERMINAL_MARKS = (".", ":", ";", "!", "?")
_CLOSERS = "\"'”’)]"
_WRAP_MIN_CHARS = 55

_SPACE_CHARS = r" \t\u00a0\u2000-\u200a\u202f\u205f\u3000"
# A run of spaces becomes one " ". A run that already is one " " (most of them) is not matched:
# replacing it by itself would only cost a copy. Same result as `[spaces]+` -> " ".
_SPACES = re.compile(rf"[{_SPACE_CHARS[1:]}][{_SPACE_CHARS}]*| [{_SPACE_CHARS}]+")
_OTHER_SPACE = re.compile(rf"[{_SPACE_CHARS[1:]}]")  # a space character other than " "
# Zero-width characters and control characters (other than tab and newlines) are dropped.
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad\x00-\x08\x0b\x0e-\x1f\x7f]")


def strip_markup(text: str) -> str:
    """Remove Markdown emphasis, link markup, escapes and footnote markers; keep the words.

    Each pass runs only when the text holds the literal that every match of it contains (most
    documents hold no markup at all, and `in` is far cheaper than a regex scan)."""
    if "](" in text:
        text = _LINK.sub(lambda m: m.group(1), text)
    if "**" in text or "__" in text:
        text = _STRONG.sub(lambda m: m.group(1) or m.group(2), text)
    if "*" in text:
        text = _EMPHASIS.sub(lambda m: m.group(1), text)
    if "\\" in text:
        text = _ESCAPE.sub(lambda m: m.group(1), text)
    if "^" in text:
        text = _FOOTNOTE_LEAD.sub("", text)
        text = _FOOTNOTE_INLINE.sub("", text)
    return text


def _drop_page_furniture(lines: list[str]) -> list[str]:
    """Drop job numbers, barcodes, page numbers and repeats of the running-header symbol."""
    kept: list[str] = []
    seen_symbol_lines: set[str] = set()
    for line in lines:
        stripped = line.strip()
        if stripped and _NOISE_LINE.match(stripped):
            continue
        if stripped and len(stripped) <= 40 and _HEADER_SYMBOL.match(stripped):
            if stripped in seen_symbol_lines:  # the symbol repeated as a running header
                continue
            seen_symbol_lines.add(stripped)
        kept.append(stripped)
    return kept


def _is_wrapped(line: str, following: str) -> bool:
    """True when `line` ends mid-sentence and `following` continues it."""
    if not line or not following or line.rstrip(_CLOSERS).endswith(_TERMINAL_MARKS):
        return False
    if following.startswith(("- ", "• ", "* ", "“", '"')) or line.startswith(("- ", "• ")) and len(line) < 20:
        return False
    return len(line) >= _WRAP_MIN_CHARS or following[0].islower()


def _join_wrapped(lines: list[str]) -> list[str]:
    """Join lines wrapped inside a sentence, also across a page break (blank lines)."""
    out: list[str] = []
    pending_blank = 0
    for line in lines:
        if not line:
            pending_blank += 1
            continue
        if out and out[-1] and _is_wrapped(out[-1], line) and (
                pending_blank == 0 or line[0].islower() or _ENDS_OPEN.search(out[-1])):
            prev = out[-1]
            if prev.endswith("-") and len(prev) > 1 and prev[-2].isalpha():
                out[-1] = _join_hyphenated(prev, line)  # "Secretary-" + "General", "coop-" + "eration"
            else:
                out[-1] = prev + " " + line
        else:
            if out:
                out.extend([""] * min(pending_blank, 1))
            out.append(line)
        pending_blank = 0
    return out


# --- words broken by the PDF extraction ------------------------------------------------------
# Decided with word statistics (wordfreq's Zipf scale: 3 = once per million words), not lists:
# a piece that is no English word next to a piece that makes a common word with it is one word.

_COMMON = 3.0  # a common word: "cooperation" 4.3, "committee" 5.0
_RARE = 2.0    # not a word of its own: "eration" 1.2, "lution" 1.3, "ommittee" 0.0

# a line that ends with a word that cannot end a sentence goes on after a page break:
# "United Nations Interim Force in" + page furniture + "Lebanon"
_ENDS_OPEN = re.compile(r"(?<![\w\-])(?:the|of|in|and|to|for|on|an|with|by|at|from)$")


@lru_cache(maxsize=65536)
def _zipf(word: str) -> float:
    return zipf_frequency(word.casefold(), "en")


def _join_hyphenated(prev: str, line: str) -> str:
    """Join a line that ends in a hyphen to the next: the hyphen stays ("Secretary-General")
    unless the word after it is no word and the two halves make a common one ("coop-eration")."""
    m = re.search(r"([^\W\d_]+)-$", prev)
    n = re.match(r"[^\W\d_]+", line)
    if m and n and n.group().islower() and _zipf(n.group()) < _RARE and _zipf(m.group(1) + n.group()) >= _COMMON:
        return prev[:-1] + line
    return prev + line


# two pieces of one word split by a space: "coop eration", "reso lution", "C ommittee", "Democrati c"
# (the second piece is found by a look-ahead, so that every pair of neighbours is tried)
_SPLIT_PAIR = re.compile(r"(?<![\w\-])([A-Za-z][a-z]*) (?=([a-z]+)(?![\w\-'’]))")
# a space before the hyphen of a compound: "Follow -up", "High -Level"
_SPACE_HYPHEN = re.compile(r"(?<=[A-Za-z]) -(?=[A-Za-z])")
# two words glued where a line break or a space was lost: "NationsSecretariat", "SecretaryGeneral"
_GLUED = re.compile(r"(?<![\w\-])([A-Z][a-z]{3,})([A-Z][a-z]{3,})(?![\w\-])")


@lru_cache(maxsize=65536)
def _piece_zipf(piece: str) -> float:
    """A piece's frequency as a word; a lone letter other than "a" and "I" is none ("C ommittee")."""
    return _zipf(piece) if len(piece) > 1 or piece in ("a", "A", "I") else 0.0


def _rejoin_split(m: re.Match) -> str:
    """The first piece and the space after it; the space goes when the two pieces are one word."""
    a, b = m.group(1), m.group(2)
    za, zb = _piece_zipf(a), _piece_zipf(b)
    if max(len(a), len(b)) >= 3 and min(za, zb) < _RARE and _zipf(a + b) >= _COMMON and max(za, zb) < _zipf(a + b):
        # a lone letter ("mediatio n", but "mai d juin") only where the document prints the word whole
        if min(len(a), len(b)) > 1 or re.search(rf"(?<![A-Za-z]){a + b}(?![A-Za-z])", m.string, re.I):
            return a
    return m.group(0)


_WORD = re.compile(r"[A-Za-z]+")


def _rejoin_splits(text: str) -> str:
    """_SPLIT_PAIR's substitution, run only around the pieces that are no word (a few per
    document): the pairs of common words, nearly all of them, are never looked at."""
    rare = {w for w in set(_WORD.findall(text)) if _piece_zipf(w) < _RARE}
    if not rare:
        return text
    drop: list[int] = []  # offsets of the spaces to remove
    pieces = re.compile(r"(?<![A-Za-z])(?:" + "|".join(sorted(rare, key=len, reverse=True)) + r")(?![A-Za-z])")
    for w in pieces.finditer(text):
        for at in (w.start() - 1, w.end()):  # the space before the piece, the space after it
            if at < 1 or text[at:at + 1] != " " or (drop and drop[-1] == at):
                continue
            before = _WORD_START.search(text, max(0, at - 60), at) if at == w.start() - 1 else None
            if at == w.start() - 1 and before is None:
                continue
            m = _SPLIT_PAIR.match(text, before.start() if before is not None else w.start())
            if m and m.end() == at + 1 and _rejoin_split(m) != m.group(0):
                drop.append(at)
    if not drop:
        return text
    parts, prev = [], 0
    for at in sorted(set(drop)):
        parts.append(text[prev:at])
        prev = at + 1
    parts.append(text[prev:])
    return "".join(parts)


_WORD_START = re.compile(r"[A-Za-z]+\Z")


def repair_words(text: str) -> str:
    """Words broken by PDF extraction, mended once: split pieces rejoined, a stray space before
    a compound's hyphen dropped, glued words separated (by a hyphen, "SecretaryGeneral" ->
    "Secretary-General", or by a space when the document prints them so elsewhere)."""
    if " " in text:
        text = _rejoin_splits(text)
    if " -" in text:
        text = _SPACE_HYPHEN.sub("-", text)

    def unglue(m: re.Match) -> str:
        a, b = m.group(1), m.group(2)
        if _zipf(a) < 2.5 or _zipf(b) < 2.5 or _zipf(a + b) >= _COMMON:
            return m.group(0)
        # the hyphen of a line end is what is lost most ("Franco-\nMalian"), unless the document
        # prints the two words apart elsewhere ("Nations Secretariat")
        return f"{a} {b}" if f"{a} {b}" in text and f"{a}-{b}" not in text else f"{a}-{b}"

    return _GLUED.sub(unglue, text)


def _normalize_once(text: str) -> str:
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\f", "\n").replace("\v", "\n")
    text = _INVISIBLE.sub("", text)
    text = strip_markup(text)
    if "  " in text or _OTHER_SPACE.search(text):  # else every run of spaces is one " " already
        text = _SPACES.sub(" ", text)
    lines = _drop_page_furniture(text.split("\n"))
    return repair_words("\n".join(_join_wrapped(lines)).strip())


def normalize_text(raw: str) -> str:
    """The normalized text of a document: the one that every offset in a release refers to."""
    text = _normalize_once(raw)
    for _ in range(4):  # markup can nest ("[**x**](#)"); stop at the fixed point
        again = _normalize_once(text)
        if again == text:
            break
        text = again
    return text
