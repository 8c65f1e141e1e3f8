"""Golden files: the metadata of documents of different kinds (refresh with UPDATE_GOLDEN=1)."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from flows.core.metadata import extract_metadata
from tests.conftest import corpus_text

DOCS = ["S_PRST_2017_2.txt", "A_RES_75_11.txt", "S_RES_1160_1998.txt", "S_PV_6905.txt", "A_67_PV_3.txt",
        "S_2018_25.txt", "S_2013_167.txt", "S_2018_2_Rev_2.txt", "A_67_49_Vol_I.txt", "004_675dc49bf67d1f24.txt"]


@pytest.mark.parametrize("name", DOCS)
def test_golden_metadata(name: str, golden) -> None:
    golden("metadata", name.removesuffix(".txt"), asdict(extract_metadata(corpus_text(name), name)))
