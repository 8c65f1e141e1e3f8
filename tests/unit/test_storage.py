"""Writing releases: deterministic bytes, immutable releases, latest moved last and atomically."""

import datetime as dt
import json
import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.core.assemble import CorpusIndex
from flows.core.ingest import Rejected
from flows.core.schema import arrow_schema, tables
from flows.core.storage import (
    Outputs,
    TableWriter,
    _json_chunk,
    datapackage,
    encode_tables,
    new_version,
    read_table,
    to_arrow,
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


def old_json(rows) -> bytes:
    """The JSON the writer wrote before it used orjson: the standard library's encoder."""
    text = json.dumps(rows, ensure_ascii=False, separators=(",", ":"), default=lambda v: v.isoformat())
    return text.encode("utf-8")


# every ASCII control character, quotes and backslash, DEL, C1, non-breaking space, line and
# paragraph separators, a byte-order mark, CJK and a character outside the BMP
TRICKY = "".join(map(chr, range(0x20))) + '"\\/\x7f\u0085\u00a0é\u2028\u2029\ufeff日本\U0001F600 Chapter VIII OIC'


def test_json_files_hold_the_bytes_of_the_standard_encoder(tmp_path):
    data = release_rows(TRICKY)
    data["citations"][0].update(via_ibid=True, stated_date=dt.date(1945, 6, 26), pinpoint="para. 3")
    data["citations"].append({**data["citations"][0], "citation_id": "cit-" + "f" * 16, "start": 2**40, "via_ibid": False})
    staged = encode_tables(data, tmp_path)
    for name in tables():
        written = (staged.folder / f"{name}.json").read_bytes()
        assert written == b"[" + old_json(read_table(staged.folder, name).to_pylist())[1:-1] + b"]\n", name
    assert json.loads((staged.folder / "documents.json").read_bytes())[0]["text"] == TRICKY


@settings(max_examples=60, deadline=None)
@given(st.lists(st.fixed_dictionaries({
    "surface": st.text(max_size=40),
    "start": st.integers(-(2**63), 2**63 - 1),
    "date": st.one_of(st.none(), st.dates()),
    "flag": st.one_of(st.none(), st.booleans()),
}), max_size=8))
def test_json_chunk_is_the_standard_encoders_bytes(rows):
    table = pa.Table.from_pylist(rows, schema=pa.schema([("surface", pa.string()), ("start", pa.int64()),
                                                         ("date", pa.date32()), ("flag", pa.bool_())]))
    assert _json_chunk(table) == old_json(table.to_pylist())[1:-1]


def test_rows_become_the_schemas_columns(tmp_path):
    """Missing keys are null, keys outside the schema are ignored, types are the schema's:
    what building each column from `row.get(name)` gave before."""
    table = tables()["citations"]
    schema = arrow_schema(table)
    data = release_rows()["citations"]
    data = [data[0], {"citation_id": "cit-" + "1" * 16, "start": 3, "extra": "ignored"}, {}]
    built = to_arrow(data, table)
    assert built.schema == schema
    assert built.equals(pa.Table.from_pydict({n: [r.get(n) for r in data] for n in schema.names}, schema=schema))
    assert to_arrow([], table).schema == schema and to_arrow([], table).num_rows == 0


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


def test_files_equal_to_the_previous_releases_are_hard_links(tmp_path):
    """A table that did not change is one file on disk shared by both releases; a changed one
    is the new release's own; the datapackage still gives each file's bytes and sha256."""
    import hashlib

    out = Outputs(tmp_path)
    first, _ = publish(out, rows(), dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    second, _ = publish(out, rows("Chapter VII of the Charter."), dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
    same = {p.name for p in second.iterdir() if p.is_file() and (first / p.name).is_file()
            and os.path.samefile(first / p.name, p)}
    assert {"entities.parquet", "entities.json", "quarantine.json", "data_dictionary.md"} <= same
    assert not same & {"documents.parquet", "documents.json", "datapackage.json"}
    assert (second / "entities.json").stat().st_nlink == 2 and (second / "documents.json").stat().st_nlink == 1
    for res in json.loads((second / "datapackage.json").read_text())["resources"]:
        data = (second / res["path"]).read_bytes()
        assert res["bytes"] == len(data) and res["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()


def test_without_hard_links_the_release_keeps_its_own_copies(tmp_path, monkeypatch):
    out = Outputs(tmp_path)
    first, _ = publish(out, rows(), dt.datetime(2026, 1, 1, tzinfo=dt.UTC))

    def cross_device(src, dst, *args, **kwargs):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", cross_device)
    second, _ = publish(out, rows("Chapter VII of the Charter."), dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
    assert (second / "entities.json").read_bytes() == (first / "entities.json").read_bytes()
    assert not os.path.samefile(first / "entities.json", second / "entities.json")
    assert not [p for p in second.rglob("*") if p.name.endswith(".link")]  # no temporary file left


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
