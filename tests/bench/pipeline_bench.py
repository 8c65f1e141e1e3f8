"""End-to-end benchmark of `uncoop build` on generated corpora (issue 7).

    python -m tests.bench.pipeline_bench --docs 1000 [--docs 10000] [--keep DIR] [--json FILE]

For each corpus size, in one run on one machine, every pipeline run in a fresh process as a
user runs it (`python -m flows.cli build ... --json`):

1. generate the corpus (real UN texts recombined, about 10 KB a document: tests/bench/generate.py);
2. the fixed start-up: the wall time of a one-document run (median of a few, after a warm-up
   run that creates the Prefect database), with the bare `import prefect` and
   `import flows.pipeline` times that are part of it;
3. the full run into a fresh output folder: wall time, seconds per stage (from the run's JSON
   summary), peak RSS of the whole process tree (the ephemeral Prefect API and the process-pool
   workers are children of the run: their RSS is summed, polled every 0.1 s);
4. a rerun with nothing changed, and 5. a rerun with 1% of the documents changed, each with its
   excess over the fixed start-up;
6. Prefect's overhead per task run (a flow of trivial tasks against the same function called
   directly);
7. the ceiling: one precompiled regular expression over the same texts (SINGLE_RE of the
   extractor benchmark), so every figure is also a ratio.

It prints one table per size with the targets of issue 7 (set for the 10k corpus on 2 cores)
marked pass or miss, and writes every figure to a JSON file. Nothing is asserted here: the
pytest wrapper (test_bench_pipeline.py) asserts sanity only. Prefect runs against a private
PREFECT_HOME under the work folder, so the figures do not depend on (nor fill) the user's own
Prefect database.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil

from tests.bench.generate import DEFAULT_SEED, generate, mutate

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SIZES = (1000, 10000)
CHANGED_SHARE = 0.01
POLL_SECONDS = 0.1
MB = 1e6  # megabytes are 10**6 bytes throughout, for corpus sizes and RSS alike

# The targets of issue 7, for the 10k-document corpus on 2 cores.
TARGET_E2E_MBPS = 5.0
TARGET_BEYOND_MBPS = 10.0
TARGET_UNCHANGED_EXCESS_S = 2.0
TARGET_CHANGED_SHARE = 0.10
TARGET_RSS_MB = 1000.0


# --------------------------------------------------------------------------- measuring processes


@dataclass
class Run:
    """One measured process: wall time from start to exit, and its memory."""

    wall_s: float
    tree_rss_mb: float  # peak of the sum of RSS over the process and all its descendants (polled)
    tree_pss_mb: float  # peak of the sum of PSS (shared pages shared out) over the same processes
    proc_rss_mb: float  # largest RSS of any single process of the tree (kernel's ru_maxrss, via wait4)
    returncode: int
    log: str
    summary: dict | None = None  # the run's --json summary, for pipeline runs
    rss_at_peak: list = field(default_factory=list)  # (process, RSS MB) when the RSS sum peaked


class _TreeRss:
    """Polls the memory of a process and its descendants in a thread, keeping the peaks.

    A process pool's workers and Prefect's ephemeral API are children of the run, so the RSS of
    the run's own process alone would miss most of the memory. The sum of RSS counts the pages
    the processes share (libraries) once per process: an upper bound; the sum of PSS shares them
    out, so it is what the tree really holds."""

    def __init__(self, pid: int, every: float = POLL_SECONDS) -> None:
        self.pid, self.every = pid, every
        self.peak_rss, self.peak_pss = 0, 0
        self.at_peak: list[tuple[str, float]] = []  # (process, RSS MB) at the peak of the RSS sum
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> _TreeRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        try:
            root = psutil.Process(self.pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            return
        rss, pss, parts = 0, 0, []
        for proc in procs:
            try:
                mem = proc.memory_full_info()
                label = " ".join(proc.cmdline()[1:4])[:60] or proc.name()
            except psutil.Error:  # ended between listing and reading
                continue
            rss += mem.rss
            pss += getattr(mem, "pss", mem.rss)
            parts.append((label, mem.rss / MB))
        if rss > self.peak_rss:
            self.peak_rss, self.at_peak = rss, parts
        self.peak_pss = max(self.peak_pss, pss)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.every)


def measure(cmd: list[str], log: Path, env: dict[str, str]) -> Run:
    """Run cmd (output to log) and measure it; wait4 gives the rusage of this child alone,
    which RUSAGE_CHILDREN (cumulative over every child so far) cannot."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        with _TreeRss(proc.pid) as poller:
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
    return Run(wall_s=wall, tree_rss_mb=poller.peak_rss / MB, tree_pss_mb=poller.peak_pss / MB,
               proc_rss_mb=usage.ru_maxrss * 1024 / MB, returncode=proc.returncode, log=str(log),
               rss_at_peak=poller.at_peak)


