"""CPU seconds of `write_tables` by part, results held in memory (issue 17):

    python -m tests.bench.write_split CACHE_DIR OUT_DIR

The results of every entry of CACHE_DIR (an `outputs/.cache/extract` folder, either format) go
through pass 1, then `write_tables` writes the release's tables into OUT_DIR with timers around
its parts (monkeypatched: no profiler overhead). Run it from two trees (PYTHONPATH) to compare.
"""

from __future__ import annotations

import functools
import pickle
import shutil
import sys
import time
import zlib
from pathlib import Path

import pyarrow.parquet as pq

import flows.core.assemble as assemble
import flows.core.storage as storage
from flows.core.ingest import Rejected

spent: dict[str, float] = {}


def _timed(name: str, f):
    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        start = time.process_time()
        try:
            return f(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.process_time() - start
    return wrapper


def _load(path: Path) -> object:
    data = path.read_bytes()
    if path.name.endswith(".pkl.z"):
        return pickle.loads(zlib.decompress(data))
    from flows.core.cache import decode

    return decode(data)


def main(argv: list[str]) -> int:
    storage.to_arrow = _timed("rows to Arrow", storage.to_arrow)
    storage._json_chunk = _timed("JSON", storage._json_chunk)
    storage.citation_graphml = _timed("GraphML", storage.citation_graphml)
    storage.release_memory = _timed("memory trims", storage.release_memory)
    storage._seal_files = _timed("sha256 of files", storage._seal_files)
    pq.ParquetWriter.write_table = _timed("Parquet", pq.ParquetWriter.write_table)
    assemble.Plan.document_rows = _timed("document rows", assemble.Plan.document_rows)
    results = {}
    for path in sorted(Path(argv[0]).rglob("*.pkl*")):
        value = _load(path)
        if not isinstance(value, Rejected):
            results[value.source.source_name] = value
    index = assemble.CorpusIndex()
    for value in results.values():
        index.add(value)
    plan = index.finish([])
    out = Path(argv[1])
    shutil.rmtree(out, ignore_errors=True)
    import pandas  # noqa: F401 - imported by the graph writer on first use: not part of the figures

    start, wall = time.process_time(), time.perf_counter()
    staged = storage.write_tables(out, plan, results.__getitem__)
    total = time.process_time() - start
    print(f"write_tables, {len(results)} documents: CPU {total:.2f} s, wall {time.perf_counter() - wall:.2f} s, "
          f"fingerprint {staged.fingerprint[:12]}")
    for name, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"  {name:16s} {seconds:.2f}")
    print(f"  {'other':16s} {total - sum(spent.values()):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
