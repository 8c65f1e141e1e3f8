"""The per-document hard budget (issue 20, finding 1): a document that takes too long is
quarantined as extractor_timeout and the batch goes on; nothing waits on it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from flows import extract
from flows.core import extract as core_extract
from flows.core.budget import BudgetExceeded, time_budget

SPIN_LIMIT = 30_000_000  # iterations a stuck extractor makes before giving up (far beyond any budget here)


def _spin() -> int:
    n = 0
    while n < SPIN_LIMIT:
        n += 1
    return n


def test_the_budget_stops_work_in_the_main_thread():
    with pytest.raises(BudgetExceeded), time_budget(0.05):
        _spin()


_IN_ANOTHER_THREAD = """
import threading
from flows.core.budget import BudgetExceeded, time_budget

def spin():
    n = 0
    while n < 30_000_000:
        n += 1

outcome = []

def work():
    try:
        with time_budget(0.05):
            spin()
        outcome.append("finished")
    except BudgetExceeded:
        outcome.append("stopped")

thread = threading.Thread(target=work)
thread.start()
thread.join()
print(outcome)
"""


def test_the_budget_stops_work_in_another_thread():
    # In a process of its own: after an exception raised into another thread, a line tracer
    # (sys.settrace, which tests/unit/test_linear_extractors.py uses to count work) ran without end
    # in that process; plain extraction is not affected (seen while merging, cause not found yet).
    done = subprocess.run([sys.executable, "-c", _IN_ANOTHER_THREAD], capture_output=True, text=True,
                          timeout=120, check=False, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['stopped']"


def test_work_within_the_budget_is_left_alone():
    for _ in range(3):
        with time_budget(5):
            value = sum(range(1000))
    assert value == 499500


def test_no_budget_means_no_limit():
    with time_budget(0):
        assert sum(range(1000)) == 499500


def _stuck(text: str) -> list:
    _spin()
    return []


def test_a_stuck_extractor_quarantines_its_document_as_extractor_timeout(monkeypatch):
    monkeypatch.setattr(core_extract, "extract_areas", _stuck)
    items = [extract.RawInput("slow.txt", "1" * 64, b"The African Union and the Security Council.")]
    [(name, _sha, value)] = extract.extract_batch_plain(items, timeout=0.05)
    assert name == "slow.txt"
    assert value.reason == "extractor_timeout"
    assert "document_timeout" in value.detail


def test_the_batch_goes_on_after_a_timeout(monkeypatch):
    calls = []

    def stuck_once(text: str) -> list:
        calls.append(text)
        if len(calls) == 1:
            _spin()
        return []

    extract.process_raw("warm.txt", "0" * 64, b"The Security Council.", timeout=None)  # vocabularies load once
    monkeypatch.setattr(core_extract, "extract_areas", stuck_once)
    items = [extract.RawInput(f"doc{i}.txt", str(i) * 64, f"The Security Council met {i} times.".encode())
             for i in (1, 2)]
    out = extract.extract_batch_plain(items, timeout=0.05)
    assert [getattr(v, "reason", "published") for _, _, v in out] == ["extractor_timeout", "published"]
