"""One build at a time per output folder, names that cannot clash, leftovers removed at the next
start (issue 20, findings 5 and 8)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap

import pytest

from flows.core.storage import OutputBusy, Outputs

FP = "ab" * 32


def _release(outputs: Outputs, name: str, complete: bool = True) -> None:
    folder = outputs.releases / name
    folder.mkdir(parents=True)
    if complete:
        (folder / "datapackage.json").write_text(json.dumps({"version": name}), encoding="utf-8")


def test_a_second_build_into_the_same_output_folder_stops_at_once(tmp_path):
    outputs = Outputs(tmp_path)
    with outputs.build_lock(), pytest.raises(OutputBusy, match="another build"), Outputs(tmp_path).build_lock():
        pass
    with outputs.build_lock():  # released when the first build ended
        pass


def test_a_killed_build_does_not_leave_the_lock_stuck(tmp_path):
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from flows.core.storage import Outputs
        with Outputs(Path({str(tmp_path)!r})).build_lock():
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    done = subprocess.run([sys.executable, "-c", script], check=False, cwd=os.getcwd())
    assert done.returncode == -9
    with Outputs(tmp_path).build_lock():
        pass


def test_two_versions_minted_in_the_same_second_differ(tmp_path):
    outputs = Outputs(tmp_path)
    now = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    first = outputs.mint_version(FP, now)
    _release(outputs, first)
    second = outputs.mint_version(FP, now)
    assert first != second
    assert second > first  # still sorts by time


def test_leftovers_of_killed_builds_are_removed_at_the_next_start(tmp_path):
    outputs = Outputs(tmp_path)
    _release(outputs, "20260101T000000Z-aaaaaaaa")
    outputs.point_latest(outputs.releases / "20260101T000000Z-aaaaaaaa")
    _release(outputs, "20250101T000000Z-oldoldol")  # an older release: history, kept
    _release(outputs, "20260102T000000Z-bbbbbbbb")  # moved into releases/, killed before latest moved
    _release(outputs, "20260103T000000Z-cccccccc", complete=False)  # killed while moving
    (tmp_path / ".staging" / "building-1-deadbeef").mkdir(parents=True)
    (tmp_path / ".staging" / "building-1-deadbeef" / "citations.parquet").write_bytes(b"x" * 100)
    (tmp_path / ".latest.12345.tmp").symlink_to("releases/20260102T000000Z-bbbbbbbb")
    (tmp_path / ".cache" / "uncoop-run-abc").mkdir(parents=True)
    with outputs.build_lock():
        pass
    assert sorted(p.name for p in outputs.releases.iterdir()) == ["20250101T000000Z-oldoldol",
                                                                   "20260101T000000Z-aaaaaaaa"]
    assert outputs.latest().name == "20260101T000000Z-aaaaaaaa"
    assert not any((tmp_path / ".staging").iterdir())
    assert not (tmp_path / ".latest.12345.tmp").is_symlink()
    assert not (tmp_path / ".cache" / "uncoop-run-abc").exists()
