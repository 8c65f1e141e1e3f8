"""Writing releases: deterministic bytes, immutable releases, latest moved last and atomically."""

import datetime as dt
import json

import pyarrow.parquet as pq
import pytest

from flows.core.ingest import Rejected
from flows.core.schema import tables
from flows.core.storage import Outputs, datapackage, encode_tables, new_version
from tests.sample_rows import release_rows


def rows(text="Chapter VIII of the Charter."):
    return release_rows(text)


def test_encoding_is_deterministic_and_typed():
    a, b = encode_tables(rows()), encode_tables(rows())
    assert a.files == b.files
    assert a.fingerprint == b.fingerprint
    assert set(a.files) == {f"{t}.{ext}" for t in tables() for ext in ("parquet", "json")} | {"citations.graphml"}
    assert encode_tables(rows("Chapter VIII of the Charter!")).fingerprint != a.fingerprint
    doc = json.loads(a.files["documents.json"])
    assert doc[0]["date"] == "2025-07-24"
    assert str(a.arrow["documents"].schema.field("date").type) == "date32[day]"
    assert a.arrow["citations"].schema.field("via_ibid").type.__str__() == "bool"


def test_parquet_is_zstd(tmp_path):
    encoded = encode_tables(rows())
    (tmp_path / "c.parquet").write_bytes(encoded.files["citations.parquet"])
    meta = pq.ParquetFile(tmp_path / "c.parquet").metadata
    assert meta.row_group(0).column(0).compression == "ZSTD"


def test_version_sorts_by_time_and_names_content():
    early = new_version("ab" * 32, dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC))
    late = new_version("00" * 32, dt.datetime(2026, 1, 2, 3, 4, 6, tzinfo=dt.UTC))
    assert early == "20260102T030405Z-abababab"
    assert early < late


def publish(out: Outputs, table_rows, when):
    encoded = encode_tables(table_rows)
    staging = out.stage(new_version(encoded.fingerprint, when), encoded)
    return out.finish(staging, datapackage(encoded, staging.name, when, {})), encoded


def test_publish_moves_latest_and_keeps_releases_immutable(tmp_path):
    out = Outputs(tmp_path)
    assert out.latest() is None
    t1 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    first, enc1 = publish(out, rows(), t1)
    assert out.latest() == first.resolve()
    assert out.latest_fingerprint() == enc1.fingerprint
    assert (tmp_path / "latest").is_symlink()
    second, _ = publish(out, rows("Chapter VII of the Charter."), dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
    assert out.latest() == second.resolve()
    assert [p.name for p in out.list_releases()] == [first.name, second.name]
    with pytest.raises(FileExistsError):  # the same version again: releases are immutable
        enc = encode_tables(rows())
        out.finish(out.stage(first.name, enc), datapackage(enc, first.name, t1, {}))


def test_datapackage_describes_every_file(tmp_path):
    release, encoded = publish(Outputs(tmp_path), rows(), dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    pkg = json.loads((release / "datapackage.json").read_text())
    assert pkg["profile"] == "tabular-data-package" and pkg["version"] == release.name
    assert pkg["licenses"] and pkg["sources"] and pkg["created"] == "2026-01-01T00:00:00Z"
    by_path = {r["path"]: r for r in pkg["resources"]}
    assert set(by_path) == set(encoded.files)
    import hashlib

    for path, res in by_path.items():
        data = (release / path).read_bytes()
        assert res["bytes"] == len(data)
        assert res["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
    assert by_path["citations.parquet"]["rows"] == 1
    assert by_path["citations.parquet"]["schema"]["foreignKeys"][0]["reference"]["resource"] == "documents"


def test_rejected_release_does_not_move_latest(tmp_path):
    out = Outputs(tmp_path)
    good, _ = publish(out, rows(), dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    encoded = encode_tables(rows("other"))
    staging = out.stage("20260103T000000Z-bad00000", encoded)
    kept = out.reject(staging)
    assert out.latest() == good.resolve()
    assert kept.parent.name == "rejected" and (kept / "documents.parquet").exists()
    assert [p.name for p in out.list_releases()] == [good.name]


def test_latest_pointer_file_is_understood(tmp_path):
    out = Outputs(tmp_path)
    release, _ = publish(out, rows(), dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    (tmp_path / "latest").unlink()
    (tmp_path / "latest").write_text(f"releases/{release.name}\n")
    assert out.latest() == release.resolve()


def test_quarantine_keeps_bytes_and_reasons(tmp_path):
    inputs = tmp_path / "in"
    (inputs / "sub").mkdir(parents=True)
    (inputs / "sub" / "empty.txt").write_bytes(b"")
    (inputs / "bin.txt").write_bytes(b"\x00\x01")
    rejected = [
        Rejected("sub/empty.txt", "e" * 64, 0, "empty", "the file is empty (0 bytes)"),
        Rejected("bin.txt", "b" * 64, 2, "binary", "binary content"),
        Rejected("copy.txt", "c" * 64, 5, "duplicate", "same bytes as a.txt", duplicate_of="a.txt"),
    ]
    qdir = Outputs(tmp_path / "out").write_quarantine(rejected, inputs)
    index = json.loads((qdir / "index.json").read_text())
    assert [e["source_name"] for e in index] == ["bin.txt", "copy.txt", "sub/empty.txt"]
    assert (qdir / "bin.txt").read_bytes() == b"\x00\x01"
    assert json.loads((qdir / "sub" / "empty.txt.reason.json").read_text())["reason"] == "empty"
    assert not (qdir / "copy.txt").exists() and (qdir / "copy.txt.reason.json").exists()
