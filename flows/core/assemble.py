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
from flows.core.official import OfficialMetadata, OfficialRecord, merge_records, vetoed_by, vote_rows
from flows.core.organization_kinds import organization_kind
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


def mint_document_ids(documents: Sequence[tuple[str, str | None] | tuple[str, str | None, str | None]]) -> list[str]:
    """(source name, printed symbol[, language]) to document ids, all different (CONTRACT.md,
    language versions): the symbol for the one document that bears it, or for its English version
    when it has several language versions; `<symbol>@<language>` for the other versions. A
    document without a symbol, or whose symbol and language another document also has, takes the
    source path without its extension (the whole source name when even that collides, then the
    name and a hash of it)."""
    entries = [(d[0], d[1], d[2] if len(d) > 2 else None) for d in documents]
    symbols = Counter(symbol for _, symbol, _ in entries if symbol)
    versions = Counter((symbol, lang) for _, symbol, lang in entries if symbol)
    stems = Counter(_stem(name) for name, _, _ in entries)
    # printed symbols first: a file named like a symbol (S/2013/1.txt) that prints none must not
    # take the id of the document that prints it (a collision would withhold the whole release)
    used = {symbol for symbol, n in symbols.items() if n == 1}
    used |= {symbol if lang == "en" else f"{symbol}@{lang}" for (symbol, lang), n in versions.items()
             if n == 1 and lang and symbols[symbol] > 1}
    ids = []
    for name, symbol, lang in entries:
        if symbol and symbols[symbol] == 1:
            ids.append(symbol)
            continue
        if symbol and lang and versions[(symbol, lang)] == 1:
            ids.append(symbol if lang == "en" else f"{symbol}@{lang}")
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
        self._documents: dict[str, tuple[str | None, str | None]] = {}  # source name -> (symbol, language)
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
        self._documents[name] = (meta.symbol, meta.language)
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

    def finish(self, rejected: Sequence[Rejected] = (), official: OfficialMetadata | None = None) -> Plan:
        """End pass 1: the plan of pass 2. The index lets go of what it held (its memory is
        free for pass 2) and takes no more documents. `official`: the official metadata of the
        run (adoption, votes, sponsors, subjects, drafts), which wins over what texts state."""
        names = sorted(self._documents)
        ids = mint_document_ids([(n, *self._documents[n]) for n in names])
        doc_id = dict(zip(names, ids, strict=True))
        order = sorted(names, key=lambda n: doc_id[n])
        records, report = merge_records(official or OfficialMetadata())
        adoption_ids = self._adoption_meetings(records)

        keys = meeting_keys([m for _, m in self._meetings] + [m for _, m in adoption_ids])
        meeting_ids: dict[str, list[str]] = defaultdict(list)  # source name -> id of each of its mentions
        tallies: dict[str, _Tally] = defaultdict(_Tally)
        statuses: dict[str, set[str]] = defaultdict(set)
        for (name, m), key in zip(self._meetings, keys[:len(self._meetings)], strict=True):
            mid = "mtg-" + short_hash(key)
            meeting_ids[name].append(mid)
            tallies[mid].add(name, m, ("body", *_MEETING_FIELDS))
            statuses[mid].add(m.status)
        adopted_at: dict[str, str] = {}  # official symbol -> id of its adoption (or vote) meeting
        stated: dict[str, MeetingMention] = {}  # meeting id -> what the official metadata says of it
        for (symbol, m), key in zip(adoption_ids, keys[len(self._meetings):], strict=True):
            mid = "mtg-" + short_hash(key if m.meeting_number is not None else (m.body, "written", m.start_date))
            adopted_at[symbol] = mid
            stated.setdefault(mid, m)
        meetings = []
        for mid in sorted(set(tallies) | set(stated)):
            t = tallies.get(mid, _Tally())
            row: dict[str, Any] = {"meeting_id": mid, "body": t.best("body")}
            row.update({f: t.best(f) for f in _MEETING_FIELDS})
            row["status"] = "held" if "held" in statuses[mid] else "planned" if "planned" in statuses[mid] else "unknown"
            if mid in stated:  # the official metadata wins over the texts
                m = stated[mid]
                row.update({f: getattr(m, f) for f in ("body", "meeting_number", "start_date", "end_date", "format",
                                                       "agenda_item", "title") if getattr(m, f) is not None})
                row["status"] = "held"
            row["n_documents"] = len(t.documents)
            meetings.append(row)

        entities = [
            {"entity_id": key, **{f: t.best(f) for f in _ENTITY_FIELDS}, "n_documents": len(t.documents)}
            for key, t in sorted(self._entities.items())
        ]
        for e in entities:
            e["kind"] = organization_kind(e["entity_id"], e["name"]) if e["entity_type"] == "organization" else None
        organizations = frozenset(e["entity_id"] for e in entities if e["entity_type"] == "organization")

        own: dict[str, tuple[str, _OwnResolution]] = {}
        for name in order:  # the first document (by id) that is the resolution
            if name in self._own:
                own.setdefault(self._own[name].symbol, (doc_id[name], self._own[name]))
        adopted_records = {s: r for s, r in records.items() if r.outcome == "adopted" and resolution_info(s)}
        resolutions = []
        votes: Rows = []
        sponsors: Rows = []
        subjects: Rows = []
        for symbol in sorted(set(self._citing) | set(own) | set(adopted_records)):
            info = resolution_info(symbol)
            if info is None:
                continue
            own_id, r = own.get(symbol, (None, None))
            adopted = r.adopted_on if r is not None else _most_common(self._stated[symbol])
            title = r.title if r is not None else None
            citing = {doc_id[n] for n in self._citing.get(symbol, ())}
            row = {
                "resolution_id": symbol, "body": info.body, "number": info.number, "session": info.session,
                "year": info.year if info.year is not None else (adopted.year if adopted else None),
                "title": title, "adopted_on": adopted, "document_id": own_id,
                "meeting_id": None, "votes_yes": None, "votes_no": None, "votes_abstain": None,
                "n_citing_documents": len(citing - {own_id}),
            }
            o = adopted_records.get(symbol)
            if o is not None:  # the official metadata wins over the texts; what the text says is the check
                if r is not None and r.adopted_on and o.adopted_on and r.adopted_on != o.adopted_on:
                    report.append(f"{symbol}: adopted on {o.adopted_on} says the official metadata "
                                  f"({o.source_name}), {r.adopted_on} its document {own_id}")
                row.update({"title": o.title or title, "adopted_on": o.adopted_on or adopted,
                            "meeting_id": adopted_at.get(symbol),
                            "votes_yes": o.counts[0], "votes_no": o.counts[1], "votes_abstain": o.counts[2]})
                if row["year"] is None and row["adopted_on"] is not None:
                    row["year"] = row["adopted_on"].year
                votes += vote_rows(o, "resolution_id", report)
                sponsors += _sponsor_rows(o)
                subjects += [{"resolution_id": symbol, "subject": t, "vocabulary": v} for t, v in o.subjects]
            resolutions.append(row)
        drafts, draft_votes = self._drafts(records, adopted_at, doc_id, report)

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
                    global_rows={"meetings": meetings, "resolutions": resolutions, "votes": votes,
                                 "resolution_sponsors": sponsors, "resolution_subjects": subjects,
                                 "draft_resolutions": drafts, "draft_votes": draft_votes, "entities": entities,
                                 "areas": areas, "quarantine": quarantine},
                    official_notes=report)

    @staticmethod
    def _adoption_meetings(records: dict[str, OfficialRecord]) -> list[tuple[str, MeetingMention]]:
        """The meeting (or written procedure) of each official record, as a mention without a
        place in any text, so that it joins the same meeting named by the documents."""
        out = []
        for symbol, r in records.items():
            if r.meeting_number is None and not r.written_procedure:
                continue
            out.append((symbol, MeetingMention(
                body=r.body, start=0, end=0, meeting_number=r.meeting_number, start_date=r.adopted_on,
                end_date=r.adopted_on, agenda_item=r.agenda_item, status="held",
                title="Voting by mail" if r.written_procedure else None,
                format="voting by mail" if r.written_procedure else None)))
        return out

    def _drafts(self, records: dict[str, OfficialRecord], adopted_at: dict[str, str], doc_id: dict[str, str],
                report: list[str]) -> tuple[Rows, Rows]:
        """draft_resolutions and draft_votes: drafts that became resolutions (from the metadata's
        draft symbol) and drafts not adopted (their vote, vetoes)."""
        by_symbol: dict[str, str] = {}  # symbol -> the first document id with it (the English version)
        for name, symbol in self._documents.items():
            if symbol and (symbol not in by_symbol or doc_id[name] < by_symbol[symbol]):
                by_symbol[symbol] = doc_id[name]
        drafts: dict[str, dict[str, Any]] = {}
        votes: Rows = []
        for symbol, r in records.items():
            adopted = r.outcome == "adopted" and resolution_info(symbol) is not None
            draft = r.draft if adopted else symbol
            if not draft or draft in drafts:
                continue
            drafts[draft] = {
                "draft_symbol": draft, "body": r.body, "outcome": r.outcome, "resolution_id": symbol if adopted else None,
                "document_id": by_symbol.get(draft), "voted_on": r.adopted_on, "meeting_id": adopted_at.get(symbol),
                "votes_yes": r.counts[0], "votes_no": r.counts[1], "votes_abstain": r.counts[2],
                "vetoed_by": None if adopted else vetoed_by(r),
                "source_name": f"{r.source_name}#line={r.line}" if r.line else r.source_name}
            if not adopted:
                votes += vote_rows(r, "draft_symbol", report)
        return [drafts[k] for k in sorted(drafts)], votes


