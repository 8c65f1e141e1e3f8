"""The Great Expectations suites catch what the contract forbids."""

import datetime as dt

from flows.core.storage import encode_tables
from flows.core.validation import release_frames, run_validation
from tests.sample_rows import release_rows


def good_rows():
    return release_rows()


def test_a_valid_release_passes(tmp_path):
    report = run_validation(release_frames(encode_tables(good_rows(), tmp_path / "release").folder), tmp_path)
    assert report.success, report.summary()
    assert report.n_expectations > 100
    assert (tmp_path / "results.json").exists() and (tmp_path / "summary.json").exists()
    assert (tmp_path / "html" / "index.html").exists()


def test_each_broken_rule_is_reported(tmp_path):
    rows = good_rows()
    rows["citations"].append({**rows["citations"][0]})  # duplicate citation_id
    rows["citations"].append({**rows["citations"][0], "citation_id": "cit-1111111111111111", "document_id": "S/9999",
                              "cited_kind": "treaty"})  # dangling document, unknown kind
    rows["entity_mentions"][0]["surface"] = "AU"  # text[start:end] is "OIC"
    rows["documents"][0]["date"] = dt.date(1901, 1, 1)  # before the Charter
    rows["entities"][0]["country_iso3"] = "sa"  # not an ISO alpha-3 code
    report = run_validation(release_frames(encode_tables(rows, tmp_path / "release").folder), tmp_path)
    assert not report.success
    found = {(f.table, f.expectation, f.column) for f in report.failures}
    assert ("citations", "expect_column_values_to_be_unique", "citation_id") in found
    assert ("citations", "expect_column_values_to_be_in_set", "cited_kind") in found
    assert ("citations", "expect_column_values_to_be_in_set", "_fk_document_id_in_documents") in found
    assert ("citations", "expect_column_values_to_be_in_set", "_span_inside_text") in found
    assert ("entity_mentions", "expect_column_values_to_be_in_set", "_span_equals_text") in found
    assert ("documents", "expect_column_values_to_be_between", "date") in found
    assert ("entities", "expect_column_values_to_match_regex", "country_iso3") in found
    assert "FAILED" in report.summary()
