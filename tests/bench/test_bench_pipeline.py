"""End-to-end benchmark of `uncoop build` (issue 7), run by `make bench`.

BENCH_DOCS="1000,10000" (the default) chooses the corpus sizes; BENCH_JSON=FILE keeps all
figures in FILE (default: under pytest's temporary folder, path printed); BENCH_KEEP=1 keeps the
corpora and outputs too. The figures and the targets they pass or miss are printed (run with -s),
never asserted: a benchmark on a shared machine is noisy. What is asserted is that the runs did what they claim to measure: the full run
published every document, the rerun found nothing to do, the 1%-changed rerun extracted just the
changed documents and published a new release.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bench.pipeline_bench import drop_bulk, run_bench, sizes_from_env

pytestmark = pytest.mark.bench


@pytest.fixture(scope="module")
def pipeline_report(tmp_path_factory) -> Iterator[dict]:
    workdir = tmp_path_factory.mktemp("pipeline-bench")
    json_path = Path(os.environ["BENCH_JSON"]) if os.environ.get("BENCH_JSON") else None
    report = run_bench(sizes_from_env(), workdir, json_path=json_path)
    yield report
    if not os.environ.get("BENCH_KEEP"):
        drop_bulk(workdir)  # a 10k corpus and its outputs are hundreds of MB


def test_pipeline_benchmark_runs_measure_what_they_claim(pipeline_report):
    shared = pipeline_report["shared"]
    assert shared["startup"]["wall_s"] > 0
    assert all(s == "published" for s in shared["startup"]["status"])
    assert shared["prefect"]["task_call_ms"] > shared["prefect"]["direct_call_ms"]
    assert Path(pipeline_report["json"]).exists()

    for size, result in pipeline_report["sizes"].items():
        n = result["n_docs"]
        assert not result["code_changed"], f"{size}: flows/ or schemas/ changed during the benchmark: run it again"
        runs = {name: run["summary"] for name, run in result["runs"].items()}
        full, unchanged, changed = runs["full"], runs["unchanged"], runs["changed_1pct"]
        assert result["mb"] > 0.005 * n, size  # about 10 KB a document
        assert result["ceiling"]["matches"] > 0, size

        assert full["status"] == "published", size
        assert full["n_documents"] == n and full["extracted"] == n and full["cached"] == 0, size
        assert full["rows"]["documents"] + sum(full["quarantined"].values()) == n, size

        assert unchanged["status"] == "unchanged", size
        assert unchanged["extracted"] == 0, size
        assert Path(unchanged["release"]).name == Path(full["release"]).name, size

        k = result["n_changed"]
        assert k == max(1, round(n * 0.01)), size  # every chosen file really changed
        assert changed["status"] == "published" and Path(changed["release"]).name != Path(full["release"]).name, size
        assert k <= changed["extracted"] <= 2 * k, size
        assert changed["extracted"] + changed["cached"] == n, size

        for name, run in result["runs"].items():
            assert run["returncode"] == 0 and run["tree_rss_mb"] > 0, (size, name)
