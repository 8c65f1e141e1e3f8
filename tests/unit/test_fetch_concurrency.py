"""Fetching a list: a bounded pool, politeness per host, a deadline for the whole list, and a
repeated URL reported (issue 20, finding 11). Loopback servers only; nothing asserts a time."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from flows.core.fetch import FetchSettings, fetch_urls

BODY = b"The Security Council and the African Union.\n"
SETTINGS = FetchSettings(timeout_s=10.0, deadline_s=20.0, retries=0, concurrency=4, per_host=1, host_interval_s=0.0,
                         trust_env=False)


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.in_flight: Counter = Counter()
        self.most: Counter = Counter()
        self.meet = threading.Barrier(2, timeout=15)
        self.stop = threading.Event()


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002, ARG002 - silence the default log
        return

    def do_GET(self):  # noqa: N802 - http.server's naming
        state: _State = self.server.state  # type: ignore[attr-defined]
        host = self.server.server_address[0]
        with state.lock:
            state.in_flight[host] += 1
            state.most[host] = max(state.most[host], state.in_flight[host])
        try:
            if self.path.startswith("/meet"):  # answers only once a request to another host is under way too
                try:
                    state.meet.wait()
                except threading.BrokenBarrierError:
                    self.send_error(503)
                    return
            elif self.path.startswith("/stall"):  # headers, then nothing until the test ends
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "1000")
                self.end_headers()
                state.stop.wait(30)
                return
            else:
                state.stop.wait(0.05)  # long enough for requests to overlap if they may
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY)
        finally:
            with state.lock:
                state.in_flight[host] -= 1


@pytest.fixture
def hosts():
    """Two loopback servers on two addresses (two hosts for the politeness rules)."""
    state = _State()
    servers = []
    for address in ("127.0.0.1", "127.0.0.2"):
        server = ThreadingHTTPServer((address, 0), _Handler)
        server.daemon_threads = True
        server.state = state  # type: ignore[attr-defined]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    try:
        yield state, [f"http://{s.server_address[0]}:{s.server_address[1]}" for s in servers]
    finally:
        state.stop.set()
        state.meet.abort()
        for server in servers:
            server.shutdown()
            server.server_close()


def test_urls_of_different_hosts_are_fetched_at_once(hosts, tmp_path):
    state, (a, b) = hosts
    items = fetch_urls([f"{a}/meet/1.txt", f"{b}/meet/2.txt"], tmp_path / "cache", SETTINGS)
    assert [i.status for i in items] == ["downloaded", "downloaded"], [i.error for i in items]


def test_one_request_at_a_time_per_host_and_results_in_list_order(hosts, tmp_path):
    state, (a, b) = hosts
    urls = [f"{a}/doc{i}.txt" for i in range(4)] + [f"{b}/doc{i}.txt" for i in range(4)]
    items = fetch_urls(urls, tmp_path / "cache", SETTINGS)
    assert [i.url for i in items] == urls
    assert all(i.status == "downloaded" for i in items)
    assert max(state.most.values()) == 1  # never two requests to one host at once


def test_the_list_deadline_ends_a_stalled_download_and_what_was_not_begun(hosts, tmp_path):
    state, (a, _) = hosts
    settings = replace(SETTINGS, concurrency=1, list_deadline_s=1.0)
    stalled, later = fetch_urls([f"{a}/stall.txt", f"{a}/later.txt"], tmp_path / "cache", settings)
    assert stalled.status == "failed"
    assert later.status == "failed" and "deadline" in later.error and "list_deadline_s" in later.error


def test_a_repeated_url_is_reported(hosts, tmp_path, caplog):
    _, (a, _) = hosts
    with caplog.at_level(logging.WARNING, logger="flows.core.fetch"):
        items = fetch_urls([f"{a}/doc.txt", f"{a}/doc.txt"], tmp_path / "cache", SETTINGS)
    assert len(items) == 1
    assert any("listed 2 times" in r.getMessage() for r in caplog.records)
