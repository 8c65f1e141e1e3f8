"""End-to-end flow runs: publish, rerun, determinism, quarantine, failing validation."""

import codecs
import json
import shutil
import subprocess
import sys

import pyarrow.parquet as pq
import pytest

from flows.core.models import Citation
from flows.core.storage import Outputs
from flows.pipeline import ValidationFailed, build_release
from flows.settings import ROOT, settings_for

SCORER = ROOT.parent / "shared" / "tools" / "score.py"
GOLD = ROOT.parent / "shared" / "gold"
TABLE_FILES = ("*.parquet", "*.json")


def table_files(release):
    return {p.name: p.read_bytes() for pattern in TABLE_FILES for p in sorted(release.glob(pattern)) if p.name != "datapackage.json"}


def test_seeds_release_is_published_and_complete(seeds_build):
    summary, out = seeds_build
    assert summary.status == "published"
    latest = Outputs(out).latest()
    assert latest is not None and str(latest) == str(Outputs(out).list_releases()[-1].resolve())
    assert summary.n_documents == 2 and sum(summary.quarantined.values()) == 0
    for table in ("documents", "citations", "resolutions", "meetings", "meeting_mentions", "entities",
                  "entity_mentions", "areas", "cooperation_areas"):
        assert summary.rows[table] > 0, table
        assert pq.read_table(latest / f"{table}.parquet").num_rows == summary.rows[table]
    assert (latest / "validation" / "summary.json").exists()
    assert json.loads((latest / "validation" / "summary.json").read_text())["success"] is True
    assert (latest / "validation" / "index.html").exists()


