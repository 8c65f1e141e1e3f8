"""Validate a release's tables with Great Expectations before it is published.

The suites are generated from `schemas/tables.yaml` (`flows.core.schema.expectation_configs`).
GX sees each table a chunk at a time (`ReleaseFrames`), so validation memory is bounded by the
chunk size. Rules that no single chunk can check (primary keys unique in the whole table,
foreign keys, offsets inside `documents.text` and `text[start:end]` equal to the stored match)
become derived boolean columns computed here, and the suites expect them to be all true, so
every rule is reported by GX in one place. Great Expectations is imported only inside
`run_validation` (it costs ~2-3 s to import).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from flows.core.schema import (
    PK_UNIQUE,
    SPAN_IN_TEXT,
    SPAN_MATCHES,
    expectation_configs,
    fk_check_column,
    tables,
)
from flows.core.storage import read_table, release_memory


@dataclass
class Failure:
    table: str
    expectation: str
    column: str | None
    unexpected_count: int | None
    examples: list[Any] = field(default_factory=list)

    def describe(self) -> str:
        where = f"{self.table}.{self.column}" if self.column else self.table
        count = f": {self.unexpected_count} rows" if self.unexpected_count is not None else ""
        ex = f" (e.g. {', '.join(map(repr, self.examples[:3]))})" if self.examples else ""
        return f"{where} failed {self.expectation}{count}{ex}"


@dataclass
class ValidationReport:
    success: bool
    n_expectations: int
    n_failed: int
    failures: list[Failure]
    per_table: dict[str, dict[str, int]]

    def summary(self) -> str:
        status = "passed" if self.success else "FAILED"
        lines = [f"validation {status}: {self.n_expectations - self.n_failed}/{self.n_expectations} expectations met"]
        lines += [f"  - {f.describe()}" for f in self.failures]
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "success": self.success, "n_expectations": self.n_expectations, "n_failed": self.n_failed,
            "per_table": self.per_table,
            "failures": [f.__dict__ for f in self.failures],
        }


_LARGE_TABLE = 50_000  # rows: below this, handing memory back costs more time than it saves memory
# A chunk holds at most about CHUNK_BYTES of decoded data (by the Parquet footer's sizes) and at
# most CHUNK_ROWS rows (dictionary-encoded ids decode far larger than their footprint there).
# Larger chunks mean fewer GX runs: each costs ~0.2 s of GX overhead, whatever its rows.
CHUNK_BYTES = 64 << 20
CHUNK_ROWS = 250_000
_NULL_ONLY = {"expect_column_values_to_not_be_null", "expect_column_values_to_be_null"}


@cache
def null_only_columns(name: str) -> frozenset[str]:
    """The string columns of a table whose expectations only ask whether values are null (the
    documents' texts, for one). Validation hands GX a stand-in with the same nulls instead of
    the strings: the same verdicts, without a second copy of the corpus in pandas."""
    spec = tables()[name]
    checked: dict[str, set[str]] = {}
    for config in expectation_configs(spec):
        kwargs = config["kwargs"]
        for col in [kwargs.get("column"), *kwargs.get("column_list", [])]:
            if col:
                checked.setdefault(col, set()).add(config["type"])
    return frozenset(c.name for c in spec.columns
                     if c.type == "string" and c.name in checked and checked[c.name] <= _NULL_ONLY)


def unique_key_flags(keys: pa.Table) -> np.ndarray | None:
    """For each row, whether its primary key is unique in the whole table (rows whose key
    columns are all null are not counted, as GX's uniqueness expectations skip them); None when
    every key is unique, the usual case, found with one hash aggregation on the key columns."""
    if keys.num_rows == 0 or keys.group_by(keys.column_names).aggregate([]).num_rows == keys.num_rows:
        return None
    frame = keys.to_pandas()
    duplicated = frame.duplicated(keep=False) & ~frame.isna().all(axis=1)
    return ~duplicated.to_numpy()


class ReleaseFrames:
    """The tables of a staged release as DataFrames for GX (dates as timestamps), in chunks of
    about CHUNK_BYTES read from the Parquet files, with derived check columns for the rules no
    chunk can check alone:
    - the primary key unique in the whole table (from the key columns alone, read once);
    - foreign keys (membership in the referenced key column, held as one Arrow array);
    - spans inside `documents.text` and equal to the stored match (the texts of the chunk's
      documents, one row group of documents.parquet at a time).
    Validation memory is then bounded by the chunk size, not the corpus size.
    `examples` collects, per (table, derived column), the first rows a derived check rejected:
    a GX failure on a derived column only shows `False`."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._keys: dict[tuple[str, str], pa.Array] = {}
        self._groups: dict[str, int] | None = None  # document id -> row group of documents.parquet
        self._texts: tuple[int, dict[str, int], pa.ChunkedArray] = (-1, {}, pa.chunked_array([], pa.string()))
        self.examples: dict[tuple[str, str], list[str]] = {}

    def _file(self, name: str) -> pq.ParquetFile:
        return pq.ParquetFile(self.folder / f"{name}.parquet")

    def _known(self, table: str, column: str) -> pa.Array:
        if (table, column) not in self._keys:
            self._keys[(table, column)] = pc.unique(read_table(self.folder, table, [column]).column(column))
        return self._keys[(table, column)]

    def _group_texts(self, group: int) -> tuple[dict[str, int], pa.ChunkedArray]:
        """One row group of documents.parquet: document id -> row, and the text column (kept as
        Arrow, a text becomes a Python string only while its spans are checked). Only the last
        group read is kept: consecutive chunks of a table in document order reuse it."""
        if self._texts[0] != group:
            self._texts = (-1, {}, pa.chunked_array([], pa.string()))  # the old group goes before the next comes
            part = self._file("documents").read_row_group(group, columns=["document_id", "text"])
            rows = {doc: i for i, doc in enumerate(part.column(0).to_pylist())}
            self._texts = (group, rows, part.column(1))
        return self._texts[1], self._texts[2]

    def spans(self, docs: Sequence[str], starts: Sequence[int | None], ends: Sequence[int | None],
              stored: Sequence[str | None] | None) -> tuple[list[bool], list[bool]]:
        """Whether each span lies inside its document's text, and (with `stored`) whether the
        text there equals the stored match. The rows are taken a documents row group at a time,
        whatever their order, so memory holds one group of texts, not the corpus."""
        if self._groups is None:
            source = self._file("documents")
            self._groups = {}
            for group in range(source.num_row_groups):
                for doc in source.read_row_group(group, columns=["document_id"]).column(0).to_pylist():
                    self._groups[doc] = group
        by_doc: dict[str, list[int]] = {}
        for i, doc in enumerate(docs):
            if doc in self._groups:  # a document that does not exist: no span is inside it
                by_doc.setdefault(doc, []).append(i)
        inside, equal = [False] * len(docs), [False] * len(docs)
        # the group in memory first, then the others in file order
        for doc in sorted(by_doc, key=lambda d: (self._groups[d] != self._texts[0], self._groups[d])):
            rows, column = self._group_texts(self._groups[doc])
            text = column[rows[doc]].as_py() or ""  # no text (its not-null rule fails): no span inside
            for i in by_doc[doc]:
                start, end = starts[i], ends[i]
                if start is not None and end is not None and 0 <= start < end <= len(text):
                    inside[i] = True
                    equal[i] = stored is not None and text[start:end] == stored[i]
        return inside, equal

    def chunks(self, name: str) -> Iterator[pd.DataFrame]:
        """The table's chunks, in file order; at least one (an empty table still meets its suite)."""
        spec = tables()[name]
        source = self._file(name)
        unique = unique_key_flags(read_table(self.folder, name, spec.primary_key)) if spec.primary_key else None
        meta = source.metadata
        footprint = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        size = max(1, min(CHUNK_ROWS, CHUNK_BYTES * meta.num_rows // max(footprint, 1)))
        offset = 0
        for batch in source.iter_batches(batch_size=size):
            arrow = pa.Table.from_batches([batch])
            flags = None if unique is None else unique[offset:offset + arrow.num_rows]
            offset += arrow.num_rows
            yield self._frame(name, arrow, flags)
        if offset == 0:
            yield self._frame(name, source.schema_arrow.empty_table(), None)

    def _frame(self, name: str, arrow: pa.Table, unique: np.ndarray | None) -> pd.DataFrame:
        spec = tables()[name]
        stand_ins = null_only_columns(name)
        # nullable ints as floats: what the GX suites expect
        df = arrow.drop_columns(sorted(stand_ins)).to_pandas(ignore_metadata=True)
        for col in stand_ins:  # same nulls as the text, a fraction of the memory (whole documents' texts)
            df[col] = arrow.column(col).is_null().to_pandas().map({True: None, False: 1})
        df = df[arrow.column_names]
        for col in spec.columns:
            if col.type == "date32":
                df[col.name] = pd.to_datetime(df[col.name])
        if spec.primary_key:
            ok = np.ones(arrow.num_rows, dtype=bool) if unique is None else unique
            self._derived(name, PK_UNIQUE, df, ok, arrow, spec.primary_key)
        for fk in spec.foreign_keys:
            (col,), (ref_col,) = fk["fields"], fk["reference"]["fields"]
            known = self._known(fk["reference"]["resource"], ref_col)
            inside = pc.is_in(arrow.column(col), value_set=known).fill_null(False)
            if spec.column(col).nullable:  # a null in a nullable key column refers to nothing: it breaks nothing
                inside = pc.or_(inside, pc.is_null(arrow.column(col)))
            self._derived(name, fk_check_column(fk), df, inside.to_numpy(zero_copy_only=False), arrow, [col])
        if spec.span is not None:
            docs, starts, ends = (arrow.column(c).to_pylist() for c in ("document_id", "start", "end"))
            text_col = spec.span.get("text")
            inside, equal = self.spans(docs, starts, ends, arrow.column(text_col).to_pylist() if text_col else None)
            where = ["document_id", "start", "end"]
            self._derived(name, SPAN_IN_TEXT, df, np.array(inside, dtype=bool), arrow, where)
            if text_col:
                self._derived(name, SPAN_MATCHES, df, np.array(equal, dtype=bool), arrow, [*where, text_col])
        return df

    def _derived(self, name: str, column: str, df: pd.DataFrame, ok: np.ndarray, arrow: pa.Table,
                 shown: Sequence[str]) -> None:
        """Add a derived check column; note the first rejected rows' `shown` values."""
        df[column] = pd.Series(ok, index=df.index, dtype=bool)
        seen = self.examples.setdefault((name, column), [])
        if len(seen) < 5 and not ok.all():
            bad = arrow.select(list(shown)).take(np.flatnonzero(~ok)[:5 - len(seen)]).to_pylist()
            seen += [", ".join(f"{k}={v!r}" for k, v in row.items()) for row in bad]


def release_frames(folder: Path) -> ReleaseFrames:
    """The validation chunks of a staged or published release, read from its Parquet files."""
    return ReleaseFrames(folder)


def _expectation(config: Mapping[str, Any]):
    import great_expectations as gx

    class_name = "".join(part.title() for part in config["type"].split("_"))
    kwargs = dict(config["kwargs"])
    for bound in ("min_value", "max_value"):  # ISO dates in the suite, timestamps in the frames
        if isinstance(kwargs.get(bound), str):
            kwargs[bound] = dt.datetime.fromisoformat(kwargs[bound])
    return getattr(gx.expectations, class_name)(**kwargs)


def preload_validation() -> None:
    """Import Great Expectations ahead of time (from a background thread while the flow
    extracts); never raises, run_validation imports it again anyway."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    try:
        import great_expectations  # noqa: F401
    except Exception:  # noqa: BLE001 - a failed preload only means run_validation pays the import
        pass


class _Outcome:
    """One table's expectation results summed over its chunks: an expectation fails if it
    failed in any chunk; unexpected counts add up; the first examples are kept."""

    def __init__(self) -> None:
        self.n_rows = 0
        self.described: list[dict[str, Any]] = []
        self.expectations: list[dict[str, Any]] = []

    def add(self, described: dict[str, Any]) -> None:
        self.described.append(described)
        exps = [e for vr in described["validation_results"] for e in vr["expectations"]]
        if not self.expectations:
            self.expectations = [{**e, "result": dict(e.get("result") or {})} for e in exps]
            return
        for total, e in zip(self.expectations, exps, strict=True):
            total["success"] = total["success"] and e["success"]
            res, more = total["result"], e.get("result") or {}
            if more.get("unexpected_count") is not None:
                res["unexpected_count"] = (res.get("unexpected_count") or 0) + more["unexpected_count"]
            shown = res.get("partial_unexpected_list") or []
            res["partial_unexpected_list"] = (shown + (more.get("partial_unexpected_list") or []))[:5]

    def failed(self) -> list[dict[str, Any]]:
        return [e for e in self.expectations if not e["success"]]


def run_validation(frames: ReleaseFrames, out_dir: Path, version: str | None = None,
                   progress: Callable[[Sequence[Any]], Iterable[Any]] | None = None) -> ValidationReport:
    """Run every table's suite; write GX results (JSON), a summary and a report page (HTML)
    under out_dir. `progress` wraps the list of tables (a progress bar)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("release")
    definitions = []
    for name in tables():
        asset = source.add_dataframe_asset(name=name)
        batch_definition = asset.add_batch_definition_whole_dataframe(name)
        suite = context.suites.add(gx.ExpectationSuite(name=name))
        for config in expectation_configs(tables()[name]):
            suite.add_expectation(_expectation(config))
        definitions.append(context.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch_definition, suite=suite)))

    failures: list[Failure] = []
    per_table: dict[str, dict[str, int]] = {}
    results_json: dict[str, Any] = {}
    outcomes: dict[str, _Outcome] = {}
    for definition in (progress or _no_progress)(definitions):
        name = definition.name
        checkpoint = context.checkpoints.add(gx.Checkpoint(
            name=f"release-{name}", validation_definitions=[definition], actions=[],
            result_format={"result_format": "SUMMARY", "partial_unexpected_count": 5},
        ))
        outcome = _Outcome()
        for frame in frames.chunks(name):  # read here, one chunk in memory at a time
            outcome.n_rows += len(frame)
            described = checkpoint.run(batch_parameters={"dataframe": frame}).describe_dict()
            del frame
            outcome.add(described)
        outcomes[name] = outcome
        if outcome.n_rows >= _LARGE_TABLE:
            release_memory()
        results_json[name] = outcome.described if len(outcome.described) > 1 else outcome.described[0]
        per_table[name] = {"expectations": len(outcome.expectations), "failed": len(outcome.failed()),
                           "rows": outcome.n_rows, "chunks": len(outcome.described)}
        for e in outcome.failed():
            column = e["kwargs"].get("column") or ",".join(e["kwargs"].get("column_list", [])) or None
            res = e.get("result") or {}
            examples = frames.examples.get((name, column or "")) or [str(v) for v in res.get("partial_unexpected_list") or []]
            failures.append(Failure(name, e["expectation_type"], column, res.get("unexpected_count"), examples[:5]))
    n_exp = sum(t["expectations"] for t in per_table.values())
    report = ValidationReport(not failures, n_exp, len(failures), failures, per_table)
    (out_dir / "results.json").write_text(json.dumps(results_json, indent=1, default=str) + "\n", encoding="utf-8")
    (out_dir / "summary.json").write_text(json.dumps(report.as_dict(), indent=2, default=str) + "\n", encoding="utf-8")
    (out_dir / "summary.txt").write_text(report.summary() + "\n", encoding="utf-8")
    # Our own page instead of GX's Data Docs: those load Bootstrap, jQuery and fonts from more
    # than ten CDNs (blank offline) and shipped 3.9 MB of images and fonts nothing used.
    in_release = (out_dir.parent / "datapackage.json").exists() or out_dir.name == "validation"  # beside index.html
    (out_dir / REPORT_HTML).write_text(render_report(report, outcomes, version, in_release), encoding="utf-8")
    return report


REPORT_HTML = "index.html"
_RULE_LIMIT = 160


def _no_progress(items: Sequence[Any]) -> Sequence[Any]:
    return items


def _rule(kwargs: Mapping[str, Any]) -> str:
    """An expectation's arguments in words, without the column and GX's batch id."""
    shown = {k: v for k, v in kwargs.items() if k not in ("column", "batch_id", "column_list") and v is not None}
    text = "; ".join(f"{k} = {', '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in shown.items())
    return text if len(text) <= _RULE_LIMIT else text[:_RULE_LIMIT - 1] + "…"


def render_report(report: ValidationReport, outcomes: Mapping[str, _Outcome], version: str | None = None,
                  in_release: bool = False) -> str:
    """The validation report as one self-contained HTML page (inline CSS, no script, no
    network), from the expectations' results summed over each table's chunks; `in_release`:
    it is the release's validation/ folder, so it links back to the catalog page."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("flows", "templates"), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    rows = []
    for name, outcome in outcomes.items():
        expectations = []
        for e in outcome.expectations:
            kwargs = e.get("kwargs") or {}
            res = e.get("result") or {}
            expectations.append({
                "label": str(e.get("expectation_type", "")).removeprefix("expect_").replace("_", " "),
                "column": kwargs.get("column") or ", ".join(kwargs.get("column_list") or []),
                "rule": _rule(kwargs), "success": bool(e.get("success")),
                "unexpected": res.get("unexpected_count"),
                "examples": [str(v)[:120] for v in (res.get("partial_unexpected_list") or [])[:5]],
            })
        rows.append({"name": name, "rows": outcome.n_rows, "chunks": len(outcome.described),
                     "failed": len(outcome.failed()), "expectations": expectations})
    return env.get_template("validation.html.j2").render(
        tables=rows, success=report.success, n_expectations=report.n_expectations,
        n_met=report.n_expectations - report.n_failed, version=version, in_release=in_release)
