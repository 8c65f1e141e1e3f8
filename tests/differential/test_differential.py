"""Differential tests: a document read from PDF, Word or HTML gives the same facts as its text.

Each document's paragraphs are rendered as the UN publishes them (a multi-page PDF with running
headers, footers, job numbers and barcodes; a Word file with page headers and footers; a web page
with navigation, banner, sidebar and scripts), converted back with `convert_to_text` and
`normalize_text`, and run through every extractor. The plain side is the same paragraphs
separated by blank lines, which is how every converter lays out its text (a single line break
and a blank line are not the same to the extractors: "UNITED\\nNATIONS" is one name, the other
is two lines). Facts are compared, not offsets.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from flows.core.extract import DocumentResult, extract_document
from flows.core.formats import convert_to_text
from flows.core.ingest import SourceDocument
from flows.core.metadata import extract_metadata
from flows.core.textnorm import normalize_text
from tests.differential.render import find_unicode_font, render_docx, render_html, render_pdf, to_latin1

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
DOCUMENTS = [
    *sorted(p.relative_to(CORPUS).as_posix() for p in (CORPUS / "seeds").glob("*.txt")),
    "undocs/S_RES_2292_2016.txt",  # a resolution: preambular and operative paragraphs
    "undocs/S_2013_163.txt",  # a letter with an annex and a communiqué
    "undocs/S_PRST_2017_2.txt",  # a presidential statement
]
FONT = find_unicode_font()


def source(name: str, text: str) -> SourceDocument:
    return SourceDocument(name, "0" * 64, len(text.encode()), "utf-8", text, text)


def facts(result: DocumentResult) -> dict[str, Any]:
    meta = result.meta
    return {
        "meta": (meta.symbol, meta.doc_type, meta.body, meta.date, meta.adopted_on, meta.language),
        "citations": Counter((c.cited_kind, c.cited_symbol, c.pinpoint, c.via_ibid, c.stated_date)
                             for c in result.citations),
        "meetings": Counter((m.body, m.meeting_number, m.start_date, m.end_date, m.city, m.country_iso3, m.format,
                             m.level, m.status, m.session) for m in result.meetings),
        "entities": Counter((e.entity_type, e.entity_key, e.name) for e in result.entities),
        "areas": Counter((a.area_id, a.n_mentions) for a in result.areas),
    }


class Rendered:
    """One document: its plain paragraphs, and its facts as plain text."""

    def __init__(self, name: str, font: Path | None) -> None:
        raw = (CORPUS / name).read_text(encoding="utf-8")
        if font is None:  # fpdf2's core fonts print latin-1 only: the same text on both sides
            raw = to_latin1(raw)
        self.name = name
        self.font = font
        self.paragraphs = [line for line in normalize_text(raw).split("\n") if line.strip()]
        self.plain = normalize_text("\n\n".join(self.paragraphs))
        self.symbol = extract_metadata(self.plain).symbol or "S/2013/999"
        self.facts = facts(extract_document(source(name, self.plain)))

    def render(self, fmt: str) -> bytes:
        renderers: dict[str, Callable[[], bytes]] = {
            "pdf": lambda: render_pdf(self.paragraphs, self.symbol, job_number="16-09889", font=self.font),
            "docx": lambda: render_docx(self.paragraphs, self.symbol, job_number="16-09889"),
            "html": lambda: render_html(self.paragraphs, self.symbol),
        }
        return renderers[fmt]()


_CACHE: dict[tuple[str, Path | None], Rendered] = {}


def rendered(name: str, font: Path | None = FONT) -> Rendered:
    key = (name, font)
    if key not in _CACHE:
        _CACHE[key] = Rendered(name, font)
    return _CACHE[key]


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
@pytest.mark.parametrize("name", DOCUMENTS)
def test_converted_document_gives_the_same_facts(name, fmt):
    doc = rendered(name)
    converted = normalize_text(convert_to_text(doc.render(fmt), fmt))
    assert facts(extract_document(source(name, converted))) == doc.facts


def test_latin1_rendering_gives_the_same_facts():
    """Without a Unicode font the text is transliterated on both sides; the facts still agree."""
    doc = rendered("undocs/S_2013_163.txt", font=None)
    converted = normalize_text(convert_to_text(doc.render("pdf"), "pdf"))
    assert facts(extract_document(source(doc.name, converted))) == doc.facts


def test_rendered_pdfs_carry_the_furniture_the_converter_removes():
    """The comparison means something only if the PDFs have page furniture to remove."""
    doc = rendered("undocs/S_RES_2292_2016.txt")
    data = doc.render("pdf")
    pages = pdf_page_texts(data)
    assert len(pages) >= 2
    raw = "\n".join(pages)
    for furniture in ("16-09889", "*1609889*", "Please recycle", f"2/{len(pages)}"):
        assert furniture in raw
    converted = convert_to_text(data, "pdf")
    for furniture in ("16-09889", "*1609889*", "Please recycle", f"2/{len(pages)}"):
        assert furniture not in converted
    assert converted.count("S/RES/2292 (2016)") == doc.plain.count("S/RES/2292 (2016)")


def test_rendered_web_pages_carry_the_noise_the_converter_removes():
    data = rendered("undocs/S_2013_163.txt").render("html")
    converted = convert_to_text(data, "html")
    for noise in (b"Skip to main content", b"Privacy notice", b"Meetings Coverage", b"dataLayer"):
        assert noise in data
        assert noise.decode() not in converted


def pdf_page_texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
