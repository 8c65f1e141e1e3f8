"""The only writer of `outputs/`: releases, the `latest` pointer and the quarantine.

A release is first written whole into `outputs/.staging/<version>/`, validated there, then
renamed into `outputs/releases/<version>/` (immutable from then on), and only then does
`latest` move, atomically. A release that fails validation is moved to
`outputs/rejected/<version>/` with its validation report and `latest` stays where it was.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import gc
import hashlib
import json
import os
import shutil
import sys
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from flows.core.graph import citation_graphml
from flows.core.ingest import Rejected, sha256_file
from flows.core.schema import (
    Table,
    arrow_schema,
    data_dictionary,
    dataset_metadata,
    frictionless_schema,
    tables,
)

if TYPE_CHECKING:
    from flows.core.assemble import Plan

RELEASES = "releases"
STAGING = ".staging"
REJECTED = "rejected"
QUARANTINE = "quarantine"
LATEST = "latest"
GRAPH_FILE = "citations.graphml"
BUILD_STATE = "build-state.json"
PARQUET_COMPRESSION = ("zstd", 9)


def release_memory(collect: bool = True) -> None:
    """Hand memory that was freed back to the operating system: Arrow's pool keeps freed
    buffers and glibc keeps freed heap pages, so after a stage that allocated a lot the process
    stays as large as its peak (measured: 438 MB after writing the 10k tables, 209 MB after
    this). Called between stages, so their peaks do not stack. `collect=False` skips the
    cyclic GC pass (about 0.2 s on a large heap), for callers whose garbage has no cycles."""
    if collect:
        gc.collect()
    pa.default_memory_pool().release_unused()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):  # another C library (musl): nothing to trim
            ctypes.CDLL("libc.so.6").malloc_trim(0)


def to_arrow(rows: Sequence[Mapping[str, Any]], table: Table) -> pa.Table:
    """Rows as an Arrow table with exactly the schema's columns, order and types."""
    # One call into Arrow's C++ converter (rows are dicts; a key they lack is null, a key the
    # schema lacks is ignored), about 5x faster than building each column in Python first.
    schema = arrow_schema(table)
    structs = pa.array(rows, type=pa.struct(list(schema)))
    return pa.Table.from_arrays(structs.flatten(), schema=schema)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _json_chunk(table: pa.Table) -> bytes:
    """The rows of `table` as JSON objects separated by commas (no brackets): UTF-8, no
    whitespace, ISO dates, the schema's column order. orjson (a compiled encoder) writes exactly
    the bytes of `json.dumps(rows, ensure_ascii=False, separators=(",", ":"))` for the types a
    table holds (strings, int64, bool, dates, null; the same escapes), 3-4x faster; polars'
    writer gives the same bytes at the same speed but adds about 110 MB to the process."""
    return orjson.dumps(table.to_pylist(), default=_json_default)[1:-1]


