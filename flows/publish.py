"""Publish stage: encode the tables, stage the release, and publish it only once it is valid."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prefect import task

from flows import __version__
from flows.core.extract import EXTRACTOR_VERSION
from flows.core.ingest import Rejected
from flows.core.storage import EncodedTables, Outputs, datapackage, encode_tables, new_version


@task(name="encode-tables")
def encode(rows: dict[str, list[dict]]) -> EncodedTables:
    return encode_tables(rows)


@task(name="stage-release")
def stage(outputs_dir: Path, encoded: EncodedTables) -> Path:
    return Outputs(outputs_dir).stage(new_version(encoded.fingerprint), encoded)


@task(name="publish-release")
def publish(outputs_dir: Path, staging: Path, encoded: EncodedTables, n_documents: int, n_quarantined: int) -> Path:
    package = datapackage(encoded, staging.name, dt.datetime.now(dt.UTC), {
        "code_version": __version__, "extractor_version": EXTRACTOR_VERSION,
        "n_documents": n_documents, "n_quarantined": n_quarantined,
    })
    return Outputs(outputs_dir).finish(staging, package)


@task(name="reject-release")
def reject(outputs_dir: Path, staging: Path) -> Path:
    return Outputs(outputs_dir).reject(staging)


@task(name="write-quarantine")
def write_quarantine(outputs_dir: Path, rejected: list[Rejected], input_dir: Path) -> Path:
    return Outputs(outputs_dir).write_quarantine(rejected, input_dir)
