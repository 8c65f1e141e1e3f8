"""The build flow: ingest -> extract -> normalize -> validate -> publish.

Thin wiring over `flows.core`; documents travel in batches (one task run per batch, not
per document) and Great Expectations runs once per run, on the whole staged release.

Large task arguments are wrapped in `quote()`: Prefect otherwise walks every nested object of
a task's parameters looking for futures, which costs seconds for a corpus's worth of
extraction results (measured: 8 s for 1,000 documents, 7 ms quoted).
"""

from __future__ import annotations

import dataclasses
import hashlib
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.futures import as_completed
from prefect.utilities.annotations import quote

from flows import extract, ingest, progress
from flows.core.assemble import CorpusIndex
from flows.core.cache import CACHE_VERSION, ResultCache, RunResults
from flows.core.extract import DocumentResult
from flows.core.ingest import (
    Discovery,
    InputFile,
    Rejected,
    drop_duplicates,
    read_bytes,
    relative_name,
    unsupported_rejections,
)
from flows.core.official import OfficialMetadata
from flows.runners import make_task_runner, resolve_kind, worker_environment
from flows.settings import BuildSettings

if TYPE_CHECKING:
    from flows.core.storage import Outputs, StagedTables


class ValidationFailed(RuntimeError):
    """The release broke its expectations: it was not published and latest did not move."""


@dataclass
class RunSummary:
    status: str  # published, unchanged, validated (publish off), validation_failed, refused (publishing gate)
    release: str | None
    rows: dict[str, int]
    n_documents: int
    quarantined: dict[str, int]
    n_ignored: int
    validation: str
    fingerprint: str
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    extracted: int = 0  # documents extracted by this run (the rest came from the cache)
    cached: int = 0
    task_runner: str = "sequential"

    def render(self) -> str:
        width = max(len(t) for t in self.rows) if self.rows else 10
        lines = [f"status: {self.status}", f"release: {self.release or '-'}", f"documents: {self.n_documents}"]
        quarantined = sum(self.quarantined.values())
        detail = ", ".join(f"{k} {v}" for k, v in sorted(self.quarantined.items()))
        lines.append(f"quarantined: {quarantined}" + (f" ({detail})" if detail else ""))
        if self.n_ignored:
            lines.append(f"ignored (not documents: README, LICENSE, MANIFEST, hidden): {self.n_ignored}")
        lines.append(f"validation: {self.validation}")
        lines.append("rows per table:")
        lines += [f"  {name:<{width}} {n:>8}" for name, n in self.rows.items()]
        if self.timings:
            lines.append(f"extracted {self.extracted} documents, {self.cached} from the cache "
                         f"(task runner: {self.task_runner})")
            lines.append("seconds per stage: " + ", ".join(f"{k} {v:.2f}" for k, v in self.timings.items()))
        lines += self.notes
        return "\n".join(lines)


