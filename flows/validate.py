"""Validate stage: the Great Expectations suites, once per run, on the staged release."""

from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.cache_policies import NONE

from flows.core.storage import EncodedTables
from flows.core.validation import ValidationReport, run_validation, validation_frames


@task(name="validate-release", cache_policy=NONE)
def validate_release(encoded: EncodedTables, staging: Path) -> ValidationReport:
    return run_validation(validation_frames(encoded.arrow), staging / "validation")
