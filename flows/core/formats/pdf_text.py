"""PDF to text with pypdf (BSD), for documents of the UN's Official Document System.

pypdf gives the text of each page; a visitor gives where each piece of it sits and how big it
is printed. With that, what a reader ignores is left out and what they read is put back together:

- page furniture: the document symbol repeated at the top of every page, page numbers ("2/5",
  "3"), job numbers ("13-42009 (E) 200113"), barcodes ("*1342009*"), "Please recycle": lines in
  the top or bottom band of a page that match those patterns or repeat from page to page;
- footnotes: the small-print block at the bottom of a page that starts with a marker; they are
  collected and emitted after the body, in order, so that a sentence running across a page
  break joins up; the small raised reference markers in the body are dropped;
- paragraphs: lines are joined into paragraphs (a paragraph ends at a larger vertical gap, an
  indented first line or a short last line), and words hyphenated at a line end are joined.

The first page's masthead (symbol, "Distr.: General", date) is kept: metadata is read from it.
"""

from __future__ import annotations

import io
import math
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from flows.core.formats.errors import ConversionError, guarded

MAX_CONTENT_BYTES = 64 * 1024 * 1024  # a page content stream larger than this is a bomb, not a page
MAX_TOTAL_CONTENT_BYTES = 512 * 1024 * 1024  # all pages' drawing commands together: pages of 60 MB each add up
_MARGIN_BAND = 0.12  # the top and bottom 12% of a page hold running headers and footers
_MIN_ALNUM_PER_PAGE = 10  # fewer letters and digits per page on average: a scan without a text layer

_MARKER = re.compile(r"^(?:\d{1,3}|[a-z]|\*{1,3}),?$")  # a footnote reference marker in the body
_MARKED = re.compile(r"\s*\x00([^\x00]*)\x00(?:\s*(?=([.,;:!?)\]]))|\s*)")
_NOTE_START = re.compile(r"^(?P<mark>\d{1,3}|[a-z]|\*{1,3})(?:\s+|(?=[A-Z(“\"'‘]))\S")
_FURNITURE_TOKEN = re.compile(
    r"""^(?:
        \d{2}-\d{4,6}                          # job number 13-42009
      | \([A-Z]\)                              # language of the job: (E)
      | \d{6}                                  # date stamp 200113
      | \*\s?\d{6,}\s?\*                       # barcode *1342009*
      | \d{1,4}\s?/\s?\d{1,4}                  # page number 2/5
      | \d{1,4}                                # page number 3
      | [A-Z]{1,5}(?:/[A-Za-z0-9.\-]+)+\*?     # document symbol S/2013/163
      | \(\d{4}\)                              # year of a symbol: S/RES/2292 (2016)
      | \d{1,2}/\d{1,2}/\d{2,4}                # date of a record's header 10/12/2013
    )$""",
    re.X,
)
_STRONG_TOKEN = re.compile(r"^(?:\d{2}-\d{4,6}|\*\s?\d{6,}\s?\*|\d{1,4}/\d{1,4})$")
_SYMBOL_TOKEN = re.compile(r"^[A-Z]{1,5}(?:/[A-Za-z0-9.\-]+)+\*?$")
_RECYCLE = re.compile(r"^(?:please\s+recycle|[♲♻\s])+$", re.I)
_BARE_PAGE_NUMBER = re.compile(r"^\d{1,4}$")
_TERMINAL = re.compile(r"[.:;!?][\"'”’)\]]*$")
_LIST_LEAD = re.compile(r"^(?:\d{1,3}\.|\([a-z0-9]{1,4}\)|[a-z0-9]{1,3}\)|[•\-–—]|[IVXL]{1,5}\.)\s")
_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|-)*[^\W\d_]")
_HYPHEN_END = re.compile(r"(?P<stem>[^\W\d_]+)-$")
_LETTERS = re.compile(r"[^\W\d_]+")
# Prefixes that UN editorial style keeps hyphenated ("non-State", "self-determination"): when a
# line ends with one and the document gives no other evidence, the hyphen is kept.
_HYPHENATED_PREFIXES = frozenset({
    "non", "self", "co", "ex", "post", "pre", "anti", "cross", "well", "so", "follow", "long", "high",
    "large", "full", "mid", "counter", "cease", "decision",
})


@dataclass(slots=True)
class _Piece:
    text: str
    x: float
    y: float
    size: float


