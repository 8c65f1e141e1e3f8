"""Publishing to object storage: every object verified before `latest` moves; a failure leaves it alone.

S3 is a moto server on loopback that this module starts itself; file:// runs the same code.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import fsspec
import pytest
import s3fs

from flows.core.remote import RemotePublishError, publish_to, remote_latest
from flows.core.storage import Outputs, datapackage
from tests.sample_rows import release_rows


@pytest.fixture
def s3(moto_endpoint, isolated_aws):
    """Storage options for the moto server (dummy credentials, never the machine's) and a fresh bucket."""
    options = {"key": "testing", "secret": "testing", "skip_instance_cache": True,
               "client_kwargs": {"endpoint_url": moto_endpoint, "region_name": "eu-west-1"}}
    bucket = f"uncoop-{uuid.uuid4().hex[:12]}"
    fsspec.filesystem("s3", **options).mkdir(bucket)
    return options, f"s3://{bucket}/open-data"


def make_release(root: Path, text: str, second: int) -> Path:
    """A published local release, as Outputs writes it (datapackage.json with sha256 of each file)."""
    out = Outputs(root)
    when = dt.datetime(2026, 1, 1, 0, 0, second, tzinfo=dt.UTC)
    staged = out.stage(release_rows(text), now=when)
    staging = staged.folder
    (staging / "validation").mkdir()
    (staging / "validation" / "summary.json").write_text('{"success": true}\n', encoding="utf-8")
    return out.finish(staging, datapackage(staged, staging.name, when, {}))


@pytest.fixture
def releases(tmp_path):
    first = make_release(tmp_path / "outputs", "Chapter VIII of the Charter and the OIC.", 1)
    second = make_release(tmp_path / "outputs", "Chapter VII of the Charter and the OIC.", 2)
    return first, second


def local_files(release: Path) -> dict[str, bytes]:
    return {p.relative_to(release).as_posix(): p.read_bytes() for p in release.rglob("*") if p.is_file()}


def test_s3_upload_verifies_every_object_then_moves_latest(s3, releases):
    options, url = s3
    first, second = releases
    assert remote_latest(url, options) is None
    remote = publish_to(first, url, storage_options=options)
    assert remote == f"{url}/releases/{first.name}/"
    assert remote_latest(url, options) == f"releases/{first.name}"
    fs = fsspec.filesystem("s3", **options)
    uploaded = {p.removeprefix(remote.removeprefix("s3://")): fs.cat_file(p) for p in fs.find(remote)}
    assert uploaded == local_files(first)
    assert "validation/summary.json" in uploaded
    # a second release moves latest; the first stays where it was
    publish_to(second, url, storage_options=options)
    assert remote_latest(url, options) == f"releases/{second.name}"
    assert fs.exists(f"{url}/releases/{first.name}/datapackage.json")


def test_failed_upload_leaves_latest_on_the_previous_release(s3, releases, monkeypatch):
    options, url = s3
    first, second = releases
    publish_to(first, url, storage_options=options)
    real_put = s3fs.S3FileSystem.put_file
    calls = []

    def put_then_fail(self, lpath, rpath, *args, **kwargs):
        calls.append(rpath)
        if len(calls) == 3:
            raise ConnectionError("network dropped")
        return real_put(self, lpath, rpath, *args, **kwargs)

    monkeypatch.setattr(s3fs.S3FileSystem, "put_file", put_then_fail)
    with pytest.raises(RemotePublishError, match=rf"network dropped.*still points at releases/{first.name}"):
        publish_to(second, url, storage_options=options)
    monkeypatch.undo()
    assert len(calls) == 3
    assert remote_latest(url, options) == f"releases/{first.name}"
    fs = fsspec.filesystem("s3", **options)
    assert not fs.exists(f"{url}/releases/{second.name}/datapackage.json")
    # the same release goes through once the network is back
    publish_to(second, url, storage_options=options)
    assert remote_latest(url, options) == f"releases/{second.name}"


def test_damaged_local_release_is_refused_before_any_upload(s3, releases, tmp_path):
    options, url = s3
    first, _ = releases
    (first / "citations.parquet").write_bytes(b"not the file datapackage.json describes")
    with pytest.raises(RemotePublishError, match="citations.parquet does not match"):
        publish_to(first, url, storage_options=options)
    fs = fsspec.filesystem("s3", **options)
    assert not fs.exists(f"{url}/releases/{first.name}")
    assert remote_latest(url, options) is None


def test_file_url_gives_a_pointer_that_outputs_reads(tmp_path, releases):
    first, second = releases
    target = tmp_path / "mirror"
    url = target.as_uri()
    publish_to(first, url)
    assert Outputs(target).latest() == (target / "releases" / first.name).resolve()
    publish_to(second, url, verify="size")
    assert Outputs(target).latest() == (target / "releases" / second.name).resolve()
    assert local_files(target / "releases" / second.name) == local_files(second)
    assert sorted(p.name for p in target.iterdir()) == ["latest", "releases"]


def test_republishing_is_idempotent_but_a_different_release_under_the_same_version_is_refused(tmp_path, releases):
    first, _ = releases
    url = (tmp_path / "mirror").as_uri()
    publish_to(first, url)
    publish_to(first, url)  # a retry after a crash between upload and pointer: verifies and moves latest
    assert remote_latest(url) == f"releases/{first.name}"
    package = json.loads((first / "datapackage.json").read_text(encoding="utf-8"))
    package["created"] = "2030-01-01T00:00:00Z"
    (first / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    with pytest.raises(RemotePublishError, match="immutable"):
        publish_to(first, url)


def test_not_a_release_is_refused(tmp_path):
    (tmp_path / "half").mkdir()
    with pytest.raises(RemotePublishError, match="not a finished release"):
        publish_to(tmp_path / "half", (tmp_path / "mirror").as_uri())
