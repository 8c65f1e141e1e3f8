"""Serve the build flow on its daily schedule without a work pool: `python -m flows.serve`.

Reads the schedules, concurrency limit and default parameters of the `daily` deployment from
prefect.yaml, so both ways of running it stay the same. It registers as
`build-release/daily-serve`, a name of its own: serving under `daily` would overwrite the
work-pool deployment that `prefect deploy` made (and stopping `serve` pauses the deployments it
served). Relative paths in the parameters are taken from the repository root, wherever `serve`
is started.

Both write the same outputs/. So that they never start together when both are set up, the
served schedule fires SERVE_OFFSET_MINUTES after the deployment's (05:30 for 05:00); each
allows one running build at a time (the deployment's concurrency limit, and the runner's
`limit` here).
"""

from __future__ import annotations

from pathlib import Path

import yaml
from prefect.schedules import Cron

from flows.pipeline import build_release
from flows.settings import ROOT, BuildSettings

SERVE_NAME = "daily-serve"
SERVE_OFFSET_MINUTES = 30


def daily_deployment(prefect_yaml: Path = ROOT / "prefect.yaml") -> dict:
    spec = yaml.safe_load(prefect_yaml.read_text(encoding="utf-8"))
    return next(d for d in spec["deployments"] if d["name"] == "daily")


def served_settings(spec: dict) -> BuildSettings:
    """The deployment's settings with relative folders anchored at the repository root."""
    values = dict(spec["parameters"]["settings"])
    for key in ("input_dir", "output_dir", "cache_dir", "urls_file", "symbols_file", "fetch_cache_dir"):
        if values.get(key) and not Path(values[key]).is_absolute():
            values[key] = str(ROOT / values[key])
    return BuildSettings(**values)


def offset_cron(cron: str, minutes: int = SERVE_OFFSET_MINUTES) -> str:
    """The cron expression firing `minutes` later (0-59) than `cron`, whose minute and hour
    fields must be plain numbers (a daily time): '0 5 * * *' -> '30 5 * * *'."""
    minute, hour, *rest = cron.split()
    if not (minute.isdigit() and hour.isdigit() and 0 <= minutes < 60):
        raise ValueError(f"cannot shift {cron!r}: give the deployment a daily time (minute and hour as numbers)")
    total = int(hour) * 60 + int(minute) + minutes
    if total >= 24 * 60:
        raise ValueError(f"shifting {cron!r} by {minutes} minutes crosses midnight: schedule the deployment earlier")
    return " ".join([str(total % 60), str(total // 60), *rest])


def schedules(spec: dict) -> list[Cron]:
    """The deployment's schedules, SERVE_OFFSET_MINUTES later."""
    return [Cron(offset_cron(s["cron"]), timezone=s.get("timezone"), active=s.get("active", True))
            for s in spec["schedules"]]


def concurrency_limit(spec: dict) -> int:
    """Flow runs this server runs at once: the deployment's concurrency limit (1 when none)."""
    limit = spec.get("concurrency_limit") or 1
    return int(limit["limit"] if isinstance(limit, dict) else limit)


def main() -> None:
    spec = daily_deployment()
    build_release.serve(name=SERVE_NAME, schedules=schedules(spec), limit=concurrency_limit(spec),
                        parameters={"settings": served_settings(spec).model_dump(mode="json")},
                        tags=spec.get("tags"), description=spec.get("description"))


if __name__ == "__main__":
    main()
