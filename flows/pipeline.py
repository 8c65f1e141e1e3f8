"""The build flow: ingest -> extract -> normalize -> validate -> publish.

Thin wiring over `flows.core`; documents travel in batches (one task run per batch, not
per document) and Great Expectations runs once per run, on the whole staged release.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from flows import extract, ingest, normalize, publish, validate
from flows.core.ingest import Rejected, SourceDocument, drop_duplicates, unsupported_rejections
from flows.core.storage import Outputs
from flows.settings import BuildSettings


class ValidationFailed(RuntimeError):
    """The release broke its expectations: it was not published and latest did not move."""


@dataclass
class RunSummary:
    status: str  # published, unchanged, validated (publish off), validation_failed
    release: str | None
    rows: dict[str, int]
    n_documents: int
    quarantined: dict[str, int]
    n_ignored: int
    validation: str
    fingerprint: str
    notes: list[str] = field(default_factory=list)

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
        lines += self.notes
        return "\n".join(lines)


def _batches(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _artifacts(summary: RunSummary) -> None:
    create_table_artifact(
        key="uncoop-rows-per-table",
        table=[{"table": t, "rows": n} for t, n in summary.rows.items()],
        description="Rows per table of the release built by this run",
    )
    quarantined = "\n".join(f"- {k}: {v}" for k, v in sorted(summary.quarantined.items())) or "- none"
    create_markdown_artifact(
        key="uncoop-run-summary",
        markdown=(f"# uncoop build\n\n- status: **{summary.status}**\n- release: `{summary.release or '-'}`\n"
                  f"- documents: {summary.n_documents}\n- validation: {summary.validation}\n\n## Quarantined\n\n{quarantined}\n"),
        description="Release path, validation status and quarantine counts",
    )


@flow(name="build-release", log_prints=False)
def build_release(settings: BuildSettings = BuildSettings()) -> RunSummary:  # noqa: B008 - pydantic default shown as a form
    """Build a release from every document under settings.input_dir and publish it if valid."""
    log = get_run_logger()
    input_dir, output_dir = Path(settings.input_dir).resolve(), Path(settings.output_dir).resolve()
    found = ingest.discover_inputs(input_dir)
    log.info("found %d documents, %d files of other formats, %d ignored under %s",
             len(found.documents), len(found.unsupported), len(found.ignored), input_dir)

    items: list[SourceDocument | Rejected] = []
    batches = _batches(found.documents, settings.batch_size)
    for i, batch in enumerate(batches, 1):
        items += ingest.read_batch(batch, input_dir, settings.max_bytes)
        log.info("read batch %d/%d (%d documents)", i, len(batches), len(items))
    items = drop_duplicates(items)
    sources = [s for s in items if isinstance(s, SourceDocument)]
    rejected = [r for r in items if isinstance(r, Rejected)] + unsupported_rejections(found.unsupported, input_dir)

    results = []
    extract_batches = _batches(sources, settings.batch_size)
    for i, batch in enumerate(extract_batches, 1):
        done, failed = extract.extract_batch(batch)
        results += done
        rejected += failed
        log.info("extracted batch %d/%d (%d documents)", i, len(extract_batches), len(results))

    rows = normalize.assemble(results, rejected)
    encoded = publish.encode(rows)
    counts = {name: table.num_rows for name, table in encoded.arrow.items()}
    quarantined = dict(Counter(r.reason for r in rejected))
    publish.write_quarantine(output_dir, rejected, input_dir)
    outputs = Outputs(output_dir)
    base = dict(rows=counts, n_documents=len(results), quarantined=quarantined, n_ignored=len(found.ignored),
                fingerprint=encoded.fingerprint)

    if settings.publish and outputs.latest_fingerprint() == encoded.fingerprint:
        latest = outputs.latest()
        summary = RunSummary(status="unchanged", release=str(latest), validation="passed (unchanged release)", **base,
                             notes=["the tables are identical to the latest release: nothing new was published"])
        log.info("unchanged: the latest release %s already holds these tables", latest)
        _artifacts(summary)
        return summary

    staging = publish.stage(output_dir, encoded)
    report = validate.validate_release(encoded, staging)
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
    release = publish.publish(output_dir, staging, encoded, len(results), sum(quarantined.values()))
    summary = RunSummary(status="published", release=str(release), validation=report.summary().splitlines()[0], **base)
    log.info("published %s", release)
    _artifacts(summary)
    return summary
