"""Typed settings of a build, with two profiles: `full` (make run) and `test` (small and fast)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_INPUT = ROOT / "corpus"
DEFAULT_OUTPUT = ROOT / "outputs"


class BuildSettings(BaseModel):
    """Parameters of the build flow (the Prefect UI renders them as a form)."""

    input_dir: Path = Field(DEFAULT_INPUT, description="Folder of input documents (.txt, .md), read recursively.")
    output_dir: Path = Field(DEFAULT_OUTPUT, description="Where releases, latest and quarantine/ are written.")
    batch_size: int = Field(64, ge=1, le=10_000, description="Documents per task run.")
    max_bytes: int = Field(50 * 1024 * 1024, ge=1, description="Inputs larger than this are quarantined (too_large).")
    publish: bool = Field(True, description="Publish the release when it is valid (false: validate only).")


PROFILES: dict[str, dict] = {
    "full": {},
    "test": {"input_dir": ROOT / "corpus" / "seeds", "batch_size": 8},
}


def settings_for(profile: Literal["full", "test"] = "full", **overrides) -> BuildSettings:
    """The settings of a profile, with explicit overrides (None values are ignored)."""
    values = {**PROFILES[profile], **{k: v for k, v in overrides.items() if v is not None}}
    return BuildSettings(**values)
