"""The table schemas, read from `schemas/tables.yaml`, and everything generated from them.

`schemas/tables.yaml` defines every column once. From it this module derives the Arrow
schema used to write Parquet, a JSON Schema per table, the Frictionless table schema used in
`datapackage.json`, the Great Expectations suite (as plain expectation configurations) and the
data dictionary. `write_generated()` writes the committed copies under `schemas/generated/`;
a test fails when they drift from what this module generates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

from flows.core.lookups import SCHEMAS_DIR

GENERATED_DIR = SCHEMAS_DIR / "generated"

_ARROW_TYPES = {"string": pa.string(), "int64": pa.int64(), "bool": pa.bool_(), "date32": pa.date32()}
_JSON_TYPES = {"string": "string", "int64": "integer", "bool": "boolean", "date32": "string"}
_FRICTIONLESS_TYPES = {"string": "string", "int64": "integer", "bool": "boolean", "date32": "date"}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    nullable: bool = False
    example: Any = None
    vocabulary: str | None = None
    pattern: str | None = None
    min: Any = None
    max: Any = None


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[dict, ...] = ()
    span: dict | None = None  # offsets into documents.text; {"text": column equal to text[start:end]}
    extra: dict = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


@cache
def vocabularies() -> dict[str, list[str]]:
    with (SCHEMAS_DIR / "vocabularies.yaml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@cache
def dataset_metadata() -> dict[str, Any]:
    with (SCHEMAS_DIR / "dataset.yaml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def full_value_pattern(pattern: str) -> bool:
    """Whether a pattern is anchored at both ends. Great Expectations and JSON Schema search a
    pattern anywhere in the value, Frictionless matches it against the whole value: a pattern
    anchored at both ends means the same to all three (a prefix such as `^S/RES/` failed every
    value in Frictionless)."""
    return pattern.startswith("^") and pattern.endswith("$") and not pattern.endswith("\\$")


@cache
def tables() -> dict[str, Table]:
    """All tables of a release, in publication order."""
    with (SCHEMAS_DIR / "tables.yaml").open(encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    out: dict[str, Table] = {}
    known_types = set(_ARROW_TYPES)
    for name, spec in raw.items():
        columns = []
        for col in spec["columns"]:
            if col["type"] not in known_types:
                raise ValueError(f"schemas/tables.yaml: {name}.{col['name']} has unknown type {col['type']!r}")
            if col.get("vocabulary") and col["vocabulary"] not in vocabularies():
                raise ValueError(f"schemas/tables.yaml: {name}.{col['name']} names unknown vocabulary")
            if col.get("pattern") and not full_value_pattern(col["pattern"]):
                raise ValueError(f"schemas/tables.yaml: {name}.{col['name']} pattern {col['pattern']!r} must match the "
                                 "whole value (start with ^ and end with $): Frictionless matches it so")
            columns.append(Column(**col))
        out[name] = Table(
            name=name,
            description=spec["description"],
            columns=tuple(columns),
            primary_key=tuple(spec.get("primary_key", ())),
            foreign_keys=tuple(spec.get("foreign_keys", ())),
            span=spec.get("span"),
        )
    return out


def arrow_schema(table: Table) -> pa.Schema:
    """The Arrow schema every Parquet file of this table is written with."""
    fields = [
        pa.field(c.name, _ARROW_TYPES[c.type], nullable=c.nullable, metadata={"description": c.description})
        for c in table.columns
    ]
    metadata = {"description": table.description, "primary_key": ",".join(table.primary_key)}
    ints = [c.name for c in table.columns if c.type == "int64" and c.nullable]
    if ints:  # pandas' own reader would turn a nullable integer column into float64 without this
        metadata["pandas"] = json.dumps({
            "index_columns": [], "column_indexes": [], "creator": {"library": "uncoop"}, "pandas_version": "2.2.0",
            "columns": [{"name": n, "field_name": n, "pandas_type": "int64", "numpy_type": "Int64", "metadata": None}
                        for n in ints]}, sort_keys=True)
    return pa.schema(fields, metadata=metadata)


def json_schema(table: Table) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of one row of the table's JSON file."""
    props: dict[str, Any] = {}
    for c in table.columns:
        prop: dict[str, Any] = {"description": c.description}
        base = _JSON_TYPES[c.type]
        prop["type"] = [base, "null"] if c.nullable else base
        if c.type == "date32":
            prop["format"] = "date"
        if c.vocabulary:
            prop["enum"] = list(vocabularies()[c.vocabulary]) + ([None] if c.nullable else [])
        if c.pattern:
            prop["pattern"] = c.pattern
        if c.type == "int64" and c.min is not None:
            prop["minimum"] = c.min
        if c.type == "int64" and c.max is not None:
            prop["maximum"] = c.max
        if c.example is not None:
            prop["examples"] = [c.example]
        props[c.name] = prop
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://uncoop.org/schemas/{table.name}.schema.json",
        "title": table.name,
        "description": table.description,
        "type": "array",
        "items": {
            "type": "object",
            "properties": props,
            "required": table.column_names,
            "additionalProperties": False,
        },
    }


