"""Issue 20 end to end: a stuck document, a link out of the input folder and a document-id
collision each leave the rest of the corpus published, with every skipped input reported."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from flows import extract
from flows.core import extract as core_extract
from flows.core.cache import _SUFFIX as cache_suffix
from flows.pipeline import build_release
from flows.settings import settings_for
from tests.conftest import CORPUS

STUCK_MARK = "zz-stuck-zz"


def _quarantine(out: Path) -> dict[str, dict]:
    return {e["source_name"]: e for e in json.loads((out / "quarantine" / "index.json").read_text(encoding="utf-8"))}


def test_stuck_document_and_escaping_link_leave_the_rest_published(tmp_path, monkeypatch):
    root, outside, out = tmp_path / "input", tmp_path / "outside", tmp_path / "out"
    root.mkdir()
    outside.mkdir()
    seeds = sorted((CORPUS / "seeds").glob("*.txt"))[:2]
    for seed in seeds:
        (root / seed.name).write_bytes(seed.read_bytes())
    (root / "stuck.txt").write_text(f"The African Union and the Security Council. {STUCK_MARK}\n", encoding="utf-8")
    (outside / "secret.txt").write_text("Private notes of the operator, S/2099/1.\n", encoding="utf-8")
    (root / "escape.txt").symlink_to(outside / "secret.txt")

    real_areas = core_extract.extract_areas

    def areas(text: str):
        if STUCK_MARK in text:
            n = 0
            while n < 10**9:  # far beyond the budget: only the budget ends it
                n += 1
        return real_areas(text)

    extract.process_raw("warm.txt", "0" * 64, (CORPUS / "seeds" / seeds[0].name).read_bytes(), timeout=None)
    monkeypatch.setattr(core_extract, "extract_areas", areas)
    summary = build_release(settings_for("test", input_dir=root, output_dir=out, task_runner="sequential",
                                         document_timeout=2))
    assert summary.status == "published"
    assert summary.n_documents == 2
    quarantine = _quarantine(out)
    assert quarantine["stuck.txt"]["reason"] == "extractor_timeout"
    assert quarantine["escape.txt"]["reason"] == "skipped_link"
    assert summary.quarantined == {"extractor_timeout": 1, "skipped_link": 1}
    texts = pq.read_table(out / "latest" / "sources.parquet" if (out / "latest" / "sources.parquet").exists()
                          else out / "latest" / "document_sources.parquet").column("raw_text").to_pylist()
    assert not any("Private notes" in t for t in texts)
    assert not (out / "quarantine" / "escape.txt").exists()


def test_a_full_disk_fails_in_one_line_and_leaves_latest_and_the_cache_alone(tmp_path, monkeypatch, capsys):
    import errno

    from flows import cli
    from flows.core import storage
    from flows.core.cache import ResultCache

    root, out = tmp_path / "input", tmp_path / "out"
    root.mkdir()
    undocs = sorted((CORPUS / "undocs").glob("*.txt"))[:3]
    for doc in undocs[:2]:
        (root / doc.name).write_bytes(doc.read_bytes())
    first = build_release(settings_for("test", input_dir=root, output_dir=out, task_runner="sequential"))
    assert first.status == "published"
    latest = (out / "latest").resolve()

    (root / undocs[2].name).write_bytes(undocs[2].read_bytes())

    def full(self, staging):
        (staging / "uncoop.duckdb").write_bytes(b"half a database")
        raise OSError(errno.ENOSPC, "No space left on device", str(staging / "uncoop.duckdb"))

    monkeypatch.setattr(storage.Outputs, "write_extras", full)
    code = cli.main(["build", "--input", str(root), "--output", str(out), "--profile", "test",
                     "--task-runner", "sequential"])
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert len(err.splitlines()) == 1 and "No space left on device" in err, err
    assert (out / "latest").resolve() == latest
    assert [p.name for p in (out / "releases").iterdir()] == [latest.name]
    assert not any((out / ".staging").iterdir())
    cache = ResultCache(out / ".cache" / "extract")
    assert sum(1 for p in cache.root.rglob(f"*{cache_suffix}")) == 3  # the third document's result was kept
    monkeypatch.undo()

    again = build_release(settings_for("test", input_dir=root, output_dir=out, task_runner="sequential"))
    assert again.status == "published" and again.n_documents == 3 and again.extracted == 0


def test_a_document_id_collision_does_not_withhold_the_release(tmp_path):
    root, out = tmp_path / "input", tmp_path / "out"
    (root / "A").mkdir(parents=True)
    printed = CORPUS / "undocs" / "A_10034.txt"  # prints the symbol A/10034
    (root / printed.name).write_bytes(printed.read_bytes())
    (root / "A" / "10034.txt").write_text("The Security Council met with the African Union today.\n", encoding="utf-8")
    summary = build_release(settings_for("test", input_dir=root, output_dir=out, task_runner="sequential"))
    assert summary.status == "published"
    ids = pq.read_table(out / "latest" / "documents.parquet").column("document_id").to_pylist()
    assert len(ids) == len(set(ids)) == 2


def test_a_duckdb_io_error_is_one_line_and_cleans_up(tmp_path, monkeypatch):
    import duckdb

    from flows import pipeline

    out = tmp_path / "out"

    def failing(settings):
        staging = out / ".staging" / "building-1-abc"
        staging.mkdir(parents=True)
        (staging / "uncoop.duckdb").write_bytes(b"half")
        raise duckdb.IOException("IO Error: Could not write file \"uncoop.duckdb\": No space left on device")

    monkeypatch.setattr(pipeline, "_build_release", failing)
    with pytest.raises(pipeline.BuildFailed) as info:
        build_release(settings_for("test", input_dir=tmp_path, output_dir=out))
    message = str(info.value)
    assert "\n" not in message and "No space left on device" in message and "nothing was published" in message
    assert not any((out / ".staging").iterdir())


def test_a_second_build_into_a_busy_output_folder_fails_in_one_line(tmp_path):
    from flows.core.storage import Outputs
    from flows.pipeline import BuildFailed

    out = tmp_path / "out"
    with Outputs(out).build_lock(), pytest.raises(BuildFailed, match="another build is writing"):
        build_release(settings_for("test", input_dir=tmp_path, output_dir=out))
