"""Normalize stage: mint stable ids, merge what several documents name, write the tables.

Pass 1 (`flows.core.assemble.CorpusIndex`) runs in the flow as results arrive; this task runs
pass 2, streaming every document's rows into the staged table files."""

from __future__ import annotations

from pathlib import Path

from prefect import get_run_logger, task
from prefect.cache_policies import NONE

from flows.core.assemble import Plan
from flows.core.cache import RunResults
from flows.core.storage import StagedTables
from flows.core.storage import write_tables as _write_tables
from flows.extract import gc_paused


@task(name="write-tables", cache_policy=NONE)
def write_tables(folder: Path, plan: Plan, results: RunResults) -> StagedTables:
    log = get_run_logger()
    with gc_paused():  # rows and records by the million, no cycles: the cyclic GC only costs time here
        return _write_tables(folder, plan, results.load,
                             progress=lambda done, total: log.info("wrote the rows of %d/%d documents", done, total))