@dataclass(slots=True)
class _Line:
    text: str
    x: float
    y: float  # baseline, in page space (grows upwards)
    size: float  # printed size of the line's main text


@dataclass(slots=True)
class _Page:
    number: int  # from 1
    lines: list[_Line]
    bottom: float
    top: float
    body: list[_Line] = field(default_factory=list)
    notes: list[list[_Line]] = field(default_factory=list)


# --- reading the pages ---------------------------------------------------------------------


def _position(cm: Any, tm: Any, font_size: float) -> tuple[float, float, float]:
    """Where a piece of text starts on the page and its printed size (text matrix times CTM)."""
    a, b, c, d, e, f = (float(v) for v in cm[:6])
    ta, tb, tc, td, te, tf = (float(v) for v in tm[:6])
    x = te * a + tf * c + e
    y = te * b + tf * d + f
    scale_y = math.hypot(tc * a + td * c, tc * b + td * d)
    return x, y, abs(float(font_size or 0.0) * scale_y)


def _pieces_of(page: Any) -> list[_Piece]:
    pieces: list[_Piece] = []

    def visit(text: str, cm: Any, tm: Any, _font: Any, font_size: Any) -> None:
        if not text:
            return
        try:
            x, y, size = _position(cm, tm, font_size)
        except (TypeError, ValueError):
            x, y, size = 0.0, 0.0, 0.0
        pieces.append(_Piece(text, x, y, size))

    page.extract_text(visitor_text=visit)
    return pieces


def _is_raised_marker(piece: _Piece, main: _Piece) -> bool:
    return piece is not main and piece.size < 0.85 * main.size and bool(_MARKER.match(piece.text.strip()))


