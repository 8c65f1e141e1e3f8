"""The per-document result cache: what survives a restart, a damaged entry and a killed write."""

from __future__ import annotations

import os

import pytest

from flows.core import cache as cache_module
from flows.core.cache import ResultCache, RunResults, cache_key

SHA = "a" * 64


def test_a_value_survives_a_new_cache_instance(tmp_path):
    ResultCache(tmp_path).put(SHA, "doc.txt", {"facts": [1, 2]})
    assert ResultCache(tmp_path).get(SHA, "doc.txt") == {"facts": [1, 2]}


def test_the_key_holds_bytes_name_and_code_version(tmp_path):
    store = ResultCache(tmp_path, version="v1")
    store.put(SHA, "doc.txt", "x")
    assert store.get(SHA, "renamed.txt") is None
    assert store.get("b" * 64, "doc.txt") is None
    assert ResultCache(tmp_path, version="v2").get(SHA, "doc.txt") is None
    assert len({cache_key(SHA, "doc.txt", "v1"), cache_key(SHA, "doc.txt", "v2"), cache_key(SHA, "x.txt", "v1")}) == 3


def test_a_damaged_entry_is_a_reported_miss_and_is_rewritten(tmp_path):
    store = ResultCache(tmp_path)
    store.put(SHA, "doc.txt", "first")
    (entry,) = [p for p in tmp_path.rglob("*") if p.is_file()]
    entry.write_bytes(b"not a zlib stream")
    assert store.get(SHA, "doc.txt") is None
    assert store.errors and "damaged entry" in store.errors[0]
    store.put(SHA, "doc.txt", "second")
    assert ResultCache(tmp_path).get(SHA, "doc.txt") == "second"


def test_a_write_killed_before_its_rename_leaves_no_entry(tmp_path, monkeypatch):
    class Killed(BaseException):
        pass

    def killed(src, dst):
        raise Killed

    monkeypatch.setattr(cache_module.os, "replace", killed)
    with pytest.raises(Killed):
        ResultCache(tmp_path).put(SHA, "doc.txt", "value")
    monkeypatch.setattr(cache_module.os, "replace", os.replace)
    assert ResultCache(tmp_path).get(SHA, "doc.txt") is None  # only a temporary file was left


def test_a_write_that_fails_is_recorded_not_raised(tmp_path):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    store = ResultCache(blocked)
    assert store.put(SHA, "doc.txt", "value") is False
    assert store.errors and "cannot write" in store.errors[0]


def test_run_results_read_back_from_the_cache_or_hold_what_it_could_not_store(tmp_path):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    results = RunResults(ResultCache(blocked))
    value = {"facts": [1, 2]}
    results.keep("doc.txt", SHA, value, stored=results.cache.put(SHA, "doc.txt", value))
    assert results.load("doc.txt") is value  # held in memory: the cache could not take it
    stored = RunResults(ResultCache(tmp_path / "cache"))
    stored.keep("doc.txt", SHA, value, stored=stored.cache.put(SHA, "doc.txt", value))
    assert stored.load("doc.txt") == value and stored.load("doc.txt") is not value  # read back
    stored.cache.prune([])  # the entry vanishes mid-run: a clear error, not a wrong release
    with pytest.raises(RuntimeError, match="vanished"):
        stored.load("doc.txt")


def test_prune_keeps_only_the_current_corpus_and_clears_leftovers(tmp_path):
    store = ResultCache(tmp_path)
    store.put(SHA, "kept.txt", 1)
    store.put("b" * 64, "gone.txt", 2)
    leftover = tmp_path / "ab" / ".stale.tmp"
    leftover.parent.mkdir(exist_ok=True)
    leftover.write_bytes(b"")
    assert store.prune([(SHA, "kept.txt")]) == 2
    assert store.get(SHA, "kept.txt") == 1 and store.get("b" * 64, "gone.txt") is None


