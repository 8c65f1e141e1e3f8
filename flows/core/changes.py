"""What changed between two releases, table by table: the changelog that ships with a release.

Rows are matched on each table's primary key (from `schemas/tables.yaml`, else from the old
release's own datapackage.json, else the whole row): a key only in the new release is an
added row, a key only in the old one a removed row (its id has disappeared: a breaking change
for anyone who stored it), and a key in both whose values differ a changed row. Values are
compared on the columns both releases have (as text where a column's type changed, so a
retyped column alone does not mark every row changed); added or removed columns are reported
apart. Everything is sorted, so the same two releases always give the same report.

The comparison runs in DuckDB straight over the Parquet files: it reads only the columns both
releases share, a row group at a time, and spills to disk past a fixed memory limit, so a
corpus whose texts do not fit in memory twice still compares. Only the counts and the first
`max_ids` ids of each kind come back to Python.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from flows.core.bi import release_tables, sql_name, sql_text
from flows.core.schema import tables

MAX_IDS = 100  # ids listed per table and kind; the counts are always complete
_MD_IDS = 20  # ids shown per table in CHANGES.md
MEMORY_LIMIT = "256MB"  # DuckDB's memory for the comparison; past it, it spills to a scratch folder
THREADS = 1
_ROW = '"__uncoop_row"'  # a row's position in its Parquet file

Key = tuple[Any, ...]


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


def _jsonable(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _id(key: Key) -> Any:
    """A key as it appears in the report: the value itself, or a list for a composite key."""
    return _jsonable(key[0]) if len(key) == 1 else [_jsonable(v) for v in key]


class _Side:
    """One release's version of a table: its Parquet file (None: the table is not in that
    release), its schema and its row count from the footer."""

    def __init__(self, path: Path | None):
        self.path = path
        parquet = pq.ParquetFile(path) if path is not None else None
        self.schema: pa.Schema | None = parquet.schema_arrow if parquet is not None else None
        self.rows = parquet.metadata.num_rows if parquet is not None else 0
        self.columns = list(self.schema.names) if self.schema is not None else []

    def type_of(self, column: str) -> str:
        assert self.schema is not None
        return str(self.schema.field(column).type)


def _is_text(side: _Side, column: str) -> bool:
    assert side.schema is not None
    kind = side.schema.field(column).type
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_binary(kind)
                or pa.types.is_large_binary(kind) or pa.types.is_string_view(kind))


class _Comparison:
    """SQL over the two versions of one table: `o` (old) and `n` (new) as relations of the
    compared columns. A column whose type differs between the releases is compared as text;
    the columns in `digest` are replaced by a 64-bit hash of their value (null stays null), so
    matching rows carries a few bytes per text instead of the text (a text that changed and
    kept its hash has a chance of one in 2**64)."""

    def __init__(self, con: Any, old: _Side, new: _Side, columns: Sequence[str], digest: Collection[str] = ()):
        self.con, self.columns = con, list(columns)
        retyped = ({c for c in columns if old.type_of(c) != new.type_of(c)}
                   if old.path is not None and new.path is not None else set())
        template = new if new.path is not None else old  # a missing side is an empty relation
        self.o = self._relation(old if old.path is not None else template, retyped, set(digest), empty=old.path is None)
        self.n = self._relation(new if new.path is not None else template, retyped, set(digest), empty=new.path is None)

    def _relation(self, side: _Side, as_text: set[str], digest: set[str], empty: bool) -> str:
        cols = []
        for c in self.columns:
            value = f"CAST({sql_name(c)} AS VARCHAR)" if c in as_text else sql_name(c)
            if c in digest:
                value = f"CASE WHEN {sql_name(c)} IS NULL THEN NULL ELSE hash({value}) END"
            cols.append(f"{value} AS {sql_name(c)}")
        return (f"(SELECT {', '.join(cols)}, file_row_number AS {_ROW} FROM read_parquet({sql_text(str(side.path))}, "
                f"file_row_number = true){' LIMIT 0' if empty else ''})")

    def scalar(self, sql: str) -> Any:
        return self.con.execute(sql).fetchone()[0]

    def distinct(self, relation: str, key: Sequence[str]) -> int:
        """Distinct keys (nulls equal, as in a Python dict)."""
        return int(self.scalar(f"SELECT count(*) FROM (SELECT DISTINCT {', '.join(map(sql_name, key))} FROM {relation})"))


def _last_per_key(relation: str, key: Sequence[str]) -> str:
    """One row per key, the last in file order (what a dict built from the rows would keep)."""
    return (f"(SELECT * FROM {relation} "
            f"QUALIFY row_number() OVER (PARTITION BY {', '.join(map(sql_name, key))} ORDER BY {_ROW} DESC) = 1)")


def _ids(cmp: _Comparison, key: Sequence[str], where: str, limit: int) -> list[Any]:
    """The first `limit` keys of one kind, in the order of str() of each value, nulls last."""
    order = ", ".join(f"{sql_name(k)} IS NULL, CAST({sql_name(k)} AS VARCHAR)" for k in key)
    rows = cmp.con.execute(f"SELECT {', '.join(map(sql_name, key))} FROM _cmp WHERE {where} ORDER BY {order} "
                           f"LIMIT {int(limit)}").fetchall()
    return [_id(tuple(r)) for r in rows]


def _keyed_diff(cmp: _Comparison, old: _Side, new: _Side, key: Sequence[str], values: Sequence[str],
                limit: int) -> dict[str, Any]:
    """Match rows on their key; the other values are compared (IS DISTINCT FROM: null equals null)."""
    o_keys, n_keys = cmp.distinct(cmp.o, key), cmp.distinct(cmp.n, key)
    o_rel = cmp.o if o_keys == old.rows else _last_per_key(cmp.o, key)
    n_rel = cmp.n if n_keys == new.rows else _last_per_key(cmp.n, key)
    on = " AND ".join(f"o.{sql_name(k)} IS NOT DISTINCT FROM n.{sql_name(k)}" for k in key)
    differs = [f"(o.{sql_name(v)} IS DISTINCT FROM n.{sql_name(v)}) AS {sql_name('d_' + v)}" for v in values]
    cmp.con.execute(
        "CREATE OR REPLACE TEMP TABLE _cmp AS SELECT "
        + ", ".join([f"coalesce(n.{sql_name(k)}, o.{sql_name(k)}) AS {sql_name(k)}" for k in key]
                    + ["o._in AS in_old", "n._in AS in_new", *differs])
        + f" FROM (SELECT *, true AS _in FROM {o_rel}) o FULL OUTER JOIN (SELECT *, true AS _in FROM {n_rel}) n ON {on}")
    changed = "(" + " OR ".join(sql_name("d_" + v) for v in values) + ")" if values else "false"
    kinds = {"added": "in_old IS NULL", "removed": "in_new IS NULL",
             "changed": f"in_old AND in_new AND {changed}", "unchanged": f"in_old AND in_new AND NOT {changed}"}
    per_column = [f"count(*) FILTER (WHERE in_old AND in_new AND {sql_name('d_' + v)})" for v in values]
    counts = cmp.con.execute("SELECT " + ", ".join([f"count(*) FILTER (WHERE {w})" for w in kinds.values()]
                                                   + per_column) + " FROM _cmp").fetchone()
    by_column = {v: int(n) for v, n in zip(values, counts[len(kinds):], strict=True) if n}
    out: dict[str, Any] = {kind: int(n) for kind, n in zip(kinds, counts, strict=False)}
    out["changed_columns"] = dict(sorted(by_column.items()))
    for kind in ("added", "removed", "changed"):
        out[f"{kind}_ids"] = _ids(cmp, key, kinds[kind], limit)
    cmp.con.execute("DROP TABLE _cmp")
    duplicates = (old.rows - o_keys) + (new.rows - n_keys)
    if duplicates:
        out["duplicate_keys"] = duplicates
    return out


def _row_diff(cmp: _Comparison) -> dict[str, Any]:
    """Tables without a key: rows are a multiset; a row either stays, comes or goes."""
    cols = ", ".join(map(sql_name, cmp.columns))
    added, removed, unchanged = cmp.con.execute(
        f"SELECT coalesce(sum(greatest(n_new - n_old, 0)), 0), coalesce(sum(greatest(n_old - n_new, 0)), 0), "
        f"coalesce(sum(least(n_old, n_new)), 0) FROM ("
        f"SELECT count(*) FILTER (WHERE _side = 0) AS n_old, count(*) FILTER (WHERE _side = 1) AS n_new "
        f"FROM (SELECT {cols}, 0 AS _side FROM {cmp.o} UNION ALL SELECT {cols}, 1 AS _side FROM {cmp.n}) "
        f"GROUP BY {cols})").fetchone()
    return {"added": int(added), "removed": int(removed), "changed": 0, "unchanged": int(unchanged),
            "changed_columns": {}, "added_ids": [], "removed_ids": [], "changed_ids": []}


def _diff_table(con: Any, name: str, old: _Side, new: _Side, declared: Mapping[str, list[str]],
                limit: int) -> dict[str, Any]:
    both_present = old.path is not None and new.path is not None
    both = [c for c in new.columns if c in old.columns] if both_present else (new.columns or old.columns)
    key, key_from = _primary_key(name, set(both), declared)
    values = [c for c in both if c not in key]
    if not both:  # no column in common: nothing to match rows on
        body: dict[str, Any] = {"added": 0, "removed": 0, "changed": 0, "unchanged": 0, "changed_columns": {},
                                "added_ids": [], "removed_ids": [], "changed_ids": []}
    elif key_from == "row":
        body = _row_diff(_Comparison(con, old, new, both))
    else:
        texts = [v for v in values if any(_is_text(side, v) for side in (old, new) if side.schema is not None)]
        body = _keyed_diff(_Comparison(con, old, new, key + values, digest=texts), old, new, key, values, limit)
    status = "added" if old.path is None else "removed" if new.path is None else "kept"
    result: dict[str, Any] = {
        "status": status, "key": key if key_from != "row" else [], "key_from": key_from,
        "rows_before": old.rows, "rows_after": new.rows, **body,
    }
    if both_present:
        assert old.schema is not None and new.schema is not None
        result["columns_added"] = sorted(set(new.columns) - set(old.columns))
        result["columns_removed"] = sorted(set(old.columns) - set(new.columns))
        result["columns_retyped"] = sorted(c for c in new.columns if c in old.columns and new.type_of(c) != old.type_of(c))
    return result


def diff_releases(old: Path | None, new: Path, *, max_ids: int = MAX_IDS) -> dict[str, Any]:
    """Compare two release folders (their Parquet files) table by table.

    `old` None is the first release: every row is added. Id lists are capped at `max_ids`
    (sorted); the counts are complete. The result names the old release but not the new one
    (the file lives inside it), so the same tables over the same previous release give the
    same bytes, like every other table file of a release.
    """
    import duckdb  # imported here, as in bi: only a publish needs it

    old_files = release_tables(old) if old is not None else {}
    new_files = release_tables(new)
    declared = _package_keys(old)
    names = sorted(set(old_files) | set(new_files))
    with tempfile.TemporaryDirectory(prefix="uncoop-changes-") as spill:
        con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "threads": THREADS, "temp_directory": spill})
        try:
            per_table = {name: _diff_table(con, name, _Side(old_files.get(name)), _Side(new_files.get(name)), declared,
                                           max_ids) for name in names}
        finally:
            con.close()
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
