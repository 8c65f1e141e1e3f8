"""Akoma Ntoso (AKN4UN) input: sniffing, text in reading order, markup metadata, linked citations.

The synthetic document below is written for these tests (the UN's AKN4UN layout, made-up
content); the tests at the end read real files of `../shared/corpus/unxml` and skip without it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from flows.core.extract import extract_document, merge_citations
from flows.core.formats import sniff_format
from flows.core.formats.akn import link_symbol, looks_akn, read_akn
from flows.core.ingest import Rejected, SourceDocument, source_from_bytes
from flows.core.models import Citation

SNAPSHOT = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "unxml" / "SCresolutions"
needs_snapshot = pytest.mark.skipif(not SNAPSHOT.is_dir(), reason="../shared/corpus/unxml is not present")

AKN = """<?xml version="1.0" encoding="UTF-8"?>
<!-- an unofficial copy -->
<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0" xmlns:akn4un="http://un.org/akn4un">
  <statement name="{name}">
    <meta>
      <identification source="#DGACM">
        <FRBRWork>
          <FRBRthis value="/akn/un/statement/deliberation/unsc/2031-03-04/9001-2031/!main/"/>
          <FRBRdate date="2031-03-04" name="adoption"/>
          <FRBRauthor href="sc" as="author"/>
        </FRBRWork>
        <FRBRExpression>
          <FRBRdate date="2031-03-05" name="publication"/>
          <FRBRlanguage language="{lang}"/>
        </FRBRExpression>
      </identification>
      <references source="#DGACM">
        <TLCOrganization eId="sc" href="/akn/ontology/organization/un/securityCouncil" showAs="Security Council"/>
      </references>
    </meta>
    <coverPage>
      <p><docAuthority refersTo="#publisher">United Nations</docAuthority></p>
      <p><docNumber refersTo="#symbol">{number}</docNumber></p>
      <p><docAuthority refersTo="#issuingBody">Security Council</docAuthority></p>
      <p><docDate date="2031-03-04" refersTo="#dateOfIssuance">4 March 2031</docDate></p>
      <p xml:space="preserve"><docTitle refersTo="#resolutionNumber">\t\tResolution 9001 (2031)</docTitle></p>
      <p><docTitle refersTo="#adoption">Adopted by the Security Council on
        <docDate date="2031-03-04" refersTo="#adoptionDate">4 March 2031</docDate></docTitle></p>
    </coverPage>
    <preamble>
      <formula name="enactingFormula"><p><span class="italic">The Security Council</span>,</p></formula>
      <container name="Recalling"><p xml:space="preserve">\t<span class="italic">Recalling</span> its resolutions
        <a href="https://undocs.org/en/S/RES/1325(2000)">1325\u00a0(2000)</a> and
        <a href="https://undocs.org/ch/S/RES/2250 (2015)">2250 (2015)</a>,
        the report <a href="https://docs.un.org/en/S/2031/12">S/2031/12</a><authorialNote marker="1">
        <p>See also <a href="https://undocs.org/A/RES/60/1">A/RES/60/1</a>.</p></authorialNote>
        and <a href="https://www.un.org/en/about-us">the website</a>,</p></container>
    </preamble>
    <mainBody>
      <paragraph eId="para_1"><num>1.</num><content>
        <p><span class="italic">Decides</span> to remain seized of the matter.</p></content></paragraph>
    </mainBody>
  </statement>