def test_truncated_and_oversized_entries_are_misses(tmp_path):
    store = ResultCache(tmp_path)
    store.put(SHA, "doc.txt", {"text": "x" * 10_000})
    (entry,) = [p for p in tmp_path.rglob("*") if p.is_file()]
    whole = entry.read_bytes()
    entry.write_bytes(whole[: len(whole) // 2])  # a payload cut short
    assert store.get(SHA, "doc.txt") is None
    entry.write_bytes((2**60).to_bytes(8, "little") + whole[8:])  # claims more than LZ4 can expand to
    assert store.get(SHA, "doc.txt") is None
    assert len(store.errors) == 2 and all("damaged entry" in e for e in store.errors)


def test_decoding_leaves_the_garbage_collector_as_it_found_it():
    import gc

    data = cache_module.encode([{"a": (1, "b")}] * 3)
    assert gc.isenabled()
    assert cache_module.decode(data) == [{"a": (1, "b")}] * 3 and gc.isenabled()
    gc.disable()
    try:
        cache_module.decode(data)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_entries_of_the_former_format_are_misses_and_pruned(tmp_path):
    import pickle
    import zlib

    key = cache_key(SHA, "doc.txt")
    old = tmp_path / key[:2] / f"{key}.pkl.z"
    old.parent.mkdir()
    old.write_bytes(zlib.compress(pickle.dumps("old"), 1))
    store = ResultCache(tmp_path)
    assert store.get(SHA, "doc.txt") is None and not store.errors
    store.put(SHA, "doc.txt", "new")
    assert store.prune([(SHA, "doc.txt")]) == 1 and not old.exists()
    assert store.get(SHA, "doc.txt") == "new"


def test_extraction_results_and_other_dataclasses_round_trip():
    import dataclasses
    import datetime as dt

    from flows.core.extract import extract_document
    from flows.core.ingest import SourceDocument

    text = ("S/PRST/2019/5\n\nThe Security Council welcomes the cooperation with the African Union and "
            "recalls its resolution 2033 (2012) of 12 January 2012 (see S/PV.8520).")
    result = extract_document(SourceDocument("a.txt", SHA, len(text), "utf-8", text, text))
    assert result.citations and result.entities
    assert cache_module.decode(cache_module.encode(result)) == result

    @dataclasses.dataclass(frozen=True)
    class Checked:  # a __post_init__ and a field outside __init__: pickled the usual way
        a: int
        b: int = dataclasses.field(init=False, default=0)

        def __post_init__(self):
            object.__setattr__(self, "b", self.a * 2)

    globals()["Checked"] = Checked  # picklable by reference
    Checked.__qualname__ = "Checked"
    value = (Checked(3), dt.date(2020, 1, 2), {"x": [Checked(1)]})
    assert cache_module.decode(cache_module.encode(value)) == value

def test_an_entry_stored_under_another_document_is_a_miss(tmp_path):
    """Issue 20, finding 7: an entry whose value belongs to another input (copied in, or
    written under the wrong key) counts as a miss and is reported, never served or fatal."""
    from flows.core.ingest import Rejected

    store = ResultCache(tmp_path)
    store.put(SHA, "doc.txt", Rejected("other.txt", "b" * 64, 3, "empty", "x"))
    assert store.get(SHA, "doc.txt") is None
    assert "foreign entry" in store.errors[0]
    store.put(SHA, "doc.txt", Rejected("doc.txt", SHA, 3, "empty", "x"))
    assert store.get(SHA, "doc.txt").source_name == "doc.txt"


def test_prune_waits_while_another_build_uses_the_cache(tmp_path):
    """Issue 20, finding 5: a build does not prune the entries of another build that is using
    the same cache folder."""
    other, mine = ResultCache(tmp_path), ResultCache(tmp_path)
    other.put(SHA, "theirs.txt", "their result")
    with other.in_use(), mine.in_use():
        assert mine.prune([]) == 0
        assert "another build" in mine.errors[-1]
        assert other.get(SHA, "theirs.txt") == "their result"
    with mine.in_use():
        assert mine.prune([]) == 1
    assert ResultCache(tmp_path).get(SHA, "theirs.txt") is None
