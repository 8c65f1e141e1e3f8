"""Normalize stage: mint stable ids, merge what several documents name, build the tables."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NONE

from flows.core.assemble import assemble_tables
from flows.core.extract import DocumentResult
from flows.core.ingest import Rejected


@task(name="assemble-tables", cache_policy=NONE)
def assemble(results: list[DocumentResult], rejected: list[Rejected]) -> dict[str, list[dict]]:
    return assemble_tables(results, rejected)