class TableWriter:
    """Writes one table's Parquet and JSON files as its rows come, so a table never has to be
    whole in memory. Rows are converted to Arrow in batches and written in row groups of at
    most `group_rows` rows or `group_bytes` bytes of Arrow data (the bound keeps row groups of
    long texts small). A batch holds `batch_rows` rows at most, fewer when the rows are large:
    after the first (small) batch, the size aims at `batch_bytes` from the bytes per row seen so
    far. The same rows in the same order always give the same bytes: batch and row-group
    boundaries depend on the rows only, not on how they were handed to `write`."""

    FIRST_BATCH = 64

    def __init__(self, folder: Path, name: str, *, batch_rows: int = 4096, group_rows: int = 50_000,
                 group_bytes: int = 32 * 2**20, batch_bytes: int = 4 * 2**20):
        self.name = name
        self.table = tables()[name]
        self.schema = arrow_schema(self.table)
        self.rows = 0
        self._limits = (batch_rows, group_rows, group_bytes)
        self._batch_bytes = batch_bytes
        self._next_batch = min(self.FIRST_BATCH, batch_rows)
        self._bytes = 0  # Arrow bytes written so far
        self._pending: list[Mapping[str, Any]] = []
        self._group: list[pa.Table] = []
        self._group_rows = self._group_bytes = 0
        self._parquet = pq.ParquetWriter(folder / f"{name}.parquet", self.schema, compression=PARQUET_COMPRESSION[0],
                                         compression_level=PARQUET_COMPRESSION[1])
        self._json = open(folder / f"{name}.json", "wb")  # noqa: SIM115 - closed in close()
        self._json.write(b"[")
        self._json_empty = True

    def write(self, rows: Iterable[Mapping[str, Any]]) -> None:
        self._pending.extend(rows)
        while len(self._pending) >= self._next_batch:
            size = self._next_batch
            self._convert(self._pending[:size])
            del self._pending[:size]

    def _convert(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Rows to one Arrow batch (and its JSON); a row group is written once large enough.
        The next batch's size follows from the rows converted so far, not from how they were
        handed to `write`, so the files depend on the rows only."""
        if not rows:
            return
        batch = to_arrow(rows, self.table)
        self.rows += batch.num_rows
        self._bytes += batch.nbytes
        per_row = max(self._bytes // self.rows, 1)
        self._next_batch = max(1, min(self._limits[0], self._batch_bytes // per_row))
        chunk = _json_chunk(batch)
        self._json.write(chunk if self._json_empty else b"," + chunk)
        self._json_empty = False
        self._group.append(batch)
        self._group_rows += batch.num_rows
        self._group_bytes += batch.nbytes
        if self._group_rows >= self._limits[1] or self._group_bytes >= self._limits[2]:
            self._flush_group()

    def _flush_group(self) -> None:
        if self._group:
            group = pa.concat_tables(self._group)
            self._parquet.write_table(group, row_group_size=max(group.num_rows, 1))
        self._group, self._group_rows, self._group_bytes = [], 0, 0

    def close(self) -> None:
        self._convert(self._pending)
        self._pending = []
        self._flush_group()
        self._parquet.close()
        self._json.write(b"]\n")
        self._json.close()

    def abort(self) -> None:
        """Close the files after a failure (the caller discards the folder)."""
        with contextlib.suppress(Exception):
            self._parquet.close()
        self._json.close()


@dataclass(frozen=True)
class StagedTables:
    """The table files of a release written into a folder, with the fingerprint of their content."""

    folder: Path
    rows: dict[str, int]  # table -> rows
    files: dict[str, tuple[int, str]]  # file name -> (bytes, sha256 hex)
    fingerprint: str  # sha256 over every table file: equal fingerprints, byte-identical tables

    def moved(self, folder: Path) -> StagedTables:
        """The same tables after their folder was renamed."""
        return StagedTables(Path(folder), self.rows, self.files, self.fingerprint)


def _seal_files(folder: Path, rows: dict[str, int], graph: bytes) -> StagedTables:
    (folder / GRAPH_FILE).write_bytes(graph)
    names = [f"{t}.{ext}" for t in tables() for ext in ("parquet", "json")] + [GRAPH_FILE]
    files = {fname: ((folder / fname).stat().st_size, sha256_file(folder / fname)) for fname in names}
    digest = hashlib.sha256()
    for fname in sorted(files):
        digest.update(fname.encode() + b"\0" + bytes.fromhex(files[fname][1]))
    return StagedTables(folder, rows, files, digest.hexdigest())


def write_tables(folder: Path, plan: Plan, load: Callable[[str], Any],
                 progress: Callable[[int, int], None] | None = None) -> StagedTables:
    """Pass 2 of the assembly, streamed: each document's result is loaded (`load(source name)`),
    turned into its rows and written, in document id order; then the tables that span
    documents and the citation graph. Memory holds one document and one row group per table."""
    folder.mkdir(parents=True, exist_ok=True)
    writers = {name: TableWriter(folder, name) for name in tables()}
    graph_docs: list[dict[str, Any]] = []
    graph_edges: list[tuple[str, str, str]] = []
    try:
        for i, doc_rows in enumerate(plan.rows(load), 1):
            for name, rows in doc_rows.items():
                writers[name].write(rows)
            d = doc_rows["documents"][0]
            graph_docs.append({k: d[k] for k in ("document_id", "title", "doc_type", "date")})
            graph_edges += [(c["document_id"], c["cited_symbol"], c["cited_kind"]) for c in doc_rows["citations"]]
            if i % 1000 == 0 or i == len(plan.order):
                release_memory()  # Arrow batches and loaded results of the last thousand documents
                if progress is not None:
                    progress(i, len(plan.order))
        for name, rows in plan.global_rows.items():
            writers[name].write(rows)
        for w in writers.values():
            w.close()
    except BaseException:
        for w in writers.values():
            w.abort()
        raise
    graph = citation_graphml(graph_docs, ({"document_id": d, "cited_symbol": s, "cited_kind": k}
                                          for d, s, k in graph_edges))
    return _seal_files(folder, {name: w.rows for name, w in writers.items()}, graph)


def encode_tables(rows_by_table: Mapping[str, Sequence[Mapping[str, Any]]], folder: Path) -> StagedTables:
    """Write tables whose rows are all in memory (small corpora and tests) the way
    `write_tables` streams them: the same rows give the same files."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = {}
    for name in tables():
        writer = TableWriter(folder, name)
        writer.write(rows_by_table.get(name, []))
        writer.close()
        rows[name] = writer.rows
    graph = citation_graphml(rows_by_table.get("documents", []), rows_by_table.get("citations", []))
    return _seal_files(folder, rows, graph)


def read_table(folder: Path, name: str, columns: Sequence[str] | None = None) -> pa.Table:
    """A staged or published table read back from its Parquet file (only `columns` if given)."""
    return pq.read_table(Path(folder) / f"{name}.parquet", columns=list(columns) if columns is not None else None)


def new_version(fingerprint: str, now: dt.datetime | None = None) -> str:
    """Run-unique release version that sorts by time: 20261122T101500Z-1a2b3c4d."""
    now = now or dt.datetime.now(dt.UTC)
    return f"{now.strftime('%Y%m%dT%H%M%SZ')}-{fingerprint[:8]}"


def datapackage(staged: StagedTables, version: str, created: dt.datetime, extra: Mapping[str, Any]) -> dict[str, Any]:
    """Frictionless Data Package descriptor of a release (profile `data-package`: it lists
    files that are not tables too, which a `tabular-data-package` may not).

    Each table is one tabular resource, its CSV file (`<table>.csv`, written with the extras):
    `frictionless validate` reads it and checks every row against the schema, the keys, the
    row count, the bytes and the sha256. The same rows as Parquet and JSON are `<table>-parquet`
    and `<table>-json`, described as files (`"type": "file"`) with their schema, bytes and sha256,
    which Frictionless checks too: read as tables, it could not count their bytes (it reads
    them through pyarrow and ijson) and reported every declared size as wrong."""
    from flows.core.bi import CSV_SUFFIX

    meta = dataset_metadata()
    resources = []
    for name, table in tables().items():
        schema = frictionless_schema(table)
        csv = staged.folder / f"{name}{CSV_SUFFIX}"
        if csv.is_file():
            resources.append({
                "name": name, "path": csv.name, "profile": "tabular-data-resource", "title": name,
                "description": table.description, "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
                "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"', "doubleQuote": True,
                            "header": True},
                "bytes": csv.stat().st_size, "hash": "sha256:" + sha256_file(csv), "rows": staged.rows[name],
                "schema": schema,
            })
        for ext, media, what in (("parquet", "application/vnd.apache.parquet", "Parquet (zstd)"),
                                 ("json", "application/json", "a JSON array of objects")):
            size, sha = staged.files[f"{name}.{ext}"]
            res: dict[str, Any] = {
                "name": f"{name}-{ext}", "path": f"{name}.{ext}", "profile": "data-resource", "type": "file",
                "title": f"{name} ({ext})",
                "description": f"{table.description} The same {staged.rows[name]} rows as {name}.csv, as {what}.",
                "format": ext, "mediatype": media, "bytes": size, "hash": "sha256:" + sha, "schema": schema,
            }
            if ext == "json":
                res["encoding"] = "utf-8"
            resources.append(res)
    graph_size, graph_sha = staged.files[GRAPH_FILE]
    resources.append({
        "name": "citation-network", "path": GRAPH_FILE, "title": "citation network",
        "description": "Documents and the instruments they cite as a directed graph (GraphML), edges weighted by citations.",
        "format": "graphml", "mediatype": "application/graphml+xml", "encoding": "utf-8",
        "bytes": graph_size, "hash": "sha256:" + graph_sha, "profile": "data-resource", "type": "file",
    })
    return {
        "profile": "data-package",
        "name": meta["name"],
        "title": meta["title"],
        "description": meta["description"].strip(),
        "version": version,
        "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "homepage": meta.get("homepage"),
        "licenses": meta["licenses"],
        "sources": meta["sources"],
        "resources": resources,
        "uncoop": {"fingerprint": staged.fingerprint, **extra},
    }


