"""The only writer of `outputs/`: releases, the `latest` pointer and the quarantine.

A release is first written whole into `outputs/.staging/<version>/`, validated there, then
renamed into `outputs/releases/<version>/` (immutable from then on), and only then does
`latest` move, atomically. A release that fails validation is moved to
`outputs/rejected/<version>/` with its validation report and `latest` stays where it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from flows.core.graph import citation_graphml
from flows.core.ingest import Rejected
from flows.core.schema import (
    Table,
    arrow_schema,
    data_dictionary,
    dataset_metadata,
    frictionless_schema,
    tables,
)

RELEASES = "releases"
STAGING = ".staging"
REJECTED = "rejected"
QUARANTINE = "quarantine"
LATEST = "latest"
GRAPH_FILE = "citations.graphml"
BUILD_STATE = "build-state.json"
PARQUET_OPTIONS = {"compression": "zstd", "compression_level": 9, "row_group_size": 50_000}


def to_arrow(rows: Sequence[Mapping[str, Any]], table: Table) -> pa.Table:
    """Rows as an Arrow table with exactly the schema's columns, order and types."""
    schema = arrow_schema(table)
    columns = {name: [row.get(name) for row in rows] for name in schema.names}
    return pa.Table.from_pydict(columns, schema=schema)


def parquet_bytes(table: pa.Table) -> bytes:
    """The table as Parquet (zstd): the same table always gives the same bytes."""
    sink = io.BytesIO()
    pq.write_table(table, sink, **PARQUET_OPTIONS)
    return sink.getvalue()


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def json_bytes(table: pa.Table, chunk_rows: int = 20_000) -> bytes:
    """The rows as a JSON array of objects, UTF-8, ISO-8601 dates. Encoded a chunk of rows at a
    time (the same bytes as one json.dumps of the whole list, without its whole-table copies)."""
    parts = []
    for batch in table.to_batches(max_chunksize=chunk_rows):
        text = json.dumps(batch.to_pylist(), ensure_ascii=False, default=_json_default, indent=None,
                          separators=(",", ":"))
        if len(text) > 2:
            parts.append(text[1:-1].encode("utf-8"))
    return b"[" + b",".join(parts) + b"]\n"


@dataclass(frozen=True)
class EncodedTables:
    """Every table of a release, encoded, with the fingerprint of their content."""

    arrow: dict[str, pa.Table]
    files: dict[str, bytes]  # file name -> bytes
    fingerprint: str  # sha256 over every table file: equal fingerprints, byte-identical tables


def encode_tables(rows_by_table: dict[str, Sequence[Mapping[str, Any]]], consume: bool = False) -> EncodedTables:
    """Every table as Arrow, Parquet and JSON. With consume, each table's rows are dropped from
    `rows_by_table` as soon as that table is encoded (the rows take several times the memory
    of the Arrow table they become)."""
    arrow: dict[str, pa.Table] = {}
    files: dict[str, bytes] = {}
    for name, table in tables().items():
        arrow[name] = to_arrow(rows_by_table.pop(name, []) if consume else rows_by_table.get(name, []), table)
        files[f"{name}.parquet"] = parquet_bytes(arrow[name])
        files[f"{name}.json"] = json_bytes(arrow[name])
    files[GRAPH_FILE] = citation_graphml(arrow["documents"].select(["document_id", "title", "doc_type", "date"]).to_pylist(),
                                         arrow["citations"].select(["document_id", "cited_symbol", "cited_kind"]).to_pylist())
    digest = hashlib.sha256()
    for fname in sorted(files):
        digest.update(fname.encode() + b"\0" + hashlib.sha256(files[fname]).digest())
    return EncodedTables(arrow, files, digest.hexdigest())


def new_version(fingerprint: str, now: dt.datetime | None = None) -> str:
    """Run-unique release version that sorts by time: 20261122T101500Z-1a2b3c4d."""
    now = now or dt.datetime.now(dt.UTC)
    return f"{now.strftime('%Y%m%dT%H%M%SZ')}-{fingerprint[:8]}"


