"""A real Prefect server, the `uncoop` work pool, the `daily` deployment and a process worker.

Scheduled operation is what `prefect deploy` + a worker do, so these fixtures run the real
thing instead of the in-process test harness of tests/flows: `prefect server start` on
127.0.0.1 with a SQLite database in a temporary PREFECT_HOME, `prefect deploy` from the
repository's prefect.yaml, `prefect worker start`. Every Prefect process gets its own
environment, built from scratch for PREFECT_* variables, so nothing leaks into other tests
or into the user's profile; this process talks to the server only through clients built for
its URL (never through PREFECT_API_URL).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import yaml

from flows.settings import ROOT

PREFECT = Path(sys.executable).with_name("prefect")  # the venv's CLI, run by the venv's Python
SERVER_START_TIMEOUT = 90.0
RUN_TIMEOUT = 240.0
WORK_POOL = "uncoop"


def daily_spec() -> dict[str, Any]:
    """The `daily` deployment as prefect.yaml declares it: what the server must end up holding."""
    spec = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    return next(d for d in spec["deployments"] if d["name"] == "daily")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def isolated_env(home: Path, api_url: str) -> dict[str, str]:
    """The environment of every Prefect subprocess: no inherited PREFECT_* setting, loopback only."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update({
        "PREFECT_HOME": str(home),
        "PREFECT_PROFILES_PATH": str(home / "profiles.toml"),
        "PREFECT_API_URL": api_url,
        "PREFECT_SERVER_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{home / 'prefect.db'}",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_ENABLED": "false",
        "PREFECT_CLI_PROMPT": "false",
        # the worker polls every second instead of ten, and run logs reach the API sooner
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_LOGGING_TO_API_BATCH_INTERVAL": "0.5",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def stop_group(proc: subprocess.Popen, grace: float = 15.0) -> None:
    """Stop a process started in its own session, and everything it started (flow runs)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=grace)
    except ProcessLookupError:
        pass


def tail(path: Path, n: int = 40) -> str:
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-n:]) if path.exists() else ""


@dataclass(frozen=True)
class PrefectServer:
    """A running `prefect server start`, with what the tests need to drive it."""

    api_url: str
    env: dict[str, str]
    home: Path

    @property
    def log(self) -> Path:
        """The server's own output (errors of its services, like the scheduler, land here)."""
        return self.home / "server.log"

    def cli(self, *args: str, timeout: float = 120.0) -> subprocess.CompletedProcess:
        """Run the prefect CLI against this server from the repository root; fail the test if it fails."""
        proc = subprocess.run([str(PREFECT), *args], cwd=ROOT, env=self.env, capture_output=True, text=True,
                              timeout=timeout)
        assert proc.returncode == 0, f"prefect {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
        return proc

    def client(self):
        """A synchronous client bound to this server's URL (enter it with `with`)."""
        from prefect.client.orchestration import SyncPrefectClient

        return SyncPrefectClient(self.api_url)

    def start_run(self, deployment_id: UUID, parameters: dict[str, Any]) -> UUID:
        """Create a flow run of the deployment, scheduled now, with these parameters."""
        with self.client() as client:
            return client.create_flow_run_from_deployment(deployment_id, parameters=parameters).id

    def wait(self, flow_run_id: UUID, timeout: float = RUN_TIMEOUT):
        """The flow run once it reaches a final state (Completed, Failed, Crashed, Cancelled)."""
        deadline = time.monotonic() + timeout
        with self.client() as client:
            while True:
                run = client.read_flow_run(flow_run_id)
                if run.state is not None and run.state.is_final():
                    return run
                assert time.monotonic() < deadline, f"flow run {flow_run_id} still {run.state_name} after {timeout} s"
                time.sleep(0.5)

    def artifacts(self, flow_run_id: UUID) -> dict[str, Any]:
        """This flow run's artifacts by key."""
        from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

        with self.client() as client:
            found = client.read_artifacts(
                artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])))
        return {a.key: a for a in found}

    def logs(self, flow_run_id: UUID, containing: str, timeout: float = 20.0) -> list[str]:
        """This flow run's log messages, waiting (logs are shipped in batches) until one contains `containing`."""
        from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

        deadline = time.monotonic() + timeout
        with self.client() as client:
            while True:
                messages = [log.message for log in client.read_logs(
                    log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))]
                if any(containing in m for m in messages) or time.monotonic() > deadline:
                    return messages
                time.sleep(0.5)


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"prefect server exited {proc.returncode}:\n{tail(log)}"
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:  # noqa: S310 - loopback URL we built
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"prefect server not healthy after {SERVER_START_TIMEOUT} s:\n{tail(log)}")


@pytest.fixture(scope="package")
def prefect_server(tmp_path_factory) -> Iterator[PrefectServer]:
    home = tmp_path_factory.mktemp("prefect-home")
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = isolated_env(home, api_url)
    log = home / "server.log"
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen([str(PREFECT), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                                cwd=home, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_healthy(api_url, proc, log)
        yield PrefectServer(api_url=api_url, env=env, home=home)
    finally:
        stop_group(proc)


@pytest.fixture(scope="package")
def daily_deployment(prefect_server: PrefectServer):
    """The `daily` deployment, deployed from prefect.yaml by `prefect deploy` as the README says."""
    prefect_server.cli("work-pool", "create", WORK_POOL, "--type", "process")
    prefect_server.cli("--no-prompt", "deploy", "--name", daily_spec()["name"])
    with prefect_server.client() as client:
        return client.read_deployment_by_name(f"build-release/{daily_spec()['name']}")


@pytest.fixture(scope="package")
def worker(prefect_server: PrefectServer, daily_deployment) -> Iterator[subprocess.Popen]:
    """A process worker polling the `uncoop` pool, as `prefect worker start --pool uncoop` runs in production.

    It starts outside the repository, so the flow runs find the code only through the
    deployment's pull step (set_working_directory), as a worker elsewhere on the machine would.
    """
    log = prefect_server.home / "worker.log"
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen([str(PREFECT), "worker", "start", "--pool", WORK_POOL, "--type", "process"],
                                cwd=prefect_server.home, env=prefect_server.env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield proc
    finally:
        stop_group(proc)
        print(f"worker log ({log}):\n{tail(log, 20)}")
