"""Turn per-document extraction results into the rows of the release's tables, in two passes.

This is where facts from many documents meet: stable ids are minted, meetings and entities
named in several documents are merged into one row, resolutions are collected from the
citations and from the resolutions in the corpus.

Memory stays bounded by a document, not by the corpus: pass 1 (`CorpusIndex.add`) keeps only
what spans documents (document ids, meeting mentions without their text, per-entity and
per-resolution tallies); pass 2 (`Plan.document_rows`) turns one document's result at a time
into its rows of the per-document tables, which are written in row groups as they come. The
per-document tables are sorted by document id first, so emitting documents in id order and
sorting each document's rows gives each table in its global order.

Output is deterministic: rows are sorted by their keys and every choice between candidate
values is made in a fixed order, whatever order the documents were extracted in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from flows.core.areas import load_areas
from flows.core.extract import DocumentResult
from flows.core.ingest import Rejected
from flows.core.meetings import meeting_keys
from flows.core.models import MeetingMention
from flows.core.symbols import resolution_info

Rows = list[dict[str, Any]]
RESOLUTION_KINDS = ("sc_resolution", "ga_resolution")
# the tables with one group of rows per document (sorted by document_id first), in pass-2 order
DOCUMENT_TABLES = ("documents", "document_sources", "citations", "meeting_mentions", "entity_mentions",
                   "cooperation_areas", "cooperation_area_partners")
_ENTITY_FIELDS = ("entity_type", "name", "acronym", "country_iso3", "title", "wikidata_id")
_MEETING_FIELDS = ("meeting_number", "title", "agenda_item", "start_date", "end_date", "city", "country_iso3", "format",
                   "level", "president")


def short_hash(*parts: object) -> str:
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


def _stem(source_name: str) -> str:
    return str(PurePosixPath(source_name).with_suffix(""))


def mint_document_ids(documents: Sequence[tuple[str, str | None]]) -> list[str]:
    """(source name, printed symbol) pairs to document ids, all different: the printed symbol
    where it is unique in the release; otherwise the source path without its extension (the
    whole source name when even that collides, then the name and a hash of it)."""
    symbols = Counter(symbol for _, symbol in documents if symbol)
    stems = Counter(_stem(name) for name, _ in documents)
    # printed symbols first: a file named like a symbol (S/2013/1.txt) that prints none must not
    # take the id of the document that prints it (a collision would withhold the whole release)
    used = {symbol for symbol, n in symbols.items() if n == 1}
    ids = []
    for name, symbol in documents:
        if symbol and symbols[symbol] == 1:
            ids.append(symbol)
            continue
        stem = _stem(name)
        chosen = stem if stems[stem] == 1 and stem not in used else name
        if chosen in used:  # the source name itself is some document's symbol
            chosen = f"{name}#{short_hash(name)[:8]}"
        used.add(chosen)
        ids.append(chosen)
    return ids


def _most_common(counts: Counter) -> Any:
    """The most frequent non-null value; ties go to the smallest, so the choice is stable."""
    best = max((n for v, n in counts.items() if v is not None), default=0)
    return min((v for v, n in counts.items() if v is not None and n == best), default=None)


def _unique_citations(result: DocumentResult) -> list:
    """A document's citations, one per (start, end, cited symbol), in the order found."""
    seen: set[tuple[int, int, str]] = set()
    out = []
    for c in result.citations:
        key = (c.start, c.end, c.cited_symbol)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


@dataclass
class _Tally:
    """Counts of the values seen for one entity or meeting across the corpus."""

    values: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    documents: set[str] = field(default_factory=set)  # source names

    def add(self, source_name: str, obj: Any, fields: Iterable[str]) -> None:
        self.documents.add(source_name)
        for f in fields:
            self.values[f][getattr(obj, f)] += 1

    def best(self, f: str) -> Any:
        return _most_common(self.values.get(f, Counter()))


@dataclass
class _OwnResolution:
    symbol: str
    adopted_on: dt.date | None
    title: str | None