def datapackage(encoded: EncodedTables, version: str, created: dt.datetime, extra: Mapping[str, Any]) -> dict[str, Any]:
    """Frictionless Data Package descriptor of a release."""
    meta = dataset_metadata()
    resources = []
    for name, table in tables().items():
        for ext, fmt, media in (("parquet", "parquet", "application/vnd.apache.parquet"), ("json", "json", "application/json")):
            data = encoded.files[f"{name}.{ext}"]
            res: dict[str, Any] = {
                "name": name if ext == "parquet" else f"{name}-json",
                "path": f"{name}.{ext}",
                "profile": "tabular-data-resource",
                "title": name,
                "description": table.description,
                "format": fmt,
                "mediatype": media,
                "encoding": "utf-8",
                "bytes": len(data),
                "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
                "rows": encoded.arrow[name].num_rows,
                "schema": frictionless_schema(table),
            }
            resources.append(res)
    graph = encoded.files[GRAPH_FILE]
    resources.append({
        "name": "citation-network", "path": GRAPH_FILE, "title": "citation network",
        "description": "Documents and the instruments they cite as a directed graph (GraphML), edges weighted by citations.",
        "format": "graphml", "mediatype": "application/graphml+xml", "encoding": "utf-8",
        "bytes": len(graph), "hash": "sha256:" + hashlib.sha256(graph).hexdigest(),
    })
    return {
        "profile": "tabular-data-package",
        "name": meta["name"],
        "title": meta["title"],
        "description": meta["description"].strip(),
        "version": version,
        "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "homepage": meta.get("homepage"),
        "licenses": meta["licenses"],
        "sources": meta["sources"],
        "resources": resources,
        "uncoop": {"fingerprint": encoded.fingerprint, **extra},
    }


def _safe_relative(name: str) -> str:
    """`name` if it is a plain relative path, else a stable file name derived from it."""
    parts = name.split("/")
    if ":" not in name and not name.startswith("/") and all(p not in ("", ".", "..") for p in parts):
        return name
    return "unsafe-names/" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]


