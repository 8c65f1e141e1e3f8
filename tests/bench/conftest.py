"""Fixtures of the benchmarks: the >= 50 MB corpus, built once per session in memory."""

from __future__ import annotations

import os

import pytest

from tests.bench.corpus import DEFAULT_MB, DEFAULT_SEED, build_corpus


@pytest.fixture(scope="session")
def bench_corpus() -> list[str]:
    """The benchmark corpus (list of normalized documents); BENCH_MB overrides the size."""
    mb = float(os.environ.get("BENCH_MB", DEFAULT_MB))
    return build_corpus(mb=mb, seed=DEFAULT_SEED)
