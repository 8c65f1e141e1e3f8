"""Golden files: the meetings found in documents of different kinds (refresh with UPDATE_GOLDEN=1)."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from flows.core.meetings import extract_meetings, meeting_key
from flows.core.metadata import extract_metadata
from tests.conftest import corpus_text

DOCS = ["S_PRST_2017_2.txt", "A_RES_75_11.txt", "S_PV_6905.txt", "S_2013_163.txt", "S_PRST_1997_36.txt",
        "004_675dc49bf67d1f24.txt"]


@pytest.mark.parametrize("name", DOCS)
def test_golden_meetings(name: str, golden) -> None:
    text = corpus_text(name)
    meta = extract_metadata(text)
    rows = []
    for m in extract_meetings(text, meta.date):
        row = asdict(m)
        row["key"] = meeting_key(m)
        row["surface"] = text[m.start : m.end]
        rows.append(row)
    golden("meetings", name.removesuffix(".txt"), rows)
