"""Serve the build flow on its daily schedule without a work pool: `python -m flows.serve`.

Reads the schedules and default parameters of the `daily` deployment from prefect.yaml, so both
ways of running it stay the same. It registers as `build-release/daily-serve`, a name of its
own: serving under `daily` would overwrite the work-pool deployment that `prefect deploy`
made (and stopping `serve` pauses the deployments it served). Relative paths in the
parameters are taken from the repository root, wherever `serve` is started.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from prefect.schedules import Cron

from flows.pipeline import build_release
from flows.settings import ROOT, BuildSettings

SERVE_NAME = "daily-serve"


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


def schedules(spec: dict) -> list[Cron]:
    return [Cron(s["cron"], timezone=s.get("timezone"), active=s.get("active", True)) for s in spec["schedules"]]


def main() -> None:
    spec = daily_deployment()
    build_release.serve(name=SERVE_NAME, schedules=schedules(spec),
                        parameters={"settings": served_settings(spec).model_dump(mode="json")},
                        tags=spec.get("tags"), description=spec.get("description"))


if __name__ == "__main__":
    main()
