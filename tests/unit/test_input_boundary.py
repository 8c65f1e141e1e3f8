"""The input folder is a boundary; unreadable inputs are reported, never fatal (issue 20,
findings 3-4)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from flows.core import ingest
from flows.core.ingest import Rejected, discover
from flows.core.storage import Outputs

TEXT = "The Security Council recalls its resolution 1631 (2005) on the African Union.\n"


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    root, outside = tmp_path / "input", tmp_path / "outside"
    (root / "sub").mkdir(parents=True)
    outside.mkdir()
    (root / "good.txt").write_text(TEXT, encoding="utf-8")
    (root / "sub" / "inner.txt").write_text(TEXT + "Second.\n", encoding="utf-8")
    (outside / "secret.txt").write_text("not for publication\n", encoding="utf-8")
    (outside / "folder").mkdir()
    (outside / "folder" / "other.txt").write_text("not ours either\n", encoding="utf-8")
    return root, outside


def _names(paths: list[Path], root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in paths]


def _skipped(found) -> dict[str, Rejected]:
    return {r.source_name: r for r in found.skipped}


def test_a_link_to_a_file_outside_the_input_folder_is_not_followed_but_reported(tree):
    root, outside = tree
    (root / "escape.txt").symlink_to(outside / "secret.txt")
    found = discover(root)
    assert "escape.txt" not in _names(found.documents, root)
    assert _skipped(found)["escape.txt"].reason == "skipped_link"
    assert "leaves the input folder" in _skipped(found)["escape.txt"].detail


def test_links_to_folders_are_not_followed_but_reported(tree):
    root, outside = tree
    (root / "away").symlink_to(outside / "folder", target_is_directory=True)
    (root / "again").symlink_to(root / "sub", target_is_directory=True)
    found = discover(root)
    assert _names(found.documents, root) == ["good.txt", "sub/inner.txt"]
    assert {name: r.reason for name, r in _skipped(found).items()} == {"again": "skipped_link", "away": "skipped_link"}


def test_a_broken_link_is_reported(tree):
    root, _ = tree
    (root / "gone.txt").symlink_to(root / "nowhere.txt")
    assert _skipped(discover(root))["gone.txt"].reason == "skipped_link"


def test_a_link_to_a_file_inside_the_input_folder_is_read(tree):
    root, _ = tree
    (root / "alias.txt").symlink_to(root / "sub" / "inner.txt")
    found = discover(root)
    assert "alias.txt" in _names(found.documents, root)
    assert not found.skipped


def test_an_unreadable_folder_is_reported_not_silently_skipped(tree, monkeypatch):
    root, _ = tree
    real_scandir = os.scandir

    def scandir(path):
        if Path(path) == root / "sub":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(ingest.os, "scandir", scandir)
    found = discover(root)
    assert _names(found.documents, root) == ["good.txt"]
    assert _skipped(found)["sub/"].reason == "unreadable"
    assert "Permission denied" in _skipped(found)["sub/"].detail


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file: permissions cannot make one unreadable")
def test_a_folder_without_permissions_is_reported(tree):
    root, _ = tree
    (root / "sub").chmod(0)
    try:
        assert _skipped(discover(root))["sub/"].reason == "unreadable"
    finally:
        (root / "sub").chmod(0o755)


def test_a_pipe_is_reported_and_never_read(tree):
    root, _ = tree
    os.mkfifo(root / "pipe.txt")  # reading it would wait forever
    found = discover(root)
    assert "pipe.txt" not in _names(found.documents, root)
    assert _skipped(found)["pipe.txt"].reason == "unreadable"


def test_an_unreadable_input_is_quarantined_without_a_crash(tree, monkeypatch, tmp_path):
    root, _ = tree
    bad = Rejected("good.txt", "0" * 64, 10, "corrupt", "unreadable when the quarantine copies it")

    def denied(source, target, *args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(shutil, "copyfile", denied)
    qdir = Outputs(tmp_path / "out").write_quarantine([bad], root)
    assert "could not be kept" in (qdir / "good.txt.reason.json").read_text(encoding="utf-8")


def test_the_bytes_of_a_link_not_followed_never_reach_the_quarantine(tree, tmp_path):
    root, outside = tree
    (root / "escape.txt").symlink_to(outside / "secret.txt")
    found = discover(root)
    qdir = Outputs(tmp_path / "out").write_quarantine(found.skipped, root)
    assert not (qdir / "escape.txt").exists()
    assert (qdir / "escape.txt.reason.json").exists()


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_decoded(encoding):
    """Issue 20, finding 11: it was quarantined as binary."""
    text, used = ingest.decode((TEXT * 3).encode(encoding))
    assert text == TEXT * 3
    assert used == encoding


def test_a_nul_byte_after_the_first_8_kb_does_not_reach_raw_text():
    data = (TEXT * 200).encode("utf-8")
    assert len(data) > 8192
    source = ingest.source_from_bytes("late-nul.txt", data[:9000] + b"\x00" + data[9000:])
    assert "\x00" not in source.raw_text
    assert "\x00" not in source.text


def test_links_in_hidden_folders_are_ignored_like_every_hidden_file(tree):
    root, outside = tree
    (root / ".venv").mkdir()
    (root / ".venv" / "python").symlink_to(outside / "secret.txt")
    (root / ".venv" / "gone").symlink_to(root / "nowhere")
    found = discover(root)
    assert not found.skipped
    assert sorted(_names(found.ignored, root)) == [".venv/gone", ".venv/python"]