</akomaNtoso>
"""


def akn(name: str = "resolution", lang: str = "eng", number: str = "S/RES/9001(2031)") -> bytes:
    return AKN.format(name=name, lang=lang, number=number).encode("utf-8")


def test_sniffed_by_content_whatever_the_name():
    assert looks_akn(akn())
    assert sniff_format(akn(), "whatever.txt") == "akn"
    assert sniff_format(akn(), "no-suffix") == "akn"
    assert sniff_format(b'<?xml version="1.0"?>\n<catalog><book/></catalog>', "books.xml") == "xml"
    assert sniff_format(b"<html><body><p>x</p></body></html>", "page.xml") == "html"


def test_text_in_reading_order_with_exact_link_offsets():
    doc = read_akn(akn())
    text = doc.text
    # cover page, preamble, operative paragraph with its number on its line, footnote last
    order = ["S/RES/9001(2031)", "Resolution 9001 (2031)", "The Security Council,", "Recalling its resolutions",
             "1. Decides to remain seized of the matter.", "See also A/RES/60/1."]
    positions = [text.index(s) for s in order]
    assert positions == sorted(positions)
    assert "\u00a0" not in text and "\t" not in text and "  " not in text
    assert "FRBR" not in text and "DGACM" not in text  # metadata is not text
    surfaces = [text[link.start:link.end] for link in doc.links]
    assert surfaces == ["1325 (2000)", "2250 (2015)", "S/2031/12", "the website", "A/RES/60/1"]


def test_metadata_stated_by_the_markup():
    doc = read_akn(akn())
    assert doc.symbol == "S/RES/9001 (2031)"
    assert doc.doc_type == "resolution"
    assert doc.body == "Security Council"
    assert doc.language == "en"
    assert doc.date == dt.date(2031, 3, 4)
    assert doc.adopted_on == dt.date(2031, 3, 4)
    assert doc.title == "Resolution 9001 (2031)"
    assert read_akn(akn(lang="fra")).language == "fr"
    assert read_akn(akn(lang="zho")).language == "zh"
    assert read_akn(akn(name="draftResolution", number="S/2031/99")).doc_type == "draft_resolution"
    assert read_akn(akn(name="presidentialStatement", number="S/PRST/2031/1")).doc_type == "presidential_statement"
    # an empty <docNumber>: the resolution's symbol from its FRBR work URI
    assert read_akn(akn(number="")).symbol == "S/RES/9001 (2031)"


@pytest.mark.parametrize(("href", "symbol"), [
    ("https://undocs.org/en/S/RES/2250(2015)", "S/RES/2250 (2015)"),
    ("https://undocs.org/S/RES/2250 (2015)", "S/RES/2250 (2015)"),
    ("https://undocs.org/en/S/RES/1267%20(1999)", "S/RES/1267 (1999)"),
    ("https://undocs.org//S/RES/1325 (2000)", "S/RES/1325 (2000)"),
    ("https://undocs.org/fr/s/RES/2024(2011)", "S/RES/2024 (2011)"),
    ("http://undocs.org/S/PRST/2002/6", "S/PRST/2002/6"),
    ("https://docs.un.org/zh/A/RES/75/200", "A/RES/75/200"),
    ("https://undocs.org/sp/S/2020/105", "S/2020/105"),
    ("https://documents.un.org/api/symbol/access?s=S/2013/446&l=en&t=pdf", "S/2013/446"),
    ("https://www.un.org/en/about-us", None),
    ("https://undocs.org/en/", None),
    ("not a url", None),
])
def test_link_targets_give_canonical_symbols(href, symbol):
    assert link_symbol(href) == symbol


def test_linked_citations_merge_with_text_citations_one_per_span():
    source = source_from_bytes("x.xml", akn())
    assert isinstance(source, SourceDocument) and source.markup is not None
    result = extract_document(source)
    assert result.meta.symbol == "S/RES/9001 (2031)" and result.meta.language == "en"
    spans = [(c.start, c.end) for c in result.citations]
    assert len(spans) == len(set(spans))
    cited = {c.cited_symbol for c in result.citations}
    assert {"S/RES/1325 (2000)", "S/RES/2250 (2015)", "S/2031/12", "A/RES/60/1"} <= cited
    for c in result.citations:
        assert source.text[c.start:c.end] == c.raw
    assert "S/RES/9001 (2031)" not in cited  # its own symbol is not a citation


def test_markup_wins_over_a_text_citation_of_another_symbol():
    found = [Citation("S/RES/225 (2015)", "sc_resolution", "225 (2015)", 10, 20)]
    linked = [Citation("S/RES/2250 (2015)", "sc_resolution", "2250 (2015)", 9, 20)]
    assert merge_citations(found, linked) == linked
    same = [Citation("S/RES/2250 (2015)", "sc_resolution", "resolution 2250 (2015)", 0, 20, pinpoint="para. 2")]
    assert merge_citations(same, linked) == same


def test_other_languages_skip_english_extractors_but_keep_markup_and_links():
    source = source_from_bytes("x.xml", akn(lang="zho"))
    result = extract_document(source)
    assert result.meta.language == "zh"
    assert result.entities == () and result.meetings == () and result.areas == ()
    assert "S/RES/1325 (2000)" in {c.cited_symbol for c in result.citations}


def test_not_documents_are_rejected_with_a_reason():
    other = source_from_bytes("books.xml", b'<?xml version="1.0"?>\n<catalog><book>x</book></catalog>')
    assert isinstance(other, Rejected) and other.reason == "unsupported_format" and "<catalog>" in other.detail
    empty = source_from_bytes("e.xml", b'<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0"/>')
    assert isinstance(empty, Rejected) and empty.reason == "empty"
    broken = source_from_bytes("b.xml", b"<akomaNtoso><statement name='resolution'><mainBody><p>Te")
    assert isinstance(broken, (Rejected, SourceDocument))  # recovered or quarantined, never raised


def test_entities_are_not_expanded():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xxxxxxxxxx"><!ENTITY y "&x;&x;&x;&x;&x;&x;">]>'
            b'<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0"><statement name="resolution">'
            b"<mainBody><p>Text &y;&y;</p></mainBody></statement></akomaNtoso>")
    source = source_from_bytes("bomb.xml", bomb)
    text = source.text if isinstance(source, SourceDocument) else ""
    assert "xxxxxxxxxx" not in text


# --- real files of the UN's repository ---------------------------------------------------------


@needs_snapshot
@pytest.mark.parametrize(("path", "symbol", "lang", "doc_type"), [
    ("2021/English/SC_2561_2021-E.xml", "S/RES/2561 (2021)", "en", "resolution"),
    ("2021/Chinese/SC_2561_2021-C.xml", "S/RES/2561 (2021)", "zh", "resolution"),
    ("2021/Arabic/SC_2561_2021-A.xml", "S/RES/2561 (2021)", "ar", "resolution"),
    ("Not adopted/English/S_2023_212-2305680E.xml", "S/2023/212", "en", "draft_resolution"),
    ("PRST/2006/S_PRST_2006_27-0640083E.xml", "S/PRST/2006/27", "en", "presidential_statement"),
    ("2021/German/S_RES_2575 (2021)-G.xml", "S/RES/2575 (2021)", "de", "resolution"),
])
def test_real_files(path, symbol, lang, doc_type):
    source = source_from_bytes(path, (SNAPSHOT / path).read_bytes())
    assert isinstance(source, SourceDocument)
    result = extract_document(source)
    assert (result.meta.symbol, result.meta.language, result.meta.doc_type) == (symbol, lang, doc_type)
    for c in result.citations:
        assert source.text[c.start:c.end] == c.raw


@needs_snapshot
def test_the_same_resolution_cites_the_same_symbols_in_every_language():
    cited = {}
    for lang, suffix in (("English", "E"), ("French", "F"), ("Arabic", "A"), ("Chinese", "C")):
        data = (SNAPSHOT / "2021" / lang / f"SC_2561_2021-{suffix}.xml").read_bytes()
        result = extract_document(source_from_bytes("x.xml", data))
        cited[lang] = {c.cited_symbol for c in result.citations if c.cited_kind != "url"}
    assert cited["English"] == cited["French"] == cited["Arabic"] == cited["Chinese"]


def test_language_versions_get_their_own_document_ids():
    from flows.core.assemble import mint_document_ids

    ids = mint_document_ids([
        ("a/E.xml", "S/RES/1 (2031)", "en"), ("a/F.xml", "S/RES/1 (2031)", "fr"), ("a/C.xml", "S/RES/1 (2031)", "zh"),
        ("b/F.xml", "S/RES/2 (2031)", "fr"),  # one language only: the symbol
        ("c/x.txt", None, "en"), ("d/F1.xml", "S/RES/3 (2031)", "fr"), ("d/F2.xml", "S/RES/3 (2031)", "fr"),
    ])
    assert ids == ["S/RES/1 (2031)", "S/RES/1 (2031)@fr", "S/RES/1 (2031)@zh", "S/RES/2 (2031)", "c/x",
                   "d/F1", "d/F2"]
    assert mint_document_ids([("x.txt", "S/1/2")]) == ["S/1/2"]  # (name, symbol) pairs still work
