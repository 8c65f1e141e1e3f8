"""The extract batches give byte-identical tables whatever runs them: the flow's own process,
a local process pool, or a 2-worker Dask LocalCluster (issue 7)."""

from __future__ import annotations

import shutil

import pytest

from flows.pipeline import build_release
from flows.settings import settings_for
from tests.conftest import CORPUS


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    d = tmp_path_factory.mktemp("runner-corpus")
    for path in sorted((CORPUS / "seeds").glob("*.txt")) + sorted((CORPUS / "undocs").glob("S_PRST_*.txt"))[:6]:
        shutil.copy(path, d / path.name)
    return d


def _build(corpus, out, runner):
    # batch_size 2: several batches, so the pool really spreads them over its workers
    settings = settings_for("test", input_dir=corpus, output_dir=out, batch_size=2, task_runner=runner,
                            workers=2, use_cache=False)
    return build_release(settings.model_copy(update={"publish": False}))


@pytest.fixture(scope="module")
def sequential(small_corpus, tmp_path_factory):
    return _build(small_corpus, tmp_path_factory.mktemp("seq"), "sequential")


@pytest.mark.parametrize("runner", ["processes", "dask"])
def test_parallel_runners_give_byte_identical_tables(small_corpus, tmp_path, sequential, runner):
    summary = _build(small_corpus, tmp_path, runner)
    assert summary.task_runner == runner
    assert summary.extracted == sequential.extracted == 8
    assert summary.rows == sequential.rows
    assert summary.fingerprint == sequential.fingerprint  # sha256 over every table file
