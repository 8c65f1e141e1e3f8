"""Choose the Prefect task runner the extract batches run on (setting `task_runner`).

- sequential: in the flow's own process, one batch after another (no start-up cost);
- threads: Prefect's ThreadPoolTaskRunner (extraction is pure Python, so this mostly helps
  when batches wait on I/O);
- processes: Prefect's ProcessPoolTaskRunner, a process per core: all cores on one machine;
- dask: prefect-dask's DaskTaskRunner, on a local cluster of `workers` processes or on the
  existing cluster at `dask_address`;
- auto: processes when there is more than one batch to extract and more than one core, else
  sequential (a process pool costs about two seconds to start: not worth it for one batch).

Worker processes report their task runs to the API the flow uses. When that is Prefect's
ephemeral API (no PREFECT_API_URL set), each new process would otherwise start an ephemeral
API of its own (about 8 s each): `worker_environment` points them at the flow's API instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

from flows.settings import BuildSettings


def resolve_kind(settings: BuildSettings, n_batches: int) -> str:
    kind = settings.task_runner
    if kind == "auto":
        kind = "processes" if n_batches > 1 and settings.n_workers() > 1 else "sequential"
    return kind


def make_task_runner(kind: str, settings: BuildSettings) -> TaskRunner | None:
    """A task runner to use as a context manager, or None for sequential runs in the flow."""
    workers = settings.n_workers()
    if kind == "sequential":
        return None
    if kind == "threads":
        return ThreadPoolTaskRunner(max_workers=workers)
    if kind == "processes":
        return ProcessPoolTaskRunner(max_workers=workers)
    if kind == "dask":
        from prefect_dask import DaskTaskRunner  # optional dependency, imported only when asked for

        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True,
                                              "dashboard_address": None})
    raise ValueError(f"unknown task runner {kind!r}")


@contextmanager
def worker_environment() -> Iterator[None]:
    """Within a flow run, export the API URL the flow talks to, so worker processes started in
    this block (process pool, local Dask cluster) share it; restored afterwards."""
    if os.environ.get("PREFECT_API_URL"):
        yield
        return
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()
    url = getattr(getattr(ctx, "client", None), "api_url", None)
    if not url:
        yield
        return
    os.environ["PREFECT_API_URL"] = str(url)
    try:
        yield
    finally:
        os.environ.pop("PREFECT_API_URL", None)
