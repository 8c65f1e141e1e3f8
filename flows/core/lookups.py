"""Load the vocabularies kept as data under `schemas/` (YAML), once per process."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

SCHEMAS_DIR = Path(__file__).resolve().parents[2] / "schemas"
LOOKUPS_DIR = SCHEMAS_DIR / "lookups"


@cache
def load_lookup(name: str) -> Any:
    """The parsed YAML file `schemas/lookups/<name>.yaml`."""
    path = LOOKUPS_DIR / f"{name}.yaml"
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)
