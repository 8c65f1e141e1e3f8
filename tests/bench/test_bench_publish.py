"""Benchmark of the stages after extraction (issue 17), run by `make bench`.

BENCH_PUBLISH_DOCS (default 10000, the size of the issue's targets) chooses the corpus size;
BENCH_JSON_PUBLISH=FILE keeps the figures. The figures are printed (run with -s), never asserted;
what is asserted is that the runs did what they claim to measure.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.bench.publish_bench import main

pytestmark = pytest.mark.bench


def test_publish_benchmark_measures_what_it_claims(tmp_path):
    docs = int(os.environ.get("BENCH_PUBLISH_DOCS", "10000"))
    figures = Path(os.environ.get("BENCH_JSON_PUBLISH", tmp_path / "publish-bench.json"))
    assert main(["--docs", str(docs), "--work", str(tmp_path), "--reruns", "--json", str(figures)]) == 0
    report = json.loads(figures.read_text(encoding="utf-8"))
    assert report["full"]["status"] == "published" and report["full"]["extracted"] == docs
    full, partial = report["in_process"]["rounds"]["full"], report["in_process"]["rounds"]["1% left out"]
    assert full["valid"] and partial["valid"]
    assert partial["linked_files"] > 0  # the data dictionary at least is the previous release's
    assert report["unchanged"]["status"] == "unchanged" and report["unchanged"]["extracted"] == 0
    assert report["changed_1pct"]["status"] == "published"
    assert report["n_changed"] <= report["changed_1pct"]["extracted"] <= 2 * report["n_changed"]
