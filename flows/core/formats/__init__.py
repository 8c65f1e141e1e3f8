"""Turn a PDF, Word or HTML document into plain text for `normalize_text`.

Users point the pipeline at folders of UN documents as they come: PDFs from the Official
Document System, Word files, press releases saved from the web. This package finds what a file
is (`sniff_format`, by its bytes before its name) and converts it to plain text with paragraphs
separated by blank lines (`convert_to_text`). Page furniture (running headers and footers, job
numbers, barcodes), navigation and markup are left out; the text then goes through
`flows.core.textnorm.normalize_text` like any text input.

A file that cannot be converted raises `ConversionError` whose `reason` is a value of the
`quarantine_reason` vocabulary and whose `detail` says what is wrong in words a user can act on.
No other exception leaves `convert_to_text`: the parsers are third-party code fed hostile bytes,
so every failure is caught at this boundary and reported.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from flows.core.formats.akn import looks_akn, looks_xml
from flows.core.formats.errors import ConversionError

SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".pdf", ".docx", ".html", ".htm", ".xml")
CONVERTED_FORMATS: tuple[str, ...] = ("pdf", "docx", "html")

_SUFFIX_FORMATS = {".xml": "xml", ".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html", ".xhtml": "html",
                   ".txt": "text", ".md": "text"}
_CONTENT_TYPES = {
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/akn+xml": "akn",
    "text/plain": "text",
    "text/markdown": "text",
    "text/x-markdown": "text",
}
_HTML_STARTS = ("<!doctype html", "<html", "<head", "<body")

__all__ = [
    "CONVERTED_FORMATS",
    "SUPPORTED_SUFFIXES",
    "ConversionError",
    "Converted",
    "convert",
    "convert_to_text",
    "sniff_format",
]


@dataclass(frozen=True, slots=True)
class Converted:
    """A converted document: its text and how its bytes were read (for `document_sources.encoding`)."""

    text: str
    encoding: str  # "pdf", "docx", "html:<charset>" or the text encoding


def _is_docx_zip(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return False


def _html_head(data: bytes) -> str:
    """The first bytes as lower-case text, BOM and leading whitespace and comments removed."""
    head = data[:2048]
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom):].decode(codec, "ignore").lstrip().lower()
    return head.decode("latin-1").lstrip().lower()


def _looks_html(data: bytes) -> bool:
    head = _html_head(data)
    while head.startswith("<!--") and "-->" in head:  # comments before the doctype
        head = head[head.index("-->") + 3:].lstrip()
    if head.startswith(_HTML_STARTS):
        return True
    return head.startswith("<?xml") and "<html" in head


def sniff_format(data: bytes, name: str = "", content_type: str | None = None) -> str:
    """What a file is: "pdf", "docx", "akn" (Akoma Ntoso XML), "xml" (any other XML), "html",
    "text" or "unknown".

    The bytes decide first (a PDF saved as .txt is still a PDF), then the content type a server
    sent, then the file name's suffix. A zip that is not a Word document and an old binary .doc
    are "unknown" unless the name says .docx (then conversion reports them as corrupt)."""
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"PK\x03\x04") and _is_docx_zip(data):
        return "docx"
    if looks_akn(data):
        return "akn"
    if _looks_html(data):
        return "html"
    root = looks_xml(data)
    if root is not None and root.rsplit(":", 1)[-1].lower() != "html":
        return "xml"
    if content_type:
        fmt = _CONTENT_TYPES.get(content_type.split(";")[0].strip().lower())
        if fmt:
            return fmt
    lowered = name.lower()
    for suffix, fmt in _SUFFIX_FORMATS.items():
        if lowered.endswith(suffix):
            return fmt
    return "unknown"


def _decode_text(data: bytes) -> Converted:
    from flows.core.ingest import decode  # lazy: ingest imports this package

    try:
        text, encoding = decode(data)
    except ValueError as exc:
        reason = "binary" if str(exc).startswith("binary") else "undecodable"
        raise ConversionError(reason, str(exc)) from exc
    return Converted(text, encoding)


def convert(data: bytes, fmt: str) -> Converted:
    """Convert `data` of format `fmt` (from `sniff_format`); raises ConversionError only."""
    if not data:
        raise ConversionError("empty", "the file is empty (0 bytes)")
    if fmt == "pdf":
        from flows.core.formats.pdf_text import pdf_to_text

        return Converted(pdf_to_text(data), "pdf")
    if fmt == "docx":
        from flows.core.formats.docx_text import docx_to_text

        return Converted(docx_to_text(data), "docx")
    if fmt == "html":
        from flows.core.formats.html_text import html_to_text

        text, charset = html_to_text(data)
        return Converted(text, f"html:{charset}")
    if fmt == "text":
        return _decode_text(data)
    if fmt == "xml":
        root = looks_xml(data)
        raise ConversionError("unsupported_format", f"XML whose root element is <{root}>, not an Akoma Ntoso "
                                                    "document (<akomaNtoso>)" if root else
                                                    "an .xml file that does not start like XML")
    raise ConversionError("unsupported_format",
                          f"format '{fmt}' is not read; supported: {', '.join(SUPPORTED_SUFFIXES)}")


def convert_to_text(data: bytes, fmt: str) -> str:
    """The document text of `data` (paragraphs separated by blank lines), to be normalized."""
    return convert(data, fmt).text
