"""The kind of an organization (`entities.kind`), in the contract's `organization_kind` vocabulary.

Registry organizations take theirs from `schemas/lookups/organization_kinds.yaml` (the registry's
own kind mapped to the contract's, with per-organization exceptions); organizations that are not
in the registry (an acronym a text defines) from the head word of their name, else `other`.
"""

from __future__ import annotations

import re
from functools import cache

from flows.core.lookups import load_lookup

_HEAD = re.compile(r"\s+(?:of|for|in|on|to|at|against)\s+", re.IGNORECASE)


@cache
def _table() -> dict:
    return load_lookup("organization_kinds") or {}


@cache
def registry_kinds() -> dict[str, str]:
    """Registry id -> contract kind, for every organization of the registry."""
    table = _table()
    by_kind, by_id = table.get("by_registry_kind") or {}, table.get("by_id") or {}
    default = table.get("default", "other")
    return {e["id"]: by_id.get(e["id"]) or by_kind.get(e.get("kind"), default)
            for e in load_lookup("organizations") or []}


def head_word(name: str) -> str:
    """The head of an English organization name: its last word before the first preposition
    ("Ministry of Foreign Affairs" -> "ministry")."""
    words = _HEAD.split(name.strip(), maxsplit=1)[0].split()
    return words[-1].casefold().strip(".,;:()") if words else ""


def organization_kind(entity_id: str, name: str | None) -> str:
    """The contract kind of the organization `org:<id>` named `name`."""
    registry_id = entity_id.removeprefix("org:")
    kind = registry_kinds().get(registry_id)
    if kind is not None:
        return kind
    table = _table()
    return (table.get("by_head_word") or {}).get(head_word(name or ""), table.get("default", "other"))