def frictionless_schema(table: Table) -> dict[str, Any]:
    """Frictionless Table Schema of the table (used in datapackage.json)."""
    fields = []
    for c in table.columns:
        f: dict[str, Any] = {"name": c.name, "type": _FRICTIONLESS_TYPES[c.type], "description": c.description}
        constraints: dict[str, Any] = {}
        if not c.nullable:
            constraints["required"] = True
        if c.vocabulary:
            constraints["enum"] = list(vocabularies()[c.vocabulary])
        if c.pattern:
            constraints["pattern"] = c.pattern
        if c.min is not None:
            constraints["minimum"] = c.min
        if c.max is not None:
            constraints["maximum"] = c.max
        if constraints:
            f["constraints"] = constraints
        fields.append(f)
    schema: dict[str, Any] = {"fields": fields}
    if table.primary_key:
        schema["primaryKey"] = list(table.primary_key)
    if table.foreign_keys:
        schema["foreignKeys"] = [
            {"fields": fk["fields"], "reference": {"resource": fk["reference"]["resource"], "fields": fk["reference"]["fields"]}}
            for fk in table.foreign_keys
        ]
    return schema


# --- Great Expectations suites, as plain configurations ------------------------------------
# The derived boolean columns below are computed by flows.core.validation for each chunk, so
# that whole-table rules (primary keys, foreign keys, offsets into documents.text) are GX
# expectations too.


def fk_check_column(fk: dict) -> str:
    return f"_fk_{'_'.join(fk['fields'])}_in_{fk['reference']['resource']}"


PK_UNIQUE = "_primary_key_unique"  # derived: no other row of the whole table has this primary key
SPAN_IN_TEXT = "_span_inside_text"
SPAN_MATCHES = "_span_equals_text"


def expectation_configs(table: Table) -> list[dict[str, Any]]:
    """The Great Expectations suite of a table: a list of {"type": ..., "kwargs": ...}."""
    exps: list[dict[str, Any]] = [{"type": "expect_table_columns_to_match_set", "kwargs": {"column_set": table.column_names, "exact_match": False}}]
    for c in table.columns:
        if not c.nullable:
            exps.append({"type": "expect_column_values_to_not_be_null", "kwargs": {"column": c.name}})
        if c.vocabulary:
            exps.append({"type": "expect_column_values_to_be_in_set", "kwargs": {"column": c.name, "value_set": list(vocabularies()[c.vocabulary])}})
        if c.pattern:
            exps.append({"type": "expect_column_values_to_match_regex", "kwargs": {"column": c.name, "regex": c.pattern}})
        if c.min is not None or c.max is not None:
            exps.append({"type": "expect_column_values_to_be_between", "kwargs": {"column": c.name, "min_value": c.min, "max_value": c.max}})
    if table.primary_key:  # derived, as validation sees a large table a chunk at a time
        exps.append({"type": "expect_column_values_to_be_in_set", "kwargs": {"column": PK_UNIQUE, "value_set": [True]}})
    for fk in table.foreign_keys:
        exps.append({"type": "expect_column_values_to_be_in_set", "kwargs": {"column": fk_check_column(fk), "value_set": [True]}})
    if table.span is not None:
        exps.append({"type": "expect_column_values_to_be_in_set", "kwargs": {"column": SPAN_IN_TEXT, "value_set": [True]}})
        if table.span.get("text"):
            exps.append({"type": "expect_column_values_to_be_in_set", "kwargs": {"column": SPAN_MATCHES, "value_set": [True]}})
    return exps


