"""A built release with official metadata beside the documents: one symbol grammar for documents
and citations, the official resolutions, adoption meetings, votes, and the lines it could not read."""

import json
import shutil

import pyarrow.parquet as pq
import pytest

from flows.core.storage import Outputs
from flows.pipeline import build_release
from flows.settings import settings_for
from tests.conftest import CORPUS

CITING = """United Nations S/2013/999

Security Council Distr.: General
1 March 2013

Letter dated 1 March 2013 from the Secretary-General addressed to the President of the Security Council

I have the honour to refer to the report of the Security Council to the General Assembly
(A/67/49 (Vol. I)), which recalls resolution 2561 (2021).
"""


@pytest.fixture(scope="module")
def official_build(tmp_path_factory):
    inputs = tmp_path_factory.mktemp("official-input")
    shutil.copy(CORPUS / "undocs" / "A_67_49_Vol_I.txt", inputs / "A_67_49_Vol_I.txt")
    (inputs / "letter.txt").write_text(CITING, encoding="utf-8")
    (inputs / "data_extract").mkdir()
    shutil.copy(CORPUS / "unxml" / "data_extract" / "2021.json", inputs / "data_extract" / "2021.json")
    line = json.loads((CORPUS / "unxml" / "data_extract" / "2021.json").read_text(encoding="utf-8").splitlines()[0])
    line.update(symbol="S/RES/2571 (2021)", MS_in_favour=[*line["MS_in_favour"][:-1], "ATLANTIS"])
    (inputs / "data_extract" / "extra.json").write_text(json.dumps(line) + "\n{broken line\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("official-output")
    summary = build_release(settings_for("test", input_dir=inputs, output_dir=out))
    return summary, Outputs(out).latest()


def rows(release, table):
    return pq.read_table(release / f"{table}.parquet").to_pylist()


def test_a_document_and_its_citation_have_the_same_canonical_symbol(official_build):
    _, release = official_build
    symbols = {d["symbol"] for d in rows(release, "documents")}
    assert "A/67/49 (Vol. I)" in symbols
    letter = next(d["document_id"] for d in rows(release, "documents") if d["source_name"] == "letter.txt")
    cited = [c for c in rows(release, "citations") if c["document_id"] == letter]
    joined = [c for c in cited if c["cited_symbol"] in symbols]
    assert [c["cited_symbol"] for c in joined] == ["A/67/49 (Vol. I)"], [c["cited_symbol"] for c in cited]


def test_the_official_metadata_is_in_the_release(official_build):
    summary, release = official_build
    assert summary.status == "published"
    res = {r["resolution_id"]: r for r in rows(release, "resolutions")}
    meetings = {m["meeting_id"] for m in rows(release, "meetings")}
    official = [f"S/RES/{n} (2021)" for n in range(2561, 2572)]
    assert set(official) <= set(res)
    assert all(res[s]["meeting_id"] in meetings and res[s]["votes_yes"] is not None for s in official)
    assert res["S/RES/2561 (2021)"]["n_citing_documents"] == 1
    votes = rows(release, "votes")
    assert {v["resolution_id"] for v in votes} == set(official)
    assert len([v for v in votes if v["resolution_id"] == "S/RES/2571 (2021)"]) == 14  # ATLANTIS is not a State


def test_what_could_not_be_read_is_quarantined_or_reported(official_build):
    summary, release = official_build
    quarantine = {q["source_name"]: q for q in rows(release, "quarantine")}
    assert quarantine["data_extract/extra.json#line=2"]["reason"] == "malformed_record"
    assert not any(name.endswith(".json") for name in quarantine)  # the files themselves are read, not unsupported
    assert any("ATLANTIS" in note for note in summary.notes)