class CorpusIndex:
    """Pass 1: what the tables need from every document and that spans documents. Add every
    document's result (in any order), then `finish` for the plan of pass 2."""

    def __init__(self) -> None:
        self._documents: dict[str, str | None] = {}  # source name -> printed symbol
        self._own: dict[str, _OwnResolution] = {}  # source name -> the resolution it is
        self._citing: dict[str, set[str]] = defaultdict(set)  # resolution -> citing source names
        self._stated: dict[str, Counter] = defaultdict(Counter)  # resolution -> stated dates
        self._meetings: list[tuple[str, MeetingMention]] = []  # (source name, mention)
        self._entities: dict[str, _Tally] = defaultdict(_Tally)
        self._finished = False

    def __len__(self) -> int:
        return len(self._documents)

    def add(self, result: DocumentResult) -> None:
        if self._finished:
            raise RuntimeError("pass 1 is over: this index was finished")
        name = result.source.source_name
        if name in self._documents:
            raise ValueError(f"document {name!r} was added twice")
        meta = result.meta
        self._documents[name] = meta.symbol
        if meta.doc_type == "resolution" and meta.symbol and resolution_info(meta.symbol):
            self._own[name] = _OwnResolution(meta.symbol, meta.adopted_on or meta.date, meta.title)
        for c in _unique_citations(result):
            if c.cited_kind in RESOLUTION_KINDS:
                self._citing[c.cited_symbol].add(name)
                self._stated[c.cited_symbol][c.stated_date] += 1
        # the surface is text[start:end], read again in pass 2: the index keeps no text
        self._meetings += [(name, m) for m in result.meetings]
        for e in result.entities:
            self._entities[e.entity_key].add(name, e, _ENTITY_FIELDS)

    def finish(self, rejected: Sequence[Rejected] = ()) -> Plan:
        """End pass 1: the plan of pass 2. The index lets go of what it held (its memory is
        free for pass 2) and takes no more documents."""
        names = sorted(self._documents)
        ids = mint_document_ids([(n, self._documents[n]) for n in names])
        doc_id = dict(zip(names, ids, strict=True))
        order = sorted(names, key=lambda n: doc_id[n])

        keys = meeting_keys([m for _, m in self._meetings])
        meeting_ids: dict[str, list[str]] = defaultdict(list)  # source name -> id of each of its mentions
        tallies: dict[str, _Tally] = defaultdict(_Tally)
        statuses: dict[str, set[str]] = defaultdict(set)
        for (name, m), key in zip(self._meetings, keys, strict=True):
            mid = "mtg-" + short_hash(key)
            meeting_ids[name].append(mid)
            tallies[mid].add(name, m, ("body", *_MEETING_FIELDS))
            statuses[mid].add(m.status)
        meetings = []
        for mid in sorted(tallies):
            t = tallies[mid]
            row: dict[str, Any] = {"meeting_id": mid, "body": t.best("body")}
            row.update({f: t.best(f) for f in _MEETING_FIELDS})
            row["status"] = "held" if "held" in statuses[mid] else "planned" if "planned" in statuses[mid] else "unknown"
            row["n_documents"] = len(t.documents)
            meetings.append(row)

        entities = [
            {"entity_id": key, **{f: t.best(f) for f in _ENTITY_FIELDS}, "n_documents": len(t.documents)}
            for key, t in sorted(self._entities.items())
        ]
        organizations = frozenset(e["entity_id"] for e in entities if e["entity_type"] == "organization")

        own: dict[str, tuple[str, _OwnResolution]] = {}
        for name in order:  # the first document (by id) that is the resolution
            if name in self._own:
                own.setdefault(self._own[name].symbol, (doc_id[name], self._own[name]))
        resolutions = []
        for symbol in sorted(set(self._citing) | set(own)):
            info = resolution_info(symbol)
            if info is None:
                continue
            own_id, r = own.get(symbol, (None, None))
            adopted = r.adopted_on if r is not None else _most_common(self._stated[symbol])
            citing = {doc_id[n] for n in self._citing.get(symbol, ())}
            resolutions.append({
                "resolution_id": symbol, "body": info.body, "number": info.number, "session": info.session,
                "year": info.year if info.year is not None else (adopted.year if adopted else None),
                "title": r.title if r is not None else None, "adopted_on": adopted, "document_id": own_id,
                "n_citing_documents": len(citing - {own_id}),
            })

        quarantine = [
            {"source_name": q.source_name, "source_sha256": q.source_sha256, "n_bytes": q.n_bytes,
             "reason": q.reason, "detail": q.detail, "duplicate_of": q.duplicate_of}
            for q in sorted(rejected, key=lambda q: q.source_name)
        ]
        areas = [{"area_id": a["area_id"], "label": a["label"], "definition": a["definition"]} for a in load_areas()]
        for held in (self._meetings, self._entities, self._citing, self._stated, self._own):
            held.clear()
        self._finished = True
        return Plan(order=order, doc_id=doc_id, meeting_ids=dict(meeting_ids), organizations=organizations,
                    global_rows={"meetings": meetings, "resolutions": resolutions, "entities": entities,
                                 "areas": areas, "quarantine": quarantine})


