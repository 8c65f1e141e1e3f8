"""Writing releases: deterministic bytes, immutable releases, latest moved last and atomically."""

import datetime as dt
import json

import pyarrow.parquet as pq
import pytest

from flows.core.assemble import CorpusIndex
from flows.core.ingest import Rejected
from flows.core.schema import tables
from flows.core.storage import (
    Outputs,
    TableWriter,
    datapackage,
    encode_tables,
    new_version,
    read_table,
    write_tables,
)
from tests.sample_rows import release_rows


def rows(text="Chapter VIII of the Charter."):
    return release_rows(text)


def test_encoding_is_deterministic_and_typed(tmp_path):
    a, b = encode_tables(rows(), tmp_path / "a"), encode_tables(rows(), tmp_path / "b")
    assert a.files == b.files
    assert a.fingerprint == b.fingerprint
    assert all((a.folder / f).read_bytes() == (b.folder / f).read_bytes() for f in a.files)
    assert set(a.files) == {f"{t}.{ext}" for t in tables() for ext in ("parquet", "json")} | {"citations.graphml"}
    assert encode_tables(rows("Chapter VIII of the Charter!"), tmp_path / "c").fingerprint != a.fingerprint
    doc = json.loads((a.folder / "documents.json").read_bytes())
    assert doc[0]["date"] == "2025-07-24"
    assert str(read_table(a.folder, "documents").schema.field("date").type) == "date32[day]"
    assert str(read_table(a.folder, "citations").schema.field("via_ibid").type) == "bool"
    assert a.rows == {name: len(rows().get(name, [])) for name in tables()}


def test_parquet_is_zstd(tmp_path):
    encoded = encode_tables(rows(), tmp_path)
    meta = pq.ParquetFile(encoded.folder / "citations.parquet").metadata
    assert meta.row_group(0).column(0).compression == "ZSTD"


def test_table_writer_streams_row_groups_with_the_same_content(tmp_path):
    """Rows written in small batches and row groups read back as one table written at once,
    JSON included; the row groups respect both the row and the byte bound."""
    many = [{"document_id": "S/PRST/2019/5", "entity_id": "org:au", "surface": "AU", "start": i, "end": i + 2}
            for i in range(2500)]
    (tmp_path / "small").mkdir()
    (tmp_path / "big").mkdir()
    small = TableWriter(tmp_path / "small", "entity_mentions", batch_rows=100, group_rows=700, group_bytes=10**9)
    for i in range(0, len(many), 37):
        small.write(many[i:i + 37])
    small.close()
    big = TableWriter(tmp_path / "big", "entity_mentions")
    big.write(many)
    big.close()
    meta = pq.ParquetFile(tmp_path / "small" / "entity_mentions.parquet").metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [764, 700, 700, 336]  # 64 + 7 x 100 rows, ...
    assert read_table(tmp_path / "small", "entity_mentions").equals(read_table(tmp_path / "big", "entity_mentions"))
    assert (tmp_path / "small" / "entity_mentions.json").read_bytes() == (tmp_path / "big" / "entity_mentions.json").read_bytes()
    assert len(json.loads((tmp_path / "big" / "entity_mentions.json").read_bytes())) == 2500
    (tmp_path / "bytes").mkdir()
    by_bytes = TableWriter(tmp_path / "bytes", "entity_mentions", batch_rows=100, group_bytes=1)
    by_bytes.write(many)
    by_bytes.close()
    meta = pq.ParquetFile(tmp_path / "bytes" / "entity_mentions.parquet").metadata
    assert [meta.row_group(i).num_rows for i in range(3)] == [64, 100, 100]  # a small first batch, then full ones
    (tmp_path / "long").mkdir()
    long_rows = TableWriter(tmp_path / "long", "entity_mentions", batch_bytes=20_000, group_bytes=1)
    long_rows.write([{**row, "surface": "x" * 1000} for row in many])
    long_rows.close()
    meta = pq.ParquetFile(tmp_path / "long" / "entity_mentions.parquet").metadata
    sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]  # a row group per batch here
    assert sum(sizes) == 2500 and max(sizes) < 100  # about 20 kB of Arrow data per batch of long rows


