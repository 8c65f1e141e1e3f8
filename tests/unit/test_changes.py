"""Changes between releases: rows added, removed and changed per table, matched on primary keys."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from flows.core.changes import diff_releases, render_changes_markdown
from flows.core.schema import tables
from flows.core.storage import to_arrow
from tests.sample_rows import release_rows


def write_release(folder: Path, rows: dict[str, list[dict]], row_group_size: int | None = None) -> Path:
    """A release folder as the pipeline stages it: one Parquet file per table of the schemas."""
    folder.mkdir(parents=True)
    for name, table in tables().items():
        pq.write_table(to_arrow(rows.get(name, []), table), folder / f"{name}.parquet", row_group_size=row_group_size)
    return folder


def doc(doc_id: str, title: str = "Statement", date: dt.date | None = dt.date(2025, 7, 24)) -> dict:
    text = "Chapter VIII of the Charter encourages cooperation with the OIC."
    return {"document_id": doc_id, "source_name": f"{doc_id}.txt", "source_sha256": "a" * 64, "symbol": doc_id,
            "doc_type": "presidential_statement", "body": "Security Council", "title": title, "date": date,
            "original_language": "English", "language": "en", "text": text, "n_chars": len(text)}


def mention(doc_id: str, start: int) -> dict:
    return {"document_id": doc_id, "entity_id": "org:oic", "surface": "OIC", "start": start, "end": start + 3}


def old_rows() -> dict[str, list[dict]]:
    rows = release_rows()
    rows["documents"] = [doc("S/PRST/2025/1"), doc("S/PRST/2025/2"), doc("S/PRST/2025/3"), doc("S/PRST/2025/4")]
    rows["entity_mentions"] = [mention("S/PRST/2025/1", 60), mention("S/PRST/2025/2", 60)]
    return rows


def new_rows() -> dict[str, list[dict]]:
    rows = copy.deepcopy(old_rows())
    docs = rows["documents"]
    docs[0]["title"] = "Statement by the President"  # changed
    docs[1]["date"] = None  # changed
    del docs[2:4]  # S/PRST/2025/3 and /4 disappear
    docs.append(doc("S/PRST/2026/1"))  # added
    rows["entity_mentions"] = [mention("S/PRST/2025/1", 60), mention("S/PRST/2026/1", 60)]
    return rows


def test_first_release_has_everything_added(tmp_path):
    new = write_release(tmp_path / "r1", old_rows())
    changes = diff_releases(None, new)
    assert changes["first_release"] and changes["old_release"] is None
    docs = changes["tables"]["documents"]
    assert (docs["added"], docs["removed"], docs["changed"], docs["rows_after"]) == (4, 0, 0, 4)
    assert docs["added_ids"] == ["S/PRST/2025/1", "S/PRST/2025/2", "S/PRST/2025/3", "S/PRST/2025/4"]
    assert changes["totals"]["added"] == sum(pq.read_table(p).num_rows for p in new.glob("*.parquet"))
    assert "First release" in render_changes_markdown(changes)


def test_rows_are_matched_on_primary_keys(tmp_path):
    changes = diff_releases(write_release(tmp_path / "r1", old_rows()), write_release(tmp_path / "r2", new_rows()))
    docs = changes["tables"]["documents"]
    assert docs["key"] == ["document_id"] and docs["key_from"] == "schema"
    assert (docs["rows_before"], docs["rows_after"]) == (4, 3)
    assert (docs["added"], docs["removed"], docs["changed"], docs["unchanged"]) == (1, 2, 2, 0)
    assert docs["added_ids"] == ["S/PRST/2026/1"]
    assert docs["removed_ids"] == ["S/PRST/2025/3", "S/PRST/2025/4"]
    assert docs["changed_ids"] == ["S/PRST/2025/1", "S/PRST/2025/2"]
    assert docs["changed_columns"] == {"date": 1, "title": 1}
    # a table without a key: whole rows come and go, nothing "changes"
    mentions = changes["tables"]["entity_mentions"]
    assert (mentions["key_from"], mentions["added"], mentions["removed"], mentions["changed"]) == ("row", 1, 1, 0)
    assert changes["tables"]["areas"]["added"] == changes["tables"]["areas"]["removed"] == 0
    assert changes["totals"] == {kind: sum(t[kind] for t in changes["tables"].values()) for kind in ("added", "removed", "changed")}


def test_id_lists_are_capped_but_counts_are_complete(tmp_path):
    changes = diff_releases(write_release(tmp_path / "r1", old_rows()), write_release(tmp_path / "r2", new_rows()), max_ids=1)
    docs = changes["tables"]["documents"]
    assert docs["removed"] == 2 and docs["removed_ids"] == ["S/PRST/2025/3"]
    md = render_changes_markdown(changes)
    assert "`S/PRST/2025/3` and 1 more" in md


def test_output_is_deterministic_and_json_ready(tmp_path):
    old, new = write_release(tmp_path / "r1", old_rows()), write_release(tmp_path / "r2", new_rows())
    first = json.dumps(diff_releases(old, new))
    assert first == json.dumps(diff_releases(old, new))
    assert list(json.loads(first)["tables"]) == sorted(json.loads(first)["tables"])


def test_markdown_names_what_disappeared(tmp_path):
    changes = diff_releases(write_release(tmp_path / "r1", old_rows()), write_release(tmp_path / "r2", new_rows()))
    md = render_changes_markdown(changes)
    assert md.startswith("# Changes in this release")
    assert "Compared with release r1: " in md
    assert "| documents | 4 | 3 | 1 | 2 | 2 |" in md
    assert "## Ids that disappeared" in md and "`S/PRST/2025/4`" in md
    assert "columns: date (1), title (1)" in md


def test_schema_changes_and_tables_the_schemas_do_not_know(tmp_path):
    old, new = write_release(tmp_path / "r1", old_rows()), write_release(tmp_path / "r2", old_rows())
    areas = pq.read_table(new / "areas.parquet")
    pq.write_table(areas.append_column("weight", pa.array([1] * areas.num_rows, pa.int64())), new / "areas.parquet")
    pq.write_table(pa.table({"x": [1, 2]}), old / "legacy.parquet")
    (old / "datapackage.json").write_text(json.dumps({"resources": [
        {"name": "legacy", "path": "legacy.parquet", "format": "parquet", "schema": {"primaryKey": ["x"]}}]}))
    changes = diff_releases(old, new)
    assert changes["tables"]["areas"]["columns_added"] == ["weight"]
    assert changes["tables"]["areas"]["changed"] == 0  # compared on the columns both releases have
    legacy = changes["tables"]["legacy"]
    assert (legacy["status"], legacy["key_from"], legacy["removed"], legacy["removed_ids"]) == ("removed", "datapackage", 2, [1, 2])
    md = render_changes_markdown(changes)
    assert "legacy (table dropped)" in md and "columns added: weight" in md


def test_row_groups_do_not_matter_and_a_duplicate_key_keeps_its_last_row(tmp_path):
    old = write_release(tmp_path / "r1", old_rows())
    same = write_release(tmp_path / "r2", old_rows(), row_group_size=1)
    changes = diff_releases(old, same)
    assert changes["totals"] == {"added": 0, "removed": 0, "changed": 0}
    assert changes["tables"]["documents"]["unchanged"] == 4
    rows = old_rows()
    rows["documents"].insert(0, doc("S/PRST/2025/2", title="An earlier row with the same key"))
    dup = write_release(tmp_path / "r3", rows, row_group_size=2)
    docs = diff_releases(old, dup)["tables"]["documents"]
    assert (docs["duplicate_keys"], docs["changed"], docs["unchanged"], docs["rows_after"]) == (1, 0, 4, 5)
    rows["documents"].append(doc("S/PRST/2025/2", title="A later row with the same key"))
    docs = diff_releases(old, write_release(tmp_path / "r4", rows, row_group_size=2))["tables"]["documents"]
    assert (docs["duplicate_keys"], docs["changed"], docs["changed_ids"], docs["changed_columns"]) == (2, 1, ["S/PRST/2025/2"], {"title": 1})
