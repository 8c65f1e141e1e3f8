"""Throughput of the extractors on a >= 50 MB corpus recombined from the bundled UN documents.

Run with `make bench` (or `pytest -m bench -s tests/bench`). Prints one table: MB/s on one core
of each extractor, of all of them together (as `extract_document` runs them), of one precompiled
regular expression for UN symbols and resolutions (the ceiling of any regex-based extractor) and
of eyecite's `get_citations` (a production citation extractor, for US case law); and each one's
time as a multiple of the single regex pass. Only sanity is asserted, never a timing.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from collections.abc import Callable

import pytest

from flows.core import citations as citations_module
from flows.core import symbols as symbols_module
from flows.core.areas import extract_areas
from flows.core.citations import extract_citations
from flows.core.entities import extract_entities
from flows.core.meetings import extract_meetings
from flows.core.metadata import extract_metadata
from tests.bench.corpus import DEFAULT_SEED, corpus_bytes

pytestmark = pytest.mark.bench

# The ceiling: one pass of one compiled pattern over the text, nothing done per match. It finds
# document symbols (A/67/280, S/RES/1963 (2010), E/CN.4/2005/L.10) and resolutions in words.
SINGLE_RE = re.compile(
    r"\b(?:[A-Z][A-Z0-9]{0,5}(?:/[A-Za-z0-9.\-]+)+(?:\s?\((?:\d{4}|[IVXL]+)\))?"
    r"|[Rr]esolutions?\s+\d{1,4}(?:/\d{1,4})?(?:\s?\(\d{4}\))?)"
)

DOC_DATE = dt.date(2013, 6, 30)


def _single_regex(text: str) -> list[re.Match]:
    return list(SINGLE_RE.finditer(text))


def _all_extractors(text: str) -> int:
    """What extract_document runs on one document (without building the SourceDocument)."""
    meta = extract_metadata(text, "bench.txt")
    return (len(extract_citations(text)) + len(extract_entities(text))
            + len(extract_meetings(text, meta.date)) + len(extract_areas(text)) + 1)


def _clear_citation_caches() -> None:
    for fn in (symbols_module._canonical_symbol, symbols_module._parse_symbol, symbols_module._symbol_kind,
               symbols_module._segment_ok, symbols_module._resolution_symbol,
               citations_module._resolution_symbols_of):
        fn.cache_clear()


def _citations_cold(text: str) -> list:
    """extract_citations with its memo caches emptied before each document (the worst case:
    no symbol seen before)."""
    _clear_citation_caches()
    return extract_citations(text)


def _eyecite():
    try:
        from eyecite import get_citations
    except ImportError:
        return None
    return get_citations


def _count(result) -> int:
    if isinstance(result, int):
        return result
    if isinstance(result, list | tuple):
        return len(result)
    return 1  # a record (DocumentMeta)


def _run(fn: Callable, docs: list[str]) -> tuple[float, int, float]:
    """(wall-clock seconds, records found, CPU seconds of this process). The CPU time is the
    steadier figure on a busy machine (the run is single-threaded)."""
    fn(docs[0])  # warm up: caches, lazily compiled patterns, loaded vocabularies
    found = 0
    t0, c0 = time.perf_counter(), time.process_time()
    for text in docs:
        found += _count(fn(text))
    return time.perf_counter() - t0, found, time.process_time() - c0


def test_extractor_throughput(bench_corpus):
    docs = bench_corpus
    mb = corpus_bytes(docs) / 1e6
    assert mb >= float(os.environ.get("BENCH_MB", 50)) * 0.999

    rows: list[tuple[str, Callable]] = [
        ("single precompiled regex (ceiling)", _single_regex),
        ("extract_citations", extract_citations),
        ("extract_citations, caches cleared per doc", _citations_cold),
        ("extract_entities", extract_entities),
        ("extract_meetings (doc date)", lambda t: extract_meetings(t, DOC_DATE)),
        ("extract_metadata", lambda t: extract_metadata(t, "bench.txt")),
        ("extract_areas", extract_areas),
        ("all extractors (extract_document)", _all_extractors),
    ]
    get_citations = _eyecite()
    if get_citations is not None:
        rows.append(("eyecite.get_citations", get_citations))

    results: dict[str, tuple[float, int, float]] = {}
    for name, fn in rows:
        results[name] = _run(fn, docs)
    _clear_citation_caches()

    ceiling = results["single precompiled regex (ceiling)"][0]
    import platform
    print()
    print(f"corpus: {len(docs)} documents, {mb:.1f} MB (UTF-8), seed {DEFAULT_SEED}; "
          f"python {platform.python_version()}, {os.cpu_count()} CPUs, one core used")
    print(f"{'extractor':44} {'seconds':>9} {'MB/s':>8} {'x regex':>8} {'found':>9} {'CPU s':>8} {'CPU MB/s':>9}")
    for name, _ in rows:
        secs, found, cpu = results[name]
        print(f"{name:44} {secs:9.2f} {mb / secs:8.1f} {secs / ceiling:8.2f} {found:9d} {cpu:8.2f} {mb / cpu:9.1f}")
    if get_citations is None:
        print("eyecite not installed (pip install -e '.[bench]'): its row is missing")

    # sanity only: every extractor found something on real UN text
    for name, _ in rows:
        if name == "eyecite.get_citations":
            continue  # US case-law citations: UN documents may have none
        assert results[name][1] > 0, name
