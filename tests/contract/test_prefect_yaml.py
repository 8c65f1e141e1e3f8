"""Every deployment in prefect.yaml points at a real Flow, with a valid schedule and parameters."""

import os

import pytest
import yaml
from prefect import Flow
from prefect.flows import load_flow_from_entrypoint

from flows.settings import ROOT, BuildSettings

SPEC = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
DEPLOYMENTS = SPEC["deployments"]


def load_entrypoint(entrypoint: str):
    """Load the entrypoint the way a Prefect worker does (a path relative to the repository)."""
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        return load_flow_from_entrypoint(entrypoint)
    finally:
        os.chdir(cwd)


def test_there_is_a_daily_deployment():
    assert [d["name"] for d in DEPLOYMENTS] == ["daily"]


@pytest.mark.parametrize("deployment", DEPLOYMENTS, ids=lambda d: d["name"])
def test_entrypoint_is_a_flow_with_valid_parameters(deployment):
    obj = load_entrypoint(deployment["entrypoint"])
    assert isinstance(obj, Flow)
    BuildSettings(**deployment["parameters"]["settings"])  # raises on an unknown or invalid parameter
    assert set(deployment["parameters"]) <= set(obj.parameters.properties)


@pytest.mark.parametrize("deployment", DEPLOYMENTS, ids=lambda d: d["name"])
def test_schedule_is_a_daily_cron(deployment):
    from prefect.client.schemas.schedules import CronSchedule

    (schedule,) = deployment["schedules"]
    cron = CronSchedule(cron=schedule["cron"], timezone=schedule.get("timezone", "UTC"))
    minute, hour, dom, month, dow = cron.cron.split()
    assert (dom, month, dow) == ("*", "*", "*") and minute.isdigit() and hour.isdigit()


def _keys(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield str(key).lower()
            yield from _keys(value)
    elif isinstance(node, list):
        for value in node:
            yield from _keys(value)


def test_no_credentials_in_prefect_yaml():
    for key in _keys(SPEC):
        assert not any(word in key for word in ("password", "secret", "token", "access_key", "api_key")), key


def test_serve_uses_the_deployment_schedule_under_a_name_of_its_own():
    from flows.serve import SERVE_NAME, daily_deployment, schedules, served_settings
    from flows.settings import ROOT

    spec = daily_deployment()
    assert SERVE_NAME != spec["name"]  # serving must not overwrite the work-pool deployment
    crons = schedules(spec)
    assert [(c.cron, c.timezone, c.active) for c in crons] == [
        (s["cron"], s.get("timezone"), s.get("active", True)) for s in spec["schedules"]]
    settings = served_settings(spec)
    assert settings.input_dir == ROOT / spec["parameters"]["settings"]["input_dir"]
    assert settings.output_dir.is_absolute()
