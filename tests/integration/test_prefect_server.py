"""Scheduled operation on a real Prefect server: the `daily` deployment from prefect.yaml, run by a worker.

The deployment keeps its schedule and defaults; each run here overrides only the `settings`
parameter, so it reads the seeds from a temporary folder and publishes into another one.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from flows.core.schema import tables
from flows.core.storage import Outputs
from flows.settings import ROOT, BuildSettings
from tests.integration.conftest import PrefectServer, daily_spec, tail

SEEDS = ROOT / "corpus" / "seeds"
ROWS_KEY, SUMMARY_KEY = "uncoop-rows-per-table", "uncoop-run-summary"

# A document as the UN prints them, but dated before the UN existed (a typo or an OCR slip in a
# real corpus). Extraction keeps the printed date; the schema's bounds on dates must stop it.
PREDATED_DOCUMENT = """Security Council

Distr.: General
24 July 1930

Original: English

Statement by the President of the Security Council

At the 9965th meeting of the Security Council, held on 24 July 1930, the Council considered its
cooperation with the African Union under Chapter VIII of the Charter of the United Nations and
recalled its resolution 2033 (2012).
"""


def copy_seeds(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(SEEDS.glob("*.txt")):
        shutil.copy(path, target / path.name)
    return target


def run_parameters(input_dir: Path, output_dir: Path) -> dict[str, Any]:
    """The deployment's own `settings`, with the folders moved to the test's temporary ones."""
    settings = {**daily_spec()["parameters"]["settings"], "input_dir": input_dir, "output_dir": output_dir}
    return {"settings": BuildSettings(**settings).model_dump(mode="json")}


def describe(server: PrefectServer, run) -> str:
    """What to print when a run did not end as expected: its state and its logs."""
    logs = "\n".join(server.logs(run.id, containing="", timeout=0))
    return f"flow run {run.name} ended {run.state_name}: {run.state.message}\n{logs}"


@dataclass(frozen=True)
class Launched:
    """A flow run started at the beginning of the module, with its folders."""

    flow_run_id: UUID
    input_dir: Path
    output_dir: Path


@pytest.fixture(scope="module")
def launched(prefect_server, daily_deployment, worker, tmp_path_factory) -> dict[str, Launched]:
    """The independent first runs, started together so that the worker runs them side by side:
    `seeds` over the seeds, `predated` over the seeds and a document dated before the UN existed."""
    seeds = copy_seeds(tmp_path_factory.mktemp("seeds-input"))
    predated = copy_seeds(tmp_path_factory.mktemp("predated-input"))
    (predated / "predated.txt").write_text(PREDATED_DOCUMENT, encoding="utf-8")
    runs = {}
    for name, inputs in (("seeds", seeds), ("predated", predated)):
        out = tmp_path_factory.mktemp(f"{name}-output")
        run_id = prefect_server.start_run(daily_deployment.id, run_parameters(inputs, out))
        runs[name] = Launched(run_id, inputs, out)
    return runs


@pytest.fixture(scope="module")
def first_run(prefect_server, launched):
    """(flow run, its Launched) of the first run of the deployment over the seeds, once it ended."""
    return prefect_server.wait(launched["seeds"].flow_run_id), launched["seeds"]


def test_daily_deployment_is_the_one_in_prefect_yaml(daily_deployment):
    spec = daily_spec()
    (declared,) = spec["schedules"]
    assert daily_deployment.entrypoint == spec["entrypoint"]
    assert daily_deployment.parameters == spec["parameters"]
    assert set(daily_deployment.tags) == set(spec["tags"])
    assert daily_deployment.work_pool_name == spec["work_pool"]["name"]
    assert daily_deployment.work_queue_name == spec["work_pool"]["work_queue_name"]
    # prefect.yaml has no pull step: `prefect deploy` records the repository as the working directory
    assert daily_deployment.pull_steps == [
        {"prefect.deployments.steps.set_working_directory": {"directory": str(ROOT)}}]
    (schedule,) = daily_deployment.schedules
    assert schedule.active is declared["active"]
    assert schedule.schedule.cron == declared["cron"]
    assert schedule.schedule.timezone == declared["timezone"]


def test_server_schedules_a_run_every_day_at_the_declared_time(prefect_server, daily_deployment):
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterDeploymentId
    from prefect.client.schemas.sorting import FlowRunSort

    minute, hour = (int(f) for f in daily_spec()["schedules"][0]["cron"].split()[:2])
    deadline = time.monotonic() + 30
    with prefect_server.client() as client:
        while True:  # the scheduler service picks up a new deployment within seconds
            runs = [r for r in client.read_flow_runs(
                flow_run_filter=FlowRunFilter(deployment_id=FlowRunFilterDeploymentId(any_=[daily_deployment.id])),
                sort=FlowRunSort.EXPECTED_START_TIME_ASC) if r.auto_scheduled]
            if len(runs) >= 3 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    starts = [dt.datetime.fromtimestamp(r.expected_start_time.timestamp(), dt.UTC) for r in runs]
    assert len(starts) >= 3, (f"the scheduler made {len(starts)} runs of the daily deployment; "
                              f"server log:\n{tail(prefect_server.log, 15)}")
    assert all((s.hour, s.minute) == (hour, minute) for s in starts), starts
    assert {(b - a).total_seconds() for a, b in zip(starts, starts[1:], strict=False)} == {86400.0}
    assert all(r.state_name == "Scheduled" for r in runs)


def test_a_run_publishes_a_release_and_reports_it(prefect_server, first_run):
    run, first = first_run
    out = first.output_dir
    assert run.state.is_completed(), describe(prefect_server, run)
    latest = Outputs(out).latest()
    assert latest is not None and (out / "latest" / "datapackage.json").exists()

    artifacts = prefect_server.artifacts(run.id)
    assert {ROWS_KEY, SUMMARY_KEY} <= set(artifacts)
    rows = {r["table"]: r["rows"] for r in json.loads(artifacts[ROWS_KEY].data)}
    assert set(rows) == set(tables())
    assert rows["documents"] == len(list(SEEDS.glob("*.txt")))
    assert all(rows[t] > 0 for t in ("citations", "entities", "meetings", "cooperation_areas")), rows
    package = json.loads((latest / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["name"]: r["rows"] for r in package["resources"] if r["name"] in rows} == rows

    summary = artifacts[SUMMARY_KEY].data
    assert "status: **published**" in summary and str(latest) in summary


def test_a_rerun_over_unchanged_inputs_publishes_nothing(prefect_server, daily_deployment, first_run):
    run, first = first_run
    assert run.state.is_completed(), describe(prefect_server, run)
    out = first.output_dir
    before = [p.name for p in Outputs(out).list_releases()]

    again = prefect_server.wait(prefect_server.start_run(daily_deployment.id, run_parameters(first.input_dir, out)))
    assert again.state.is_completed(), describe(prefect_server, again)
    assert "status: **unchanged**" in prefect_server.artifacts(again.id)[SUMMARY_KEY].data
    assert [p.name for p in Outputs(out).list_releases()] == before and len(before) == 1


def test_a_release_that_fails_validation_fails_the_run_with_the_reason(prefect_server, launched):
    run = prefect_server.wait(launched["predated"].flow_run_id)
    out = launched["predated"].output_dir
    assert run.state.is_failed(), describe(prefect_server, run)
    reason = "documents.date failed expect_column_values_to_be_between"
    logs = prefect_server.logs(run.id, containing=reason)
    assert any(reason in m and "ValidationFailed" in m for m in logs), logs
    assert "status: **validation_failed**" in prefect_server.artifacts(run.id)[SUMMARY_KEY].data
    assert Outputs(out).latest() is None and Outputs(out).list_releases() == []
    assert len(list((out / "rejected").iterdir())) == 1