def test_an_empty_table_is_readable(tmp_path):
    writer = TableWriter(tmp_path, "quarantine")
    writer.close()
    assert read_table(tmp_path, "quarantine").num_rows == 0
    assert json.loads((tmp_path / "quarantine.json").read_bytes()) == []


def test_streamed_pass_two_writes_what_the_in_memory_path_writes(tmp_path):
    """write_tables (results loaded one at a time, by name) gives the files of encode_tables
    over assemble_tables: the flow and the small-corpus path cannot drift apart."""
    from flows.core.assemble import assemble_tables
    from flows.core.extract import extract_document
    from flows.core.ingest import SourceDocument

    texts = {
        "b.txt": "S/PRST/2019/5\n\nThe Security Council welcomes the cooperation with the African Union "
                 "and recalls its resolution 2033 (2012) of 12 January 2012 on peace and security.",
        "a.txt": "Letter dated 3 May 2019 from the Secretary-General\n\nThe League of Arab States and the "
                 "Organization of Islamic Cooperation met in Cairo on 2 May 2019 (see S/PV.8520).",
    }
    results = [extract_document(SourceDocument(name, "0" * 64, len(t), "utf-8", t, t)) for name, t in texts.items()]
    index = CorpusIndex()
    for r in reversed(results):  # pass 1 does not depend on the order results arrive in
        index.add(r)
    by_name = {r.source.source_name: r for r in results}
    streamed = write_tables(tmp_path / "streamed", index.finish(), by_name.__getitem__)
    whole = encode_tables(assemble_tables(results), tmp_path / "whole")
    assert streamed.fingerprint == whole.fingerprint
    assert streamed.rows["documents"] == 2 and streamed.rows["entity_mentions"] > 2
    with pytest.raises(RuntimeError, match="finished"):  # pass 1 let go of its state: no more documents
        index.add(results[0])


def test_version_sorts_by_time_and_names_content():
    early = new_version("ab" * 32, dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC))
    late = new_version("00" * 32, dt.datetime(2026, 1, 2, 3, 4, 6, tzinfo=dt.UTC))
    assert early == "20260102T030405Z-abababab"
    assert early < late


def publish(out: Outputs, table_rows, when):
    staged = out.stage(table_rows, now=when)
    return out.finish(staged.folder, datapackage(staged, staged.folder.name, when, {})), staged


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
        enc = out.stage(rows(), first.name)
        out.finish(enc.folder, datapackage(enc, first.name, t1, {}))


def test_datapackage_describes_every_file(tmp_path):
    release, encoded = publish(Outputs(tmp_path), rows(), dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    pkg = json.loads((release / "datapackage.json").read_text())
    assert pkg["profile"] == "data-package" and pkg["version"] == release.name
    assert pkg["licenses"] and pkg["sources"] and pkg["created"] == "2026-01-01T00:00:00Z"
    by_path = {r["path"]: r for r in pkg["resources"]}
    assert set(by_path) == set(encoded.files) | {f"{name}.csv" for name in encoded.rows}
    import hashlib

    for path, res in by_path.items():
        data = (release / path).read_bytes()
        assert res["bytes"] == len(data)
        assert res["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
    assert by_path["citations.csv"]["rows"] == 1 and by_path["citations.csv"]["profile"] == "tabular-data-resource"
    assert by_path["citations.csv"]["schema"]["foreignKeys"][0]["reference"]["resource"] == "documents"
    assert by_path["citations.parquet"]["type"] == "file" and by_path["citations.parquet"]["schema"]


def test_rejected_release_does_not_move_latest(tmp_path):
    out = Outputs(tmp_path)
    good, _ = publish(out, rows(), dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    staged = out.stage(rows("other"), "20260103T000000Z-bad00000")
    kept = out.reject(staged.folder)
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


def test_no_empty_staging_folder_is_left(tmp_path):
    out = Outputs(tmp_path)
    publish(out, rows(), dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert not (tmp_path / ".staging").exists()
    out.discard(out.stage(rows("other")).folder)
    assert not (tmp_path / ".staging").exists()
    out.reject(out.stage(rows("third")).folder)
    assert not (tmp_path / ".staging").exists()
    kept = out.open_staging()  # a folder still staged is never removed
    out._prune_staging()
    assert kept.is_dir()
