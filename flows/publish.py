"""Publish stage: publish a staged release only once it is valid."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prefect import task
from prefect.cache_policies import NONE

from flows import __version__
from flows.core.bi import extra_resources
from flows.core.catalog import catalog_resource, write_catalog
from flows.core.extract import EXTRACTOR_VERSION
from flows.core.ingest import Rejected
from flows.core.remote import publish_to
from flows.core.storage import Outputs, StagedTables, datapackage


@task(name="publish-release", cache_policy=NONE)
def publish(outputs_dir: Path, staging: Path, staged: StagedTables, run: dict, validation: dict) -> Path:
    """Add the BI files, the changes since the previous release and the index.html catalog,
    write datapackage.json (with `run`: document and quarantine counts, inputs fingerprint),
    move the release into releases/ and then move latest."""
    outputs = Outputs(outputs_dir)
    outputs.write_extras(staging)
    package = datapackage(staged, staging.name, dt.datetime.now(dt.UTC), {
        "code_version": __version__, "extractor_version": EXTRACTOR_VERSION, **run,
    })
    package["resources"] += extra_resources(staging)
    write_catalog(staging, package, validation=validation)
    package["resources"].append(catalog_resource(staging))
    return outputs.finish(staging, package)


@task(name="publish-remote", cache_policy=NONE, retries=2, retry_delay_seconds=[5, 30])
def publish_remote(release: Path, url: str) -> str:
    """Upload a published release to object storage, then move the remote latest (an upload
    can fail for passing reasons, so this task retries; the remote latest never moves before
    every object is verified)."""
    return publish_to(release, url)


@task(name="reject-release", cache_policy=NONE)
def reject(outputs_dir: Path, staging: Path) -> Path:
    return Outputs(outputs_dir).reject(staging)


@task(name="write-quarantine", cache_policy=NONE)
def write_quarantine(outputs_dir: Path, rejected: list[Rejected], input_dir: Path | None,
                     source_paths: dict[str, Path] | None = None) -> Path:
    return Outputs(outputs_dir).write_quarantine(rejected, input_dir, source_paths)