def code_hash() -> str:
    """A hash of the pipeline's code and schemas: the cache and the unchanged-rerun check key on
    them, so an edit during the benchmark turns a rerun into a full run and its figures are void."""
    digest = hashlib.sha256()
    for path in sorted([*(ROOT / "flows").rglob("*.py"), *(ROOT / "schemas").rglob("*.yaml")]):
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _tail(path: str, lines: int = 30) -> str:
    return "\n".join(Path(path).read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def bench_env(prefect_home: Path) -> dict[str, str]:
    """The environment of every measured process: a private Prefect home, no telemetry."""
    env = dict(os.environ)
    env["PREFECT_HOME"] = str(prefect_home)
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    env.setdefault("PYTHONHASHSEED", "0")
    return env


def run_build(input_dir: Path, output_dir: Path, logs: Path, name: str, env: dict[str, str],
              extra: list[str]) -> Run:
    """One `uncoop build` in a fresh process; raises with the log's tail when it fails."""
    summary_path = logs / f"{name}.json"
    cmd = [sys.executable, "-m", "flows.cli", "build", "--input", str(input_dir), "--output", str(output_dir),
           "--json", str(summary_path), *extra]
    run = measure(cmd, logs / f"{name}.log", env)
    if run.returncode != 0 or not summary_path.exists():
        raise RuntimeError(f"{name}: `{' '.join(cmd)}` exited {run.returncode}\n{_tail(run.log)}")
    run.summary = json.loads(summary_path.read_text(encoding="utf-8"))
    return run


# --------------------------------------------------------------------------- size-independent figures


def import_times(env: dict[str, str], logs: Path, repeat: int = 3) -> dict[str, float]:
    """Median wall time of a fresh interpreter doing nothing, importing prefect, importing the flow."""
    probes = {"python": "pass", "import prefect": "import prefect", "import flows.pipeline": "import flows.pipeline"}
    out = {}
    for label, code in probes.items():
        walls = []
        for i in range(repeat):
            run = measure([sys.executable, "-c", code], logs / f"import-{code.split()[-1]}-{i}.log", env)
            if run.returncode != 0:
                raise RuntimeError(f"python -c {code!r} exited {run.returncode}\n{_tail(run.log)}")
            walls.append(run.wall_s)
        out[label] = statistics.median(walls)
    return out


def fixed_startup(workdir: Path, env: dict[str, str], extra: list[str], repeat: int) -> dict:
    """The wall time of a one-document run: what every run pays whatever its size.

    A first run (not counted) creates the Prefect database; then `repeat` runs, each into a
    fresh output folder, and the median."""
    one = workdir / "corpus-1"
    generate(one, 1)
    logs = workdir / "logs"
    warm = run_build(one, workdir / "out-1-warmup", logs, "startup-warmup", env, extra)
    runs = [run_build(one, workdir / f"out-1-{i}", logs, f"startup-{i}", env, extra) for i in range(repeat)]
    median = statistics.median(r.wall_s for r in runs)
    typical = min(runs, key=lambda r: abs(r.wall_s - median))
    return {"wall_s": median, "walls_s": [r.wall_s for r in runs], "first_run_s": warm.wall_s,
            "tree_rss_mb": max(r.tree_rss_mb for r in runs), "timings": typical.summary.get("timings", {}),
            "status": [r.summary.get("status") for r in runs]}


def probe_prefect_overhead(n: int) -> dict[str, float]:
    """Run inside a fresh process: seconds for n trivial task runs in a flow (called, and
    submitted to the default task runner) against n direct calls of the same function."""
    from prefect import flow, task

    def work(x: int) -> int:
        return x + 1

    trivial = task(work, name="trivial")

    @flow(name="bench-prefect-overhead")
    def tasks_flow() -> dict[str, float]:
        for i in range(5):  # warm up: the first task runs register the task and open the client
            trivial(i)
        t0 = time.perf_counter()
        for i in range(n):
            trivial(i)
        called = time.perf_counter() - t0
        t0 = time.perf_counter()
        futures = [trivial.submit(i) for i in range(n)]
        for f in futures:
            f.result()
        submitted = time.perf_counter() - t0
        t0 = time.perf_counter()
        for i in range(n):
            work(i)
        direct = time.perf_counter() - t0
        return {"called_s": called, "submitted_s": submitted, "direct_s": direct}

    @flow(name="bench-empty")
    def empty_flow() -> None:
        return None

    t0 = time.perf_counter()
    out = tasks_flow()
    out["first_flow_s"] = time.perf_counter() - t0  # includes starting the ephemeral API
    walls = []
    for _ in range(3):  # more flow runs, the API already up
        t0 = time.perf_counter()
        empty_flow()
        walls.append(time.perf_counter() - t0)
    out["empty_flow_s"] = statistics.median(walls)
    out["n"] = n
    return out


def prefect_overhead(env: dict[str, str], logs: Path, n: int = 50) -> dict[str, float]:
    """Milliseconds per task run beyond a direct call, measured in a fresh process."""
    result = logs / "prefect-overhead.json"
    cmd = [sys.executable, "-m", "tests.bench.pipeline_bench", "--probe-prefect-overhead", str(n),
           "--json", str(result)]
    run = measure(cmd, logs / "prefect-overhead.log", env)
    if run.returncode != 0 or not result.exists():
        raise RuntimeError(f"prefect overhead probe exited {run.returncode}\n{_tail(run.log)}")
    raw = json.loads(result.read_text(encoding="utf-8"))
    return {"task_call_ms": 1000 * (raw["called_s"] - raw["direct_s"]) / n,
            "task_submit_ms": 1000 * (raw["submitted_s"] - raw["direct_s"]) / n,
            "direct_call_ms": 1000 * raw["direct_s"] / n, "first_flow_s": raw["first_flow_s"],
            "empty_flow_s": raw["empty_flow_s"], "process_wall_s": run.wall_s, "n": n}


# --------------------------------------------------------------------------- per-size figures


def ceiling(corpus: Path, repeat: int = 3) -> dict[str, float]:
    """The single precompiled regex pass over the corpus texts (best of `repeat`): what any
    regex-based extraction of the same texts costs at the very least."""
    from tests.bench.test_bench_extractors import SINGLE_RE

    t0 = time.perf_counter()
    texts = [p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*.txt"))]
    read_s = time.perf_counter() - t0
    best, found = float("inf"), 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        found = sum(1 for text in texts for _ in SINGLE_RE.finditer(text))
        best = min(best, time.perf_counter() - t0)
    return {"regex_s": best, "read_s": read_s, "matches": found}


def mutate_share(corpus: Path, share: float, seed: int = DEFAULT_SEED) -> int:
    """Change `share` of the documents (at least one), chosen with a fixed seed; returns how
    many files really changed."""
    files = sorted(corpus.glob("*.txt"))
    k = max(1, round(len(files) * share))
    changed = 0
    for i, path in enumerate(random.Random(seed).sample(files, k)):
        before = path.read_bytes()
        mutate(path, seed + i)
        changed += path.read_bytes() != before
    return changed


def _stage_table(runs: dict[str, dict]) -> list[str]:
    stages: list[str] = []
    for timings in runs.values():
        stages += [s for s in timings if s not in stages]
    head = f"  {'seconds per stage':22}" + "".join(f"{name:>11}" for name in runs)
    lines = [head]
    for stage in [*stages, "sum of stages"]:
        cells = []
        for timings in runs.values():
            value = sum(timings.values()) if stage == "sum of stages" else timings.get(stage)
            cells.append(f"{value:11.2f}" if value is not None else f"{'-':>11}")
        lines.append(f"  {stage:22}" + "".join(cells))
    return lines


def bench_size(n_docs: int, workdir: Path, env: dict[str, str], extra: list[str], startup_s: float) -> dict:
    """All figures of one corpus size (the fixed start-up measured once beforehand)."""
    corpus, out, logs = workdir / f"corpus-{n_docs}", workdir / f"out-{n_docs}", workdir / "logs"
    code_before = code_hash()
    t0 = time.perf_counter()
    total_bytes = generate(corpus, n_docs)
    gen_s = time.perf_counter() - t0
    ceil = ceiling(corpus)
    full = run_build(corpus, out, logs, f"full-{n_docs}", env, extra)
    unchanged = run_build(corpus, out, logs, f"unchanged-{n_docs}", env, extra)
    n_changed = mutate_share(corpus, CHANGED_SHARE)
    changed = run_build(corpus, out, logs, f"changed-{n_docs}", env, extra)
    return {"n_docs": n_docs, "mb": total_bytes / MB, "generate_s": gen_s, "ceiling": ceil,
            "n_changed": n_changed, "startup_s": startup_s, "code_changed": code_hash() != code_before,
            "runs": {"full": asdict(full), "unchanged": asdict(unchanged), "changed_1pct": asdict(changed)}}


# --------------------------------------------------------------------------- figures, targets, table


@dataclass
class Figure:
    name: str
    value: str
    ratio: str = ""
    target: str = ""
    verdict: str = ""  # PASS, MISS or empty (no target)


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def derive(result: dict, shared: dict) -> dict:
    """The derived figures (throughputs, excesses, ratios, target verdicts) of one size."""
    mb, n = result["mb"], result["n_docs"]
    startup = shared["startup"]["wall_s"]
    runs = result["runs"]
    full, unchanged, changed = (runs[k]["wall_s"] for k in ("full", "unchanged", "changed_1pct"))
    beyond = full - startup
    regex = result["ceiling"]["regex_s"]
    ceiling_mbps = mb / regex
    e2e_mbps = mb / full
    beyond_mbps = mb / beyond if beyond > 0 else float("inf")
    unchanged_excess = unchanged - startup
    changed_excess = changed - startup
    changed_share = changed_excess / beyond if beyond > 0 else float("inf")
    rss = max(r["tree_rss_mb"] for r in runs.values())
    pss = max(r["tree_pss_mb"] for r in runs.values())
    overhead = shared["prefect"]
    regex_per_doc_ms = 1000 * regex / n
    return {
        "ceiling_mbps": ceiling_mbps, "e2e_mbps": e2e_mbps, "e2e_docs_per_s": n / full,
        "beyond_startup_s": beyond, "beyond_mbps": beyond_mbps,
        "beyond_docs_per_s": n / beyond if beyond > 0 else float("inf"),
        "unchanged_excess_s": unchanged_excess, "changed_excess_s": changed_excess,
        "changed_share_of_full": changed_share, "peak_tree_rss_mb": rss,
        "peak_tree_pss_mb": pss,
        "peak_proc_rss_mb": max(r["proc_rss_mb"] for r in runs.values()),
        "x_ceiling": {"startup": startup / regex, "full": full / regex, "beyond": beyond / regex,
                      "unchanged_excess": unchanged_excess / regex, "changed_excess": changed_excess / regex},
        "task_call_in_regex_docs": overhead["task_call_ms"] / regex_per_doc_ms,
        "rss_x_corpus": rss / mb,
        "targets": {
            "e2e_mbps": e2e_mbps >= TARGET_E2E_MBPS,
            "beyond_mbps": beyond_mbps >= TARGET_BEYOND_MBPS,
            "unchanged_excess_s": unchanged_excess < TARGET_UNCHANGED_EXCESS_S,
            "changed_share_of_full": changed_share < TARGET_CHANGED_SHARE,
            "peak_rss_mb": rss < TARGET_RSS_MB,
            "peak_pss_mb": pss < TARGET_RSS_MB,
        },
    }


def figures(result: dict, shared: dict) -> list[Figure]:
    d, runs = result["derived"], result["runs"]
    startup, imports, prefect = shared["startup"], shared["imports"], shared["prefect"]
    t = d["targets"]
    x = d["x_ceiling"]
    return [
        Figure("ceiling: single precompiled regex", f"{result['ceiling']['regex_s']:.2f} s = {d['ceiling_mbps']:.1f} MB/s",
               "1.0"),
        Figure(f"fixed start-up (1-doc run, median of {len(startup['walls_s'])})", f"{startup['wall_s']:.2f} s",
               f"{x['startup']:.0f}", "reported"),
        Figure("  of which: python / import prefect / import flows.pipeline",
               f"{imports['python']:.2f} / {imports['import prefect']:.2f} / {imports['import flows.pipeline']:.2f} s"),
        Figure("full run, wall", f"{runs['full']['wall_s']:.2f} s", f"{x['full']:.0f}"),
        Figure("end to end", f"{d['e2e_mbps']:.2f} MB/s, {d['e2e_docs_per_s']:.0f} docs/s", f"{x['full']:.0f}",
               f">= {TARGET_E2E_MBPS:g} MB/s", _verdict(t["e2e_mbps"])),
        Figure("beyond start-up", f"{d['beyond_mbps']:.2f} MB/s, {d['beyond_docs_per_s']:.0f} docs/s "
               f"({d['beyond_startup_s']:.2f} s)", f"{x['beyond']:.0f}", f">= {TARGET_BEYOND_MBPS:g} MB/s",
               _verdict(t["beyond_mbps"])),
        Figure("rerun, nothing changed", f"{runs['unchanged']['wall_s']:.2f} s = start-up "
               f"{d['unchanged_excess_s']:+.2f} s", f"{x['unchanged_excess']:.1f}",
               f"< {TARGET_UNCHANGED_EXCESS_S:g} s over start-up", _verdict(t["unchanged_excess_s"])),
        Figure(f"rerun, 1% changed ({result['n_changed']} docs)", f"{runs['changed_1pct']['wall_s']:.2f} s = start-up "
               f"{d['changed_excess_s']:+.2f} s = {100 * d['changed_share_of_full']:.1f}% of full beyond start-up",
               f"{x['changed_excess']:.1f}", f"< {100 * TARGET_CHANGED_SHARE:g}%",
               _verdict(t["changed_share_of_full"])),
        Figure("peak RSS, sum over the process tree (largest process)", f"{d['peak_tree_rss_mb']:.0f} MB "
               f"({d['peak_proc_rss_mb']:.0f} MB)", f"{d['rss_x_corpus']:.1f} x corpus",
               f"< {TARGET_RSS_MB:g} MB", _verdict(t["peak_rss_mb"])),
        Figure("peak PSS, sum over the process tree (shared pages once)", f"{d['peak_tree_pss_mb']:.0f} MB",
               f"{d['peak_tree_pss_mb'] / result['mb']:.1f} x corpus", f"< {TARGET_RSS_MB:g} MB",
               _verdict(t["peak_pss_mb"])),
        Figure("Prefect overhead per task run", f"{prefect['task_call_ms']:.2f} ms called, "
               f"{prefect['task_submit_ms']:.2f} ms submitted (direct call {1000 * prefect['direct_call_ms']:.2f} us)",
               f"{d['task_call_in_regex_docs']:.1f} regex docs"),
        Figure("  an empty flow run (API up) / first flow run (API start)",
               f"{prefect['empty_flow_s']:.2f} / {prefect['first_flow_s']:.2f} s"),
    ]


def render(result: dict, shared: dict) -> str:
    """One table for one corpus size."""
    m = shared["machine"]
    full = result["runs"]["full"]["summary"]
    lines = [
        "",
        f"uncoop end-to-end benchmark: {result['n_docs']} documents, {result['mb']:.1f} MB "
        f"(generated in {result['generate_s']:.1f} s); {m['cpus']} CPUs, python {m['python']}, "
        f"task runner {full.get('task_runner')}, load average before {m['loadavg']}",
        "targets are those of issue 7, set for the 10k corpus on 2 cores; 'x ceiling' = seconds / seconds of the "
        "regex pass over this corpus",
        f"  {'figure':58} {'value':70} {'x ceiling':>16}  {'target':26} verdict",
    ]
    for f in figures(result, shared):
        lines.append(f"  {f.name:58} {f.value:70} {f.ratio:>16}  {f.target:26} {f.verdict}")
    runs = result["runs"]
    lines.append("")
    lines += _stage_table({"1-doc": shared["startup"]["timings"], "full": runs["full"]["summary"]["timings"],
                           "unchanged": runs["unchanged"]["summary"]["timings"],
                           "1% changed": runs["changed_1pct"]["summary"]["timings"]})
    walls = {"1-doc": shared["startup"]["wall_s"], **{k: runs[k]["wall_s"] for k in ("full", "unchanged")},
             "1% changed": runs["changed_1pct"]["wall_s"]}
    lines.append(f"  {'process wall':22}" + "".join(f"{w:11.2f}" for w in walls.values()))
    status = {k: (r["summary"]["status"], r["summary"]["extracted"], r["summary"]["cached"]) for k, r in runs.items()}
    peak = runs["full"]["rss_at_peak"]
    lines.append("  full run's processes at its RSS peak: " + ", ".join(f"{name} {mb:.0f} MB" for name, mb in peak))
    if result["code_changed"]:
        lines.append("  WARNING: code under flows/ or schemas/ changed during these runs: the rerun figures are void")
    lines.append("  status (extracted, cached): " + "; ".join(f"{k} {s} ({e}, {c})" for k, (s, e, c) in status.items()))
    return "\n".join(lines)


def machine() -> dict:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "memory_gb": round(psutil.virtual_memory().total / 1e9, 1), "loadavg": "/".join(f"{v:.1f}" for v in load)}


def run_bench(sizes: list[int], workdir: Path, extra: list[str] | None = None, startup_runs: int = 3,
              json_path: Path | None = None, echo: bool = True) -> dict:
    """The whole benchmark: shared figures once, then each size; returns (and writes) all figures."""
    extra = list(extra or [])
    workdir.mkdir(parents=True, exist_ok=True)
    env = bench_env(workdir / "prefect-home")
    logs = workdir / "logs"
    t0 = time.perf_counter()
    shared = {"machine": machine(), "extra_args": extra, "prefect_api_url": env.get("PREFECT_API_URL", "ephemeral")}
    shared["startup"] = fixed_startup(workdir, env, extra, startup_runs)
    shared["imports"] = import_times(env, logs)
    shared["prefect"] = prefect_overhead(env, logs)
    report: dict = {"shared": shared, "sizes": {}}
    for n in sizes:
        t1 = time.perf_counter()
        result = bench_size(n, workdir, env, extra, shared["startup"]["wall_s"])
        result["derived"] = derive(result, shared)
        result["bench_s"] = time.perf_counter() - t1
        report["sizes"][str(n)] = result
        if echo:
            print(render(result, shared), flush=True)
            print(f"  (this size took {result['bench_s']:.0f} s to benchmark)", flush=True)
    report["bench_s"] = time.perf_counter() - t0
    json_path = json_path or workdir / "pipeline_bench.json"
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    report["json"] = str(json_path)
    if echo:
        print(f"\nwhole benchmark: {report['bench_s']:.0f} s; all figures in {json_path}; logs in {logs}")
    return report


def drop_bulk(workdir: Path) -> None:
    """Remove the corpora, outputs and Prefect home of a benchmark; keep the figures and logs."""
    for path in workdir.iterdir():
        if path.name.startswith(("corpus-", "out-", "prefect-home")):
            shutil.rmtree(path, ignore_errors=True)


def sizes_from_env(default: tuple[int, ...] = DEFAULT_SIZES) -> list[int]:
    """BENCH_DOCS="1000,10000" chooses the corpus sizes."""
    raw = os.environ.get("BENCH_DOCS", "")
    return [int(s) for s in raw.replace(" ", "").split(",") if s] or list(default)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--docs", type=int, action="append",
                   help="corpus size in documents, repeatable (default: BENCH_DOCS or 1000 and 10000)")
    p.add_argument("--keep", type=Path, metavar="DIR", help="work in DIR and keep corpora, outputs and logs")
    p.add_argument("--json", type=Path, metavar="FILE", help="write all figures here (default: WORKDIR/pipeline_bench.json)")
    p.add_argument("--task-runner", choices=["auto", "sequential", "threads", "processes", "dask"])
    p.add_argument("--workers", type=int)
    p.add_argument("--startup-runs", type=int, default=3, help="one-document runs whose median is the start-up")
    p.add_argument("--probe-prefect-overhead", type=int, metavar="N", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.probe_prefect_overhead:  # the child process of prefect_overhead()
        out = probe_prefect_overhead(args.probe_prefect_overhead)
        args.json.write_text(json.dumps(out) + "\n", encoding="utf-8")
        return 0
    extra = []
    if args.task_runner:
        extra += ["--task-runner", args.task_runner]
    if args.workers:
        extra += ["--workers", str(args.workers)]
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="uncoop-pipeline-bench-"))
    report = run_bench(args.docs or sizes_from_env(), workdir, extra, args.startup_runs, args.json)
    if not args.keep:
        drop_bulk(workdir)
        print(f"(corpora and outputs removed; figures kept in {report['json']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
