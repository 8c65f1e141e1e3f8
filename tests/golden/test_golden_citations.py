"""Citations found in real UN documents of the bundled corpus: pinned golden files, and a run
over every document of corpus/undocs that must not fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.core.citations import extract_citations
from tests.conftest import CORPUS, corpus_text

GOLDEN_DOCS = [
    "S_RES_1325_2000.txt",   # resolution: lists of resolutions with dates, documents, Charter article
    "S_PRST_2017_2.txt",     # presidential statement: press statement, PRST, S/RES without year
    "A_RES_75_11.txt",       # GA resolution: footnotes, joint symbols, footnote-marker pinpoint
    "S_PV_7002.txt",         # meeting record: rules of procedure, pinpoint before a resolution
    "S_2013_13.txt",         # letter
    "004_675dc49bf67d1f24.txt",  # concept paper: Charter articles, ibid., pinpoints
]


def _rows(text: str) -> list[dict]:
    return [
        {"cited_symbol": c.cited_symbol, "cited_kind": c.cited_kind, "raw": c.raw, "start": c.start,
         "end": c.end, "pinpoint": c.pinpoint, "via_ibid": c.via_ibid,
         "stated_date": c.stated_date.isoformat() if c.stated_date else None}
        for c in extract_citations(text)
    ]


@pytest.mark.parametrize("name", GOLDEN_DOCS)
def test_golden_citations(name, golden):
    golden("citations", Path(name).stem, _rows(corpus_text(name)))


UNDOCS = sorted(p.name for p in (CORPUS / "undocs").glob("*.txt"))


def test_whole_undocs_corpus_runs():
    assert len(UNDOCS) >= 100
    total = 0
    for name in UNDOCS:
        text = corpus_text(name)
        for c in extract_citations(text):
            assert text[c.start:c.end] == c.raw, (name, c)
            total += 1
    assert total > 500
