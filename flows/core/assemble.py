"""Turn per-document extraction results into the rows of the release's tables.

This is where facts from many documents meet: stable ids are minted, meetings and entities
named in several documents are merged into one row, resolutions are collected from the
citations and from the resolutions in the corpus. Output is deterministic: rows are sorted
by their keys and every choice between candidate values is made in a fixed order.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath
from typing import Any

from flows.core.areas import load_areas
from flows.core.extract import DocumentResult
from flows.core.ingest import Rejected
from flows.core.meetings import meeting_keys
from flows.core.symbols import resolution_info

Rows = list[dict[str, Any]]
RESOLUTION_KINDS = ("sc_resolution", "ga_resolution")


def short_hash(*parts: object) -> str:
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


def document_ids(results: Sequence[DocumentResult]) -> list[str]:
    """The printed symbol where it is unique in the release; otherwise the source path without
    its extension (the whole source name when even that collides)."""
    symbols = Counter(r.meta.symbol for r in results if r.meta.symbol)
    stems = Counter(str(PurePosixPath(r.source.source_name).with_suffix("")) for r in results)
    ids = []
    for r in results:
        stem = str(PurePosixPath(r.source.source_name).with_suffix(""))
        if r.meta.symbol and symbols[r.meta.symbol] == 1:
            ids.append(r.meta.symbol)
        else:
            ids.append(stem if stems[stem] == 1 else r.source.source_name)
    return ids


def _most_common(values: Iterable[Any]) -> Any:
    """The most frequent non-null value; ties go to the smallest, so the choice is stable."""
    counts = Counter(v for v in values if v is not None)
    if not counts:
        return None
    best = max(counts.values())
    return min(v for v, n in counts.items() if n == best)


def assemble_tables(results: Sequence[DocumentResult], rejected: Sequence[Rejected] = ()) -> dict[str, Rows]:
    """All tables of a release from the documents' extraction results."""
    results = sorted(results, key=lambda r: r.source.source_name)
    ids = document_ids(results)
    order = sorted(range(len(results)), key=lambda i: ids[i])
    results = [results[i] for i in order]
    ids = [ids[i] for i in order]

    tables: dict[str, Rows] = {}
    tables["documents"] = [
        {
            "document_id": doc_id, "source_name": r.source.source_name, "source_sha256": r.source.source_sha256,
            "symbol": r.meta.symbol, "doc_type": r.meta.doc_type, "body": r.meta.body, "title": r.meta.title,
            "date": r.meta.date, "distribution": r.meta.distribution, "original_language": r.meta.original_language,
            "language": r.meta.language,
            "text": r.source.text, "n_chars": len(r.source.text),
        }
        for doc_id, r in zip(ids, results, strict=True)
    ]
    tables["document_sources"] = [
        {
            "document_id": doc_id, "source_name": r.source.source_name, "source_sha256": r.source.source_sha256,
            "n_bytes": r.source.n_bytes, "encoding": r.source.encoding, "raw_text": r.source.raw_text,
            "source_url": r.source.source_url,
        }
        for doc_id, r in zip(ids, results, strict=True)
    ]
    tables["citations"] = _citations(ids, results)
    tables["resolutions"] = _resolutions(ids, results, tables["citations"])
    tables["meetings"], tables["meeting_mentions"] = _meetings(ids, results)
    tables["entities"], tables["entity_mentions"] = _entities(ids, results)
    tables["areas"] = [{"area_id": a["area_id"], "label": a["label"], "definition": a["definition"]} for a in load_areas()]
    tables["cooperation_areas"], tables["cooperation_area_partners"] = _areas(ids, results, tables["entity_mentions"], tables["entities"])
    tables["quarantine"] = [
        {"source_name": q.source_name, "source_sha256": q.source_sha256, "n_bytes": q.n_bytes,
         "reason": q.reason, "detail": q.detail, "duplicate_of": q.duplicate_of}
        for q in sorted(rejected, key=lambda q: q.source_name)
    ]
    return tables


def _citations(ids: list[str], results: list[DocumentResult]) -> Rows:
    rows: dict[str, dict[str, Any]] = {}
    for doc_id, r in zip(ids, results, strict=True):
        for c in r.citations:
            cid = "cit-" + short_hash(doc_id, c.start, c.end, c.cited_symbol)
            rows.setdefault(cid, {
                "citation_id": cid, "document_id": doc_id, "cited_symbol": c.cited_symbol, "cited_kind": c.cited_kind,
                "pinpoint": c.pinpoint, "raw": c.raw, "start": c.start, "end": c.end, "via_ibid": c.via_ibid,
                "stated_date": c.stated_date,
            })
    return sorted(rows.values(), key=lambda row: (row["document_id"], row["start"], row["end"], row["cited_symbol"]))