def _same_bytes(a: Path, b: Path, chunk: int = 2**20) -> bool:
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            x, y = fa.read(chunk), fb.read(chunk)
            if x != y:
                return False
            if not x:
                return True


def link_unchanged(staging: Path, previous: Path | None) -> list[str]:
    """Replace each file of `staging` whose bytes equal the file at the same path in the
    `previous` release by a hard link to it: a table, a validation page or the data dictionary
    that did not change is stored once on disk, however many releases hold it. Releases are
    immutable, so sharing a file between two of them changes neither. Where hard links are not
    possible (another filesystem, a filesystem without them) the staged copy stays. A file is
    linked only when its size matches and its bytes are compared equal (a changed table differs
    in size or in its first blocks, so the comparison mostly stops early). datapackage.json is
    written afterwards and is never linked. Returns the linked paths (relative, '/'-separated)."""
    if previous is None or not previous.is_dir():
        return []
    linked = []
    for path in sorted(p for p in staging.rglob("*") if p.is_file() and not p.is_symlink()):
        rel = path.relative_to(staging)
        old = previous / rel
        if rel.as_posix() == "datapackage.json" or not old.is_file() or old.is_symlink():
            continue
        tmp = path.with_name(f".{path.name}.{os.getpid()}.link")
        try:
            if old.stat().st_size != path.stat().st_size or os.path.samefile(old, path) or not _same_bytes(old, path):
                continue
            os.link(old, tmp)
            os.replace(tmp, path)
        except OSError:  # no hard links here: keep the staged copy
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            continue
        linked.append(rel.as_posix())
    return linked


