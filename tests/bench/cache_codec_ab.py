"""A/B of the result cache's entry format, in one process (issue 17):

    python -m tests.bench.cache_codec_ab CACHE_DIR

The values of every entry of CACHE_DIR (an `outputs/.cache/extract` folder, either format) are
encoded and decoded by the former format (zlib level 1 over a plain pickle) and by
`flows.core.cache.encode`/`decode`; CPU seconds, min and median of 5 interleaved rounds, with
the values kept alive (a heap like pass 2's).
"""

from __future__ import annotations

import pickle
import statistics
import sys
import time
import zlib
from pathlib import Path

from flows.core import cache


def _load(path: Path) -> object:
    data = path.read_bytes()
    return pickle.loads(zlib.decompress(data)) if path.name.endswith(".pkl.z") else cache.decode(data)


def main(argv: list[str]) -> int:
    values = [_load(p) for p in sorted(Path(argv[0]).rglob("*.pkl*")) if not p.name.startswith(".")]
    old = [zlib.compress(pickle.dumps(v, protocol=pickle.HIGHEST_PROTOCOL), 1) for v in values]
    new = [cache.encode(v) for v in values]

    def cpu(f) -> float:
        start = time.process_time()
        f()
        return time.process_time() - start

    steps = {
        "former decode": lambda: [pickle.loads(zlib.decompress(b)) for b in old],
        "new decode": lambda: [cache.decode(b) for b in new],
        "former encode": lambda: [zlib.compress(pickle.dumps(v, protocol=pickle.HIGHEST_PROTOCOL), 1) for v in values],
        "new encode": lambda: [cache.encode(v) for v in values],
    }
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(5):
        for name, f in steps.items():
            times[name].append(cpu(f))
    print(f"{len(values)} entries; former {sum(map(len, old)) / 1e6:.1f} MB, new {sum(map(len, new)) / 1e6:.1f} MB")
    for name, t in times.items():
        print(f"  {name:14s} min {min(t):.2f} s   median {statistics.median(t):.2f} s CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
