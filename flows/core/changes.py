"""What changed between two releases, table by table: the changelog that ships with a release.

Rows are matched on each table's primary key (from `schemas/tables.yaml`, else from the old
release's own datapackage.json, else the whole row): a key only in the new release is an
added row, a key only in the old one a removed row (its id has disappeared: a breaking change
for anyone who stored it), and a key in both whose values differ a changed row. Values are
compared on the columns both releases have; added or removed columns are reported apart.
Everything is sorted, so the same two releases always give the same report.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from flows.core.schema import tables

MAX_IDS = 100  # ids listed per table and kind; the counts are always complete
_MD_IDS = 20  # ids shown per table in CHANGES.md

Key = tuple[Any, ...]


def _read_tables(release: Path) -> dict[str, pa.Table]:
    return {p.stem: pq.read_table(p) for p in sorted(Path(release).glob("*.parquet"))}


def _package_keys(release: Path | None) -> dict[str, list[str]]:
    """Primary keys a release declared in its own datapackage.json (tables the schemas no longer know)."""
    path = Path(release) / "datapackage.json" if release is not None else None
    if path is None or not path.is_file():
        return {}
    package = json.loads(path.read_text(encoding="utf-8"))
    return {res["name"]: list(res["schema"]["primaryKey"]) for res in package.get("resources", [])
            if res.get("format") == "parquet" and res.get("schema", {}).get("primaryKey")}


def _primary_key(name: str, columns: set[str], declared: Mapping[str, list[str]]) -> tuple[list[str], str]:
    """The key rows are matched on, and where it came from: schema, datapackage or row."""
    schema = tables().get(name)
    if schema is not None and schema.primary_key and set(schema.primary_key) <= columns:
        return list(schema.primary_key), "schema"
    if declared.get(name) and set(declared[name]) <= columns:
        return list(declared[name]), "datapackage"
    return sorted(columns), "row"


def _rows(table: pa.Table | None, columns: Sequence[str]) -> list[Key]:
    if table is None or table.num_rows == 0:
        return []
    data = table.select(list(columns)).to_pydict()
    return list(zip(*(data[c] for c in columns), strict=True))


def _jsonable(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _id(key: Key) -> Any:
    """A key as it appears in the report: the value itself, or a list for a composite key."""
    return _jsonable(key[0]) if len(key) == 1 else [_jsonable(v) for v in key]


def _sort_key(key: Key) -> tuple:
    return tuple((v is None, str(v)) for v in key)


def _capped(keys: Iterable[Key], limit: int) -> list[Any]:
    return [_id(k) for k in sorted(keys, key=_sort_key)[:limit]]


def _keyed_diff(old_rows: list[Key], new_rows: list[Key], key: Sequence[str], values: Sequence[str],
                limit: int) -> dict[str, Any]:
    """Match rows on their key (the first values of each row); the other values are compared."""
    n_key = len(key)
    old = {r[:n_key]: r[n_key:] for r in old_rows}
    new = {r[:n_key]: r[n_key:] for r in new_rows}
    added = new.keys() - old.keys()
    removed = old.keys() - new.keys()
    changed = {k for k in new.keys() & old.keys() if new[k] != old[k]}
    by_column = Counter(col for k in changed for col, a, b in zip(values, old[k], new[k], strict=True) if a != b)
    out = {"added": len(added), "removed": len(removed), "changed": len(changed),
           "unchanged": len(new.keys() & old.keys()) - len(changed),
           "changed_columns": dict(sorted(by_column.items())),
           "added_ids": _capped(added, limit), "removed_ids": _capped(removed, limit), "changed_ids": _capped(changed, limit)}
    duplicates = (len(old_rows) - len(old)) + (len(new_rows) - len(new))
    if duplicates:
        out["duplicate_keys"] = duplicates
    return out


def _row_diff(old_rows: list[Key], new_rows: list[Key]) -> dict[str, Any]:
    """Tables without a key: rows are a multiset; a row either stays, comes or goes."""
    old, new = Counter(old_rows), Counter(new_rows)
    return {"added": sum((new - old).values()), "removed": sum((old - new).values()), "changed": 0,
            "unchanged": sum((old & new).values()), "changed_columns": {},
            "added_ids": [], "removed_ids": [], "changed_ids": []}


def _diff_table(name: str, old: pa.Table | None, new: pa.Table | None, declared: Mapping[str, list[str]],
                limit: int) -> dict[str, Any]:
    old_cols = list(old.column_names) if old is not None else []
    new_cols = list(new.column_names) if new is not None else []
    both = [c for c in new_cols if c in old_cols] if old is not None and new is not None else (new_cols or old_cols)
    key, key_from = _primary_key(name, set(both), declared)
    values = [c for c in both if c not in key]
    old_rows, new_rows = _rows(old, key + values), _rows(new, key + values)
    body = _row_diff(old_rows, new_rows) if key_from == "row" else _keyed_diff(old_rows, new_rows, key, values, limit)
    status = "added" if old is None else "removed" if new is None else "kept"
    result: dict[str, Any] = {
        "status": status, "key": key if key_from != "row" else [], "key_from": key_from,
        "rows_before": old.num_rows if old is not None else 0, "rows_after": new.num_rows if new is not None else 0,
        **body,
    }
    if old is not None and new is not None:
        old_types = {f.name: str(f.type) for f in old.schema}
        result["columns_added"] = sorted(set(new_cols) - set(old_cols))
        result["columns_removed"] = sorted(set(old_cols) - set(new_cols))
        result["columns_retyped"] = sorted(f.name for f in new.schema if f.name in old_types and str(f.type) != old_types[f.name])
    return result


def diff_releases(old: Path | None, new: Path, *, max_ids: int = MAX_IDS) -> dict[str, Any]:
    """Compare two release folders (their Parquet files) table by table.

    `old` None is the first release: every row is added. Id lists are capped at `max_ids`
    (sorted); the counts are complete. The result names the old release but not the new one
    (the file lives inside it), so the same tables over the same previous release give the
    same bytes, like every other table file of a release.
    """
    old_tables = _read_tables(old) if old is not None else {}
    new_tables = _read_tables(new)
    declared = _package_keys(old)
    names = sorted(set(old_tables) | set(new_tables))
    per_table = {name: _diff_table(name, old_tables.get(name), new_tables.get(name), declared, max_ids) for name in names}
    totals = {kind: sum(t[kind] for t in per_table.values()) for kind in ("added", "removed", "changed")}
    return {
        "old_release": Path(old).resolve().name if old is not None else None,
        "first_release": old is None,
        "max_ids": max_ids,
        "totals": totals,
        "tables": per_table,
    }


def _fmt_id(value: Any) -> str:
    return "`" + (" / ".join(str(v) for v in value) if isinstance(value, list) else str(value)) + "`"


def _id_lines(changes: Mapping[str, Any], kind: str, title: str) -> list[str]:
    lines: list[str] = []
    for name, t in changes["tables"].items():
        ids = t[f"{kind}_ids"]
        if not ids:
            continue
        shown = ", ".join(_fmt_id(i) for i in ids[:_MD_IDS])
        more = t[kind] - min(len(ids), _MD_IDS)
        line = f"- **{name}** ({t[kind]}): {shown}" + (f" and {more} more" if more > 0 else "")
        if kind == "changed" and t["changed_columns"]:
            line += "; columns: " + ", ".join(f"{c} ({n})" for c, n in t["changed_columns"].items())
        lines.append(line)
    return [f"## {title}", "", *lines, ""] if lines else []


def render_changes_markdown(changes: Mapping[str, Any]) -> str:
    """The changes as a short Markdown page (CHANGES.md of a release)."""
    totals = changes["totals"]
    lines = ["# Changes in this release", ""]
    if changes["first_release"]:
        lines += ["First release: every row is new.", ""]
    else:
        lines += [f"Compared with release {changes['old_release']}: {totals['added']} rows added, "
                  f"{totals['removed']} removed, {totals['changed']} changed.", ""]
    lines += ["| table | rows before | rows after | added | removed | changed |", "|---|---:|---:|---:|---:|---:|"]
    for name, t in changes["tables"].items():
        label = name + (" (new table)" if t["status"] == "added" and not changes["first_release"] else "")
        label += " (table dropped)" if t["status"] == "removed" else ""
        lines.append(f"| {label} | {t['rows_before']} | {t['rows_after']} | {t['added']} | {t['removed']} | {t['changed']} |")
    lines.append("")
    if not changes["first_release"]:
        lines += _id_lines(changes, "removed", "Ids that disappeared")
        lines += _id_lines(changes, "changed", "Rows that changed")
        schema_lines = []
        for name, t in changes["tables"].items():
            for what in ("added", "removed", "retyped"):
                if t.get(f"columns_{what}"):
                    schema_lines.append(f"- **{name}**: columns {what}: {', '.join(t[f'columns_{what}'])}")
        if schema_lines:
            lines += ["## Schema changes", "", *schema_lines, ""]
    return "\n".join(lines)
