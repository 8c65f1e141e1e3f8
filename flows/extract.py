"""Extract stage: decode, normalize and run every extractor over a batch of documents in one
task run. The task takes the raw bytes (not paths), so it runs the same in this process, in a
local process pool or on a remote Dask worker that does not see the input folder.

A document that makes an extractor raise is quarantined with the error, one that takes longer
than the per-document budget (setting `document_timeout`) as `extractor_timeout`; the batch
goes on.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from prefect import task
from prefect.cache_policies import NONE

from flows.core.budget import BudgetExceeded, time_budget
from flows.core.extract import DocumentResult, extract_document
from flows.core.ingest import Rejected, SourceDocument, source_from_bytes, with_url


@dataclass(frozen=True, slots=True)
class RawInput:
    """One input as an extract batch receives it: bytes, not a path, so a remote worker that
    does not see the input folder can process it. (A dataclass, not a tuple: Dask reads tuples
    in task arguments as tasks of its own.)"""

    name: str
    sha256: str
    data: bytes
    url: str | None = None
    content_type: str | None = None


# (source name, sha256, result or rejection) out
Processed = tuple[str, str, DocumentResult | Rejected]


def extract_source(source: SourceDocument) -> DocumentResult | Rejected:
    try:
        return extract_document(source)
    except Exception as exc:  # noqa: BLE001 - any extractor failure quarantines this document only
        return Rejected(source.source_name, source.source_sha256, source.n_bytes, "extractor_error",
                        f"{type(exc).__name__}: {exc}")


DEFAULT_DOCUMENT_TIMEOUT = 60.0  # CPU seconds per document: conversion, normalization and every extractor


def process_raw(name: str, sha256: str, data: bytes, url: str | None = None,
                content_type: str | None = None,
                timeout: float | None = DEFAULT_DOCUMENT_TIMEOUT) -> DocumentResult | Rejected:
    """Bytes of one input to its extraction result (or the reason it was rejected), within a
    budget of `timeout` seconds for the whole of it (None or 0: no limit)."""
    try:
        with time_budget(timeout):
            source = with_url(source_from_bytes(name, data, sha256, content_type), url)
            return source if isinstance(source, Rejected) else extract_source(source)
    except BudgetExceeded:
        return timed_out(name, sha256, len(data), timeout)


def timed_out(name: str, sha256: str, n_bytes: int, timeout: float | None) -> Rejected:
    return Rejected(name, sha256, n_bytes, "extractor_timeout",
                    f"reading and extracting it took over {timeout:g} s of CPU time (setting document_timeout); "
                    "the run went on without it")


def extract_batch_plain(items: list[RawInput], timeout: float | None = DEFAULT_DOCUMENT_TIMEOUT) -> list[Processed]:
    # The extractors allocate millions of short-lived objects and make no reference cycles worth
    # collecting mid-batch: the cyclic GC only cost time here (about 5%), so it waits for the end.
    with gc_paused():
        return [(i.name, i.sha256, process_raw(i.name, i.sha256, i.data, i.url, i.content_type, timeout))
                for i in items]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a block (reference counting still frees
    everything without cycles); restores the previous state."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@task(name="extract-batch", cache_policy=NONE)
def extract_batch(items: list[RawInput], timeout: float | None = DEFAULT_DOCUMENT_TIMEOUT) -> list[Processed]:
    return extract_batch_plain(items, timeout)
