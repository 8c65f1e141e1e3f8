"""Run every extractor over one document. Pure: a SourceDocument in, a DocumentResult out.

What a document's markup states (Akoma Ntoso input: `SourceDocument.markup`) wins over what the
text heuristics read, and the citations its markup links are merged with those found in the
text (one citation per span). Citations, metadata, meetings, countries and registry organizations
are read in the six UN languages (the other-language readers take over inside each extractor);
persons, places and cooperation areas read English words and run on English text only
(`TEXT_EXTRACTORS_LANGUAGES` and the extractors' language hooks), so that no English rule
misfires on another language or script.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from flows.core.areas import extract_areas
from flows.core.citations import extract_citations
from flows.core.entities import extract_entities
from flows.core.formats.akn import AknDocument, link_symbol
from flows.core.ingest import SourceDocument
from flows.core.meetings import extract_meetings
from flows.core.metadata import extract_metadata
from flows.core.models import AreaHit, Citation, DocumentMeta, EntityMention, MeetingMention
from flows.core.symbols import symbol_kind

# Bump when an extractor changes what it finds: cached per-document results are keyed on it.
EXTRACTOR_VERSION = "3"

# The languages each text extractor runs on (ISO 639-1). Entities and meetings read the six UN
# languages (countries and registry organizations only outside English: entities_lang.py,
# meetings_lang.py); the cooperation-area vocabulary is English.
TEXT_EXTRACTORS_LANGUAGES: dict[str, frozenset[str]] = {
    "entities": frozenset({"en", "fr", "es", "ru", "ar", "zh"}),
    "meetings": frozenset({"en", "fr", "es", "ru", "ar", "zh"}),
    "areas": frozenset({"en"}),
}


@dataclass(frozen=True, slots=True)
class DocumentResult:
    source: SourceDocument
    meta: DocumentMeta
    citations: tuple[Citation, ...]
    entities: tuple[EntityMention, ...]
    meetings: tuple[MeetingMention, ...]
    areas: tuple[AreaHit, ...]


def markup_meta(meta: DocumentMeta, markup: AknDocument | None) -> DocumentMeta:
    """The text's metadata with every value the markup states put in its place."""
    if markup is None:
        return meta
    stated = {"symbol": markup.symbol, "doc_type": markup.doc_type, "body": markup.body, "title": markup.title,
              "date": markup.date, "language": markup.language, "adopted_on": markup.adopted_on}
    meta = dataclasses.replace(meta, **{k: v for k, v in stated.items() if v is not None})
    if meta.doc_type != "resolution" and meta.adopted_on is not None:
        meta = dataclasses.replace(meta, adopted_on=None)
    return meta


def linked_citations(text: str, markup: AknDocument | None, own_symbol: str | None = None) -> list[Citation]:
    """One citation per link whose target names a UN symbol: the canonical symbol of the target,
    the offsets of the link's text (a document's links to itself are not citations)."""
    if markup is None:
        return []
    spans: list[list] = []  # [start, end, symbol]
    for link in markup.links:
        symbol = link_symbol(link.href)
        if symbol is None or symbol == own_symbol:
            continue
        if spans and spans[-1][2] == symbol and not text[spans[-1][1]:link.start].strip():
            spans[-1][1] = link.end  # one reference split over two links ("2436" "(2018)")
            continue
        spans.append([link.start, link.end, symbol])
    return [Citation(cited_symbol=sym, cited_kind=symbol_kind(sym), raw=text[s:e], start=s, end=e)
            for s, e, sym in spans]


def merge_citations(found: list[Citation], linked: list[Citation]) -> list[Citation]:
    """The text's citations and the markup's, one citation per span: a text citation that
    overlaps a link and names the same symbol stays (it carries the pinpoint and the wider span);
    one that overlaps a link but names another symbol gives way to the link (the markup wins)."""
    if not linked:
        return found
    keep = list(found)
    for link in linked:
        overlapping = [c for c in keep if c.start < link.end and link.start < c.end and c.cited_kind != "url"]
        if any(c.cited_symbol == link.cited_symbol for c in overlapping):
            continue
        keep = [c for c in keep if c not in overlapping]
        keep.append(link)
    keep.sort(key=lambda c: (c.start, c.end, c.cited_symbol))
    return keep


def extract_document(source: SourceDocument) -> DocumentResult:
    """All facts of one document; raises whatever an extractor raises (the caller quarantines)."""
    text = source.text
    meta = markup_meta(extract_metadata(text, source.source_name), source.markup)
    language = meta.language

    def runs(extractor: str) -> bool:
        return language in TEXT_EXTRACTORS_LANGUAGES[extractor]

    found = extract_citations(text, language=language)
    citations = merge_citations(found, linked_citations(text, source.markup, meta.symbol))
    return DocumentResult(
        source=source,
        meta=meta,
        citations=tuple(citations),
        entities=tuple(extract_entities(text, language=language)) if runs("entities") else (),
        meetings=tuple(extract_meetings(text, meta.date, language=language)) if runs("meetings") else (),
        areas=tuple(extract_areas(text)) if runs("areas") else (),
    )