@dataclass
class Plan:
    """What pass 2 needs: the documents in id order, their ids, the id of every meeting mention,
    which entities are organizations, and the rows of the tables that span documents."""

    order: list[str]  # source names, sorted by document id
    doc_id: dict[str, str]
    meeting_ids: dict[str, list[str]]
    organizations: frozenset[str]
    global_rows: dict[str, Rows]

    def document_rows(self, r: DocumentResult) -> dict[str, Rows]:
        """One document's rows of every per-document table, each sorted as its table is."""
        name = r.source.source_name
        doc_id = self.doc_id[name]
        text = r.source.text
        out: dict[str, Rows] = {}
        out["documents"] = [{
            "document_id": doc_id, "source_name": name, "source_sha256": r.source.source_sha256,
            "symbol": r.meta.symbol, "doc_type": r.meta.doc_type, "body": r.meta.body, "title": r.meta.title,
            "date": r.meta.date, "distribution": r.meta.distribution, "original_language": r.meta.original_language,
            "language": r.meta.language, "text": text, "n_chars": len(text),
        }]
        out["document_sources"] = [{
            "document_id": doc_id, "source_name": name, "source_sha256": r.source.source_sha256,
            "n_bytes": r.source.n_bytes, "encoding": r.source.encoding, "raw_text": r.source.raw_text,
            "source_url": r.source.source_url,
        }]
        out["citations"] = sorted((
            {"citation_id": "cit-" + short_hash(doc_id, c.start, c.end, c.cited_symbol), "document_id": doc_id,
             "cited_symbol": c.cited_symbol, "cited_kind": c.cited_kind, "pinpoint": c.pinpoint, "raw": c.raw,
             "start": c.start, "end": c.end, "via_ibid": c.via_ibid, "stated_date": c.stated_date}
            for c in _unique_citations(r)), key=lambda row: (row["start"], row["end"], row["cited_symbol"]))
        mentions: dict[tuple, dict[str, Any]] = {}
        for m, mid in zip(r.meetings, self.meeting_ids.get(name, ()), strict=True):
            mentions.setdefault((m.start, m.end, mid), {
                "meeting_id": mid, "document_id": doc_id, "start": m.start, "end": m.end,
                "surface": text[m.start:m.end]})
        out["meeting_mentions"] = [mentions[k] for k in sorted(mentions)]
        entity_mentions: dict[tuple, dict[str, Any]] = {}
        for e in r.entities:
            entity_mentions.setdefault((e.start, e.end, e.entity_key), {
                "document_id": doc_id, "entity_id": e.entity_key, "surface": e.surface, "start": e.start,
                "end": e.end})
        out["entity_mentions"] = [entity_mentions[k] for k in sorted(entity_mentions)]
        out["cooperation_areas"] = sorted((
            {"document_id": doc_id, "area_id": a.area_id, "n_mentions": a.n_mentions, "evidence": a.evidence,
             "start": a.start, "end": a.end, "evidence_start": a.evidence_start, "evidence_end": a.evidence_end}
            for a in r.areas), key=lambda row: row["area_id"])
        organizations = [m for m in out["entity_mentions"] if m["entity_id"] in self.organizations]
        partners = {(a.area_id, m["entity_id"]) for a in r.areas for m in organizations
                    if a.evidence_start <= m["start"] and m["end"] <= a.evidence_end}
        out["cooperation_area_partners"] = [{"document_id": doc_id, "area_id": a, "entity_id": e}
                                            for a, e in sorted(partners)]
        return out

    def rows(self, load: Callable[[str], DocumentResult]) -> Iterator[dict[str, Rows]]:
        """Pass 2: every document's rows, in document id order; `load` returns a document's
        result by its source name (from the result cache, so the corpus is never all in memory)."""
        for name in self.order:
            yield self.document_rows(load(name))


def assemble_tables(results: Sequence[DocumentResult], rejected: Sequence[Rejected] = ()) -> dict[str, Rows]:
    """All tables of a release from results held in memory (small corpora and tests; the flow
    streams the same two passes through `flows.core.storage.write_tables`)."""
    index = CorpusIndex()
    for r in results:
        index.add(r)
    plan = index.finish(rejected)
    by_name = {r.source.source_name: r for r in results}
    tables: dict[str, Rows] = {name: [] for name in DOCUMENT_TABLES}
    for doc_rows in plan.rows(by_name.__getitem__):
        for name, rows in doc_rows.items():
            tables[name] += rows
    tables.update(plan.global_rows)
    return tables
