"""datapackage.json of a built release passes `frictionless validate`, and the checks it runs are
real: a changed byte, a wrong row count or a value that breaks its pattern is reported."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

frictionless = pytest.importorskip("frictionless", reason="frictionless is a dev dependency (pip install -e .[dev])")


def _errors(report) -> list[tuple[str, str]]:
    return sorted({(task.name, error.type) for task in report.tasks for error in task.errors}
                  | {("package", error.type) for error in report.errors})


@pytest.fixture
def release_copy(seeds_build, tmp_path) -> Path:
    _, out = seeds_build
    copy = tmp_path / "release"
    shutil.copytree((out / "latest").resolve(), copy)
    return copy


def test_frictionless_validate_passes_on_a_built_release(seeds_build):
    _, out = seeds_build
    package = (out / "latest" / "datapackage.json").resolve()
    done = subprocess.run([sys.executable, "-m", "frictionless", "validate", "--json", str(package)],
                          capture_output=True, text=True, timeout=300, cwd=package.parent)
    report = json.loads(done.stdout)
    problems = [(t["name"], e["type"], e["note"]) for t in report["tasks"] for e in t["errors"]] + [
        ("package", e["type"], e["note"]) for e in report.get("errors", [])]
    assert report["valid"] and done.returncode == 0, problems[:20]
    descriptor = json.loads(package.read_text(encoding="utf-8"))
    assert descriptor["profile"] == "data-package"  # it lists files that are not tables
    every = {r["path"]: r for r in descriptor["resources"]}
    assert len(report["tasks"]) == len(descriptor["resources"])  # every resource was checked
    for res in descriptor["resources"]:
        assert isinstance(res["bytes"], int) and res["hash"].startswith("sha256:"), res["name"]
        if res.get("profile") == "tabular-data-resource":
            assert res["format"] == "csv" and isinstance(res["rows"], int) and res["schema"]["fields"]
        else:
            assert res["type"] == "file"  # read as bytes: Frictionless checks their size and sha256
    assert every["quarantine.csv"]["rows"] == 0  # an empty table is a valid resource too


def test_a_changed_file_is_caught_by_its_bytes_and_sha256(release_copy):
    (release_copy / "areas.json").write_bytes((release_copy / "areas.json").read_bytes().replace(b"Human", b"Humon"))
    with (release_copy / "citations.graphml").open("ab") as fh:
        fh.write(b"\n")
    report = frictionless.Package(str(release_copy / "datapackage.json")).validate()
    errors = _errors(report)
    assert ("areas-json", "hash-count") in errors
    assert ("citation-network", "byte-count") in errors and ("citation-network", "hash-count") in errors


def test_rows_are_checked_against_the_schema_and_the_declared_count(release_copy):
    path = release_copy / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    areas = next(r for r in descriptor["resources"] if r["name"] == "areas")
    csv = release_copy / "areas.csv"
    text = csv.read_bytes().replace(b'"conflict_prevention"', b'"Conflict Prevention"')
    csv.write_bytes(text)
    areas["bytes"] = len(text)
    import hashlib

    areas["hash"] = "sha256:" + hashlib.sha256(text).hexdigest()
    areas["rows"] += 1
    path.write_text(json.dumps(descriptor), encoding="utf-8")
    errors = _errors(frictionless.Package(str(path)).validate())
    assert ("areas", "constraint-error") in errors  # area_id must match ^[a-z_]+$
    assert ("areas", "row-count") in errors