def _resolutions(ids: list[str], results: list[DocumentResult], citations: Rows) -> Rows:
    citing: dict[str, set[str]] = defaultdict(set)
    stated: dict[str, list[Any]] = defaultdict(list)
    for c in citations:
        if c["cited_kind"] in RESOLUTION_KINDS:
            citing[c["cited_symbol"]].add(c["document_id"])
            stated[c["cited_symbol"]].append(c["stated_date"])
    own: dict[str, tuple[str, DocumentResult]] = {}
    for doc_id, r in zip(ids, results, strict=True):
        if r.meta.doc_type == "resolution" and r.meta.symbol and resolution_info(r.meta.symbol):
            own.setdefault(r.meta.symbol, (doc_id, r))
    rows = []
    for symbol in sorted(set(citing) | set(own)):
        info = resolution_info(symbol)
        if info is None:
            continue
        doc_id, r = own.get(symbol, (None, None))
        adopted = (r.meta.adopted_on or r.meta.date) if r is not None else _most_common(stated[symbol])
        title = r.meta.title if r is not None else None
        rows.append({
            "resolution_id": symbol, "body": info.body, "number": info.number, "session": info.session,
            "year": info.year if info.year is not None else (adopted.year if adopted else None),
            "title": title, "adopted_on": adopted, "document_id": doc_id,
            "n_citing_documents": len(citing[symbol] - {doc_id}),
        })
    return rows


_MEETING_FIELDS = ("meeting_number", "title", "agenda_item", "start_date", "end_date", "city", "country_iso3", "format", "level",
                   "president")


def _meetings(ids: list[str], results: list[DocumentResult]) -> tuple[Rows, Rows]:
    grouped: dict[str, list[Any]] = defaultdict(list)
    mentions: dict[tuple, dict[str, Any]] = {}
    found = [(doc_id, r, m) for doc_id, r in zip(ids, results, strict=True) for m in r.meetings]
    keys = meeting_keys([m for _, _, m in found])
    for (doc_id, r, m), key in zip(found, keys, strict=True):
        mid = "mtg-" + short_hash(key)
        grouped[mid].append((doc_id, m))
        mentions.setdefault((mid, doc_id, m.start, m.end), {
            "meeting_id": mid, "document_id": doc_id, "start": m.start, "end": m.end,
            "surface": r.source.text[m.start:m.end],
        })
    rows = []
    for mid in sorted(grouped):
        ms = [m for _, m in grouped[mid]]
        statuses = {m.status for m in ms}
        row: dict[str, Any] = {"meeting_id": mid, "body": _most_common(m.body for m in ms)}
        for f in _MEETING_FIELDS:
            row[f] = _most_common(getattr(m, f) for m in ms)
        row["status"] = "held" if "held" in statuses else "planned" if "planned" in statuses else "unknown"
        row["n_documents"] = len({d for d, _ in grouped[mid]})
        rows.append(row)
    return rows, sorted(mentions.values(), key=lambda m: (m["document_id"], m["start"], m["end"], m["meeting_id"]))


def _entities(ids: list[str], results: list[DocumentResult]) -> tuple[Rows, Rows]:
    grouped: dict[str, list[Any]] = defaultdict(list)
    docs: dict[str, set[str]] = defaultdict(set)
    mentions: dict[tuple, dict[str, Any]] = {}
    for doc_id, r in zip(ids, results, strict=True):
        for e in r.entities:
            grouped[e.entity_key].append(e)
            docs[e.entity_key].add(doc_id)
            mentions.setdefault((doc_id, e.entity_key, e.start, e.end), {
                "document_id": doc_id, "entity_id": e.entity_key, "surface": e.surface, "start": e.start, "end": e.end,
            })
    rows = []
    for key in sorted(grouped):
        es = grouped[key]
        rows.append({
            "entity_id": key, "entity_type": _most_common(e.entity_type for e in es), "name": _most_common(e.name for e in es),
            "acronym": _most_common(e.acronym for e in es), "country_iso3": _most_common(e.country_iso3 for e in es),
            "title": _most_common(e.title for e in es), "wikidata_id": _most_common(e.wikidata_id for e in es),
            "n_documents": len(docs[key]),
        })
    return rows, sorted(mentions.values(), key=lambda m: (m["document_id"], m["start"], m["end"], m["entity_id"]))


def _areas(ids: list[str], results: list[DocumentResult], entity_mentions: Rows, entities: Rows) -> tuple[Rows, Rows]:
    organizations = {e["entity_id"] for e in entities if e["entity_type"] == "organization"}
    by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in entity_mentions:
        if m["entity_id"] in organizations:
            by_doc[m["document_id"]].append(m)
    rows, partners = [], set()
    for doc_id, r in zip(ids, results, strict=True):
        for a in r.areas:
            rows.append({
                "document_id": doc_id, "area_id": a.area_id, "n_mentions": a.n_mentions, "evidence": a.evidence,
                "start": a.start, "end": a.end, "evidence_start": a.evidence_start, "evidence_end": a.evidence_end,
            })
            for m in by_doc[doc_id]:
                if a.evidence_start <= m["start"] and m["end"] <= a.evidence_end:
                    partners.add((doc_id, a.area_id, m["entity_id"]))
    rows.sort(key=lambda row: (row["document_id"], row["area_id"]))
    return rows, [{"document_id": d, "area_id": a, "entity_id": e} for d, a, e in sorted(partners)]
