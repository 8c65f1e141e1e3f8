"""Ingest stage: find the input files and read them, a batch of documents per task run."""

from __future__ import annotations

from pathlib import Path

from prefect import task

from flows.core import ingest as core
from flows.core.ingest import Discovery, Rejected, SourceDocument


@task(name="discover-inputs")
def discover_inputs(input_dir: Path) -> Discovery:
    return core.discover(input_dir)


@task(name="read-batch")
def read_batch(paths: list[Path], root: Path, max_bytes: int) -> list[SourceDocument | Rejected]:
    return list(core.read_sources(paths, root, max_bytes))
