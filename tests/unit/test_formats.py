"""Converting PDF, Word and HTML documents to text: what is kept, what is left out, and how."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from flows.core.formats import ConversionError, convert, convert_to_text, sniff_format
from flows.core.textnorm import normalize_text
from tests.differential.render import find_unicode_font, render_docx, render_html, render_pdf

FONT = find_unicode_font()
SYMBOL = "S/2013/163"
MASTHEAD = [SYMBOL, "United Nations", "Security Council", "Distr.: General", "15 March 2013", "Original: English",
            "Letter dated 15 March 2013 from the Secretary-General addressed to the President of the Security Council"]
BODY = ("The Security Council recalls its resolution 1325 (2000) and stresses the importance of cooperation "
        "between the United Nations and the African Union in the maintenance of international peace and "
        "security, in accordance with Chapter VIII of the Charter of the United Nations.")


def body_paragraph(n: int) -> str:
    return f"{n}. {BODY} It welcomes the report number {n} of the joint task force on peace and security."


@pytest.fixture(scope="module")
def letter_pdf_text() -> str:
    """A four-page letter with running headers and footers, footnotes and a sentence across pages."""
    paragraphs: list[str | tuple[str, ...]] = list(MASTHEAD)
    paragraphs += [body_paragraph(n) for n in range(1, 9)]
    paragraphs.append("The Council takes note of the communiqué{1} of the Peace and Security Council and of the "
                      "concept of operations{2} of the African-led International Support Mission to Mali.")
    paragraphs += [body_paragraph(n) for n in range(9, 16)]
    paragraphs.append((
        "I should be grateful if you would bring the present letter and its annex to the attention of the coopera-",
        "tion partners of the Council and of the Assistant Secretary-General of the United Nations and the Secretary-",
        "General of the Organization of Islamic Cooperation, and continue their inter-agency and our inter-",
        "agency work on the revised harmonized concept of operations of the Mission, see paragraphs 106-",
        "116 of the report of the Secretary-General on the situation in Mali and in the Sahel region.",
    ))
    notes = {1: "See S/2013/150, annex.", 2: "Adopted at the 358th meeting of the Peace and Security Council."}
    return convert_to_text(render_pdf(paragraphs, SYMBOL, job_number="13-26131", footnotes=notes, font=FONT), "pdf")


# --- sniffing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "content_type", "expected"),
    [
        (b"%PDF-1.7\n...", "letter.txt", None, "pdf"),  # the bytes win over the name
        (b"\xef\xbb\xbf  <!DOCTYPE html><html>", "page", None, "html"),
        (b"<!-- saved from url --><html lang='en'>", "", None, "html"),
        (b"<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'>", "", None, "html"),
        (b"plain words", "x", "application/pdf", "pdf"),
        (b"plain words", "x", "text/html; charset=utf-8", "html"),
        (b"plain words", "notes.md", None, "text"),
        (b"plain words", "LETTER.PDF", None, "pdf"),
        (b"plain words", "page.htm", None, "html"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old binary .doc", "letter.doc", None, "unknown"),
        (b"PK\x03\x04 not really a zip", "broken.docx", None, "docx"),
        (b"PK\x03\x04 not really a zip", "archive.zip", None, "unknown"),
    ],
)
def test_sniff_format(data, name, content_type, expected):
    assert sniff_format(data, name, content_type) == expected


def test_sniff_format_recognizes_a_word_file_by_its_parts():
    assert sniff_format(render_docx(["Text."], SYMBOL), "download") == "docx"


# --- PDF ----------------------------------------------------------------------------------------


def test_pdf_keeps_the_masthead_of_the_first_page(letter_pdf_text):
    paragraphs = letter_pdf_text.split("\n\n")
    assert paragraphs[:7] == MASTHEAD


def test_pdf_drops_running_headers_and_footers(letter_pdf_text):
    assert letter_pdf_text.count(SYMBOL) == 1  # the masthead's, not the running header's
    for furniture in ("13-26131", "*1326131*", "200113", "Please recycle", "/4"):
        assert furniture not in letter_pdf_text
    assert not any(p.strip().isdigit() for p in letter_pdf_text.split("\n\n"))


def test_pdf_joins_lines_into_paragraphs_and_across_page_breaks(letter_pdf_text):
    body = letter_pdf_text.rsplit("\n\n", 1)[0]  # without the footnotes
    paragraphs = body.split("\n\n")
    for n in range(1, 16):
        assert body_paragraph(n) in paragraphs
    assert "\n" not in body.replace("\n\n", "")


def test_pdf_undoes_line_end_hyphenation(letter_pdf_text):
    assert "attention of the cooperation partners" in letter_pdf_text
    assert "and the Secretary-General of the Organization" in letter_pdf_text  # a real hyphen stays
    assert "our inter-agency work" in letter_pdf_text  # the document writes "inter-agency" elsewhere
    assert "see paragraphs 106-116 of the report" in letter_pdf_text


def test_pdf_keeps_footnotes_apart_from_the_body(letter_pdf_text):
    body, notes = letter_pdf_text.rsplit("\n\n", 1)
    # one block after the body, one note per line: the shape the citation extractor reads as footnotes
    assert notes.split("\n") == ["1 See S/2013/150, annex.", "2 Adopted at the 358th meeting of the Peace and Security Council."]
    # the raised reference markers stay in the sentence, set off by spaces as pdftotext prints them
    assert "takes note of the communiqué 1 of the Peace and Security Council and of the concept of operations 2 of" in body
    assert "358th meeting" not in body


def test_pdf_converted_text_is_stable_under_normalization(letter_pdf_text):
    assert normalize_text(letter_pdf_text).split("\n\n")[:7] == MASTHEAD


def test_pdf_sentence_running_across_a_page_break_joins_up():
    long_paragraph = " ".join(f"Sentence {n} of the long paragraph recalls resolution 2292 (2016) on Libya." for n in range(60))
    text = convert_to_text(render_pdf(["Security Council", long_paragraph, "The end."], "S/RES/2292 (2016)", font=FONT), "pdf")
    assert text.split("\n\n") == ["Security Council", long_paragraph, "The end."]


def test_pdf_first_line_indents_start_paragraphs():
    paragraphs = [
        ("    Recalling its resolution 1970 (2011) and all its previous resolutions on the situation in Libya and",
         "the region, and the need for cooperation with the League of Arab States and the African Union,"),
        ("    Reaffirming its strong commitment to the sovereignty, independence and territorial integrity of the",
         "State of Libya and of all the States of the region, in accordance with the Charter,"),
    ]
    text = convert_to_text(render_pdf(paragraphs, "S/RES/2292 (2016)", font=FONT), "pdf")
    assert [p.split()[0] for p in text.split("\n\n")] == ["Recalling", "Reaffirming"]


# --- Word ---------------------------------------------------------------------------------------


def test_docx_body_in_order_with_tables_and_without_headers_or_footers():
    data = render_docx(MASTHEAD + [body_paragraph(1)], SYMBOL, job_number="13-26131",
                       table=[["Organization", "Acronym"], ["African Union", "AU"]])
    converted = convert(data, "docx")
    assert converted.encoding == "docx"
    assert converted.text.split("\n\n") == MASTHEAD + [body_paragraph(1), "Organization", "Acronym", "African Union", "AU"]
    assert "13-26131" not in converted.text


def test_docx_footnotes_follow_the_body_in_reference_order():
    data = render_docx(["The Council recalls resolution 1325 (2000){2} and the communiqué{1}.", "End."], SYMBOL,
                       footnotes={1: "PSC/PR/COMM.(CCCLVIII).", 2: "S/RES/1325 (2000)."})
    assert convert_to_text(data, "docx") == (
        "The Council recalls resolution 1325 (2000) 1 and the communiqué 2.\n\nEnd.\n\n"
        "1 S/RES/1325 (2000).\n2 PSC/PR/COMM.(CCCLVIII)."
    )


# --- HTML ---------------------------------------------------------------------------------------


def test_html_content_without_navigation_scripts_or_footer():
    converted = convert(render_html(MASTHEAD + [body_paragraph(1)], SYMBOL), "html")
    assert converted.encoding == "html:utf-8"
    assert converted.text.split("\n\n") == MASTHEAD + [body_paragraph(1)]


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        # no <main>: the block holding most paragraph text, and the page title printed above it
        (b"<html><body><div id=menu><a>Home</a> <a>About</a></div><h1>SC/15000</h1><div class=content>"
         b"<p>The Security Council today</p><p>welcomed the African Union.</p></div>"
         b"<div class=links><p>x</p></div></body></html>",
         "SC/15000\n\nThe Security Council today\n\nwelcomed the African Union."),
        # character references, inline markup, line breaks and white space
        (b"<main><p>C&ocirc;te d&#8217;Ivoire &amp; the <b>ECOWAS</b>\n   summit<br>Abuja&nbsp;2013</p></main>",
         "C\u00f4te d\u2019Ivoire & the ECOWAS summit\nAbuja\u00a02013"),
        # headers inside the article are content; hidden elements are not
        (b"<body><header>Site</header><article><header><h2>Press statement</h2></header>"
         b"<p hidden>draft</p><div style='display: none'>x</div><p>Text.</p></article></body>",
         "Press statement\n\nText."),
        # unclosed paragraphs and list items, a stray end tag
        (b"<main><p>One<p>Two</span><ul><li>a<li>b</ul></main>", "One\n\nTwo\n\na\n\nb"),
    ],
)
def test_html_content_selection(page, expected):
    assert convert_to_text(page, "html") == expected


@pytest.mark.parametrize(
    ("data", "charset"),
    [
        ('<html><head><meta charset="windows-1252"></head><body><p>C\u00f4te d\u2019Ivoire</p></body></html>'
         .encode("cp1252"), "cp1252"),
        ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"></head>'
         "<body><p>C\u00f4te d\u2019Ivoire</p></body></html>".encode("cp1252"), "cp1252"),
        ("\ufeff<html><body><p>C\u00f4te d\u2019Ivoire</p></body></html>".encode("utf-16"), "utf-16"),
        ("<html><body><p>C\u00f4te d\u2019Ivoire</p></body></html>".encode(), "utf-8"),
    ],
)
def test_html_decoding(data, charset):
    converted = convert(data, "html")
    assert converted.text == "C\u00f4te d\u2019Ivoire"
    assert converted.encoding == f"html:{charset}"


def test_text_format_decodes_like_text_inputs():
    assert convert("Côte d’Ivoire".encode(), "text").encoding == "utf-8"
    with pytest.raises(ConversionError) as info:
        convert(b"\x00\x01\x02" * 100, "text")
    assert info.value.reason == "binary"


def test_every_reason_the_converters_give_is_a_quarantine_reason():
    package = Path(__file__).resolve().parents[2] / "flows" / "core" / "formats"
    raised = set()
    for path in package.glob("*.py"):
        raised.update(re.findall(r'ConversionError\(\s*"(\w+)"', path.read_text(encoding="utf-8")))
    vocabulary = yaml.safe_load((package.parents[2] / "schemas" / "vocabularies.yaml").read_text(encoding="utf-8"))
    assert raised >= {"encrypted", "no_text_layer", "corrupt", "unsupported_format", "empty"}
    assert raised <= set(vocabulary["quarantine_reason"])
