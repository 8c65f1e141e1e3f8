"""Serve the build flow on its daily schedule without a work pool: `python -m flows.serve`.

Reads the schedule and default parameters of the `daily` deployment from prefect.yaml, so both
ways of running it stay the same.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from flows.pipeline import build_release
from flows.settings import ROOT, BuildSettings


def daily_deployment(prefect_yaml: Path = ROOT / "prefect.yaml") -> dict:
    spec = yaml.safe_load(prefect_yaml.read_text(encoding="utf-8"))
    return next(d for d in spec["deployments"] if d["name"] == "daily")


def main() -> None:
    spec = daily_deployment()
    schedule = spec["schedules"][0]
    settings = BuildSettings(**spec["parameters"]["settings"])
    build_release.serve(name=spec["name"], cron=schedule["cron"], parameters={"settings": settings.model_dump(mode="json")},
                        tags=spec.get("tags"), description=spec.get("description"))


if __name__ == "__main__":
    main()
