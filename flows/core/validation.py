"""Validate a release's tables with Great Expectations before it is published.

The suites are generated from `schemas/tables.yaml` (`flows.core.schema.expectation_configs`).
Rules that span tables (foreign keys; offsets inside `documents.text` and `text[start:end]`
equal to the stored match) become derived boolean columns computed here, and the suites
expect them to be all true, so every rule is reported by GX in one place. Great Expectations
is imported only inside `run_validation` (it costs ~2-3 s to import).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from flows.core.schema import SPAN_IN_TEXT, SPAN_MATCHES, expectation_configs, fk_check_column, tables
from flows.core.storage import release_memory


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


TableReader = Callable[[str, Sequence[str] | None], pa.Table]  # (table, columns or all) -> Arrow table
BatchReader = Callable[[str, Sequence[str]], Iterator[pa.RecordBatch]]  # the same, a row group at a time


_LARGE_TABLE = 50_000  # rows: below this, handing memory back costs more time than it saves memory
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


class ReleaseFrames(Mapping[str, pd.DataFrame]):
    """Each table of a release as a DataFrame (dates as timestamps) with the derived check
    columns, built only when asked for, so validation holds one table at a time (plus the
    documents' texts, which the span checks read, and the key columns foreign keys point at)."""

    def __init__(self, read: TableReader, batches: BatchReader | None = None):
        self._read = read
        self._batches = batches or (lambda name, columns: iter(read(name, columns).to_batches()))
        self._texts: dict[str, str] | None = None
        self._keys: dict[tuple[str, str], set[Any]] = {}

    def __iter__(self) -> Iterator[str]:
        return iter(tables())

    def __len__(self) -> int:
        return len(tables())

    def texts(self) -> dict[str, str]:
        if self._texts is None:
            self._texts = {}
            for batch in self._batches("documents", ["document_id", "text"]):  # not the whole column at once
                self._texts.update(zip(batch.column(0).to_pylist(), batch.column(1).to_pylist(), strict=True))
        return self._texts

    def _known(self, table: str, column: str) -> set[Any]:
        if (table, column) not in self._keys:
            self._keys[(table, column)] = set(self._read(table, [column]).column(column).to_pylist())
        return self._keys[(table, column)]

    def __getitem__(self, name: str) -> pd.DataFrame:
        spec = tables()[name]
        arrow = self._read(name, None)
        stand_ins = null_only_columns(name)
        # nullable ints as floats: what the GX suites expect
        df = arrow.drop_columns(sorted(stand_ins)).to_pandas(ignore_metadata=True)
        for col in stand_ins:  # same nulls as the text, a fraction of the memory (whole documents' texts)
            df[col] = arrow.column(col).is_null().to_pandas().map({True: None, False: 1})
        df = df[arrow.column_names]
        for col in spec.columns:
            if col.type == "date32":
                df[col.name] = pd.to_datetime(df[col.name])
        for fk in spec.foreign_keys:
            (col,), (ref_col,) = fk["fields"], fk["reference"]["fields"]
            known = self._known(fk["reference"]["resource"], ref_col)
            df[fk_check_column(fk)] = pd.Series([v in known for v in arrow.column(col).to_pylist()], index=df.index,
                                                dtype=bool)
        if spec.span is not None:
            text_col = spec.span.get("text")
            texts = self.texts()
            docs, starts, ends = (arrow.column(c).to_pylist() for c in ("document_id", "start", "end"))
            lengths = {doc: len(text) for doc, text in texts.items()}
            inside = [0 <= s < e <= lengths.get(d, -1) for d, s, e in zip(docs, starts, ends, strict=True)]
            df[SPAN_IN_TEXT] = pd.Series(inside, index=df.index, dtype=bool)
            if text_col:  # plain lists: a pandas .iat per row cost ~14 us, this ~0.5 us
                stored = arrow.column(text_col).to_pylist()
                equal = [ok and texts[d][s:e] == v for ok, d, s, e, v in zip(inside, docs, starts, ends, stored, strict=True)]
                df[SPAN_MATCHES] = pd.Series(equal, index=df.index, dtype=bool)
        big = arrow.num_rows >= _LARGE_TABLE
        del arrow
        if big:
            release_memory(collect=False)  # give the Arrow buffers back before GX runs
        return df


def validation_frames(arrow_tables: Mapping[str, pa.Table]) -> ReleaseFrames:
    """The validation frames of tables held in memory."""
    return ReleaseFrames(lambda name, columns: arrow_tables[name] if columns is None else arrow_tables[name].select(columns))


def release_frames(folder: Path) -> ReleaseFrames:
    """The validation frames of a staged release, read from its Parquet files as needed."""
    import pyarrow.parquet as pq

    from flows.core.bi import batch_rows
    from flows.core.storage import read_table

    def batches(name: str, columns: Sequence[str]) -> Iterator[pa.RecordBatch]:
        source = pq.ParquetFile(Path(folder) / f"{name}.parquet")  # batches of about the same bytes
        return source.iter_batches(batch_size=batch_rows(source), columns=list(columns))

    return ReleaseFrames(lambda name, columns: read_table(folder, name, columns), batches)


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


def run_validation(frames: Mapping[str, pd.DataFrame], out_dir: Path) -> ValidationReport:
    """Run every table's suite; write GX results (JSON) and Data Docs (HTML) under out_dir."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    out_dir = Path(out_dir).resolve()  # GX wants an absolute folder for Data Docs
    out_dir.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.add_data_docs_site(site_name="release", site_config={
        "class_name": "SiteBuilder",
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(out_dir / "html")},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    })
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
    for definition in definitions:
        name = definition.name
        checkpoint = context.checkpoints.add(gx.Checkpoint(
            name=f"release-{name}", validation_definitions=[definition], actions=[],
            result_format={"result_format": "SUMMARY", "partial_unexpected_count": 5},
        ))
        frame = frames[name]  # built here (ReleaseFrames): one table in memory at a time
        result = checkpoint.run(batch_parameters={"dataframe": frame})
        n_rows = len(frame)
        del frame
        described = result.describe_dict()
        del result
        if n_rows >= _LARGE_TABLE:
            release_memory()
        results_json[name] = described
        exps = [e for vr in described["validation_results"] for e in vr["expectations"]]
        failed = [e for e in exps if not e["success"]]
        per_table[name] = {"expectations": len(exps), "failed": len(failed), "rows": n_rows}
        for e in failed:
            res = e.get("result") or {}
            failures.append(Failure(name, e["expectation_type"], e["kwargs"].get("column") or ",".join(e["kwargs"].get("column_list", [])) or None,
                                    res.get("unexpected_count"), [str(v) for v in (res.get("partial_unexpected_list") or [])[:5]]))
    # Data Docs once for the whole run: an UpdateDataDocsAction per checkpoint rebuilt the whole
    # site (recompiling its templates) once per table, which was half of the validation time.
    context.build_data_docs(site_names=["release"])
    n_exp = sum(t["expectations"] for t in per_table.values())
    report = ValidationReport(not failures, n_exp, len(failures), failures, per_table)
    (out_dir / "results.json").write_text(json.dumps(results_json, indent=1, default=str) + "\n", encoding="utf-8")
    (out_dir / "summary.json").write_text(json.dumps(report.as_dict(), indent=2, default=str) + "\n", encoding="utf-8")
    (out_dir / "summary.txt").write_text(report.summary() + "\n", encoding="utf-8")
    return report
