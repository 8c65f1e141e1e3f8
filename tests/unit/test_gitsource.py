"""The source repository: read in place, cloned, updated, and used as it is when unreachable."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from flows.core.gitsource import SourceUnavailable, is_url, sync_repository


def _commit(repo, name, text):
    (repo / name).write_text(text, encoding="utf-8")
    for args in (["add", "."], ["commit", "-qm", name]):
        subprocess.run(["git", "-c", "user.email=t@example.org", "-c", "user.name=t", *args], cwd=repo, check=True)


@pytest.fixture
def origin(tmp_path):
    repo = tmp_path / "origin"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    _commit(repo, "a.txt", "first")
    return repo


def test_urls_and_folders():
    assert is_url("https://github.com/x/y.git") and is_url("git@github.com:x/y.git") and is_url("file:///tmp/x")
    assert not is_url("/data/SCresolutions") and not is_url("corpus/unxml")


def test_a_folder_is_read_in_place(origin, tmp_path):
    checkout = sync_repository(str(origin), tmp_path / "cache")
    assert checkout.path == origin.resolve() and checkout.status == "local" and checkout.commit
    assert not (tmp_path / "cache").exists()
    with pytest.raises(SourceUnavailable):
        sync_repository(str(tmp_path / "missing"), tmp_path / "cache")


def test_a_url_is_cloned_then_updated_and_read_stale_when_gone(origin, tmp_path):
    cache = tmp_path / "cache"
    first = sync_repository(origin.as_uri(), cache)
    assert first.status == "cloned" and (first.path / "a.txt").read_text() == "first"
    assert sorted(p.name for p in first.path.iterdir()) == [".git", "a.txt"]  # a one-line .git file
    _commit(origin, "b.txt", "second")
    second = sync_repository(origin.as_uri(), cache)
    assert second.status == "updated" and (second.path / "b.txt").exists() and second.commit != first.commit
    assert sync_repository(origin.as_uri(), cache).status == "unchanged"
    assert sync_repository(origin.as_uri(), cache, offline=True).status == "offline"
    shutil.rmtree(origin)  # the remote is unreachable: the clone as the last run left it
    stale = sync_repository(origin.as_uri(), cache)
    assert stale.status == "stale" and (stale.path / "b.txt").exists()


def test_offline_without_a_clone_fails_with_the_reason(origin, tmp_path):
    with pytest.raises(SourceUnavailable, match="never cloned"):
        sync_repository(origin.as_uri(), tmp_path / "cache", offline=True)
