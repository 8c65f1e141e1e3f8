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
    assert [(c.timezone, c.active) for c in crons] == [(s.get("timezone"), s.get("active", True)) for s in spec["schedules"]]
    settings = served_settings(spec)
    assert settings.input_dir == ROOT / spec["parameters"]["settings"]["input_dir"]
    assert settings.output_dir.is_absolute()


@pytest.mark.parametrize("deployment", DEPLOYMENTS, ids=lambda d: d["name"])
def test_one_build_at_a_time_per_deployment(deployment):
    """Prefect's own model of prefect.yaml reads a limit of one running flow run."""
    from prefect.cli.deploy._models import PrefectYamlModel

    (parsed,) = [d for d in PrefectYamlModel.model_validate(SPEC).deployments if d.name == deployment["name"]]
    assert parsed.concurrency_limit is not None and parsed.concurrency_limit.limit == 1
    assert parsed.concurrency_limit.collision_strategy in ("CANCEL_NEW", "ENQUEUE")


def test_serve_and_the_deployment_never_fire_together():
    """Both write the same outputs/: the served schedule fires later than the deployment's, and
    the server runs one build at a time."""
    from prefect.client.schemas.schedules import CronSchedule

    from flows.serve import SERVE_OFFSET_MINUTES, concurrency_limit, daily_deployment, schedules

    spec = daily_deployment()
    deployed = {CronSchedule(cron=s["cron"], timezone=s.get("timezone", "UTC")).cron for s in spec["schedules"]}
    served = {c.cron for c in schedules(spec)}
    assert served and not served & deployed
    assert SERVE_OFFSET_MINUTES > 0 and concurrency_limit(spec) == 1


def test_offset_cron():
    from flows.serve import offset_cron

    assert offset_cron("0 5 * * *") == "30 5 * * *"
    assert offset_cron("45 5 * * 1", 30) == "15 6 * * 1"
    with pytest.raises(ValueError):
        offset_cron("*/15 5 * * *")
    with pytest.raises(ValueError):
        offset_cron("45 23 * * *", 30)