class Outputs:
    """The `outputs/` folder: releases, the latest pointer, rejected releases and quarantine."""

    def __init__(self, root: Path):
        self.root = Path(root)

    @property
    def releases(self) -> Path:
        return self.root / RELEASES

    def list_releases(self) -> list[Path]:
        if not self.releases.is_dir():
            return []
        return sorted(p for p in self.releases.iterdir() if p.is_dir() and (p / "datapackage.json").exists())

    def latest(self) -> Path | None:
        """The release `latest` points at, or None."""
        pointer = self.root / LATEST
        if pointer.is_symlink() or pointer.is_dir():
            target = pointer.resolve()
        elif pointer.is_file():
            target = (self.root / pointer.read_text(encoding="utf-8").strip()).resolve()
        else:
            return None
        return target if (target / "datapackage.json").exists() else None

    def latest_package(self) -> dict[str, Any] | None:
        """The datapackage.json of the latest release, or None."""
        latest = self.latest()
        if latest is None:
            return None
        return json.loads((latest / "datapackage.json").read_text(encoding="utf-8"))

    def latest_fingerprint(self) -> str | None:
        pkg = self.latest_package()
        return None if pkg is None else pkg.get("uncoop", {}).get("fingerprint")

    @property
    def state_file(self) -> Path:
        return self.root / ".cache" / BUILD_STATE

    def build_state(self) -> dict[str, Any]:
        """What the last successful build recorded (the fingerprint of its inputs and the
        release it left as latest); empty when there is none or it cannot be read."""
        try:
            state = json.loads(self.state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return state if isinstance(state, dict) else {}

    def write_build_state(self, state: Mapping[str, Any]) -> None:
        """Record the build state atomically (it is only a shortcut: losing it costs one full run)."""
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.state_file.with_name(f".{BUILD_STATE}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(dict(state), indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, self.state_file)

    def stage(self, version: str, encoded: EncodedTables) -> Path:
        """Write the table files of a release into a fresh staging folder."""
        staging = self.root / STAGING / version
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir(parents=True)
        for fname, data in encoded.files.items():
            (staging / fname).write_bytes(data)
        (staging / "data_dictionary.md").write_text(data_dictionary(), encoding="utf-8")
        return staging

    def finish(self, staging: Path, package: Mapping[str, Any]) -> Path:
        """Write datapackage.json last, move the staged release into releases/, then move latest."""
        (staging / "datapackage.json").write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        self.releases.mkdir(parents=True, exist_ok=True)
        final = self.releases / staging.name
        if final.exists():
            raise FileExistsError(f"release {final} exists already; releases are immutable")
        os.replace(staging, final)
        self.point_latest(final)
        return final

    def write_extras(self, staging: Path, encoded: EncodedTables) -> None:
        """Files derived from the validated tables, for BI tools and readers: the DuckDB database,
        the zipped CSVs and the changes since the current latest release. They are not part of
        the content fingerprint (a DuckDB file is not byte-deterministic; the others are
        derived data). Written after validation: DuckDB enforces the keys, and a release that
        breaks them must be rejected with GX's report, not crash here."""
        from flows.core.bi import (
            CHANGES_JSON,
            CHANGES_MD,
            CSV_ZIP_FILE,
            DUCKDB_FILE,
            write_csv_zip,
            write_duckdb,
        )
        from flows.core.changes import diff_releases, render_changes_markdown

        write_duckdb(encoded.arrow, staging / DUCKDB_FILE)
        write_csv_zip(encoded.arrow, staging / CSV_ZIP_FILE)
        changes = diff_releases(self.latest(), staging)  # latest is still the previous release here
        (staging / CHANGES_JSON).write_text(json.dumps(changes, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        (staging / CHANGES_MD).write_text(render_changes_markdown(changes), encoding="utf-8")

    def reject(self, staging: Path) -> Path:
        """Keep a release that failed validation (with its report) out of releases/."""
        target = self.root / REJECTED / staging.name
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
        return target

    def discard(self, staging: Path) -> None:
        shutil.rmtree(staging, ignore_errors=True)

    def point_latest(self, release: Path) -> None:
        """Switch `latest` to `release` atomically (a relative symlink replaced in one rename)."""
        rel = os.path.relpath(release, self.root)
        tmp = self.root / f".{LATEST}.{os.getpid()}.tmp"
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        try:
            os.symlink(rel, tmp, target_is_directory=True)
        except OSError:  # no symlinks here (some Windows setups): a pointer file instead
            tmp.write_text(rel + "\n", encoding="utf-8")
        os.replace(tmp, self.root / LATEST)

    def write_quarantine(self, rejected: Sequence[Rejected], input_root: Path | None,
                         source_paths: Mapping[str, Path] | None = None) -> Path:
        """Rewrite outputs/quarantine/ for this run: each rejected input (its bytes when they are
        small enough to keep) with a .reason.json beside it, and index.json listing them all.
        `source_paths` says where an input's bytes are when not under input_root (fetched
        documents: the fetch cache). Names that are not safe relative paths (absolute, '..',
        a URL) are stored under a hashed name; index.json keeps the real name."""
        qdir = self.root / QUARANTINE
        if qdir.exists():
            shutil.rmtree(qdir)
        qdir.mkdir(parents=True)
        index = []
        for item in sorted(rejected, key=lambda r: r.source_name):
            entry = {"source_name": item.source_name, "source_sha256": item.source_sha256, "n_bytes": item.n_bytes,
                     "reason": item.reason, "detail": item.detail, "duplicate_of": item.duplicate_of}
            index.append(entry)
            target = qdir / _safe_relative(item.source_name)
            target.parent.mkdir(parents=True, exist_ok=True)
            keep_bytes = item.reason not in ("duplicate", "too_large")
            source = (source_paths or {}).get(item.source_name)
            if source is None and input_root is not None:
                source = input_root / item.source_name
            if keep_bytes and source is not None and source.is_file():
                shutil.copyfile(source, target)
            Path(f"{target}.reason.json").write_text(json.dumps(entry, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        (qdir / "index.json").write_text(json.dumps(index, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return qdir
