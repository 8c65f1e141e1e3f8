"""The Great Expectations suites catch what the contract forbids."""

import datetime as dt
import re

import pyarrow as pa

from flows.core import validation
from flows.core.storage import encode_tables
from flows.core.validation import release_frames, run_validation, unique_key_flags
from tests.sample_rows import release_rows


def good_rows():
    return release_rows()


def test_a_valid_release_passes(tmp_path):
    report = run_validation(release_frames(encode_tables(good_rows(), tmp_path / "release").folder), tmp_path)
    assert report.success, report.summary()
    assert report.n_expectations > 100
    assert (tmp_path / "results.json").exists() and (tmp_path / "summary.json").exists()
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert not (tmp_path / "html").exists()  # no GX Data Docs: they load their assets from CDNs
    assert_offline(page)
    assert f"{report.n_expectations} of {report.n_expectations} expectations met" in page


_ASSET = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|@import""", re.I)


def assert_offline(page: str) -> None:
    """A report page that works offline: no script, and nothing loaded or linked over the network."""
    assert "<script" not in page.lower()
    assert not _ASSET.search(page), _ASSET.search(page)
    assert "http://" not in page and "https://" not in page


def test_each_broken_rule_is_reported(tmp_path):
    rows = good_rows()
    rows["citations"].append({**rows["citations"][0]})  # duplicate citation_id
    rows["citations"].append({**rows["citations"][0], "citation_id": "cit-1111111111111111", "document_id": "S/9999",
                              "cited_kind": "<i>treaty</i>"})  # dangling document, unknown kind
    rows["entity_mentions"][0]["surface"] = "AU"  # text[start:end] is "OIC"
    rows["documents"][0]["date"] = dt.date(1901, 1, 1)  # before the Charter
    rows["entities"][0]["country_iso3"] = "sa"  # not an ISO alpha-3 code
    report = run_validation(release_frames(encode_tables(rows, tmp_path / "release").folder), tmp_path)
    assert not report.success
    found = {(f.table, f.expectation, f.column) for f in report.failures}
    assert ("citations", "expect_column_values_to_be_in_set", "_primary_key_unique") in found
    assert ("citations", "expect_column_values_to_be_in_set", "cited_kind") in found
    assert ("citations", "expect_column_values_to_be_in_set", "_fk_document_id_in_documents") in found
    assert ("citations", "expect_column_values_to_be_in_set", "_span_inside_text") in found
    assert ("entity_mentions", "expect_column_values_to_be_in_set", "_span_equals_text") in found
    assert ("documents", "expect_column_values_to_be_between", "date") in found
    assert ("entities", "expect_column_values_to_match_regex", "country_iso3") in found
    assert "FAILED" in report.summary()
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert_offline(page)
    assert "NOT met" in page and "_span_equals_text" in page and "country_iso3" in page
    assert "&lt;i&gt;treaty" in page and "<i>treaty" not in page  # values are escaped by the template engine


def test_chunked_validation_gives_the_whole_table_verdicts(tmp_path, monkeypatch):
    """One row per chunk: rules spanning chunks (a duplicate key two chunks apart, foreign keys,
    spans into documents read per chunk) are still caught, with the offending rows as examples."""
    monkeypatch.setattr(validation, "CHUNK_ROWS", 1)
    rows = good_rows()
    first = rows["citations"][0]
    rows["citations"] += [{**first, "citation_id": "cit-1111111111111111"}, {**first}]  # a duplicate two chunks on
    rows["documents"].append({**rows["documents"][0], "document_id": "S/PRST/2025/2", "symbol": "S/PRST/2025/2",
                              "text": "The OIC.", "n_chars": 8})
    mention = rows["entity_mentions"][0]
    # the second document's mention first: the spans do not come in document order
    rows["entity_mentions"].insert(0, {**mention, "document_id": "S/PRST/2025/2", "start": 4, "end": 7})
    frames = release_frames(encode_tables(rows, tmp_path / "release").folder)
    report = run_validation(frames, tmp_path / "report")
    assert report.per_table["citations"]["chunks"] == len(rows["citations"]) > 1
    failed = {(f.table, f.column): f for f in report.failures}
    assert set(failed) == {("citations", "_primary_key_unique")}, report.summary()
    duplicate = failed[("citations", "_primary_key_unique")]
    assert duplicate.unexpected_count == 2
    assert all(first["citation_id"] in e for e in duplicate.examples)


def test_an_empty_table_is_still_checked(tmp_path):
    rows = good_rows()
    rows["quarantine"] = []
    report = run_validation(release_frames(encode_tables(rows, tmp_path / "release").folder), tmp_path)
    assert report.per_table["quarantine"] == {"expectations": report.per_table["quarantine"]["expectations"],
                                              "failed": 0, "rows": 0, "chunks": 1}
    assert report.per_table["quarantine"]["expectations"] > 1


def test_unique_key_flags():
    assert unique_key_flags(pa.table({"k": ["a", "b", "c"]})) is None
    assert unique_key_flags(pa.table({"k": pa.array([], pa.string())})) is None
    flags = unique_key_flags(pa.table({"k": ["a", "b", "a", None, None]}))
    assert flags.tolist() == [False, True, False, True, True]  # nulls are not keys (the not-null rule catches them)
    compound = unique_key_flags(pa.table({"d": ["x", "x", "y", "x"], "s": [1, 2, 1, 1]}))
    assert compound.tolist() == [False, True, True, False]


def test_a_document_without_text_fails_its_rules_without_crashing(tmp_path):
    """`uncoop validate` may be pointed at files another tool wrote: a null text is reported."""
    import pyarrow.parquet as pq

    folder = encode_tables(good_rows(), tmp_path / "release").folder
    documents = pq.read_table(folder / "documents.parquet")
    i = documents.schema.get_field_index("text")
    documents = documents.set_column(i, pa.field("text", pa.string(), nullable=True),
                                     pa.nulls(documents.num_rows, pa.string()))
    pq.write_table(documents, folder / "documents.parquet")
    report = run_validation(release_frames(folder), tmp_path)
    found = {(f.table, f.column) for f in report.failures}
    assert ("documents", "text") in found
    assert ("entity_mentions", "_span_inside_text") in found and ("citations", "_span_inside_text") in found


def test_a_null_in_a_nullable_foreign_key_passes_and_a_dangling_one_fails(tmp_path):
    resolution = {"resolution_id": "S/RES/2561 (2021)", "body": "Security Council", "number": 2561, "session": None,
                  "year": 2021, "title": None, "adopted_on": None, "document_id": None, "meeting_id": None,
                  "votes_yes": None, "votes_no": None, "votes_abstain": None, "n_citing_documents": 0}
    rows = good_rows()
    rows["resolutions"] = [resolution]
    report = run_validation(release_frames(encode_tables(rows, tmp_path / "ok").folder), tmp_path / "ok-report")
    assert report.success, report.summary()
    rows["resolutions"] = [{**resolution, "meeting_id": "mtg-0000000000000000"}]
    report = run_validation(release_frames(encode_tables(rows, tmp_path / "bad").folder), tmp_path / "bad-report")
    found = {(f.table, f.column) for f in report.failures}
    assert ("resolutions", "_fk_meeting_id_in_meetings") in found
