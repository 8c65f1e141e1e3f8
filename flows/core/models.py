"""Records that the extractors return.

Every record found in a document carries `start`/`end`: Python string offsets into the
normalized text of that document (`documents.text`), so `text[start:end]` is exactly the
matched text. Records are frozen: extractors build them, later stages only read them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import TypeVar

_T = TypeVar("_T")


def _fast_pickle(cls: type[_T]) -> type[_T]:
    """Pickle a frozen, slotted record as a constructor call. The default for such dataclasses
    goes through `__setstate__` and `dataclasses.fields()` for every object, which made loading
    a document's cached results (hundreds of records) twice as slow."""
    names = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]

    def __reduce__(self):  # noqa: N807 - the pickle protocol's name
        return (cls, tuple(getattr(self, n) for n in names))

    cls.__reduce__ = __reduce__  # type: ignore[method-assign,assignment]
    return cls


@_fast_pickle
@dataclass(frozen=True, slots=True)
class DocumentMeta:
    """What a document says about itself (from its masthead and opening lines)."""

    symbol: str | None  # canonical symbol printed in the header, e.g. "S/PRST/2017/2"
    doc_type: str  # vocabulary: presidential_statement, resolution, letter, ...
    body: str  # "Security Council", "General Assembly", ...
    title: str
    date: dt.date | None  # Distr. date; else the adoption/issue date the text states
    original_language: str | None  # "English" from "Original: English"
    language: str  # ISO 639-1 code of the text itself ("en", "fr", "es", ...)
    adopted_on: dt.date | None = None  # for resolutions: "Adopted by ... on 31 October 2000"
    distribution: str | None = None  # "General", "Limited", "Restricted" (from "Distr.: General")


@_fast_pickle
@dataclass(frozen=True, slots=True)
class Citation:
    """One citation of a UN instrument or document in a text."""

    cited_symbol: str  # canonical form (CONTRACT.md), e.g. "S/RES/1963 (2010)"
    cited_kind: str  # sc_resolution, ga_resolution, prst, document, meeting_record, charter, ...
    raw: str  # text[start:end]
    start: int
    end: int
    pinpoint: str | None = None  # "para. 24", "paras. 106-116", "annex III", ...
    via_ibid: bool = False
    stated_date: dt.date | None = None  # "resolution 1325 (2000) of 31 October 2000"


@_fast_pickle
@dataclass(frozen=True, slots=True)
class EntityMention:
    """A mention of an organization, person, country or place, linked to its entity."""

    entity_key: str  # stable key of the entity, e.g. "org:oic", "country:SAU", "person:khaled-khiari"
    entity_type: str  # organization, person, country, place
    name: str  # canonical name of the entity
    surface: str  # text[start:end]
    start: int
    end: int
    acronym: str | None = None
    country_iso3: str | None = None  # the country itself, or the country of a place
    title: str | None = None  # a person's function
    affiliation: str | None = None  # a person's organization or country, as printed
    wikidata_id: str | None = None


@_fast_pickle
@dataclass(frozen=True, slots=True)
class MeetingMention:
    """A meeting or event named in a text, with what the text says about it."""

    body: str  # convening body or organizers ("Security Council", "OIC, United Nations and OSCE")
    start: int
    end: int
    meeting_number: int | None = None
    title: str | None = None
    agenda_item: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    city: str | None = None
    country_iso3: str | None = None
    format: str | None = None  # briefing, open debate, ...
    level: str | None = None  # ministerial, high-level, ...
    status: str = "unknown"  # held, planned, unknown
    session: str | None = None  # "third extraordinary session"
    president: str | None = None  # who presided, as printed: "Mrs. DiCarlo (United States of America)"


@_fast_pickle
@dataclass(frozen=True, slots=True)
class AreaHit:
    """One cooperation area that a document speaks of."""

    area_id: str
    n_mentions: int
    start: int  # offsets of the first mention
    end: int
    evidence: str  # the sentence holding the first mention
    evidence_start: int
    evidence_end: int
