"""Ingest stage: find the input files, size and hash them (a batch per task run)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from prefect import task
from prefect.cache_policies import NONE

from flows.core import ingest as core
from flows.core.fetch import (
    Fetched,
    FetchSettings,
    failed_rejections,
    fetch_symbols,
    fetch_urls,
    read_list_file,
)
from flows.core.gitsource import RepositoryCheckout, sync_repository
from flows.core.ingest import Discovery, InputFile, Rejected

FETCHED_PREFIX = "fetched/"  # source names of fetched documents: fetched/<stable name from the URL>


@task(name="discover-inputs", cache_policy=NONE)
def discover_inputs(input_dir: Path) -> Discovery:
    return core.discover(input_dir)


@task(name="inventory-inputs", cache_policy=NONE)
def inventory(paths: list[Path], root: Path, max_bytes: int) -> list[InputFile | Rejected]:
    """Every input sized and hashed: what the incremental cache and the unchanged check need."""
    return [core.take_inventory(path, root, max_bytes) for path in paths]


@task(name="sync-source-repository", cache_policy=NONE, retries=2, retry_delay_seconds=[10, 60])
def sync_source(spec: str, cache_dir: Path, offline: bool, branch: str | None) -> RepositoryCheckout:
    """Clone or update the source repository (a folder is read in place); see flows.core.gitsource."""
    return sync_repository(spec, cache_dir, offline=offline, branch=branch)


@task(name="fetch-remote", cache_policy=NONE, retries=2, retry_delay_seconds=[10, 60])
def fetch_remote(urls_file: Path | None, symbols_file: Path | None, cache_dir: Path, template: str,
                 max_bytes: int, offline: bool) -> list[Fetched]:
    """Download (or take from the fetch cache) every listed URL and symbol. Each URL already gets
    its own retries with backoff inside fetch_urls; the task retries cover a whole-task failure
    (cache folder not writable, a crash), and are cheap because finished URLs are cached."""
    settings = FetchSettings(symbol_url_template=template, max_bytes=max_bytes)
    urls = read_list_file(urls_file) if urls_file else []
    symbols = read_list_file(symbols_file) if symbols_file else []
    return (fetch_urls(urls, cache_dir, settings, offline=offline)
            + fetch_symbols(symbols, cache_dir, settings, offline=offline))


def fetched_inputs(fetched: list[Fetched]) -> tuple[list[InputFile], list[Rejected]]:
    """Fetched documents as inventory items (their bytes stay in the fetch cache) and the URLs
    that could not be fetched as quarantine records, all named fetched/<name>."""
    items = [InputFile(FETCHED_PREFIX + f.name, f.path, f.sha256, f.n_bytes, f.url, f.content_type)
             for f in fetched if f.ok and f.path is not None]
    failed = [f for f in fetched if not f.ok]
    rejected = [replace(r, source_name=FETCHED_PREFIX + f.name, detail=f"{f.url}: {r.detail}")
                for f, r in zip(failed, failed_rejections(failed), strict=True)]
    return items, rejected
