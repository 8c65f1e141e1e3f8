"""The command line: help, clear errors with non-zero exits, listing and re-validating releases."""

import json
import subprocess
import sys

import pytest

from flows.cli import main
from flows.settings import ROOT


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], capture_output=True, text=True, cwd=ROOT, timeout=120)


@pytest.mark.parametrize("command", [[], ["build"], ["validate"], ["releases"], ["schemas"], ["check-unxml"]])
def test_help(command):
    proc = run_cli(*command, "--help")
    assert proc.returncode == 0 and "usage: uncoop" in proc.stdout


def test_missing_input_folder_is_a_clear_error(tmp_path, capsys):
    assert main(["build", "--input", str(tmp_path / "nope"), "--output", str(tmp_path / "out")]) == 2
    assert "input folder" in capsys.readouterr().err and not (tmp_path / "out").exists()


def test_unknown_command_exits_non_zero():
    proc = run_cli("publish-everything")
    assert proc.returncode == 2 and "invalid choice" in proc.stderr


def test_validate_refuses_a_folder_that_is_not_a_release(tmp_path, capsys):
    assert main(["validate", str(tmp_path)]) == 2
    assert "not a release" in capsys.readouterr().err


def test_releases_and_validate_on_a_built_release(seeds_build, capsys):
    _, out = seeds_build
    assert main(["releases", "--output", str(out)]) == 0
    listing = capsys.readouterr().out
    assert "* " in listing and "documents 2" in listing
    assert main(["validate", str(out / "latest")]) == 0
    assert "validation passed" in capsys.readouterr().out
    assert main(["releases", "--json", "--output", str(out)]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    package = json.loads((out / "latest" / "datapackage.json").read_text(encoding="utf-8"))
    assert entry["latest"] and entry["version"] == package["version"] and entry["rows"]["documents"] == 2
    assert entry["files"]["documents.parquet"]["sha256"] == next(
        r["hash"] for r in package["resources"] if r["path"] == "documents.parquet").removeprefix("sha256:")


def test_validate_detects_a_tampered_release(seeds_build, tmp_path, capsys):
    import shutil

    _, out = seeds_build
    copy = tmp_path / "release"
    shutil.copytree((out / "latest").resolve(), copy)
    (copy / "areas.json").write_text("[]\n")
    assert main(["validate", str(copy)]) == 1
    assert "does not match its sha256" in capsys.readouterr().out


def test_schemas_check_passes():
    assert main(["schemas", "--check"]) == 0


def test_build_with_relative_paths(seeds_dir, tmp_path, monkeypatch, capsys):
    import shutil

    shutil.copytree(seeds_dir, tmp_path / "in")
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--profile", "test", "--input", "in", "--output", "out"]) == 0
    printed = capsys.readouterr().out
    assert "status: published" in printed and "rows per table:" in printed and "quarantined: 0" in printed
    assert (tmp_path / "out" / "latest" / "datapackage.json").exists()
    release = next(line for line in printed.splitlines() if line.startswith("release: ")).removeprefix("release: ")
    assert f"catalog page (open it next): {release}/index.html" in printed
    assert not (tmp_path / "out" / ".staging").exists()  # no empty staging folder is left behind


def test_version():
    from flows import __version__

    proc = run_cli("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"uncoop {__version__}"


def test_validate_leaves_nothing_in_the_temp_folder(seeds_build, tmp_path, monkeypatch, capsys):
    import tempfile

    _, out = seeds_build
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    assert main(["validate", "--no-progress", str(out / "latest")]) == 0
    assert "not kept" in capsys.readouterr().out
    assert list(scratch.iterdir()) == []
    report = tmp_path / "report"
    assert main(["validate", "--report", str(report), str(out / "latest")]) == 0
    assert (report / "index.html").is_file() and (report / "summary.json").is_file()
