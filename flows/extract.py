"""Extract stage: run every extractor over a batch of documents in one task run.

A document that makes an extractor raise is quarantined with the error; the batch goes on.
"""

from __future__ import annotations

from prefect import task

from flows.core.extract import DocumentResult, extract_document
from flows.core.ingest import Rejected, SourceDocument


def extract_batch_plain(sources: list[SourceDocument]) -> tuple[list[DocumentResult], list[Rejected]]:
    results, rejected = [], []
    for source in sources:
        try:
            results.append(extract_document(source))
        except Exception as exc:  # noqa: BLE001 - any extractor failure quarantines this document only
            rejected.append(Rejected(source.source_name, source.source_sha256, source.n_bytes, "extractor_error",
                                     f"{type(exc).__name__}: {exc}"))
    return results, rejected


@task(name="extract-batch")
def extract_batch(sources: list[SourceDocument]) -> tuple[list[DocumentResult], list[Rejected]]:
    return extract_batch_plain(sources)
