"""Render test documents as the UN publishes them: PDF, Word and HTML.

The PDFs imitate the Official Document System's layout: on the first page the masthead and, at
the bottom, the job number with its date stamp, the barcode and "Please recycle"; on the
following pages the document symbol as a running header and the page number with the job
number as a running footer; footnotes in small print at the bottom of the page where their
raised marker appears. The Word files carry the symbol in the page header and the job number
in the page footer (parts that are not body text); the HTML pages wrap the content in the
navigation, banner, sidebar, scripts and footer of a web page.

A paragraph is a string (wrapped by the renderer) or a tuple of explicit lines (printed one per
line, to place a hyphen at a line end). In a string, "{n}" marks the reference to footnote n.
"""

from __future__ import annotations

import html
import io
import re
import textwrap
import unicodedata
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from docx import Document
from fpdf import FPDF

Paragraph = str | tuple[str, ...]

_FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path("/Library/Fonts"))
_MARK = re.compile(r"\{(\d{1,3})\}")
_LATIN1 = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "...", "•": "-",
                         "\u2011": "-", "\u2212": "-", "\u00a0": " ", "\u202f": " "})


def find_unicode_font() -> Path | None:
    """A DejaVu Sans TTF of the system, if any: fpdf2's core fonts know only latin-1."""
    for root in _FONT_DIRS:
        if root.is_dir():
            for path in sorted(root.rglob("DejaVuSans.ttf")):
                return path
    return None


