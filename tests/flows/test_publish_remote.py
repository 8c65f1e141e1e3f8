"""`--publish-to s3://...` end to end, against a moto S3 server on loopback: the flow uploads
the release (catalog, DuckDB file and CSV zip included), then moves the remote latest; a
rerun with nothing new leaves the remote as it is."""

from __future__ import annotations

import json
import uuid

import fsspec
import pytest

from flows.core.remote import remote_latest
from flows.pipeline import build_release
from flows.settings import settings_for


@pytest.fixture
def bucket_url(moto_endpoint, isolated_aws):
    """Credentials and endpoint the way a user sets them: the standard AWS environment variables."""
    monkeypatch = isolated_aws
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")  # no LocationConstraint needed
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", moto_endpoint)
    bucket = f"uncoop-{uuid.uuid4().hex[:12]}"
    fsspec.filesystem("s3", skip_instance_cache=True).mkdir(bucket)
    return f"s3://{bucket}/open-data"


def test_publish_to_s3_uploads_then_moves_the_remote_latest(seeds_dir, tmp_path, bucket_url):
    out = tmp_path / "out"
    settings = settings_for("test", input_dir=seeds_dir, output_dir=out, publish_to=bucket_url)
    summary = build_release(settings)
    assert summary.status == "published"
    release = out / "latest"
    name = release.resolve().name
    assert remote_latest(bucket_url) == f"releases/{name}"
    fs = fsspec.filesystem("s3", skip_instance_cache=True)
    remote = bucket_url.removeprefix("s3://") + f"/releases/{name}"
    uploaded = {p.removeprefix(remote + "/") for p in fs.find(remote)}
    for required in ("datapackage.json", "index.html", "uncoop.duckdb", "uncoop-csv.zip", "documents.parquet",
                     "changes.json", "validation/summary.json"):
        assert required in uploaded, required
    package = json.loads(fs.cat_file(f"{remote}/datapackage.json"))
    assert package["version"] == name

    again = build_release(settings)
    assert again.status == "unchanged"
    assert remote_latest(bucket_url) == f"releases/{name}"
    assert len(fs.ls(bucket_url.removeprefix("s3://") + "/releases", refresh=True)) == 1
