"""Fetching remote documents: against a loopback server that misbehaves on purpose, counted server-side.

No internet: every URL is on 127.0.0.1. Timeouts and backoffs are tiny so the file runs in seconds.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import socket
import threading
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from flows.core import fetch
from flows.core.fetch import (
    DEFAULT_SYMBOL_URL_TEMPLATE,
    FetchCache,
    FetchInputError,
    FetchSettings,
    failed_rejections,
    fetch_symbols,
    fetch_urls,
    local_stem,
    materialize,
    read_list_file,
    sniff_type,
    symbol_urls,
)
from tests.unit.loopback_http import ETAG, HTML_BYTES, PDF_BYTES, TEXT_BYTES, LoopbackServer, docx_bytes

FAST = FetchSettings(timeout_s=2.0, deadline_s=5.0, retries=2, backoff_s=0.001, backoff_cap_s=0.005,
                     retry_after_cap_s=0.005, trust_env=False)


class SimulatedKill(BaseException):
    """Stands for the process being killed: not an Exception, so nothing in fetch may swallow it."""


@pytest.fixture
def server():
    threads_before = set(threading.enumerate())
    srv = LoopbackServer().start()
    try:
        yield srv
    finally:
        srv.stop()
    leftover = [t for t in threading.enumerate() if t not in threads_before]
    assert not leftover, leftover  # the server and every handler thread ended (others may come and go)


@pytest.fixture
def cache_dir(tmp_path) -> Path:
    return tmp_path / "cache"


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    """Record the waits between retries instead of sleeping."""
    waited: list[float] = []
    monkeypatch.setattr(fetch, "_sleep", waited.append)
    return waited


def fetch_one(server, path, cache_dir, settings=FAST, **kwargs):
    [item] = fetch_urls([server.url(path)], cache_dir, settings, **kwargs)
    return item


def object_files(cache_dir: Path) -> list[Path]:
    return [p for p in (cache_dir / "objects").rglob("*") if p.is_file()]


# --- downloads and the cache ---------------------------------------------------------------------------------

def test_download_keeps_bytes_and_provenance(server, cache_dir):
    item = fetch_one(server, "/doc.pdf", cache_dir)
    assert item.status == "downloaded" and item.error is None and item.http_status == 200
    assert item.path is not None and item.path.read_bytes() == PDF_BYTES
    assert item.sha256 == hashlib.sha256(PDF_BYTES).hexdigest() and item.n_bytes == len(PDF_BYTES)
    assert item.path == cache_dir / "objects" / item.sha256[:2] / item.sha256
    assert item.content_type == "application/pdf" and item.sniffed_type == "application/pdf"
    assert item.name.startswith("doc-") and item.name.endswith(".pdf")
    assert item.fetched_at and item.fetched_at.endswith("Z") and item.attempts == 1
    assert server.user_agents == [fetch.USER_AGENT] and fetch.USER_AGENT.startswith("uncoop/")
    entry = FetchCache(cache_dir).entry(item.url)
    assert entry is not None and entry.etag == ETAG and entry.sha256 == item.sha256


@pytest.mark.parametrize(
    ("path", "suffix", "sniffed"),
    [("/page.html", ".html", "text/html"), ("/notes.txt", ".txt", "text/plain"),
     ("/report.docx", ".docx", fetch.DOCX), ("/mislabeled", ".pdf", "application/pdf")],
)
def test_suffix_comes_from_the_bytes_not_the_header(server, cache_dir, path, suffix, sniffed):
    item = fetch_one(server, path, cache_dir)
    assert item.status == "downloaded"
    assert item.name.endswith(suffix) and item.sniffed_type == sniffed
    if path == "/mislabeled":
        assert item.content_type == "text/html; charset=utf-8"  # the header is kept as sent


def test_revalidation_gets_304_and_reuses_the_bytes(server, cache_dir):
    always_check = replace(FAST, max_age_s=0)
    first = fetch_one(server, "/doc.pdf", cache_dir, always_check)
    second = fetch_one(server, "/doc.pdf", cache_dir, always_check)
    assert second.status == "not_modified" and second.http_status == 304
    assert (second.path, second.sha256, second.fetched_at) == (first.path, first.sha256, first.fetched_at)
    assert server.hits["/doc.pdf"] == 2 and server.hits["/doc.pdf:304"] == 1  # one body sent, one 304
    assert len(object_files(cache_dir)) == 1


def test_fresh_entry_is_reused_without_a_request(server, cache_dir):
    first = fetch_one(server, "/doc.pdf", cache_dir)
    second = fetch_one(server, "/doc.pdf", cache_dir)
    assert second.status == "cached" and second.attempts == 0 and second.error is None
    assert second.path == first.path
    assert server.hits["/doc.pdf"] == 1


def test_cache_survives_a_new_instance_and_serves_offline(server, cache_dir):
    first = fetch_one(server, "/page.html", cache_dir)
    assert json.loads((cache_dir / "index.json").read_text())["entries"][first.url]["sha256"] == first.sha256
    reopened = FetchCache(cache_dir)
    assert len(reopened) == 1 and reopened.entry(first.url).name == first.name
    again = fetch_one(server, "/page.html", cache_dir, replace(FAST, max_age_s=0),
                      offline=True)
    assert again.status == "cached" and again.path.read_bytes() == HTML_BYTES
    assert server.hits["/page.html"] == 1


def test_offline_without_a_cached_copy_fails_clearly(server, cache_dir):
    item = fetch_one(server, "/doc.pdf", cache_dir, offline=True)
    assert item.status == "failed" and "offline" in item.error
    assert server.hits["/doc.pdf"] == 0


def test_without_validators_a_revalidation_downloads_but_keeps_first_fetched_at(server, cache_dir):
    always_check = replace(FAST, max_age_s=0)
    first = fetch_one(server, "/plain", cache_dir, always_check)
    second = fetch_one(server, "/plain", cache_dir, always_check)
    assert second.status == "downloaded" and server.hits["/plain"] == 2
    assert second.fetched_at == first.fetched_at  # same bytes: still the time they were first downloaded


def test_a_corrupted_cached_object_is_fetched_again(server, cache_dir):
    first = fetch_one(server, "/doc.pdf", cache_dir)
    first.path.write_bytes(b"%PDF-garbage")
    second = fetch_one(server, "/doc.pdf", cache_dir)
    assert second.status == "downloaded" and second.path.read_bytes() == PDF_BYTES
    assert server.hits["/doc.pdf:304"] == 0  # no conditional request for bytes we no longer trust


def test_a_failed_refresh_falls_back_to_the_cached_copy(server, cache_dir):
    always_check = replace(FAST, max_age_s=0, retries=0)
    first = fetch_one(server, "/toggle", cache_dir, always_check)
    server.broken = True
    stale = fetch_one(server, "/toggle", cache_dir, always_check)
    assert stale.status == "cached" and stale.path == first.path and stale.http_status == 503
    assert "refresh failed (HTTP 503 Service Unavailable)" in stale.error
    strict = fetch_one(server, "/toggle", cache_dir, replace(always_check, stale_if_error=False))
    assert strict.status == "failed" and strict.path is None


# --- failures ------------------------------------------------------------------------------------------------

def test_404_fails_at_once(server, cache_dir, sleeps):
    item = fetch_one(server, "/missing", cache_dir)
    assert item.status == "failed" and item.error == "HTTP 404 Not Found" and item.http_status == 404
    assert item.path is None and item.sha256 == fetch.NO_SHA256
    assert server.hits["/missing"] == 1 and item.attempts == 1 and sleeps == []


def test_500_is_retried_then_fails(server, cache_dir, sleeps):
    item = fetch_one(server, "/always-500", cache_dir)
    assert item.status == "failed" and item.http_status == 500
    assert item.error == "HTTP 500 Internal Server Error (after 3 attempts)"
    assert server.hits["/always-500"] == 3 and item.attempts == 3


def test_backoff_is_exponential_and_capped(server, cache_dir, sleeps):
    settings = replace(FAST, retries=4, backoff_s=0.1, backoff_cap_s=0.3)
    fetch_one(server, "/always-500", cache_dir, settings)
    assert sleeps == pytest.approx([0.1, 0.2, 0.3, 0.3])


def test_500_then_200_succeeds_on_retry(server, cache_dir, sleeps):
    item = fetch_one(server, "/flaky", cache_dir)
    assert item.status == "downloaded" and item.attempts == 2 and server.hits["/flaky"] == 2
    assert len(sleeps) == 1


@pytest.mark.parametrize(("retry_after", "cap", "waited"), [("2", 10.0, 2.0), ("60", 5.0, 5.0)])
def test_429_honours_retry_after_up_to_the_cap(server, cache_dir, sleeps, retry_after, cap, waited):
    server.retry_after = retry_after
    item = fetch_one(server, "/rate-limited", cache_dir, replace(FAST, retry_after_cap_s=cap))
    assert item.status == "downloaded" and server.hits["/rate-limited"] == 2
    assert sleeps == [waited]


@pytest.mark.parametrize(("header", "seconds"), [("3", 3.0), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
                                                  ("soon", None), (None, None)])
def test_retry_after_values(header, seconds):
    assert fetch._retry_after_s(header) == seconds  # an HTTP date in the past means: now


def test_a_slow_server_times_out(server, cache_dir, sleeps):
    settings = replace(FAST, timeout_s=0.2, retries=1)
    item = fetch_one(server, "/slow", cache_dir, settings)  # the server answers (a PDF) only after 2 s
    assert item.status == "failed" and item.error.startswith("timeout after 0.2 s")
    assert item.attempts == 2 and server.hits["/slow"] == 2  # a timeout is worth a retry


def test_a_trickling_body_ends_at_the_deadline(server, cache_dir, sleeps):
    settings = replace(FAST, timeout_s=1.0, deadline_s=0.3, retries=0)
    item = fetch_one(server, "/trickle", cache_dir, settings)  # without the deadline: a PDF after 5 s
    assert item.status == "failed" and "timeout after 0.3 s" in item.error and "deadline" in item.error
    assert object_files(cache_dir) == []


def test_an_endless_body_stops_at_max_bytes(server, cache_dir):
    settings = replace(FAST, max_bytes=256 * 1024)
    item = fetch_one(server, "/endless", cache_dir, settings)
    assert item.status == "failed" and "over max_bytes" in item.error and "262144 bytes" in item.error
    assert item.attempts == 1  # more of the same will not help
    assert object_files(cache_dir) == [] and list((cache_dir / "tmp").iterdir()) == []


def test_a_declared_length_over_max_bytes_fails_before_reading(server, cache_dir):
    item = fetch_one(server, "/huge-declared", cache_dir, replace(FAST, max_bytes=1000))
    assert item.status == "failed" and "Content-Length 10000000000 bytes is over the limit of 1000" in item.error


def test_an_empty_body_fails(server, cache_dir):
    item = fetch_one(server, "/empty", cache_dir)
    assert item.status == "failed" and item.error == "empty response body"


def test_a_redirect_loop_fails_clearly(server, cache_dir):
    item = fetch_one(server, "/loop-a", cache_dir)
    assert item.status == "failed" and item.error.startswith("redirect loop: ")
    assert item.error.endswith("/loop-a -> " + server.url("/loop-b") + " -> " + server.url("/loop-a"))
    assert server.hits["/loop-a"] == 1  # not retried


def test_redirects_are_followed_up_to_the_limit(server, cache_dir):
    settings = replace(FAST, max_redirects=2)
    ok = fetch_one(server, "/hop?n=2", cache_dir, settings)
    assert ok.status == "downloaded" and ok.final_url == server.url("/hop?n=0")
    too_many = fetch_one(server, "/hop?n=3", cache_dir, settings)
    assert too_many.status == "failed" and too_many.error.startswith("too many redirects (more than 2)")


def test_connection_refused_is_retried_then_fails(cache_dir, sleeps):
    with socket.socket() as probe:  # a port that was free a moment ago, and nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    [item] = fetch_urls([f"http://127.0.0.1:{port}/doc.pdf"], cache_dir, FAST)
    assert item.status == "failed" and item.error.startswith("connection failed") and item.attempts == 3
    assert "refused" in item.error.lower()


@pytest.mark.parametrize("url", ["ftp://example.org/a.pdf", "not a url", "file:///etc/passwd", "https://"])
def test_urls_that_cannot_be_fetched_fail_without_a_request(cache_dir, url):
    [item] = fetch_urls([url], cache_dir, FAST)
    assert item.status == "failed" and item.error.startswith("not an http(s) URL")


def test_an_unexpected_error_becomes_a_failed_item(server, cache_dir, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("sniffer bug")

    monkeypatch.setattr(fetch, "sniff_type", broken)
    items = fetch_urls([server.url("/doc.pdf"), "ftp://x/y"], cache_dir, FAST)
    assert [i.status for i in items] == ["failed", "failed"]
    assert items[0].error == "unexpected error: RuntimeError: sniffer bug"


# --- a killed run leaves a sound cache -------------------------------------------------------------------------

def _killed_on_replace(monkeypatch, hit, run) -> None:
    """Run `run()` with a kill simulated at the first os.replace whose target `hit(dst)` selects."""
    real_replace = os.replace

    def killed(src, dst):
        if hit(Path(dst)):
            raise SimulatedKill
        real_replace(src, dst)

    monkeypatch.setattr(fetch.os, "replace", killed)
    with pytest.raises(SimulatedKill):
        run()
    monkeypatch.setattr(fetch.os, "replace", real_replace)


def test_a_kill_while_storing_an_object_leaves_no_entry(server, cache_dir, monkeypatch):
    _killed_on_replace(monkeypatch, lambda dst: "objects" in str(dst),
                       lambda: fetch_urls([server.url("/doc.pdf")], cache_dir, FAST))

    reopened = FetchCache(cache_dir)
    assert reopened.entry(server.url("/doc.pdf")) is None and object_files(cache_dir) == []
    item = fetch_one(server, "/doc.pdf", cache_dir)
    assert item.status == "downloaded" and item.path.read_bytes() == PDF_BYTES


def test_a_kill_while_writing_the_index_keeps_the_previous_index(server, cache_dir, monkeypatch):
    first = fetch_one(server, "/doc.pdf", cache_dir)
    before = (cache_dir / "index.json").read_bytes()
    _killed_on_replace(monkeypatch, lambda dst: dst.name == "index.json",
                       lambda: fetch_urls([server.url("/page.html")], cache_dir, FAST))

    assert (cache_dir / "index.json").read_bytes() == before
    reopened = FetchCache(cache_dir)
    assert reopened.entry(first.url) is not None and reopened.entry(server.url("/page.html")) is None
    assert fetch_one(server, "/page.html", cache_dir).status == "downloaded"


def test_an_unreadable_index_is_set_aside(cache_dir):
    cache_dir.mkdir()
    (cache_dir / "index.json").write_text("{not json", encoding="utf-8")
    assert len(FetchCache(cache_dir)) == 0
    assert [p.name for p in cache_dir.glob("index.corrupt-*.json")]


# --- names, symbols, lists -----------------------------------------------------------------------------------

def test_names_are_stable_safe_and_distinct():
    urls = ["https://documents.un.org/doc/UNDOC/GEN/N13/446/61/PDF/N1344661.pdf",
            "https://documents.un.org/doc/UNDOC/GEN/N13/446/61/PDF/n1344661.pdf",
            "https://example.org/", "https://example.org/a?x=../../etc/passwd", "https://example.org/a?x=1#frag"]
    stems = [local_stem(u) for u in urls]
    assert stems == [local_stem(u) for u in urls]  # deterministic
    assert len({s.lower() for s in stems}) == len(urls)  # distinct even on a case-insensitive disk
    assert stems[0].startswith("N1344661-") and stems[2].startswith("example_org-")
    assert all(s.replace("-", "").replace("_", "").isalnum() for s in stems)
    assert local_stem("https://x/access?s=A%2FRES%2F78%2F265", "A/RES/78/265").startswith("A_RES_78_265-")


def test_symbol_urls_encode_the_symbol():
    pairs = symbol_urls(["A/RES/78/265", "  S/RES/1963   (2010) ", "S/PRST/2013/12"], DEFAULT_SYMBOL_URL_TEMPLATE)
    assert pairs == [
        ("A/RES/78/265", "https://documents.un.org/api/symbol/access?s=A%2FRES%2F78%2F265&l=en&t=pdf"),
        ("S/RES/1963 (2010)", "https://documents.un.org/api/symbol/access?s=S%2FRES%2F1963%20%282010%29&l=en&t=pdf"),
        ("S/PRST/2013/12", "https://documents.un.org/api/symbol/access?s=S%2FPRST%2F2013%2F12&l=en&t=pdf"),
    ]
    assert symbol_urls(["A/1&2"], "http://x/{symbol}.pdf") == [("A/1&2", "http://x/A%2F1%262.pdf")]


@pytest.mark.parametrize(("symbols", "template"), [(["A/1"], "https://x/?s=SYMBOL"), (["  "], "https://x/{symbol}")])
def test_symbol_urls_reject_bad_input(symbols, template):
    with pytest.raises(FetchInputError):
        symbol_urls(symbols, template)


def test_settings_reject_a_template_without_placeholder():
    with pytest.raises(ValueError, match="symbol"):
        FetchSettings(symbol_url_template="https://documents.un.org/api/symbol/access")


def test_fetch_symbols_through_a_template(server, cache_dir):
    settings = replace(FAST, symbol_url_template=server.url("/ods?s={symbol}&l=en&t=pdf"))
    found, missing = fetch_symbols(["A/RES/78/265", "S/2099/1"], cache_dir, settings)
    assert server.symbols_seen == ["A/RES/78/265", "S/2099/1"]  # decoded intact on the server side
    assert found.status == "downloaded" and found.symbol == "A/RES/78/265"
    assert found.name.startswith("A_RES_78_265-") and found.name.endswith(".pdf")
    assert found.final_url == server.url("/doc.pdf")
    assert missing.status == "failed" and missing.error == "HTTP 404 Not Found" and missing.symbol == "S/2099/1"


def test_read_list_file(tmp_path):
    listing = tmp_path / "urls.txt"
    listing.write_text("\ufeff# documents of the 2013 debate\n\nhttps://x.org/a.pdf\n  https://x.org/b.html#part-2  \n"
                       "https://x.org/c.pdf   # the concept paper\n   # indented comment\nS/PRST/2013/12\n", encoding="utf-8")
    assert read_list_file(listing) == ["https://x.org/a.pdf", "https://x.org/b.html#part-2", "https://x.org/c.pdf",
                                       "S/PRST/2013/12"]


def test_read_list_file_errors(tmp_path):
    with pytest.raises(FetchInputError, match="does not exist"):
        read_list_file(tmp_path / "missing.txt")
    with pytest.raises(FetchInputError, match="is not a file"):
        read_list_file(tmp_path)
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("S/2013/446 résumé\n".encode("latin-1"))
    with pytest.raises(FetchInputError, match="not UTF-8"):
        read_list_file(bad)


def test_fetch_urls_dedupes_and_reports_progress(server, cache_dir):
    seen: list[tuple[int, int]] = []
    urls = [server.url("/doc.pdf"), server.url("/missing"), server.url("/doc.pdf")]
    items = fetch_urls(urls, cache_dir, FAST, progress=lambda done, total: seen.append((done, total)))
    assert [i.url for i in items] == urls[:2] and seen == [(1, 2), (2, 2)]


# --- sniffing ------------------------------------------------------------------------------------------------

def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "x")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (PDF_BYTES, "application/pdf"),
        (b"\r\n\x00junk %PDF-1.4 rest", "application/pdf"),
        (docx_bytes(), fetch.DOCX),
        (_zip(["data.csv"]), "application/zip"),
        (fetch.OLE2_MAGIC + b"\x00" * 100, "application/msword"),
        (b"{\\rtf1\\ansi hello}", "application/rtf"),
        (HTML_BYTES, "text/html"),
        (b"\xef\xbb\xbf  <html lang='en'><body>x</body></html>", "text/html"),
        (b'<?xml version="1.0"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN">\n<html>', "text/html"),
        (TEXT_BYTES, "text/plain"),
        ("Résolution 1963 (2010)".encode("cp1252"), "text/plain"),
        ("Résolution".encode("utf-16"), "text/plain"),
        (b"<note>not a web page</note>", "text/plain"),
        (bytes(range(256)) * 4, None),
        (b"", None),
    ],
)
def test_sniff_type(head, expected):
    assert sniff_type(head) == expected


# --- handing on ----------------------------------------------------------------------------------------------

def test_materialize_links_files_and_writes_a_manifest(server, cache_dir, tmp_path):
    inbox = tmp_path / "inbox"
    items = fetch_urls([server.url("/doc.pdf"), server.url("/notes.txt"), server.url("/missing")], cache_dir, FAST)
    written = materialize(items, inbox)
    assert [p.name for p in written] == [items[0].name, items[1].name]
    assert written[0].read_bytes() == PDF_BYTES and written[1].read_bytes() == TEXT_BYTES
    manifest = json.loads((inbox / fetch.MANIFEST).read_text())
    assert manifest[items[0].name]["url"] == items[0].url and manifest[items[0].name]["sha256"] == items[0].sha256

    (inbox / "mine.txt").write_text("not from a fetch")
    materialize(items[1:], inbox)  # the PDF left the list: its file goes, other files stay
    assert sorted(p.name for p in inbox.iterdir()) == sorted([fetch.MANIFEST, items[1].name, "mine.txt"])


def test_failed_rejections_are_quarantine_records(server, cache_dir):
    urls = [server.url("/doc.pdf"), server.url("/missing"), server.url("/huge-declared")]
    items = fetch_urls(urls, cache_dir, replace(FAST, max_bytes=1000))
    missing, huge = failed_rejections(items)
    assert (missing.source_name, missing.reason, missing.detail) == (urls[1], "fetch_failed", "HTTP 404 Not Found")
    assert (huge.source_name, huge.reason, huge.n_bytes) == (urls[2], "too_large", 0)
    assert huge.detail.startswith("body over max_bytes")