def to_latin1(text: str) -> str:
    """Text that a core PDF font can print: typographic quotes and dashes made plain, the rest
    of what latin-1 lacks transliterated or dropped. Apply it to both sides of a comparison."""
    text = text.translate(_LATIN1)
    out = []
    for ch in text:
        if ord(ch) < 256:
            out.append(ch)
        else:
            out.append(unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1"))
    return "".join(out)


class _UNPage(FPDF):
    """A4 pages with the running header and footer of an ODS document."""

    def __init__(self, symbol: str, job_number: str, font: Path | None, notes: Mapping[int, str]) -> None:
        super().__init__(format="A4", unit="mm")
        self.symbol = symbol
        self.job_number = job_number
        self.notes = notes
        self.notes_by_page: dict[int, list[int]] = {}
        if font is not None:
            self.add_font("Body", "", str(font))
            self.family = "Body"
        else:
            self.family = "helvetica"
        self.set_margins(25, 25, 25)
        self.set_auto_page_break(True, margin=52)
        self.alias_nb_pages()

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font(self.family, size=9)
        self.set_y(12)
        self.cell(0, 5, self.symbol, align="R" if self.page_no() % 2 else "L")
        self.set_y(25)

    def footer(self) -> None:
        self._footnotes()
        self.set_font(self.family, size=8)
        self.set_y(-22)
        if self.page_no() == 1:
            self.cell(0, 4, f"{self.job_number} (E)    200113", new_x="LMARGIN", new_y="NEXT")
            self.cell(0, 4, f"*{self.job_number.replace('-', '')}*", new_x="LMARGIN", new_y="NEXT")
            self.cell(0, 4, "Please recycle", align="R", new_x="LMARGIN", new_y="NEXT")
            return
        left = self.page_no() % 2 == 0
        self.cell(0, 4, f"{self.page_no()}/{{nb}}" if left else self.job_number, new_x="LMARGIN", new_y="TOP")
        self.cell(0, 4, self.job_number if left else f"{self.page_no()}/{{nb}}", align="R")

    def _footnotes(self) -> None:
        numbers = self.notes_by_page.get(self.page_no(), [])
        if not numbers:
            return
        self.set_y(-50)
        self.line(25, self.get_y(), 70, self.get_y())
        self.set_y(-48)
        self.set_font(self.family, size=8)
        for n in numbers:
            self.multi_cell(0, 3.6, f"{n}  {self.notes[n]}", new_x="LMARGIN", new_y="NEXT")

    def paragraph(self, para: Paragraph) -> None:
        self.set_font(self.family, size=11)
        if isinstance(para, tuple):
            for line in para:
                self.cell(0, 5.6, line, new_x="LMARGIN", new_y="NEXT")
        else:
            pos = 0
            for m in _MARK.finditer(para):
                self.write(5.6, para[pos:m.start()])
                self.notes_by_page.setdefault(self.page_no(), []).append(int(m.group(1)))
                self.char_vpos = "SUP"
                self.write(5.6, m.group(1))
                self.char_vpos = "LINE"
                pos = m.end()
            self.write(5.6, para[pos:])
            self.ln(5.6)
        self.ln(3)


def render_pdf(paragraphs: Sequence[Paragraph], symbol: str, job_number: str = "13-42009",
               footnotes: Mapping[int, str] | None = None, font: Path | None = None) -> bytes:
    """A multi-page PDF of `paragraphs` with UN running headers, footers and footnotes."""
    pdf = _UNPage(symbol, job_number, font, footnotes or {})
    pdf.add_page()
    for para in paragraphs:
        pdf.paragraph(para)
    return bytes(pdf.output())


def _plain(para: Paragraph) -> str:
    return " ".join(para) if isinstance(para, tuple) else _MARK.sub("", para)


def render_docx(paragraphs: Sequence[Paragraph], symbol: str, job_number: str = "13-42009",
                table: Sequence[Sequence[str]] = (), footnotes: Mapping[int, str] | None = None) -> bytes:
    """A Word file: the symbol in the page header, the job number in the footer, then the body
    (and the table after it); "{n}" in a paragraph becomes a reference to Word footnote n."""
    document = Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = symbol
    section.footer.paragraphs[0].text = f"{job_number} (E)    *{job_number.replace('-', '')}*"
    for para in paragraphs:
        document.add_paragraph(" ".join(para) if isinstance(para, tuple) else para if footnotes else _plain(para))
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, values in zip(grid.rows, table, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return _add_footnotes(buffer.getvalue(), footnotes) if footnotes else buffer.getvalue()


_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_FOOTNOTES_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    f'<w:footnotes xmlns:w="{_W_NS}">'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p>'
    "</w:footnote>{notes}</w:footnotes>"
)


def _add_footnotes(data: bytes, notes: Mapping[int, str]) -> bytes:
    """Give a .docx real Word footnotes: a footnotes part, its relationship, and a reference to
    note n wherever the body says "{n}" (python-docx can read such files but not write them)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "word/document.xml":
                content = re.sub(
                    rb"\{(\d{1,3})\}",
                    rb'</w:t></w:r><w:r><w:footnoteReference w:id="\1"/></w:r><w:r><w:t xml:space="preserve">',
                    content,
                )
            elif info.filename == "word/_rels/document.xml.rels":
                content = content.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdFootnotes" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    b'relationships/footnotes" Target="footnotes.xml"/></Relationships>',
                )
            elif info.filename == "[Content_Types].xml":
                content = content.replace(
                    b"</Types>",
                    b'<Override PartName="/word/footnotes.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>',
                )
            target.writestr(info, content)
        body = "".join(f'<w:footnote w:id="{n}"><w:p><w:r><w:t>{html.escape(text)}</w:t></w:r></w:p></w:footnote>'
                       for n, text in notes.items())
        target.writestr("word/footnotes.xml", _FOOTNOTES_XML.format(notes=body))
    return out.getvalue()


_SYMBOL_IN_TEXT = re.compile(r"\b(?:S|A)/(?:RES/|PRST/)?\d{1,4}/\d{1,4}\b|resolution \d{1,4} \(\d{4}\)")


def _html_paragraph(para: Paragraph) -> str:
    escaped = html.escape(_plain(para), quote=False)
    linked = _SYMBOL_IN_TEXT.sub(lambda m: f'<a href="https://undocs.org/{m.group(0)}"><em>{m.group(0)}</em></a>',
                                 escaped)
    return "<p>" + "\n        ".join(textwrap.wrap(linked, 90, break_long_words=False, break_on_hyphens=False)) + "</p>"


def render_html(paragraphs: Sequence[Paragraph], title: str) -> bytes:
    """A press.un.org-style page: the document inside <main>, web-page noise all around it."""
    body = "\n      ".join(_html_paragraph(p) for p in paragraphs)
    page = f"""<!DOCTYPE html>
<html lang="en" dir="ltr">
<head>
  <meta charset="utf-8">
  <title>{html.escape(title)} | Meetings Coverage and Press Releases</title>
  <style>p {{ margin: 0 0 1em; }} .menu a::after {{ content: " | "; }}</style>
  <script>window.dataLayer = [{{"page": "<p>not content</p>"}}];</script>
</head>
<body class="path-node">
  <a href="#main-content" class="visually-hidden">Skip to main content</a>
  <header role="banner"><div class="logo">United Nations</div>
    <nav class="menu"><ul><li><a href="/en">Welcome</a></li><li><a href="/en/content/security-council">
      Security Council</a></li><li><a href="/en/content/general-assembly">General Assembly</a></li></ul></nav>
    <form class="search"><input type="text" name="q" placeholder="Search"><button>Search</button></form>
  </header>
  <div class="breadcrumb" role="navigation"><a href="/en">Home</a> &rsaquo; Press releases</div>
  <main id="main-content">
    <article>
      {body}
    </article>
  </main>
  <aside class="sidebar"><h2>Related</h2><ul><li>Security Council 9964th meeting</li>
    <li>General Assembly, seventy-ninth session</li></ul></aside>
  <footer><p>For information media. Not an official record.</p>
    <ul><li><a href="/en/copyright">Copyright</a></li><li>Privacy notice</li></ul></footer>
  <noscript><p>Enable JavaScript</p></noscript>
</body>
</html>
"""
    return page.encode("utf-8")