@pytest.mark.skipif(not SCORER.exists(), reason=f"the shared scorer is not beside the repository ({SCORER})")
def test_scorer_finds_no_contract_breach(seeds_build):
    _, out = seeds_build
    proc = subprocess.run([sys.executable, str(SCORER), "--release", str(out / "latest"), "--gold", str(GOLD)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "CONTRACT:" not in proc.stdout
    assert "gold_documents_found" in proc.stdout


def test_rerun_over_unchanged_inputs_publishes_nothing(seeds_build, seeds_dir):
    _, out = seeds_build
    before = [p.name for p in Outputs(out).list_releases()]
    again = build_release(settings_for("test", input_dir=seeds_dir, output_dir=out))
    assert again.status == "unchanged"
    assert [p.name for p in Outputs(out).list_releases()] == before


def test_two_runs_give_byte_identical_tables(seeds_build, seeds_dir, tmp_path):
    _, out = seeds_build
    other = build_release(settings_for("test", input_dir=seeds_dir, output_dir=tmp_path))
    assert other.status == "published"
    first, second = table_files(Outputs(out).latest()), table_files(Outputs(tmp_path).latest())
    assert first.keys() == second.keys() and len(first) >= 18
    assert [n for n in first if first[n] != second[n]] == []


def test_bad_inputs_are_quarantined_and_the_rest_published(seeds_dir, tmp_path, monkeypatch):
    inputs = tmp_path / "in"
    shutil.copytree(seeds_dir, inputs)
    seed = sorted(inputs.glob("*.txt"))[0]
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "garbage.txt").write_bytes(bytes(range(256)) * 40)
    (inputs / "broken-utf16.txt").write_bytes(codecs.BOM_UTF16_LE + b"\x00\xd8")
    (inputs / "copy-of-seed.txt").write_bytes(seed.read_bytes())
    (inputs / "scan.pdf").write_bytes(b"%PDF-1.4 a header and nothing of a PDF after it")
    (inputs / "table.xlsx").write_bytes(b"PK\x03\x04 a spreadsheet")
    (inputs / "poison.txt").write_text("A document that makes an extractor fail: POISON.", encoding="utf-8")
    (inputs / "legacy.txt").write_bytes(("Déclaration du Président du Conseil de sécurité. " * 4).encode("cp1252"))

    import flows.core.extract as extract_module

    real = extract_module.extract_entities

    def flaky(text, **kwargs):
        if "POISON" in text:
            raise RuntimeError("entity extractor broke on this text")
        return real(text, **kwargs)

    monkeypatch.setattr(extract_module, "extract_entities", flaky)
    out = tmp_path / "out"
    summary = build_release(settings_for("test", input_dir=inputs, output_dir=out))
    assert summary.status == "published"
    assert summary.n_documents == 3  # the two seeds and the cp1252 file
    assert summary.quarantined == {"empty": 1, "binary": 1, "undecodable": 1, "duplicate": 1, "corrupt": 1,
                                   "unsupported_format": 1, "extractor_error": 1}
    index = {e["source_name"]: e for e in json.loads((out / "quarantine" / "index.json").read_text())}
    assert index["copy-of-seed.txt"]["duplicate_of"] == seed.name
    assert "entity extractor broke" in index["poison.txt"]["detail"]
    assert (out / "quarantine" / "garbage.txt").exists()
    quarantine = pq.read_table(Outputs(out).latest() / "quarantine.parquet").to_pylist()
    assert {q["source_name"] for q in quarantine} == set(index)
    docs = pq.read_table(Outputs(out).latest() / "documents.parquet", columns=["source_name"]).column(0).to_pylist()
    assert sorted(docs) == sorted([p.name for p in seeds_dir.glob("*.txt")] + ["legacy.txt"])


def test_failing_validation_leaves_latest_where_it_was(seeds_build, seeds_dir, tmp_path, monkeypatch):
    _, out = seeds_build
    work = tmp_path / "out"
    shutil.copytree(out, work, symlinks=True)
    latest_before = Outputs(work).latest()

    import flows.core.extract as extract_module

    def wrong_offsets(text, **kwargs):  # noqa: ARG001 - a citation whose raw text is not text[start:end]
        return [Citation("S/RES/1963 (2010)", "sc_resolution", "resolution 1963 (2010)", 0, 5)]

    monkeypatch.setattr(extract_module, "extract_citations", wrong_offsets)
    with pytest.raises(ValidationFailed) as failure:  # a patched extractor is invisible to the cache key
        build_release(settings_for("test", input_dir=seeds_dir, output_dir=work, use_cache=False,
                                      allow_shrink=True))  # the patch shrinks citations: the gate would stop it first
    assert "_span_equals_text" in str(failure.value)
    assert Outputs(work).latest() == latest_before
    rejected = list((work / "rejected").iterdir())
    assert len(rejected) == 1 and (rejected[0] / "validation" / "summary.txt").exists()
    assert not (work / ".staging").exists()  # nothing staged is left, not even an empty folder
    # without the cache, the run's private result folder (pass 2 of the assembly) is gone too
    assert not list((work / ".cache").glob("uncoop-run-*"))


def test_flow_runs_leave_artifacts(seeds_dir, tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    state = build_release(settings_for("test", input_dir=seeds_dir, output_dir=tmp_path), return_state=True)
    summary = state.result()
    run_id = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        found = {a.key: a for a in client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run_id])))}
    assert set(found) == {"uncoop-rows-per-table", "uncoop-run-summary"}
    assert "validation" in found["uncoop-run-summary"].data and str(summary.release) in found["uncoop-run-summary"].data
    rows = {r["table"]: r["rows"] for r in json.loads(found["uncoop-rows-per-table"].data)}
    assert rows == summary.rows


def test_release_has_the_citation_network(seeds_build):
    import xml.etree.ElementTree as ET

    _, out = seeds_build
    latest = Outputs(out).latest()
    root = ET.parse(latest / "citations.graphml").getroot()
    edges = root.findall(".//{http://graphml.graphdrawing.org/xmlns}edge")
    citations = pq.read_table(latest / "citations.parquet")
    pairs = {(r["document_id"], r["cited_symbol"]) for r in citations.to_pylist()}
    assert len(edges) == len(pairs) > 0
    pkg = json.loads((latest / "datapackage.json").read_text())
    assert any(r["path"] == "citations.graphml" for r in pkg["resources"])
