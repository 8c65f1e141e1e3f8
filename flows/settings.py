"""Typed settings of a build, with two profiles: `full` (make run) and `test` (small and fast)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from flows.core.fetch import DEFAULT_SYMBOL_URL_TEMPLATE

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_INPUT = ROOT / "corpus"
DEFAULT_OUTPUT = ROOT / "outputs"


class BuildSettings(BaseModel):
    """Parameters of the build flow (the Prefect UI renders them as a form)."""

    input_dir: Path | None = Field(DEFAULT_INPUT, description="Folder of input documents (.txt, .md, .pdf, .docx, "
                                                             ".html), read recursively; none: only fetched documents.")
    source_repo: str | None = Field(None, description="A repository of documents to read instead of input_dir: a "
                                    "folder (a local clone, read in place), or a git URL cloned into the fetch cache "
                                    "and brought up to date on every run (offline: the clone as it is). Only new and "
                                    "changed documents are extracted.")
    source_branch: str | None = Field(None, description="Branch of source_repo to read (default: the remote's HEAD).")
    output_dir: Path = Field(DEFAULT_OUTPUT, description="Where releases, latest and quarantine/ are written.")
    batch_size: int = Field(64, ge=1, le=10_000, description="Documents per task run.")
    max_bytes: int = Field(50 * 1024 * 1024, ge=1, description="Inputs larger than this are quarantined (too_large).")
    document_timeout: float = Field(60.0, ge=0, description="CPU seconds one document may take to be read and "
                                    "extracted; a slower one is quarantined (extractor_timeout). 0: no limit.")
    publish: bool = Field(True, description="Publish the release when it is valid (false: validate only).")
    task_runner: Literal["auto", "sequential", "threads", "processes", "dask"] = Field(
        "auto", description="Where extract batches run: auto (a process per core when there is more than one batch "
                            "to extract, else in the flow's process), sequential, threads, processes, or dask "
                            "(a local Dask cluster, or the cluster at dask_address).")
    workers: int = Field(0, ge=0, le=512, description="Processes, threads or local Dask workers (0: one per core).")
    dask_address: str | None = Field(None, description="Scheduler address of an existing Dask cluster, e.g. "
                                                       "tcp://10.0.0.5:8786 (task_runner dask); none: a local cluster.")
    cache_dir: Path | None = Field(None, description="Per-document result cache (default: <output_dir>/.cache/extract).")
    use_cache: bool = Field(True, description="Reuse cached per-document results (false: extract everything again).")
    urls_file: Path | None = Field(None, description="File of document URLs to fetch, one a line (# comments).")
    symbols_file: Path | None = Field(None, description="File of UN document symbols to fetch, one a line.")
    symbol_url_template: str = Field(DEFAULT_SYMBOL_URL_TEMPLATE, description="URL of a document by symbol; "
                                     "{symbol} is replaced by the URL-encoded symbol.")
    fetch_cache_dir: Path | None = Field(None, description="Fetched bytes and their provenance "
                                                           "(default: <output_dir>/.cache/fetch).")
    offline: bool = Field(False, description="Fetch nothing: use only what the fetch cache holds.")
    allow_shrink: bool = Field(False, description="Publish a release that has fewer documents than latest or loses "
                                                  "more than 10% of a table's rows (the publishing gate refuses it "
                                                  "otherwise). An empty release is never published.")
    publish_to: str | None = Field(None, description="Also upload each published release to object storage, e.g. "
                                                     "s3://bucket/prefix (fsspec URL; credentials from the environment), "
                                                     "then move the remote latest.")

    def resolved_fetch_cache_dir(self) -> Path:
        return Path(self.fetch_cache_dir) if self.fetch_cache_dir else Path(self.output_dir) / ".cache" / "fetch"

    def resolved_cache_dir(self) -> Path:
        return Path(self.cache_dir) if self.cache_dir else Path(self.output_dir) / ".cache" / "extract"

    def n_workers(self) -> int:
        return self.workers or os.cpu_count() or 1


PROFILES: dict[str, dict] = {
    "full": {},
    "test": {"input_dir": ROOT / "corpus" / "seeds", "batch_size": 8},
}


def settings_for(profile: Literal["full", "test"] = "full", **overrides) -> BuildSettings:
    """The settings of a profile, with explicit overrides (None values are ignored)."""
    values = {**PROFILES[profile], **{k: v for k, v in overrides.items() if v is not None}}
    return BuildSettings(**values)
