"""Golden files: the cooperation areas found in documents of different kinds (refresh with UPDATE_GOLDEN=1)."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from flows.core.areas import extract_areas
from tests.conftest import corpus_text

DOCS = ["A_RES_75_11.txt", "S_PRST_2007_7.txt", "S_PRST_2017_2.txt", "S_RES_1325_2000.txt", "S_PRST_2022_1.txt"]


@pytest.mark.parametrize("name", DOCS)
def test_golden_areas(name: str, golden) -> None:
    text = corpus_text(name)
    rows = []
    for hit in extract_areas(text):
        row = asdict(hit)
        row["surface"] = text[hit.start : hit.end]
        rows.append(row)
    golden("areas", name.removesuffix(".txt"), rows)