def _spaced_markers(text: str) -> str:
    """Footnote reference markers set off by spaces, as `pdftotext` prints them ("the report, 2 and
    in particular"), which is how the citation extractor pairs them with the footnotes."""
    text = _MARKED.sub(lambda m: f" {m.group(1)}" + ("" if m.group(2) else " "), text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def _assemble(pieces: list[_Piece]) -> _Line | None:
    """One line from its pieces; footnote reference markers printed small are set off by spaces."""
    inked = [p for p in pieces if p.text.strip()]
    if not inked:
        return None
    main = max(inked, key=lambda p: len(p.text.strip()))
    parts = [f"\x00{p.text.strip()}\x00" if _is_raised_marker(p, main) else p.text.replace("\x00", "") for p in pieces]
    text = _spaced_markers("".join(parts))
    return _Line(text, inked[0].x, main.y, main.size) if text else None


def _lines_of(pieces: list[_Piece]) -> list[_Line]:
    groups: list[list[_Piece]] = [[]]
    for piece in pieces:
        for i, part in enumerate(piece.text.split("\n")):
            if i:
                groups.append([])
            if part:
                groups[-1].append(_Piece(part, piece.x, piece.y, piece.size))
    return [line for group in groups if (line := _assemble(group)) is not None]


def _read_pages(data: bytes) -> list[_Page]:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")
        except DependencyError as exc:
            raise ConversionError("encrypted", f"the PDF is encrypted and cannot be opened here: {exc}") from exc
        if not opened:
            raise ConversionError("encrypted", "the PDF is protected by a password; supply an unprotected copy")
    pages = []
    total = 0
    for number, page in enumerate(reader.pages, start=1):
        contents = page.get_contents()
        size = len(contents.get_data()) if contents is not None else 0
        if size > MAX_CONTENT_BYTES:
            raise ConversionError("too_large", f"page {number} holds over {MAX_CONTENT_BYTES} bytes of drawing commands")
        total += size
        if total > MAX_TOTAL_CONTENT_BYTES:
            raise ConversionError("too_large", f"pages 1 to {number} hold over {MAX_TOTAL_CONTENT_BYTES} bytes "
                                               "of drawing commands")
        box = page.mediabox
        pages.append(_Page(number, _lines_of(_pieces_of(page)), float(box.bottom), float(box.top)))
    return pages


# --- page furniture --------------------------------------------------------------------------


def _band(page: _Page, line: _Line) -> str | None:
    height = page.top - page.bottom
    if height <= 0:
        return None
    if line.y >= page.top - _MARGIN_BAND * height:
        return "top"
    if line.y <= page.bottom + _MARGIN_BAND * height:
        return "bottom"
    return None


def _symbol_key(token: str) -> str:
    return token.rstrip("*.")


def _is_furniture_text(text: str, own_symbols: set[str]) -> bool:
    """Page furniture: "Please recycle", or only job numbers, barcodes, page numbers, date stamps
    and the document's own symbol, with at least one of them that a body line would not hold."""
    if _RECYCLE.match(text):
        return True
    joined = " ".join(text.split())
    if _BARE_PAGE_NUMBER.match(joined) or re.fullmatch(r"\d{1,4}\s?/\s?\d{1,4}|\*\s?\d{6,}\s?\*", joined):
        return True  # "3", "2 / 5" and "* 1342009 *" printed with spaces
    tokens = joined.split()
    if not all(_FURNITURE_TOKEN.match(t) for t in tokens):
        return False
    return any(_STRONG_TOKEN.match(t) or (_SYMBOL_TOKEN.match(t) and _symbol_key(t) in own_symbols) for t in tokens)


def _own_symbols(pages: list[_Page], running: set[str]) -> set[str]:
    """The document's symbol(s): printed alone in the first page's masthead, repeated as a running
    header, or alone (without a full stop) on the first line of a later page. Another symbol
    alone in the top or bottom band of a page is a citation, not furniture."""
    symbols: set[str] = set()
    first = pages[0]
    for line in first.lines:
        tokens = line.text.split()
        if _band(first, line) == "top" and tokens and all(_FURNITURE_TOKEN.match(t) for t in tokens):
            symbols.update(_symbol_key(t) for t in tokens if _SYMBOL_TOKEN.match(t))
    for page in pages[1:]:
        for i, line in enumerate(page.lines):
            tokens = line.text.split()
            header = i == 0 and not line.text.endswith(".") and all(_FURNITURE_TOKEN.match(t) for t in tokens)
            if _band(page, line) and (header or _repeat_key(line.text) in running):
                symbols.update(_symbol_key(t) for t in tokens if _SYMBOL_TOKEN.match(t))
    return symbols


def _repeat_key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def _running_lines(pages: list[_Page]) -> set[str]:
    """Keys of short lines printed in the top or bottom band of most pages after the first."""
    later = pages[1:]
    counts: Counter[str] = Counter()
    for page in later:
        counts.update({_repeat_key(ln.text) for ln in page.lines if len(ln.text) <= 80 and _band(page, ln)})
    need = max(2, math.ceil(0.5 * len(later)))
    return {key for key, n in counts.items() if n >= need}


def _drop_furniture(pages: list[_Page]) -> None:
    running = _running_lines(pages)
    own_symbols = _own_symbols(pages, running)
    for page in pages:
        kept = []
        for line in page.lines:
            band = _band(page, line)
            first_masthead = page.number == 1 and band == "top"  # the symbol and masthead: keep
            if band and not first_masthead and (
                _is_furniture_text(line.text, own_symbols) or (page.number > 1 and _repeat_key(line.text) in running)
            ):
                continue
            if _RECYCLE.match(line.text):
                continue
            kept.append(line)
        page.body = kept


# --- footnotes --------------------------------------------------------------------------------


def _body_size(pages: list[_Page]) -> float:
    weights: Counter[float] = Counter()
    for page in pages:
        for line in page.body:
            weights[round(line.size * 2) / 2] += len(line.text)
    return weights.most_common(1)[0][0] if weights else 0.0


def _next_mark(mark: str) -> str | None:
    if mark.isdigit():
        return str(int(mark) + 1)
    if len(mark) == 1 and mark.isalpha():
        return chr(ord(mark) + 1)
    if set(mark) == {"*"}:
        return mark + "*"
    return None


def _split_notes(block: list[_Line]) -> list[list[_Line]]:
    """Cut a footnote block into notes: a note starts at the marker that follows the last one."""
    notes: list[list[_Line]] = []
    expected: str | None = None
    for line in block:
        m = _NOTE_START.match(line.text)
        if m and (not notes or expected is None or m.group("mark") == expected):
            notes.append([line])
            expected = _next_mark(m.group("mark"))
        else:
            notes[-1].append(line)
    return notes


def _separate_footnotes(pages: list[_Page], body_size: float) -> None:
    """Move each page's trailing small-print block that starts with a marker out of the body."""
    if body_size <= 0:
        return
    small = 0.92 * body_size
    for page in pages:
        start = len(page.body)
        while start > 0 and 0 < page.body[start - 1].size <= small:
            start -= 1
        # the block begins at its first marker line; small lines above it stay in the body
        while start < len(page.body) and not _NOTE_START.match(page.body[start].text):
            start += 1
        if start == len(page.body) or start == 0:
            continue
        block = page.body[start:]
        middle = page.bottom + 0.6 * (page.top - page.bottom)
        if block[0].y > middle or block[0].y > page.body[start - 1].y:
            continue  # not below the body: a small-print passage, not footnotes
        page.notes = _split_notes(block)
        page.body = page.body[:start]


# --- paragraphs -------------------------------------------------------------------------------


def _word_forms(pages: list[_Page]) -> set[str]:
    """Every word the document prints inside a line: evidence for undoing line-end hyphens."""
    words: set[str] = set()
    for page in pages:
        for line in page.lines:
            inner = line.text[:-1] if line.text.endswith("-") else line.text
            words.update(w.lower() for w in _WORD.findall(inner))
    return words


def _join_hyphenated(prev: str, nxt: str, words: set[str]) -> str | None:
    """`prev` + `nxt` when `prev` ends with a word broken by a hyphen; None otherwise."""
    m = _HYPHEN_END.search(prev)
    if not m or not nxt:
        return None
    if not nxt[0].islower():
        return prev + nxt  # "Secretary-" + "General": a real hyphen
    head = m.group("stem").lower()
    tail_match = _LETTERS.match(nxt)
    tail = tail_match.group(0) if tail_match else ""
    if head + tail in words:
        return prev[:-1] + nxt
    if f"{head}-{tail}" in words or head in _HYPHENATED_PREFIXES:
        return prev + nxt
    return prev[:-1] + nxt  # "coopera-" + "tion"


def _join(prev: str, nxt: str, words: set[str]) -> str:
    joined = _join_hyphenated(prev, nxt, words)
    if joined is not None:
        return joined
    if prev.endswith("\u00ad"):
        return prev[:-1] + nxt
    if prev.endswith(("-", "–", "—", "/")) and len(prev) > 1 and not prev[-2].isspace():
        return prev + nxt  # "106-" + "116", "2015–" + "2016", "S/" + "2013/1"
    return prev + " " + nxt


@dataclass(frozen=True, slots=True)
class _Layout:
    leading: float  # usual distance between the baselines of a paragraph's lines
    full_chars: int  # characters of a full line of body text
    words: set[str]


def _measure(pages: list[_Page], body_size: float, words: set[str]) -> _Layout:
    gaps, lengths = [], []
    for page in pages:
        for prev, line in zip(page.body, page.body[1:], strict=False):
            gap = prev.y - line.y
            if 0 < gap < 3 * max(line.size, 1.0) and abs(line.size - body_size) < 0.6:
                gaps.append(gap)
        lengths.extend(len(ln.text) for ln in page.body if abs(ln.size - body_size) < 0.6)
    return _Layout(_leading(gaps, body_size), _full_chars(lengths), words)


def _leading(gaps: list[float], body_size: float) -> float:
    """The distance between lines inside a paragraph: the smallest gap that recurs. Not the median,
    which is the paragraph spacing in documents of one-line paragraphs (title pages, mastheads);
    capped at 1.5 times the font size, past which lines are set apart on purpose."""
    counts = Counter(round(g * 2) / 2 for g in gaps if g >= 0.9 * body_size)
    need = max(2, math.ceil(0.05 * len(gaps)))
    frequent = [g for g, n in counts.items() if n >= need]
    leading = min(frequent) if frequent else 1.2 * body_size
    return min(leading, 1.5 * body_size) if body_size > 0 else leading


def _full_chars(lengths: list[int]) -> int:
    full = int(statistics.quantiles(lengths, n=10)[7]) if len(lengths) >= 2 else 60
    return max(full, 20)


def _starts_paragraph(prev: _Line, line: _Line, para_first: _Line, layout: _Layout) -> bool:
    """Does `line` start a new paragraph after `prev` on the same page? Yes after a larger gap,
    at a change of type size, after a line that stopped short, or at an indented first line
    (unless the paragraph hangs from a list number, whose next line is indented)."""
    gap = prev.y - line.y
    size = max(line.size, 1.0)
    if gap <= 0.3 * size or gap > max(1.4 * layout.leading, layout.leading + 0.4 * size):
        return True  # new column, out of order, or a blank line's worth of space
    if abs(line.size - prev.size) > 0.15 * size:
        return True  # a heading or small print next to body text
    if len(prev.text) < 0.6 * layout.full_chars:
        return True  # the previous line stopped short: it ended a paragraph or a heading
    hanging = bool(_LIST_LEAD.match(para_first.text)) or _NOTE_START.match(para_first.text) is not None
    return line.x > prev.x + 0.7 * size and not (hanging and prev is para_first)


def _continues(prev_para: list[_Line], line: _Line, page_left: float, layout: _Layout) -> bool:
    """Does `line` at the top of a page go on with the paragraph that ended the previous page?

    It does when it starts in lower case, or when the previous page ended on a full line (a
    paragraph's last line is seldom full) or on a long line without a full stop; never when it
    starts a numbered paragraph or is indented as a first line."""
    last = prev_para[-1]
    if not line.text or line.text[0].islower():
        return True
    if _LIST_LEAD.match(line.text) or line.x > page_left + 0.7 * max(line.size, 1.0):
        return False
    if abs(line.size - last.size) > 0.15 * max(line.size, 1.0):
        return False
    chars = len(last.text)
    return chars >= 0.85 * layout.full_chars or (chars >= 0.6 * layout.full_chars and not _TERMINAL.search(last.text))


def _left_margin(lines: list[_Line]) -> float:
    xs = Counter(round(line.x) for line in lines)
    return float(xs.most_common(1)[0][0]) if xs else 0.0


def _paragraphs(lines_by_page: list[list[_Line]], layout: _Layout) -> list[str]:
    """Lines into paragraphs, page after page; a paragraph may run on across a page break."""
    paragraphs: list[list[_Line]] = []
    for page_lines in lines_by_page:
        for i, line in enumerate(page_lines):
            if not paragraphs:
                paragraphs.append([line])
            elif i == 0:
                if _continues(paragraphs[-1], line, _left_margin(page_lines), layout):
                    paragraphs[-1].append(line)
                else:
                    paragraphs.append([line])
            elif _starts_paragraph(page_lines[i - 1], line, paragraphs[-1][0], layout):
                paragraphs.append([line])
            else:
                paragraphs[-1].append(line)
    out = []
    for para in paragraphs:
        text = para[0].text
        for line in para[1:]:
            text = _join(text, line.text, layout.words)
        out.append(text)
    return out


def _note_lines(pages: list[_Page], layout: _Layout) -> list[str]:
    """Each footnote on one line, in the order of the pages."""
    notes = []
    for page in pages:
        for note in page.notes:
            text = note[0].text
            for line in note[1:]:
                text = _join(text, line.text, layout.words)
            notes.append(text)
    return notes


# --- entry point ------------------------------------------------------------------------------


def _check_text_layer(pages: list[_Page]) -> None:
    if not pages:
        raise ConversionError("corrupt", "the PDF has no pages")
    alnum = sum(ch.isalnum() for page in pages for line in page.lines for ch in line.text)
    if alnum < _MIN_ALNUM_PER_PAGE * len(pages):
        raise ConversionError(
            "no_text_layer",
            f"{len(pages)} page(s) but only {alnum} letters or digits of text: a scan or images without "
            "a text layer (run OCR on it first)",
        )


def _convert(data: bytes) -> str:
    pages = _read_pages(data)
    _check_text_layer(pages)
    _drop_furniture(pages)
    body_size = _body_size(pages)
    _separate_footnotes(pages, body_size)
    layout = _measure(pages, body_size, _word_forms(pages))
    body = "\n\n".join(_paragraphs([page.body for page in pages], layout))
    notes = "\n".join(_note_lines(pages, layout))
    return f"{body}\n\n{notes}" if notes else body


def pdf_to_text(data: bytes) -> str:
    """The text of a PDF: body paragraphs separated by blank lines, then the footnotes.

    The footnotes form one block after a blank line, one note per line with its number: the
    citation extractor reads such a block as footnotes (for "Ibid." and for pinpoints printed
    next to a body marker, which it pairs with the k-th line of the block)."""
    if b"%PDF-" not in data[:1024]:
        raise ConversionError("corrupt", "not a PDF: the file does not start with a %PDF- header")
    if b"%%EOF" not in data[-2048:]:
        raise ConversionError("corrupt", "the PDF is truncated: it does not end with %%EOF")
    return guarded("the PDF cannot be read", lambda: _convert(data))
