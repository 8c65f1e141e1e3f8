"""Run every extractor over one document. Pure: a SourceDocument in, a DocumentResult out."""

from __future__ import annotations

from dataclasses import dataclass

from flows.core.areas import extract_areas
from flows.core.citations import extract_citations
from flows.core.entities import extract_entities
from flows.core.ingest import SourceDocument
from flows.core.meetings import extract_meetings
from flows.core.metadata import extract_metadata
from flows.core.models import AreaHit, Citation, DocumentMeta, EntityMention, MeetingMention

# Bump when an extractor changes what it finds: cached per-document results are keyed on it.
EXTRACTOR_VERSION = "2"


@dataclass(frozen=True, slots=True)
class DocumentResult:
    source: SourceDocument
    meta: DocumentMeta
    citations: tuple[Citation, ...]
    entities: tuple[EntityMention, ...]
    meetings: tuple[MeetingMention, ...]
    areas: tuple[AreaHit, ...]


def extract_document(source: SourceDocument) -> DocumentResult:
    """All facts of one document; raises whatever an extractor raises (the caller quarantines)."""
    text = source.text
    meta = extract_metadata(text, source.source_name)
    return DocumentResult(
        source=source,
        meta=meta,
        citations=tuple(extract_citations(text, language=meta.language)),
        entities=tuple(extract_entities(text, language=meta.language)),
        meetings=tuple(extract_meetings(text, meta.date, language=meta.language)),
        areas=tuple(extract_areas(text)),
    )
