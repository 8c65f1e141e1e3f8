"""The publishing gate in a real flow run: latest stays and the cache keeps its entries."""

from __future__ import annotations

import shutil

import pytest

from flows.core.cache import _SUFFIX as cache_suffix
from flows.core.storage import Outputs, PublishRefused
from flows.pipeline import build_release
from flows.settings import settings_for


def _entries(out):
    return sorted(p.name for p in (out / ".cache" / "extract").rglob(f"*{cache_suffix}"))


def test_empty_and_shrinking_releases_are_refused(seeds_dir, tmp_path):
    out = tmp_path / "out"
    first = build_release(settings_for("test", input_dir=seeds_dir, output_dir=out))
    assert first.status == "published"
    latest = Outputs(out).latest()
    cached = _entries(out)
    assert cached

    broken = tmp_path / "broken"  # every input fails
    broken.mkdir()
    (broken / "empty.txt").write_bytes(b"")
    (broken / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(PublishRefused, match="no documents"):
        build_release(settings_for("test", input_dir=broken, output_dir=out))
    assert Outputs(out).latest() == latest
    assert set(cached) <= set(_entries(out))  # the cache was not emptied

    one = tmp_path / "one"  # one of the two seeds: fewer documents
    one.mkdir()
    shutil.copy(sorted(seeds_dir.iterdir())[0], one)
    with pytest.raises(PublishRefused, match="allow-shrink"):
        build_release(settings_for("test", input_dir=one, output_dir=out))
    assert Outputs(out).latest() == latest

    allowed = build_release(settings_for("test", input_dir=one, output_dir=out, allow_shrink=True))
    assert allowed.status == "published" and Outputs(out).latest() != latest