def _batches(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


class StageClock:
    """Wall time per stage of a run, for the summary, the logs and the benchmark."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = round(self.seconds.get(stage, 0.0) + time.perf_counter() - start, 3)


def inputs_fingerprint(inventory: list[InputFile | Rejected], other: list[Path], root: Path | None,
                       settings: BuildSettings) -> str:
    """What decides a release's content: every input's name and bytes, the names of the files
    not read, the code and vocabularies (CACHE_VERSION) and the settings that change output.
    Equal to the latest release's: the run can stop before extracting anything."""
    digest = hashlib.sha256(f"{CACHE_VERSION}\0max_bytes={settings.max_bytes}\n".encode())
    for item in sorted(inventory, key=lambda i: i.source_name):
        reason = item.reason if isinstance(item, Rejected) else ""
        digest.update(f"{item.source_name}\0{item.source_sha256}\0{item.n_bytes}\0{reason}\n".encode())
    for path in sorted(other):
        # lstat: an ignored hidden link is not followed, not even for its size
        digest.update(f"other\0{path.relative_to(root).as_posix()}\0{path.lstat().st_size}\n".encode())  # type: ignore[union-attr]
    return digest.hexdigest()


def _artifacts(summary: RunSummary) -> None:
    create_table_artifact(
        key="uncoop-rows-per-table",
        table=[{"table": t, "rows": n} for t, n in summary.rows.items()],
        description="Rows per table of the release built by this run",
    )
    quarantined = "\n".join(f"- {k}: {v}" for k, v in sorted(summary.quarantined.items())) or "- none"
    timings = "\n".join(f"| {k} | {v:.2f} |" for k, v in summary.timings.items())
    create_markdown_artifact(
        key="uncoop-run-summary",
        markdown=(f"# uncoop build\n\n- status: **{summary.status}**\n- release: `{summary.release or '-'}`\n"
                  f"- documents: {summary.n_documents} ({summary.extracted} extracted, {summary.cached} from the cache)\n"
                  f"- validation: {summary.validation}\n\n## Quarantined\n\n{quarantined}\n\n"
                  f"## Seconds per stage\n\n| stage | seconds |\n|---|---|\n{timings}\n"),
        description="Release path, validation status and quarantine counts",
    )


def _extract(settings: BuildSettings, batches: list[list[InputFile]], kind: str,
             accept: Callable[[str, str, DocumentResult | Rejected, bool], None], clock: StageClock, log) -> None:
    """Run extract batches for the documents the cache did not have, on the task runner `kind`;
    `accept(name, sha256, result, cacheable)` takes each result as soon as its batch is back (it
    caches it, so a killed run keeps them, and indexes it for the assembly). An input that
    could not be read, or changed since the inventory, is not cacheable."""
    from flows.core.storage import release_memory

    n_done, n_total = 0, sum(len(b) for b in batches)

    def raw(batch: list[InputFile]) -> list[extract.RawInput]:
        items = []
        for item in batch:
            data = read_bytes(item)  # unreadable, or changed since the inventory: not cached
            if isinstance(data, Rejected):
                accept(item.source_name, item.source_sha256, data, False)
            else:
                items.append(extract.RawInput(item.source_name, item.source_sha256, data, item.source_url,
                                              item.content_type))
        return items

    def collect(processed: list[extract.Processed], done: int) -> None:
        nonlocal n_done
        for name, sha, value in processed:
            accept(name, sha, value, True)
        n_done += len(processed)
        log.info("extracted batch %d/%d (%d documents)", done, len(batches), n_done)
        progress.advance("extract", n_done, n_total)
        if done % 16 == 0:  # the results passed through here: hand their freed heap back (a few ms)
            release_memory(collect=False)

    with clock("extract"):
        runner = make_task_runner(kind, settings)
        if runner is None:
            for i, batch in enumerate(batches, 1):
                collect(extract.extract_batch(quote(raw(batch)), settings.document_timeout), i)
        else:
            with worker_environment(), runner:
                # batches in flight: memory stays bounded. A batch is small, so it is not quote()d
                # (Dask would take the quote wrapper, a namedtuple, for a tuple of its own)
                window = max(2, 2 * settings.n_workers())
                pending = list(batches)
                futures = []
                done = 0
                while pending or futures:
                    while pending and len(futures) < window:
                        futures.append(runner.submit(extract.extract_batch, {"items": raw(pending.pop(0)),
                                                                          "timeout": settings.document_timeout}))
                    finished = next(as_completed(futures))
                    futures.remove(finished)
                    done += 1
                    collect(finished.result(), done)


def _sync_remote(settings: BuildSettings, outputs: Outputs, summary: RunSummary, clock: StageClock, log) -> None:
    """With publish_to set and nothing new built, make sure the remote holds the latest release
    (an earlier upload may have failed after the local release was published)."""
    from flows import publish

    latest = outputs.latest()
    if not settings.publish_to or latest is None:
        return
    from flows.core.remote import remote_latest

    if (remote_latest(settings.publish_to) or "").rstrip("/").endswith(latest.name):
        return
    with clock("upload"):
        remote = publish.publish_remote(latest, settings.publish_to)
    summary.notes.append(f"uploaded {latest.name} to {remote} (the remote was behind)")
    log.info("uploaded %s to %s (the remote was behind)", latest.name, remote)


class BuildFailed(RuntimeError):
    """The machine failed the build (disk full, output not writable, another build running):
    nothing was published, latest did not move. The message is one line for the operator."""


def _machine_errors() -> tuple[type[BaseException], ...]:
    """OSError and DuckDB's errors for a full disk or an unwritable file."""
    errors: list[type[BaseException]] = [OSError]
    try:
        import duckdb

        errors += [duckdb.IOException, duckdb.FatalException]
    except ImportError:  # pragma: no cover - duckdb is a dependency
        pass
    return tuple(errors)


@flow(name="build-release", log_prints=False)
def build_release(settings: BuildSettings = BuildSettings()) -> RunSummary:  # noqa: B008 - pydantic default shown as a form
    """Build a release from every document under settings.input_dir and publish it if valid.

    One build at a time per output folder (a lock the kernel drops with its process), after
    removing what killed or failed builds left there. A failure to write (disk full, unwritable
    output) removes this build's partial files and ends in BuildFailed, latest unchanged."""
    from flows.core.storage import OutputBusy, Outputs

    outputs = Outputs(Path(settings.output_dir).resolve())
    try:
        with outputs.build_lock():
            try:
                return _build_release(settings)
            except _machine_errors() as exc:
                outputs.clean_leftovers()  # our staging folder, a release that did not become latest
                latest = outputs.latest()
                where = f"latest still points at {latest.name}" if latest else "there is no latest release"
                raise BuildFailed(f"the build stopped on a system error ({exc}); nothing was published, "
                                  f"{where}") from exc
    except OutputBusy as exc:
        raise BuildFailed(str(exc)) from exc
    except OSError as exc:  # the lock file itself: the output folder cannot be created or written
        raise BuildFailed(f"could not write to {outputs.root}: {exc}; nothing was published") from exc


def _build_release(settings: BuildSettings) -> RunSummary:
    # The stages after extraction (pandas, Great Expectations) are imported when they run, not at
    # the top: process-pool workers import this module (each task run carries the flow's
    # context) and only need the extract stage (importing the rest cost each worker ~90 MB),
    # and this process does not carry them while the workers extract.
    from flows.core.storage import Outputs, release_memory

    log = get_run_logger()
    clock = StageClock()
    input_dir = Path(settings.input_dir).resolve() if settings.input_dir else None
    output_dir = Path(settings.output_dir).resolve()
    outputs = Outputs(output_dir)
    inventory: list[InputFile | Rejected] = []
    fetch_failures: list[Rejected] = []
    repo_note = None
    if settings.source_repo:  # a repository to read (and refresh) instead of input_dir
        with clock("fetch"):
            checkout = ingest.sync_source(settings.source_repo, settings.resolved_fetch_cache_dir(), settings.offline,
                                          settings.source_branch)
        input_dir = checkout.path
        repo_note = (f"source repository {settings.source_repo}: {checkout.status}"
                     + (f" at {checkout.commit[:12]}" if checkout.commit else "") + (f" ({checkout.detail})"
                                                                                    if checkout.detail else ""))
        log.info(repo_note)
    if settings.urls_file or settings.symbols_file:
        with clock("fetch"):
            fetched = ingest.fetch_remote(settings.urls_file, settings.symbols_file, settings.resolved_fetch_cache_dir(),
                                          settings.symbol_url_template, settings.max_bytes, settings.offline)
            items, fetch_failures = ingest.fetched_inputs(fetched)
            inventory += items
            log.info("fetched %d documents (%d downloaded, %d not modified, %d from the cache), %d failed",
                     len(items), *(sum(f.status == s for f in fetched) for s in ("downloaded", "not_modified", "cached")),
                     len(fetch_failures))
    with clock("inventory"):
        found = ingest.discover_inputs(input_dir) if input_dir else Discovery([], [], [])
        if input_dir:
            log.info("found %d documents, %d files of other formats, %d ignored under %s",
                     len(found.documents), len(found.unsupported), len(found.ignored), input_dir)
        for batch in _batches(found.documents, max(settings.batch_size, 1024)):
            inventory += ingest.inventory(quote(batch), input_dir, settings.max_bytes)
        fingerprint = inputs_fingerprint(inventory + fetch_failures + found.skipped, found.unsupported + found.ignored,
                                         input_dir, settings)

    with clock("official metadata"):
        found, official = _official_metadata(found, inventory, input_dir)
        if official.files:  # the metadata files' bytes decide the release too
            fingerprint = hashlib.sha256((fingerprint + official.digest).encode()).hexdigest()
    latest_package = outputs.latest_package() if settings.publish and settings.use_cache else None
    state = outputs.build_state()
    if (latest_package and state.get("inputs_fingerprint") == fingerprint
            and state.get("release") == latest_package.get("version")):
        extra = latest_package["uncoop"]
        rows = {r["name"]: r.get("rows", 0) for r in latest_package["resources"]
                if r.get("profile") == "tabular-data-resource" and not r["name"].endswith("-json")}
        summary = RunSummary(status="unchanged", release=str(outputs.latest()), rows=rows,
                             n_documents=extra.get("n_documents", 0), quarantined=extra.get("quarantined", {}),
                             n_ignored=len(found.ignored), validation="passed (unchanged release)",
                             fingerprint=extra.get("fingerprint", ""), timings=clock.seconds,
                             cached=extra.get("n_documents", 0),
                             notes=["the inputs, settings and code are those of the latest release: "
                                    "nothing was extracted and nothing new was published"])
        log.info("unchanged: the latest release %s was built from these very inputs", summary.release)
        summary.notes += [repo_note] if repo_note else []
        _sync_remote(settings, outputs, summary, clock, log)
        _artifacts(summary)
        return summary

    items = drop_duplicates(inventory)
    todo = [i for i in items if isinstance(i, InputFile)]
    rejected = [r for r in items if isinstance(r, Rejected)] + fetch_failures + official.rejections()
    if input_dir:
        rejected += unsupported_rejections(found.unsupported, input_dir) + found.skipped
    source_paths = {i.source_name: i.path for i in inventory if isinstance(i, InputFile)}

    with _result_cache(settings, output_dir) as (cache, persistent):
        index = CorpusIndex()  # pass 1 of the assembly, fed as results come from the cache or the extractors
        results = RunResults(cache)
        keep: list[tuple[str, str]] = []  # (sha256, name) of every entry the cache keeps after this run

        def accept(name: str, sha: str, value: DocumentResult | Rejected, stored: bool) -> None:
            keep.append((sha, name))
            if isinstance(value, Rejected):
                rejected.append(value)
            else:
                index.add(value)
                results.keep(name, sha, value, stored=stored)

        with clock("cache"):
            missing = []
            for item in todo:
                hit = cache.get(item.source_sha256, item.source_name) if persistent else None
                if hit is None:
                    missing.append(item)
                else:
                    accept(item.source_name, item.source_sha256, hit, True)
        n_cached = len(todo) - len(missing)
        todo = missing
        log.info("%d documents to extract, %d from the cache", len(todo), n_cached)
        batches = _batches(todo, settings.batch_size)
        kind = resolve_kind(settings, len(batches))
        if todo and kind in ("sequential", "threads"):
            # Great Expectations takes ~3 s to import: do it while this process extracts. Not when
            # worker processes extract: they have the cores, and the import's memory would add to
            # theirs at the run's peak.
            from flows.core.validation import preload_validation

            threading.Thread(target=preload_validation, name="preload-gx", daemon=True).start()

        def extracted(name: str, sha: str, value: DocumentResult | Rejected, cacheable: bool) -> None:
            # a timeout depends on the machine's speed and load, not on the input: never cached
            cacheable = cacheable and not (isinstance(value, Rejected) and value.reason == "extractor_timeout")
            accept(name, sha, value, cacheable and cache.put(sha, name, value))

        _extract(settings, batches, kind, extracted, clock, log)
        for problem in cache.errors[:20]:
            log.warning("result cache: %s", problem)

        from flows import publish, validate

        n_results = len(index)
        official_notes: list[str] = []
        folder, staged = _assemble_and_write(index, rejected, results, outputs, clock, official, official_notes)
        for note in official_notes:
            log.info("%s", note)
        counts = dict(staged.rows)
        quarantined = dict(sorted(Counter(r.reason for r in rejected).items()))
        with clock("quarantine"):
            publish.write_quarantine(output_dir, quote(rejected), input_dir, quote(source_paths))
        base = dict(rows=counts, n_documents=n_results, quarantined=quarantined, n_ignored=len(found.ignored),
                    fingerprint=staged.fingerprint, timings=clock.seconds, extracted=len(todo), cached=n_cached,
                    task_runner=kind)

        if settings.publish and outputs.latest_fingerprint() == staged.fingerprint:
            with clock("publish"):
                outputs.discard(folder)
                # the next run with these very inputs stops before extracting anything
                outputs.write_build_state({"inputs_fingerprint": fingerprint, "release": outputs.latest().name})
                if persistent:
                    cache.prune(keep)
            summary = RunSummary(status="unchanged", release=str(outputs.latest()), validation="passed (unchanged release)",
                                 **base, notes=["the tables are identical to the latest release: nothing new was published"])
            log.info("unchanged: the latest release %s already holds these tables", summary.release)
            summary.notes += [repo_note] if repo_note else []
            _sync_remote(settings, outputs, summary, clock, log)
            _artifacts(summary)
            return summary

        if settings.publish:  # the publishing gate (CONTRACT.md): before validation, which it saves
            from flows.core.storage import PublishRefused, publishing_gate

            refused = publishing_gate(counts, n_results, outputs.latest_package(), settings.allow_shrink)
            if refused:
                outputs.discard(folder)  # latest stays; the cache is not pruned (it keeps what it had)
                summary = RunSummary(status="refused", release=None, validation="not run", **base,
                                     notes=[refused, "latest was not moved"])
                log.error("not published: %s", refused)
                _artifacts(summary)
                raise PublishRefused(refused)
        release_memory()
        staging = outputs.seal_staging(folder, outputs.mint_version(staged.fingerprint))
        staged = staged.moved(staging)
        with clock("validate"):
            report = validate.validate_release(staging)
        if not report.success:
            kept = publish.reject(output_dir, staging)
            summary = RunSummary(status="validation_failed", release=None, validation=report.summary(), **base,
                                 notes=[f"validation report: {kept / 'validation'}", "latest was not moved"])
            _artifacts(summary)
            raise ValidationFailed(f"{report.summary()}\nreport: {kept / 'validation'}; latest was not moved")
        if not settings.publish:
            summary = RunSummary(status="validated", release=str(staging), validation=report.summary(), **base)
            _artifacts(summary)
            return summary
        release_memory()
        with clock("publish"):
            release = publish.publish(output_dir, staging, staged, {
                "n_documents": n_results, "n_quarantined": sum(quarantined.values()), "quarantined": quarantined,
                "inputs_fingerprint": fingerprint}, report.as_dict())
            outputs.write_build_state({"inputs_fingerprint": fingerprint, "release": release.name})
            if persistent:
                cache.prune(keep)
        summary = RunSummary(status="published", release=str(release), validation=report.summary().splitlines()[0], **base)
        summary.notes += [repo_note] if repo_note else []
        log.info("published %s", release)
        summary.notes += official_notes
        if settings.publish_to:
            with clock("upload"):
                remote = publish.publish_remote(release, settings.publish_to)
            summary.notes.append(f"uploaded to {remote}; the remote latest points at it")
            log.info("uploaded %s to %s", release.name, remote)
        _artifacts(summary)
        return summary


def _official_metadata(found: Discovery, inventory: list[InputFile | Rejected],
                       root: Path | None) -> tuple[Discovery, OfficialMetadata]:
    """The official metadata of the inputs: files of other formats that are metadata by their
    content (they are no longer unsupported) and the vote blocks of the AKN4UN inputs."""
    from flows.core.official import looks_like_metadata, read_official_files

    def data(path: Path) -> bytes:
        try:
            return path.read_bytes()
        except OSError:
            return b""

    files = [(p, data(p)) for p in found.unsupported if p.suffix.lower() in (".json", ".jsonl", ".ndjson")]
    metadata = [(p, d) for p, d in files if looks_like_metadata(d)]
    taken = {p for p, _ in metadata}
    found = dataclasses.replace(found, unsupported=[p for p in found.unsupported if p not in taken])
    xml = ((i.source_name, d) for i in inventory if isinstance(i, InputFile) and i.source_name.lower().endswith(".xml")
           for d in [data(i.path)])  # read_official_files keeps the AKN files
    official = read_official_files([(relative_name(p, root), d) for p, d in metadata] if root else [], xml)
    official.digest = hashlib.sha256(b"".join(hashlib.sha256(d).digest() for _, d in metadata)).hexdigest()
    return found, official


def _assemble_and_write(index: CorpusIndex, rejected: list[Rejected], results: RunResults, outputs: Outputs,
                        clock: StageClock, official: OfficialMetadata | None = None,
                        notes: list[str] | None = None) -> tuple[Path, StagedTables]:
    """Finish pass 1 (the index lets go of its state) and write the tables into a staging folder
    (pass 2); the plan lives only here, so its memory is free before validation."""
    from flows import normalize
    from flows.core.storage import release_memory

    with clock("assemble"):
        plan = index.finish(rejected, official)
    if official is not None and notes is not None:
        from flows.core.official import summary_lines

        notes += summary_lines(official, plan.global_rows, plan.official_notes)
    release_memory()  # what extraction and pass 1 freed, before pass 2 and validation allocate theirs
    with clock("write"):
        folder = outputs.open_staging()
        try:
            return folder, normalize.write_tables(folder, quote(plan), quote(results))
        except BaseException:
            outputs.discard(folder)
            raise


@contextmanager
def _result_cache(settings: BuildSettings, output_dir: Path) -> Iterator[tuple[ResultCache, bool]]:
    """The run's result cache and whether it persists. Without the persistent cache, a private
    one for this run (deleted after it) still keeps the corpus out of memory between the two
    passes of the assembly."""
    if settings.use_cache:
        cache = ResultCache(settings.resolved_cache_dir())
        with cache.in_use():  # no other build prunes it under this one (a cache folder may be shared)
            yield cache, True
        return
    (output_dir / ".cache").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="uncoop-run-", dir=output_dir / ".cache", ignore_cleanup_errors=True) as tmp:
        yield ResultCache(Path(tmp)), False
