"""Ingest stage: find the input files, size and hash them (a batch per task run)."""

from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.cache_policies import NONE

from flows.core import ingest as core
from flows.core.ingest import Discovery, InputFile, Rejected


@task(name="discover-inputs", cache_policy=NONE)
def discover_inputs(input_dir: Path) -> Discovery:
    return core.discover(input_dir)


@task(name="inventory-inputs", cache_policy=NONE)
def inventory(paths: list[Path], root: Path, max_bytes: int) -> list[InputFile | Rejected]:
    """Every input sized and hashed: what the incremental cache and the unchanged check need."""
    return [core.take_inventory(path, root, max_bytes) for path in paths]
