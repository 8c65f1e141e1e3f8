"""Publish stage: encode the tables, stage the release, and publish it only once it is valid."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prefect import task
from prefect.cache_policies import NONE

from flows import __version__
from flows.core.extract import EXTRACTOR_VERSION
from flows.core.ingest import Rejected
from flows.core.storage import EncodedTables, Outputs, datapackage, encode_tables, new_version


@task(name="encode-tables", cache_policy=NONE)
def encode(rows: dict[str, list[dict]]) -> EncodedTables:
    return encode_tables(rows)


@task(name="stage-release", cache_policy=NONE)
def stage(outputs_dir: Path, encoded: EncodedTables) -> Path:
    return Outputs(outputs_dir).stage(new_version(encoded.fingerprint), encoded)


@task(name="publish-release", cache_policy=NONE)
def publish(outputs_dir: Path, staging: Path, encoded: EncodedTables, run: dict) -> Path:
    """Write datapackage.json (with `run`: document and quarantine counts, inputs fingerprint),
    move the release into releases/ and then move latest."""
    package = datapackage(encoded, staging.name, dt.datetime.now(dt.UTC), {
        "code_version": __version__, "extractor_version": EXTRACTOR_VERSION, **run,
    })
    return Outputs(outputs_dir).finish(staging, package)


@task(name="reject-release", cache_policy=NONE)
def reject(outputs_dir: Path, staging: Path) -> Path:
    return Outputs(outputs_dir).reject(staging)


@task(name="write-quarantine", cache_policy=NONE)
def write_quarantine(outputs_dir: Path, rejected: list[Rejected], input_dir: Path) -> Path:
    return Outputs(outputs_dir).write_quarantine(rejected, input_dir)
