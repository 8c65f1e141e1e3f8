"""Shared fixtures: paths to the bundled corpus and golden-file comparison."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
GOLDEN_DIR = Path(__file__).resolve().parent / "golden" / "files"


def corpus_text(name: str) -> str:
    """The normalized text of a bundled corpus document, by file name (seeds or undocs)."""
    from flows.core.textnorm import normalize_text

    for sub in ("seeds", "undocs"):
        path = CORPUS / sub / name
        if path.exists():
            return normalize_text(path.read_text(encoding="utf-8"))
    raise FileNotFoundError(name)


@pytest.fixture
def golden():
    """Compare data with tests/golden/files/<group>/<name>.json.

    Golden files change only on purpose: run `UPDATE_GOLDEN=1 pytest tests/golden` and review
    the diff before committing it.
    """

    def check(group: str, name: str, data) -> None:
        path = GOLDEN_DIR / group / f"{name}.json"
        rendered = json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True, default=str) + "\n"
        if os.environ.get("UPDATE_GOLDEN") == "1":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(rendered, encoding="utf-8")
        assert path.exists(), f"no golden file {path}; run UPDATE_GOLDEN=1 pytest tests/golden"
        assert json.loads(path.read_text(encoding="utf-8")) == json.loads(rendered), f"{path} differs"

    return check


@pytest.fixture(scope="session")
def moto_endpoint():
    """A real S3 API (moto's server) on 127.0.0.1, a free port, for the whole session."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def isolated_aws(monkeypatch):
    """No AWS profile, config or credentials file of the machine's can reach a test."""
    for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    return monkeypatch
