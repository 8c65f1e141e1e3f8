"""Benchmark of the stages after extraction (issue 17): cache load, write, validate, publish.

    python -m tests.bench.publish_bench --docs 2000 --work /tmp/publish-bench [--reruns] [--json FILE]

1. Generates the corpus (tests/bench/generate.py) and builds it once with `uncoop build` (a fresh
   process, as a user runs it), which fills the result cache; the run's own stage seconds are
   printed.
2. In this process, without Prefect, over that cache (wall and CPU seconds of each step):
   - pass 1: every cache entry read and decoded and added to the corpus index (what the `cache`
     stage of a rerun does before extracting the changed documents);
   - write: pass 2, every result read back from the cache, its rows written as Parquet and JSON,
     the citation graph;
   - validate: the Great Expectations suites over the staged release;
   - publish: DuckDB file, CSV zip, changes, catalog, datapackage, the rename and `latest`;
   then the same again with 1% of the documents left out (every table changes, as in a
   1%-changed rerun) so the publish links what did not change: files and bytes linked are printed.
3. With `--reruns`: `uncoop build` again with nothing changed, then with 1% of the documents
   changed, each with its wall time and stage seconds.

Figures are printed and written to `--json`; nothing is asserted here (the pytest wrapper
test_bench_publish.py checks only that the runs did what they claim). The issue's target is
write + validate + publish <= 8 s at 10k documents on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.bench.generate import DEFAULT_SEED, generate, mutate

TARGET_WVP_S = 8.0  # write + validate + publish at 10k documents, 2 cores


class Clock:
    """Wall and CPU seconds of named steps of this process: `with clock("write"): ...`."""

    def __init__(self) -> None:
        self.steps: dict[str, dict[str, float]] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.steps[name] = {"wall_s": round(time.perf_counter() - wall, 3),
                                "cpu_s": round(time.process_time() - cpu, 3)}
            print(f"  {name:34s} wall {self.steps[name]['wall_s']:7.2f} s   cpu {self.steps[name]['cpu_s']:7.2f} s",
                  flush=True)


def build(corpus: Path, out: Path, summary: Path, env: dict[str, str]) -> dict[str, Any]:
    """One `uncoop build` in a fresh process; its JSON summary with the measured wall time."""
    cmd = [sys.executable, "-m", "flows.cli", "build", "--input", str(corpus), "--output", str(out),
           "--json", str(summary)]
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0 or not summary.exists():
        raise RuntimeError(f"`{' '.join(cmd)}` exited {done.returncode}:\n{done.stderr[-3000:]}")
    result = json.loads(summary.read_text(encoding="utf-8"))
    result["wall_s"] = round(wall, 2)
    return result


def _print_run(label: str, run: dict[str, Any]) -> None:
    stages = ", ".join(f"{k} {v:.2f}" for k, v in run.get("timings", {}).items())
    print(f"{label}: {run['status']}, wall {run['wall_s']:.2f} s, extracted {run.get('extracted')}, "
          f"cached {run.get('cached')}; stages (s): {stages}", flush=True)


def _one_round(outputs_dir: Path, entries: list[Path], share: float) -> dict[str, Any]:
    """Pass 1, write, validate and publish of the results in `entries` but the first `share`."""
    from flows import publish as publish_stage
    from flows.core.assemble import CorpusIndex
    from flows.core.cache import decode
    from flows.core.ingest import Rejected
    from flows.core.storage import Outputs, new_version, release_memory, write_tables
    from flows.core.validation import release_frames, run_validation

    clock, outputs = Clock(), Outputs(outputs_dir)
    paths: dict[str, Path] = {}
    with clock("pass 1 (cache read + index)"):
        index = CorpusIndex()
        for path in entries[int(len(entries) * share):]:
            value = decode(path.read_bytes())
            if not isinstance(value, Rejected):
                index.add(value)
                paths[value.source.source_name] = path
    plan = index.finish([])
    release_memory()
    folder = outputs.open_staging()
    with clock("write"):
        staged = write_tables(folder, plan, lambda name: decode(paths[name].read_bytes()))
    del plan
    release_memory()
    staging = outputs.seal_staging(folder, new_version(staged.fingerprint))
    staged = staged.moved(staging)
    with clock("validate"):
        report = run_validation(release_frames(staging), staging / "validation")
    release_memory()
    previous = outputs.latest()
    with clock("publish"):
        release = publish_stage.publish.fn(outputs_dir, staging, staged, {"n_documents": len(paths)},
                                           report.as_dict())
    linked = [p for p in release.rglob("*") if p.is_file() and p.stat().st_nlink > 1] if previous else []
    linked_mb = sum(p.stat().st_size for p in linked) / 1e6
    wvp = sum(clock.steps[s]["wall_s"] for s in ("write", "validate", "publish"))
    print(f"  write + validate + publish: {wvp:.2f} s wall (target at 10k: <= {TARGET_WVP_S:.0f} s); "
          f"validation {'passed' if report.success else 'FAILED'}; {len(linked)} files ({linked_mb:.1f} MB) "
          "hard-linked to the previous release", flush=True)
    return {"steps": clock.steps, "write_validate_publish_s": round(wvp, 2), "valid": report.success,
            "linked_files": len(linked), "linked_mb": round(linked_mb, 1),
            "table_mb": round(sum(size for size, _ in staged.files.values()) / 1e6, 1)}


def in_process(cache_dir: Path, work: Path, leave_out: float = 0.01) -> dict[str, Any]:
    """The stages after extraction in this process over the results of `cache_dir`: all of them,
    then all but `leave_out` of them (every table changes; the publish links what did not)."""
    entries = sorted(p for p in cache_dir.rglob("*") if p.is_file() and not p.name.startswith("."))
    outputs_dir = work / "in-process"
    shutil.rmtree(outputs_dir, ignore_errors=True)
    rounds = {}
    for label, share in (("full", 0.0), ("1% left out", leave_out)):
        print(f"in process, {label}:", flush=True)
        rounds[label] = _one_round(outputs_dir, entries, share)
    return {"entries": len(entries), "rounds": rounds}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--docs", type=int, default=2000)
    p.add_argument("--work", type=Path, required=True, help="folder for the corpus and outputs (reused)")
    p.add_argument("--reruns", action="store_true", help="also time `uncoop build` reruns (unchanged, 1%% changed)")
    p.add_argument("--json", type=Path, help="write every figure to this file")
    args = p.parse_args(argv)

    env = dict(os.environ)
    env.setdefault("PREFECT_HOME", str(args.work / "prefect-home"))
    env.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    corpus, out = args.work / f"corpus-{args.docs}", args.work / f"out-{args.docs}"
    if not corpus.is_dir():
        generate(corpus, args.docs)
    report: dict[str, Any] = {"docs": args.docs, "mb": round(sum(f.stat().st_size for f in corpus.iterdir()) / 1e6, 1),
                              "load": os.getloadavg()[0]}
    print(f"corpus: {args.docs} documents, {report['mb']} MB; load average {report['load']:.1f}", flush=True)
    if not (out / ".cache" / "extract").is_dir():
        report["full"] = build(corpus, out, args.work / "full.json", env)
        _print_run("full run (uncoop build)", report["full"])
    report["in_process"] = in_process(out / ".cache" / "extract", args.work)
    if args.reruns:
        report["unchanged"] = build(corpus, out, args.work / "unchanged.json", env)
        _print_run("rerun, nothing changed", report["unchanged"])
        files = sorted(corpus.iterdir())
        changed = files[:: max(1, round(1 / 0.01))]
        for i, path in enumerate(changed):
            mutate(path, DEFAULT_SEED + 7919 + i)
        report["n_changed"] = len(changed)
        report["changed_1pct"] = build(corpus, out, args.work / "changed.json", env)
        _print_run(f"rerun, {len(changed)} documents changed", report["changed_1pct"])
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"figures: {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
