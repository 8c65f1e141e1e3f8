"""Hostile and broken inputs: each gives a ConversionError with a clear reason, or correct text,
and never another exception."""

from __future__ import annotations

import io
import zipfile

import pytest
from fpdf import FPDF
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from flows.core.formats import ConversionError, convert_to_text, errors, sniff_format
from tests.differential.render import find_unicode_font, render_docx, render_pdf

W_NS = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


@pytest.fixture(scope="module")
def letter_pdf() -> bytes:
    paragraphs = ["S/2013/163", "Security Council"] + ["The Council recalls its resolution 1325 (2000). " * 12] * 6
    return render_pdf(paragraphs, "S/2013/163", font=find_unicode_font())


@pytest.fixture(scope="module")
def letter_docx() -> bytes:
    return render_docx(["Security Council", "The Council recalls its resolution 1325 (2000)."], "S/2013/163")


def reason_of(data: bytes, fmt: str) -> str:
    with pytest.raises(ConversionError) as info:
        convert_to_text(data, fmt)
    assert info.value.detail  # a sentence for the person who supplied the file
    return info.value.reason


def encrypted(pdf: bytes, user_password: str, algorithm: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password, owner_password="owner", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_content(content: bytes) -> bytes:
    """A one-page PDF with a Helvetica font and the given drawing commands."""
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    fonts = DictionaryObject({NameObject("/F1"): writer._add_object(font)})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
    stream = DecodedStreamObject()
    stream.set_data(content)
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_with_document_xml(docx: bytes, document_xml: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, document_xml if info.filename == "word/document.xml" else source.read(info.filename))
    return out.getvalue()


# --- every format -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html", "text"])
def test_zero_bytes_is_empty(fmt):
    assert reason_of(b"", fmt) == "empty"


def test_unknown_format_is_unsupported():
    assert reason_of(b"\xd0\xcf\x11\xe0 an old .doc", "unknown") == "unsupported_format"


# --- PDF ----------------------------------------------------------------------------------------


def test_binary_garbage_named_pdf_is_corrupt():
    garbage = bytes(range(256)) * 40
    assert sniff_format(garbage, "S_2013_163.pdf") == "pdf"
    assert reason_of(garbage, "pdf") == "corrupt"


@pytest.mark.parametrize("tail", [b"", b"\n%%EOF\n"])
def test_truncated_pdf_is_corrupt(letter_pdf, tail):
    assert reason_of(letter_pdf[: len(letter_pdf) // 2] + tail, "pdf") == "corrupt"


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-256"])
def test_pdf_with_a_password_is_encrypted(letter_pdf, algorithm):
    assert reason_of(encrypted(letter_pdf, "secret", algorithm), "pdf") == "encrypted"


def test_pdf_with_only_an_owner_password_opens(letter_pdf):
    text = convert_to_text(encrypted(letter_pdf, "", "AES-128"), "pdf")
    assert text.startswith("S/2013/163\n\nSecurity Council\n\nThe Council recalls its resolution 1325 (2000).")


def test_image_only_pdf_has_no_text_layer():
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")
    pdf.image(Image.new("RGB", (120, 60), (30, 60, 200)), x=20, y=100, w=120)
    assert reason_of(bytes(pdf.output()), "pdf") == "no_text_layer"


def test_pdf_without_pages_is_corrupt():
    out = io.BytesIO()
    PdfWriter().write(out)
    assert reason_of(out.getvalue(), "pdf") == "corrupt"


def test_deeply_nested_pdf_objects_are_corrupt():
    content = b"BT /F1 12 Tf 72 700 Td " + b"[" * 100_000 + b"(x)" + b"]" * 100_000 + b" TJ ET"
    assert reason_of(pdf_with_content(content), "pdf") == "corrupt"


def test_pdf_drawing_commands_of_garbage_give_no_text():
    assert reason_of(pdf_with_content(bytes(range(256)) * 64), "pdf") in ("corrupt", "no_text_layer")


def test_pdf_page_over_the_content_limit_is_too_large(monkeypatch):
    from flows.core.formats import pdf_text

    monkeypatch.setattr(pdf_text, "MAX_CONTENT_BYTES", 100)
    assert reason_of(pdf_with_content(b"BT /F1 12 Tf 72 700 Td (Hello) Tj ET " * 10), "pdf") == "too_large"


# --- Word ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda docx: docx[: len(docx) // 2], id="cut in half"),
        pytest.param(lambda docx: b"PK\x03\x04" + bytes(range(256)) * 8, id="zip signature then garbage"),
        pytest.param(lambda docx: docx_with_document_xml(docx, b"<w:document><w:body><w:p>"), id="broken xml"),
        pytest.param(lambda docx: docx_with_document_xml(
            docx, b"<w:document " + W_NS + b"><w:body>" + b"<w:sdt><w:sdtContent>" * 100_000
            + b"<w:p><w:r><w:t>deep</w:t></w:r></w:p>" + b"</w:sdtContent></w:sdt>" * 100_000 + b"</w:body></w:document>"),
            id="100k nested content controls"),
    ],
)
def test_broken_docx_is_corrupt(letter_docx, make):
    assert reason_of(make(letter_docx), "docx") == "corrupt"


def test_zip_that_is_not_a_word_file_is_corrupt():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("content.xml", "<office:document/>")
    assert reason_of(out.getvalue(), "docx") == "corrupt"


def test_docx_entity_bomb_is_refused_and_external_entities_are_not_read(letter_docx):
    lol = b"".join(b'<!ENTITY l%d "%s">' % (i, (b"&l%d;" % (i - 1)) * 10) for i in range(1, 10))
    bomb = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY l0 "lol">' + lol + b"]><w:document " + W_NS
            + b"><w:body><w:p><w:r><w:t>&l9;</w:t></w:r></w:p></w:body></w:document>")
    assert reason_of(docx_with_document_xml(letter_docx, bomb), "docx") == "corrupt"
    external = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/hostname">]><w:document '
                + W_NS + b"><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>")
    assert convert_to_text(docx_with_document_xml(letter_docx, external), "docx") == ""


