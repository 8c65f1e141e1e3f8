"""One Prefect test harness (a temporary local API) for the whole session, and a release built
from the seeds that several tests read."""

import shutil
from pathlib import Path

import pytest

from tests.conftest import CORPUS


@pytest.fixture(scope="session", autouse=True)
def prefect_api():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def seeds_dir(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("seeds-input")
    for path in sorted((CORPUS / "seeds").glob("*.txt")):
        shutil.copy(path, target / path.name)
    return target


@pytest.fixture(scope="session")
def seeds_build(seeds_dir, tmp_path_factory):
    """(summary, output folder) of one flow run over the seeds."""
    from flows.pipeline import build_release
    from flows.settings import settings_for

    out = tmp_path_factory.mktemp("seeds-output")
    summary = build_release(settings_for("test", input_dir=seeds_dir, output_dir=out))
    return summary, out
