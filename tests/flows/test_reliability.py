"""Issue 20 end to end: a stuck document, a link out of the input folder and a document-id
collision each leave the rest of the corpus published, with every skipped input reported."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from flows import extract
from flows.core import extract as core_extract
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