def _safe_relative(name: str) -> str:
    """`name` if it is a plain relative path, else a stable file name derived from it."""
    parts = name.split("/")
    if ":" not in name and not name.startswith("/") and all(p not in ("", ".", "..") for p in parts):
        return name
    return "unsafe-names/" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]


class OutputBusy(RuntimeError):
    """Another build holds the output folder's lock."""


LOCK_FILE = ".lock"


class Outputs:
    """The `outputs/` folder: releases, the latest pointer, rejected releases and quarantine."""

    @contextlib.contextmanager
    def build_lock(self) -> Iterator[None]:
        """Hold the output folder for one build: a second build into the same folder stops at
        once with OutputBusy instead of pruning, naming or pointing latest under the first. The
        lock is an flock on `<output>/.lock`: the kernel releases it when its process ends, so a
        killed build never leaves it stuck. Leftovers of killed or failed builds are removed
        here, once the lock is held (see `clean_leftovers`)."""
        import fcntl

        self.root.mkdir(parents=True, exist_ok=True)
        handle = open(self.root / LOCK_FILE, "a+")  # noqa: SIM115 - held for the whole build
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise OutputBusy(f"another build is writing to {self.root}: wait for it to end, "
                                 "or build into another output folder") from None
            self.clean_leftovers()
            yield
        finally:
            handle.close()  # closing releases the lock

    def clean_leftovers(self) -> list[Path]:
        """Remove what killed or failed builds left behind (only ever called under the build
        lock, so no running build owns any of it): staging folders, releases that never became
        latest (incomplete, or newer than latest: the build died between moving the release
        and moving latest), a stale `.latest.<pid>.tmp`, temporary caches of --no-cache runs and
        temporary files of the build state. Returns what was removed."""
        removed: list[Path] = []

        def drop(path: Path) -> None:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    path.unlink()
            removed.append(path)

        staging = self.root / STAGING
        if staging.is_dir():
            for path in staging.iterdir():
                drop(path)
        for path in self.root.glob(f".{LATEST}.*.tmp"):
            drop(path)
        cache = self.root / ".cache"
        if cache.is_dir():
            for path in (*cache.glob("uncoop-run-*"), *cache.glob(f".{BUILD_STATE}.*.tmp")):
                drop(path)
        if self.releases.is_dir():
            latest = self.latest()
            for path in sorted(self.releases.iterdir()):
                if not path.is_dir():
                    continue
                incomplete = not (path / "datapackage.json").exists()
                unpublished = latest is not None and path.name > latest.name and path.resolve() != latest
                if incomplete or unpublished:
                    drop(path)
        return removed

    def mint_version(self, fingerprint: str, now: dt.datetime | None = None) -> str:
        """A new release version (see `new_version`) that no release, staged, or rejected release
        already has: two builds in one second with the same tables get different names."""
        now = now or dt.datetime.now(dt.UTC)
        while True:
            version = new_version(fingerprint, now)
            if not any((self.root / where / version).exists() for where in (RELEASES, STAGING, REJECTED)):
                return version
            now += dt.timedelta(seconds=1)

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

    def open_staging(self) -> Path:
        """A fresh folder to write a release's tables into (its name is only known once they are
        written: the version holds their fingerprint; see `seal_staging`)."""
        folder = self.root / STAGING / f"building-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        folder.mkdir(parents=True)
        return folder

    def seal_staging(self, folder: Path, version: str) -> Path:
        """Name a staged release by its version and add the data dictionary and the CSV files."""
        staging = self.root / STAGING / version
        if staging.exists():
            shutil.rmtree(staging)
        os.replace(folder, staging)
        (staging / "data_dictionary.md").write_text(data_dictionary(), encoding="utf-8")
        from flows.core.bi import write_csv_tables

        write_csv_tables(staging)  # per-table downloads, and the tabular resources of datapackage.json
        return staging

    def stage(self, rows_by_table: Mapping[str, Sequence[Mapping[str, Any]]], version: str | None = None,
              now: dt.datetime | None = None) -> StagedTables:
        """Stage a release from rows held in memory (small releases and tests); the version is
        minted from the tables' fingerprint unless given."""
        folder = self.open_staging()
        staged = encode_tables(rows_by_table, folder)
        staging = self.seal_staging(folder, version or self.mint_version(staged.fingerprint, now))
        return staged.moved(staging)

    def finish(self, staging: Path, package: Mapping[str, Any]) -> Path:
        """Write datapackage.json last, move the staged release into releases/, then move latest."""
        link_unchanged(staging, self.latest())
        (staging / "datapackage.json").write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        self.releases.mkdir(parents=True, exist_ok=True)
        final = self.releases / staging.name
        if final.exists():
            raise FileExistsError(f"release {final} exists already; releases are immutable")
        os.replace(staging, final)
        self._prune_staging()
        self.point_latest(final)
        return final

    def _prune_staging(self) -> None:
        """Remove outputs/.staging/ once nothing is staged in it (a build leaves no empty folder)."""
        with contextlib.suppress(OSError):  # not empty (another build), or already gone
            (self.root / STAGING).rmdir()

    def write_extras(self, staging: Path) -> None:
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

        write_duckdb(staging, staging / DUCKDB_FILE)
        write_csv_zip(staging, staging / CSV_ZIP_FILE)
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
        self._prune_staging()
        return target

    def discard(self, staging: Path) -> None:
        shutil.rmtree(staging, ignore_errors=True)
        self._prune_staging()

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
            # never the bytes of a link that was not followed (they are outside the input folder)
            keep_bytes = item.reason not in ("duplicate", "too_large", "skipped_link", "unreadable")
            source = (source_paths or {}).get(item.source_name)
            if source is None and input_root is not None:
                source = input_root / item.source_name
            if keep_bytes and source is not None and source.is_file():
                try:
                    shutil.copyfile(source, target)
                except OSError as exc:  # unreadable now: the record says so, the run goes on
                    entry["detail"] += f" (its bytes could not be kept: {exc.strerror or exc})"
            Path(f"{target}.reason.json").write_text(json.dumps(entry, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        (qdir / "index.json").write_text(json.dumps(index, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return qdir


# --- the publishing gate (CONTRACT.md) ---------------------------------------------------------

MAX_TABLE_LOSS = 0.10  # a release may lose at most this share of any table's rows (unless told)
_GATE_EXEMPT = frozenset({"quarantine"})  # fewer quarantined inputs is no loss of data


class PublishRefused(RuntimeError):
    """The publishing gate stopped a release: it was not published and latest did not move."""


def publishing_gate(rows: dict[str, int], n_documents: int, latest: dict[str, Any] | None,
                    allow_shrink: bool = False, max_loss: float = MAX_TABLE_LOSS) -> str | None:
    """Why a release with these row counts may not replace `latest` (its datapackage.json), or
    None when it may. A release with no documents is never published. One with fewer documents
    than latest, or that loses more than `max_loss` of any table's rows, is published only when
    the shrink is intended (`allow_shrink`)."""
    if n_documents == 0 or rows.get("documents", 0) == 0:
        return "the release holds no documents (every input failed or none was found): an empty release is never published"
    if latest is None or allow_shrink:
        return None
    before = {r["name"]: int(r.get("rows", 0)) for r in latest.get("resources", [])
              if r.get("format") == "parquet" and "name" in r}
    old_docs = int(latest.get("uncoop", {}).get("n_documents", before.get("documents", 0)))
    problems = []
    if rows.get("documents", 0) < old_docs:
        problems.append(f"{rows.get('documents', 0)} documents where the latest release ({latest.get('version')}) "
                        f"has {old_docs}")
    for name, old in sorted(before.items()):
        new = rows.get(name)
        if name in _GATE_EXEMPT or new is None or old == 0 or name == "documents":
            continue
        if new < old * (1 - max_loss):
            problems.append(f"table {name} would lose {old - new} of its {old} rows ({(old - new) / old:.0%})")
    if not problems:
        return None
    return ("the release shrinks: " + "; ".join(problems)
            + ". It was not published; if the shrink is intended, build again with --allow-shrink")
