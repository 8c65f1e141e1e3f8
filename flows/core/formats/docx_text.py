"""Word (.docx) to text with python-docx: the body's paragraphs and tables in order, then footnotes.

Headers and footers live in parts of their own and are never read. The body is walked as XML
(python-docx's elements) rather than through `Paragraph.text`, because that property skips
text inside simple fields and content controls, where Word documents often put symbols and
dates. The walk is iterative: a table nested in a table nested in ... cannot exhaust the stack.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

from flows.core.formats.errors import MAX_UNPACKED_BYTES, MAX_UNPACKED_XML_BYTES, ConversionError, guarded

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_P = f"{_W}p"
_CONTAINERS = frozenset(f"{_W}{t}" for t in ("tbl", "tr", "tc", "sdt", "sdtContent", "customXml"))
_RUN_TEXT = {f"{_W}t": None, f"{_W}tab": "\t", f"{_W}br": "\n", f"{_W}cr": "\n", f"{_W}noBreakHyphen": "-"}
_NOTE_REF = f"{_W}footnoteReference"
_NOT_INLINE = {f"{_W}txbxContent", f"{_W}del", f"{_W}moveFrom"}
_FOOTNOTES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise ConversionError("corrupt", f"not a readable Word file: the zip archive is broken ({exc})") from exc
    names = {info.filename for info in infos}
    if "word/document.xml" not in names:
        raise ConversionError("corrupt", "a zip archive but not a Word document (no word/document.xml)")
    unpacked = sum(info.file_size for info in infos)
    if unpacked > MAX_UNPACKED_BYTES:
        raise ConversionError("too_large", f"the Word file unpacks to {unpacked} bytes (limit {MAX_UNPACKED_BYTES})")
    xml = sum(info.file_size for info in infos if info.filename.lower().endswith((".xml", ".rels")))
    if xml > MAX_UNPACKED_XML_BYTES:
        raise ConversionError("too_large", f"the Word file's XML unpacks to {xml} bytes (limit {MAX_UNPACKED_XML_BYTES})")


def _inside_skipped(node: Any, paragraph: Any) -> bool:
    parent = node.getparent()
    while parent is not None and parent is not paragraph:
        if parent.tag in _NOT_INLINE:
            return True
        parent = parent.getparent()
    return False


def paragraph_text(paragraph: Any, note_numbers: dict[str, int] | None = None) -> str:
    """The text of a w:p element: runs, hyperlinks, fields and content controls, in order.

    A footnote reference becomes its number set off by spaces, as `pdftotext` prints a raised
    marker ("the report, 2 and in particular"), so the citation extractor can pair it with the
    note; `note_numbers` maps footnote ids to the numbers Word prints."""
    parts = []
    for node in paragraph.iter(_NOTE_REF, *_RUN_TEXT):
        if _inside_skipped(node, paragraph):
            continue
        if node.tag == _NOTE_REF:
            number = (note_numbers or {}).get(node.get(f"{_W}id") or "")
            parts.append(f" {number} " if number else "")
            continue
        fixed = _RUN_TEXT[node.tag]
        parts.append(node.text or "" if fixed is None else fixed)
    text = re.sub(r"[ \t]{2,}", " ", "".join(parts))
    return re.sub(r"(?<=\d) (?=[.,;:!?)\]])", "", text).strip()


def _blocks(container: Any) -> Iterator[Any]:
    """w:p elements of a body or cell in reading order, tables and content controls opened."""
    stack: list[Iterator[Any]] = [iter(container)]
    while stack:
        element = next(stack[-1], None)
        if element is None:
            stack.pop()
            continue
        if element.tag == _P:
            yield element
        elif element.tag in _CONTAINERS:
            stack.append(iter(element))


def _footnote_ids(body: Any) -> list[str]:
    """Ids of the footnotes in the order the body first refers to them (Word numbers them so)."""
    seen: dict[str, None] = {}
    for ref in body.iter(_NOTE_REF):
        seen.setdefault(ref.get(f"{_W}id") or "", None)
    return [i for i in seen if i]


def _footnote_texts(document: Any) -> dict[str, str]:
    from docx.oxml import parse_xml

    part = next((rel.target_part for rel in document.part.rels.values()
                 if rel.reltype == _FOOTNOTES_REL and not rel.is_external), None)
    if part is None:
        return {}
    texts = {}
    for note in parse_xml(part.blob).iter(f"{_W}footnote"):
        if note.get(f"{_W}type") in (None, "normal"):
            texts[note.get(f"{_W}id") or ""] = " ".join(t for p in note.iter(_P) if (t := paragraph_text(p)))
    return texts


def _convert(data: bytes) -> str:
    """Body paragraphs separated by blank lines, then the footnotes: one block after a blank line,
    one note per line with its number (the shape `pdf_text` gives, for the same reasons)."""
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except ValueError as exc:  # a template, a macro file: another kind of Office package
        raise ConversionError("unsupported_format", f"not a Word document: {exc}") from exc
    body = document.element.body
    texts = _footnote_texts(document)
    ordered = [i for i in _footnote_ids(body) if texts.get(i)]
    numbers = {note_id: n for n, note_id in enumerate(ordered, start=1)}
    paragraphs = "\n\n".join(text for p in _blocks(body) if (text := paragraph_text(p, numbers)))
    notes = "\n".join(f"{numbers[i]} {texts[i]}" for i in ordered)
    return f"{paragraphs}\n\n{notes}" if notes else paragraphs


def docx_to_text(data: bytes) -> str:
    """The text of a .docx: paragraphs (table cells one by one) and then footnotes."""
    _check_zip(data)
    return guarded("the Word file cannot be read", lambda: _convert(data))