def test_docx_that_unpacks_to_too_much_is_too_large(letter_docx, monkeypatch):
    from flows.core.formats import docx_text

    monkeypatch.setattr(docx_text, "MAX_UNPACKED_BYTES", 1000)
    assert errors.MAX_UNPACKED_BYTES > 1000  # the real limit is untouched
    assert reason_of(letter_docx, "docx") == "too_large"


# --- HTML ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (b"<p>Unclosed <b>bold <i>italic</p> after</div></div></span>", "Unclosed bold italic\n\nafter"),
        (b"<<<>>> <p <b>x</b>>&#xD800;&#99999999;&bogus; text", "<<<>>>\n\nx>\ufffd\ufffd&bogus; text"),
        (b"<html><body><p>Before<!-- a comment that never ends", "Before"),
        (b"<main><script>document.write('<p>no</p>')", ""),
        (b"<nav><p>menu</p><p>Content after an unclosed nav is lost to it, as in browsers", ""),
    ],
)
def test_malformed_html_gives_text(page, expected):
    assert convert_to_text(page, "html") == expected


@pytest.mark.parametrize("closed", [True, False])
def test_100k_nested_html_elements(closed):
    depth = 100_000
    page = b"<div>" * depth + b"<p>deep text</p>" + (b"</div>" * depth if closed else b"")
    assert convert_to_text(page, "html") == "deep text"  # no RecursionError, nothing lost


def test_binary_garbage_named_html_is_binary():
    assert reason_of(b"\x00\x01\x02\x03" * 500, "html") == "binary"


# --- arbitrary bytes ----------------------------------------------------------------------------

PREFIXES = {"pdf": b"%PDF-1.7\n", "docx": b"PK\x03\x04", "html": b"<!DOCTYPE html><html>", "text": b""}


@pytest.mark.parametrize("fmt", sorted(PREFIXES))
@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=2048), prefixed=st.booleans())
def test_arbitrary_bytes_raise_only_conversion_errors(fmt, data, prefixed):
    payload = PREFIXES[fmt] + data if prefixed else data
    try:
        text = convert_to_text(payload, fmt)
    except ConversionError as exc:
        assert exc.reason and exc.detail
    else:
        assert isinstance(text, str)


DAMAGE_PDF = render_pdf(["Security Council", "The Council recalls resolution 1325 (2000). " * 20], "S/1")
DAMAGE_DOCX = render_docx(["Security Council", "The Council recalls resolution 1325 (2000)."], "S/1")


@settings(max_examples=25, deadline=None)
@given(cut=st.integers(min_value=0, max_value=10_000), flip=st.integers(min_value=0, max_value=255))
def test_damaged_real_files_raise_only_conversion_errors(cut, flip):
    for fmt, data in (("pdf", DAMAGE_PDF), ("docx", DAMAGE_DOCX)):
        at = cut % len(data)
        damaged = data[:at] + bytes([flip]) + data[at + 1:]
        try:
            convert_to_text(damaged, fmt)
        except ConversionError:
            pass


def test_docx_whose_xml_inflates_past_the_xml_limit_is_too_large(letter_docx):
    """Issue 20, finding 1: a small .docx whose document.xml inflates to 80 MiB (under the
    256 MiB guard on the whole archive) is refused before any XML is parsed."""
    paragraph = b"<w:p><w:r><w:t>The Council recalls its resolution 1325 (2000).</w:t></w:r></w:p>"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(letter_docx)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                target.writestr(info, source.read(info.filename))
        with target.open("word/document.xml", "w", force_zip64=True) as xml:
            xml.write(b"<w:document " + W_NS + b"><w:body>")
            block = paragraph * 10_000
            for _ in range(80 * 1024 * 1024 // len(block)):
                xml.write(block)
            xml.write(b"</w:body></w:document>")
    data = out.getvalue()
    assert len(data) < 2 * 1024 * 1024 < errors.MAX_UNPACKED_BYTES
    assert reason_of(data, "docx") == "too_large"


def test_pdf_pages_over_the_total_content_limit_are_too_large(monkeypatch):
    from flows.core.formats import pdf_text

    monkeypatch.setattr(pdf_text, "MAX_TOTAL_CONTENT_BYTES", 100)
    assert pdf_text.MAX_CONTENT_BYTES > 1000  # each page alone is within the page limit
    assert reason_of(pdf_with_content(b"BT /F1 12 Tf 72 700 Td (Hello) Tj ET " * 10), "pdf") == "too_large"