@dataclass
class Plan:
    """What pass 2 needs: the documents in id order, their ids, the id of every meeting mention,
    which entities are organizations, and the rows of the tables that span documents."""

    order: list[str]  # source names, sorted by document id
    doc_id: dict[str, str]
    meeting_ids: dict[str, list[str]]
    organizations: frozenset[str]
    global_rows: dict[str, Rows]
    official_notes: list[str] = field(default_factory=list)  # official metadata set aside, names not mapped

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


def _sponsor_rows(r: OfficialRecord) -> Rows:
    from flows.core.official import member_state_iso3

    rows: dict[str, dict[str, Any]] = {}
    for name, additional in r.sponsors:
        rows.setdefault(name, {"resolution_id": r.symbol, "sponsor": name, "country_iso3": member_state_iso3(name),
                               "additional": additional})
    return [rows[k] for k in sorted(rows)]


def assemble_tables(results: Sequence[DocumentResult], rejected: Sequence[Rejected] = (),
                    official: OfficialMetadata | None = None) -> dict[str, Rows]:
    """All tables of a release from results held in memory (small corpora and tests; the flow
    streams the same two passes through `flows.core.storage.write_tables`)."""
    index = CorpusIndex()
    for r in results:
        index.add(r)
    plan = index.finish(rejected, official)
    by_name = {r.source.source_name: r for r in results}
    tables: dict[str, Rows] = {name: [] for name in DOCUMENT_TABLES}
    for doc_rows in plan.rows(by_name.__getitem__):
        for name, rows in doc_rows.items():
            tables[name] += rows
    tables.update(plan.global_rows)
    return tables
