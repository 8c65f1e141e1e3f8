"""Validate stage: the Great Expectations suites, once per run, on the staged release."""

from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.cache_policies import NONE

from flows.core.validation import ValidationReport, release_frames, run_validation
from flows.progress import tracked


@task(name="validate-release", cache_policy=NONE)
def validate_release(staging: Path) -> ValidationReport:
    return run_validation(release_frames(staging), staging / "validation", version=staging.name,
                          progress=lambda items: tracked(items, "validate"))
