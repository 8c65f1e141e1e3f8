"""`uncoop validate` checks the files against datapackage.json: row counts, JSON against Parquet,
and one line for a damaged file (issue 20, findings 9-10)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from flows.cli import main
from flows.core.release_check import BrokenRelease, check_files, read_package
from flows.core.storage import Outputs, datapackage
from tests.sample_rows import release_rows

WHEN = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


@pytest.fixture
def release(tmp_path: Path) -> Path:
    out = Outputs(tmp_path / "out")
    staged = out.stage(release_rows(), now=WHEN)
    return out.finish(staged.folder, datapackage(staged, staged.folder.name, WHEN, {}))


def _rewrite_package(release: Path, change) -> None:
    path = release / "datapackage.json"
    package = json.loads(path.read_text(encoding="utf-8"))
    change(package)
    path.write_text(json.dumps(package), encoding="utf-8")


def test_a_sound_release_has_no_problems(release):
    assert check_files(release, read_package(release)) == []


def test_a_row_count_that_differs_from_datapackage_is_a_problem(release):
    def more_rows(package):  # the count is declared on the table's tabular resource (its CSV)
        for res in package["resources"]:
            if res["path"] == "documents.csv":
                res["rows"] += 1

    _rewrite_package(release, more_rows)
    problems = check_files(release, read_package(release))
    assert any("documents.parquet holds" in p and "datapackage.json says" in p for p in problems), problems


def test_a_table_without_a_declared_row_count_is_a_problem(release):
    def no_rows(package):
        for res in package["resources"]:
            if res["path"] == "documents.csv":
                del res["rows"]

    _rewrite_package(release, no_rows)
    problems = check_files(release, read_package(release))
    assert "table documents: datapackage.json declares no row count for it" in problems, problems


def test_json_that_differs_from_parquet_is_a_problem_even_with_a_matching_checksum(release):
    import hashlib

    path = release / "documents.json"
    rows = json.loads(path.read_text(encoding="utf-8"))
    rows[0]["source_name"] = "tampered.txt"
    path.write_text(json.dumps(rows, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()

    def new_hash(package):
        for res in package["resources"]:
            if res["path"] == "documents.json":
                res["hash"] = "sha256:" + digest

    _rewrite_package(release, new_hash)
    problems = check_files(release, read_package(release))
    assert problems == ["table documents: documents.json does not hold the same rows as documents.parquet"]


def test_a_truncated_parquet_file_is_one_line(release):
    path = release / "citations.parquet"
    path.write_bytes(path.read_bytes()[:100])
    problems = check_files(release, read_package(release))
    assert any("citations.parquet cannot be read as Parquet" in p for p in problems), problems
    assert all("\n" not in p for p in problems)


@pytest.mark.parametrize("content", ['{"resources": [', "[]", '{"name": "x"}'])
def test_a_broken_datapackage_is_one_clear_error(release, content, capsys):
    (release / "datapackage.json").write_text(content, encoding="utf-8")
    with pytest.raises(BrokenRelease):
        read_package(release)
    assert main(["validate", str(release)]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert len(captured.err.strip().splitlines()) == 1
    assert "validation failed" in captured.out and "passed" not in captured.out


def test_validate_says_failed_not_passed_on_a_truncated_table(release, capsys):
    path = release / "citations.parquet"
    path.write_bytes(path.read_bytes()[:100])
    assert main(["validate", str(release)]) == 1
    printed = capsys.readouterr().out
    assert "validation failed" in printed and "validation passed" not in printed