def constraint_notes(column: Column, code: str = "") -> list[str]:
    """The constraints of a column in words (vocabulary, pattern, bounds), for the data
    dictionary and the catalog page; `code` wraps the pattern (a backtick for Markdown)."""
    out = []
    if column.vocabulary:
        out.append("one of: " + ", ".join(vocabularies()[column.vocabulary]))
    if column.pattern:
        out.append(f"matches {code}{column.pattern}{code}")
    if column.min is not None:
        out.append(f"≥ {column.min}")
    if column.max is not None:
        out.append(f"≤ {column.max}")
    return out


def data_dictionary() -> str:
    """The data dictionary of a release, in Markdown."""
    meta = dataset_metadata()
    lines = [f"# Data dictionary: {meta['name']}", "", meta["description"].strip(), ""]
    lines += ["Generated from `schemas/tables.yaml`; do not edit by hand.", ""]
    lines += ["Offsets `start`/`end` are Python string offsets into `documents.text` of the same document.", ""]
    for table in tables().values():
        lines += [f"## {table.name}", "", table.description, ""]
        if table.primary_key:
            lines.append(f"Primary key: `{', '.join(table.primary_key)}`.")
        for fk in table.foreign_keys:
            lines.append(f"Foreign key: `{', '.join(fk['fields'])}` → `{fk['reference']['resource']}.{', '.join(fk['reference']['fields'])}`.")
        lines += ["", "| column | type | null | description | constraints | example |", "|---|---|---|---|---|---|"]
        for c in table.columns:
            cons = constraint_notes(c, code="`")
            example = "" if c.example is None else str(c.example).replace("\n", "\\n").replace("|", "\\|")
            lines.append(f"| `{c.name}` | {c.type} | {'yes' if c.nullable else 'no'} | {c.description} | {'; '.join(cons)} | {example} |")
        lines.append("")
    return "\n".join(lines)


def generated_files() -> dict[str, str]:
    """Relative path under schemas/generated/ -> content, for every generated file."""
    files: dict[str, str] = {}
    for table in tables().values():
        files[f"json_schema/{table.name}.schema.json"] = _dump(json_schema(table))
        files[f"frictionless/{table.name}.json"] = _dump(frictionless_schema(table))
        files[f"expectations/{table.name}.json"] = _dump({"name": table.name, "expectations": expectation_configs(table)})
        files[f"arrow/{table.name}.txt"] = arrow_schema(table).to_string(show_field_metadata=False, show_schema_metadata=False) + "\n"
    files["data_dictionary.md"] = data_dictionary()
    return files


def _dump(obj: Any) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False, default=str) + "\n"


def write_generated(target: Path = GENERATED_DIR) -> list[Path]:
    """Write every generated file under `target`, removing stale ones; return the paths written."""
    files = generated_files()
    written = []
    for rel, content in files.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        written.append(path)
    for stale in sorted(target.rglob("*")):
        if stale.is_file() and stale.relative_to(target).as_posix() not in files:
            stale.unlink()
    return written


def drifted(target: Path = GENERATED_DIR) -> list[str]:
    """Generated files that are missing, stale or differ from what the schemas generate."""
    files = generated_files()
    out = []
    for rel, content in files.items():
        path = target / rel
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            out.append(rel)
    if target.exists():
        out += [p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file() and p.relative_to(target).as_posix() not in files]
    return sorted(out)
