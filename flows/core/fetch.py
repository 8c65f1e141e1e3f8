"""Fetch remote documents (a list of URLs, or UN document symbols) into a local cache of raw bytes.

Fetching is kept apart from reading a document: this module only downloads bytes and keeps their
provenance (URL, time of retrieval, sha256, HTTP validators). Turning PDF/DOCX/HTML into text is
`flows.core.formats`; building `SourceDocument`s is ingest's work.

Design, and why:

- One failure never stops a run: `fetch_urls` returns one `Fetched` per distinct URL, and a URL that
  could not be fetched has status "failed" and a readable `error`, so the caller quarantines it
  (reason `fetch_failed`) and goes on.
- Every request is bounded: connect/read timeouts, a deadline for the whole response (a server that
  trickles bytes forever fails), a byte limit checked while streaming (an endless body fails without
  eating memory; the body goes to a temp file, never to a buffer), a limit on redirects and loop detection.
- Retries only where a retry can help (timeouts, connection errors, 408/425/429, 5xx but 501/505),
  with capped exponential backoff; a 429/503 `Retry-After` is honoured up to a cap. A 404 is final.
- The cache is content-addressed (`objects/<sha[:2]>/<sha>`) with `index.json` mapping each URL to its
  object and validators. Objects and the index are written to a temp file then `os.replace`d, and an
  index entry is recorded only after its object is in place, so a killed run leaves no entry pointing at
  missing or partial bytes. Conditional requests (If-None-Match / If-Modified-Since) make a rerun cheap;
  an entry checked less than `max_age_s` ago, or any entry when offline, is reused without a request.
- UN documents rarely change once issued, so when a refresh fails and a verified copy is cached, that
  copy is used (status "cached", the refresh error kept in `error`) unless `stale_if_error` is off.

Requests are made one after another over one connection pool: polite to the UN servers, deterministic,
and fast enough with the cache (a rerun makes no or only conditional requests).
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import hashlib
import json
import logging
import os
import re
import shutil
import ssl
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import httpx

from flows import __version__
from flows.core.ingest import Rejected, sha256_file, sha256_hex

log = logging.getLogger(__name__)

MIB = 1024 * 1024
NO_SHA256 = "0" * 64  # the project's convention for "no bytes" (as in flows.core.ingest)
PROJECT_URL = "https://github.com/uncoop/uncoop"
USER_AGENT = f"uncoop/{__version__} (+{PROJECT_URL})"
# The UN Official Document System (ODS) resolves a symbol to the document in one language and format
# (l=en|fr|es|ar|ru|zh, t=pdf|doc); it answers with a redirect to the file. {symbol} is URL-encoded.
DEFAULT_SYMBOL_URL_TEMPLATE = "https://documents.un.org/api/symbol/access?s={symbol}&l=en&t=pdf"

Status = Literal["downloaded", "not_modified", "cached", "failed"]

PDF, DOCX, DOC, RTF, ZIP = ("application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                            "application/msword", "application/rtf", "application/zip")
HTML, TEXT, BINARY = "text/html", "text/plain", "application/octet-stream"
SUFFIX_BY_TYPE = {PDF: ".pdf", DOCX: ".docx", DOC: ".doc", RTF: ".rtf", HTML: ".html", TEXT: ".txt", ZIP: ".zip",
                  BINARY: ".bin", "application/xhtml+xml": ".html", "text/rtf": ".rtf"}
OLE2_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")  # legacy Word .doc (ODS t=doc serves these for older documents)
SNIFF_BYTES = 8192
FLUSH_INTERVAL_S = 1.0  # the index is rewritten at most this often during a run, and always at its end
OVER_LIMIT = "body over max_bytes"  # how every size-limit error starts
STALE_TEMP_S = 3600.0  # temp files older than this are leftovers of a killed run


class FetchInputError(ValueError):
    """A list file or a symbol template that cannot be used (missing file, no {symbol} placeholder)."""


@dataclass(frozen=True)
class FetchSettings:
    """How to fetch. `retries` counts retries after the first attempt (3 -> at most 4 requests)."""

    timeout_s: float = 30.0  # connect timeout, and the longest wait for the next bytes of a response
    deadline_s: float = 300.0  # the whole of one attempt, redirects and body included
    retries: int = 3
    backoff_s: float = 0.5  # wait before retry n: backoff_s * 2**(n-1), at most backoff_cap_s
    backoff_cap_s: float = 30.0
    retry_after_cap_s: float = 120.0  # a server's Retry-After is honoured up to this
    max_bytes: int = 50 * MIB
    max_redirects: int = 5
    max_age_s: float = 24 * 3600.0  # a cache entry checked more recently is reused without a request
    stale_if_error: bool = True  # a failed refresh falls back to a verified cached copy
    user_agent: str = USER_AGENT
    symbol_url_template: str = DEFAULT_SYMBOL_URL_TEMPLATE
    trust_env: bool = True  # honour HTTP(S)_PROXY / NO_PROXY and SSL_CERT_FILE from the environment
    concurrency: int = 4  # URLs fetched at once
    per_host: int = 1  # requests to one host at once (politeness)
    host_interval_s: float = 0.2  # at least this long between the starts of two requests to one host
    list_deadline_s: float = 1800.0  # the whole list: URLs not begun by then fail, downloads under way end by it

    def __post_init__(self) -> None:
        if self.concurrency < 1 or self.per_host < 1:
            raise ValueError("FetchSettings.concurrency and per_host must be at least 1")
        if self.host_interval_s < 0:
            raise ValueError("FetchSettings.host_interval_s must not be negative")
        for name in ("timeout_s", "deadline_s", "max_bytes", "list_deadline_s"):
            if getattr(self, name) <= 0:
                raise ValueError(f"FetchSettings.{name} must be positive")
        for name in ("retries", "backoff_s", "backoff_cap_s", "retry_after_cap_s", "max_redirects", "max_age_s"):
            if getattr(self, name) < 0:
                raise ValueError(f"FetchSettings.{name} must not be negative")
        if "{symbol}" not in self.symbol_url_template:
            raise ValueError("FetchSettings.symbol_url_template must contain {symbol}")


@dataclass(frozen=True)
class Fetched:
    """What became of one URL. `path` is the cached raw bytes (None when failed); `content_type` is the
    Content-Type header as sent, `sniffed_type` what the bytes are (magic bytes win, and give `name` its
    suffix). `fetched_at` is when these bytes were first downloaded (None if never)."""

    url: str
    name: str
    path: Path | None
    sha256: str
    n_bytes: int
    content_type: str | None
    fetched_at: str | None
    status: Status
    error: str | None
    http_status: int | None
    sniffed_type: str | None = None
    final_url: str | None = None  # after redirects
    symbol: str | None = None  # the UN symbol this URL was made from, if any
    attempts: int = 0  # HTTP requests made for it in this run (0: served from the cache)

    @property
    def ok(self) -> bool:
        return self.status != "failed"


@dataclass(frozen=True)
class CacheEntry:
    """One URL in the cache index: its object, validators for conditional requests, and provenance."""

    sha256: str
    n_bytes: int
    name: str
    fetched_at: str  # first download of these bytes
    checked_at: str  # last time the server confirmed them (200 or 304)
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    sniffed_type: str | None = None
    final_url: str | None = None


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _sleep(seconds: float) -> None:
    """Wait between retries (a seam for tests)."""
    time.sleep(seconds)


def _write_atomically(path: Path, data: bytes, tmp_dir: Path) -> None:
    """Write via a temp file in the same filesystem and os.replace: readers see old or new, never half."""
    fd, tmp = tempfile.mkstemp(dir=tmp_dir, prefix=".write-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


class FetchCache:
    """Raw bytes with provenance under `root`: objects/<sha[:2]>/<sha>, index.json, tmp/.

    Survives restarts; safe against a kill at any point (see the module docstring). Two runs sharing one
    cache at once do not corrupt it, but the last index written wins (the other run's new entries are
    re-fetched next time)."""

    INDEX_VERSION = 1

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.objects = self.root / "objects"
        self.tmp = self.root / "tmp"
        self.index_path = self.root / "index.json"
        self.objects.mkdir(parents=True, exist_ok=True)
        self.tmp.mkdir(parents=True, exist_ok=True)
        self._remove_stale_temps()
        self._entries = self._load()
        self._verified: set[str] = set()
        self._dirty = False
        self._last_flush = time.monotonic()
        self._lock = threading.RLock()  # URLs are fetched by several threads at once

    def _remove_stale_temps(self) -> None:
        cutoff = time.time() - STALE_TEMP_S
        for leftover in self.tmp.iterdir():
            with contextlib.suppress(OSError):
                if leftover.stat().st_mtime < cutoff:
                    leftover.unlink()

    def _load(self) -> dict[str, CacheEntry]:
        if not self.index_path.exists():
            return {}
        try:
            raw = json.loads(self.index_path.read_text(encoding="utf-8"))
            known = {f.name for f in fields(CacheEntry)}
            return {url: CacheEntry(**{k: v for k, v in value.items() if k in known})
                    for url, value in raw["entries"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            # only an outside hand can corrupt it (writes are atomic): keep it aside and start afresh
            aside = self.index_path.with_name(f"index.corrupt-{int(time.time())}.json")
            log.warning("fetch cache index %s is unreadable (%s); moved to %s, starting empty",
                        self.index_path, exc, aside.name)
            with contextlib.suppress(OSError):
                os.replace(self.index_path, aside)
            return {}

    def __len__(self) -> int:
        return len(self._entries)

    def entry(self, url: str) -> CacheEntry | None:
        return self._entries.get(url)

    def object_path(self, sha256: str) -> Path:
        return self.objects / sha256[:2] / sha256

    def verified_path(self, entry: CacheEntry) -> Path | None:
        """The object of an entry if it is present and its bytes still hash to the entry's sha256."""
        path = self.object_path(entry.sha256)
        if entry.sha256 in self._verified and path.is_file():
            return path
        try:
            if path.stat().st_size != entry.n_bytes or sha256_file(path) != entry.sha256:
                log.warning("fetch cache object %s does not match its index entry; it will be fetched again", path)
                return None
        except OSError:
            return None
        self._verified.add(entry.sha256)
        return path

    def new_temp(self) -> Path:
        fd, name = tempfile.mkstemp(dir=self.tmp, prefix="body-", suffix=".tmp")
        os.close(fd)
        return Path(name)

    def commit_object(self, temp: Path, sha256: str) -> Path:
        """Move a fully written and fsynced temp file into its content-addressed place."""
        target = self.object_path(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temp, target)
        self._verified.add(sha256)
        return target

    def record(self, url: str, entry: CacheEntry) -> None:
        """Remember an entry whose object is already committed; the index is flushed now and then."""
        with self._lock:
            self._entries[url] = entry
            self._dirty = True
            if time.monotonic() - self._last_flush >= FLUSH_INTERVAL_S:
                self.flush()

    def flush(self) -> None:
        with self._lock:
            if not self._dirty:
                return
            payload = {"version": self.INDEX_VERSION,
                       "entries": {url: asdict(e) for url, e in sorted(self._entries.items())}}
            data = (json.dumps(payload, indent=1, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
            _write_atomically(self.index_path, data, self.tmp)
            self._dirty = False
            self._last_flush = time.monotonic()


# --- names and content types -------------------------------------------------------------------------------

def local_stem(url: str, symbol: str | None = None) -> str:
    """A stable, filesystem-safe file stem: a readable slug (the symbol, else the URL's last path segment
    and query values) and 12 hex digits of the URL's sha256, so distinct URLs never share a name."""
    if symbol:
        base = symbol
    else:
        parts = urlsplit(url)
        segment = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1])
        segment = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", segment)  # the sniffed type gives the suffix
        query = "-".join(value for _, value in parse_qsl(parts.query))
        base = "-".join(x for x in (segment, query) if x) or (parts.hostname or "")
    slug = re.sub(r"[^A-Za-z0-9]+", "_", base).strip("_")[:60].strip("_") or "document"
    return f"{slug}-{sha256_hex(url.encode('utf-8'))[:12]}"


def media_type(header: str | None) -> str | None:
    """`text/html; charset=utf-8` -> `text/html`."""
    if not header:
        return None
    value = header.split(";", 1)[0].strip().lower()
    return value or None


def _is_docx(head: bytes, path: Path | None) -> bool:
    if path is not None:
        try:
            with zipfile.ZipFile(path) as archive:
                return any(name.startswith("word/") for name in archive.namelist())
        except (OSError, zipfile.BadZipFile):
            return False
    return b"word/" in head


def _looks_text(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF8)):
        return True
    if b"\x00" in head:
        return False
    try:  # incremental: a multi-byte character cut at the end of the sample is not an error
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return True
    except UnicodeDecodeError:
        controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
        return controls <= len(head) // 100  # a legacy 8-bit encoding; ingest detects which


def sniff_type(head: bytes, path: Path | None = None) -> str | None:
    """The media type the bytes show (None when they show nothing recognisable). Servers often send
    application/octet-stream or text/html for a PDF, so the bytes are trusted over the header."""
    if b"%PDF-" in head[:1024]:  # the PDF header may follow a little junk
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return DOCX if _is_docx(head, path) else ZIP
    if head.startswith(OLE2_MAGIC):
        return DOC
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:5].lower() == b"{\\rtf":
        return RTF
    if stripped.startswith(b"<") and re.search(rb"<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>])",
                                                   stripped[:2048].lower()):
        return HTML
    if head and _looks_text(head):
        return TEXT
    return None


def _decide_type(sniffed: str | None, header: str | None) -> str:
    if sniffed is not None:
        return sniffed
    declared = media_type(header)
    return declared if declared in SUFFIX_BY_TYPE else BINARY


def file_name(url: str, kind: str | None, symbol: str | None = None) -> str:
    return local_stem(url, symbol) + SUFFIX_BY_TYPE.get(kind or BINARY, ".bin")


# --- input lists ---------------------------------------------------------------------------------------------

def read_list_file(path: Path) -> list[str]:
    """The entries of a list file, one URL or symbol a line, in order. Blank lines, lines starting with
    `#`, and ` # comments` after an entry are ignored (a `#` with no space before it is a URL fragment)."""
    path = Path(path)
    if not path.exists():
        raise FetchInputError(f"list file {path} does not exist")
    if not path.is_file():
        raise FetchInputError(f"list file {path} is not a file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FetchInputError(f"list file {path} is not UTF-8 text: {exc.reason} at byte {exc.start}") from exc
    entries = []
    for line in text.splitlines():
        entry = re.split(r"\s+#", line, maxsplit=1)[0].strip()
        if entry and not entry.startswith("#"):
            entries.append(entry)
    return entries


def normalize_symbol(symbol: str) -> str:
    """Trim and collapse inner whitespace ("S/RES/1963  (2010)" -> "S/RES/1963 (2010)")."""
    return " ".join(symbol.split())


def symbol_urls(symbols: Sequence[str], template: str = DEFAULT_SYMBOL_URL_TEMPLATE) -> list[tuple[str, str]]:
    """(symbol, url) for each symbol: the template's {symbol} replaced by the URL-encoded symbol
    (every reserved character encoded, "/" included: A/RES/78/265 -> A%2FRES%2F78%2F265)."""
    if "{symbol}" not in template:
        raise FetchInputError(f"symbol URL template {template!r} has no {{symbol}} placeholder")
    pairs = []
    for raw in symbols:
        symbol = normalize_symbol(raw)
        if not symbol:
            raise FetchInputError("an empty document symbol cannot be fetched")
        pairs.append((symbol, template.replace("{symbol}", quote(symbol, safe=""))))
    return pairs


# --- one HTTP attempt ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Failure:
    error: str
    http_status: int | None = None
    retryable: bool = False
    retry_after_s: float | None = None


@dataclass(frozen=True)
class _NotModified:
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True)
class _Body:
    path: Path
    sha256: str
    n_bytes: int
    content_type: str | None
    sniffed_type: str | None
    etag: str | None
    last_modified: str | None
    final_url: str
    http_status: int


_Outcome = _Failure | _NotModified | _Body


def _retryable_status(code: int) -> bool:
    return code in (408, 425, 429) or (500 <= code < 600 and code not in (501, 505))


def _retry_after_s(value: str | None) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _status_text(response: httpx.Response) -> str:
    return f"HTTP {response.status_code} {response.reason_phrase}".rstrip()


def _transport_failure(exc: httpx.HTTPError, settings: FetchSettings) -> _Failure:
    if isinstance(exc, httpx.ConnectTimeout):
        return _Failure(f"timeout after {settings.timeout_s:g} s while connecting", retryable=True)
    if isinstance(exc, httpx.TimeoutException):
        return _Failure(f"timeout after {settings.timeout_s:g} s waiting for the server", retryable=True)
    if isinstance(exc, httpx.UnsupportedProtocol):
        return _Failure(f"unsupported URL: {exc}")
    if isinstance(exc, httpx.ConnectError):
        return _Failure(f"connection failed: {exc}", retryable=True)
    if isinstance(exc, httpx.TransportError):  # reset, closed early, protocol error: often transient
        return _Failure(f"network error: {type(exc).__name__}: {exc}", retryable=True)
    if isinstance(exc, httpx.DecodingError):
        return _Failure(f"cannot decode the response body: {exc}")
    return _Failure(f"request failed: {type(exc).__name__}: {exc}")


def _check_url(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return f"not an http(s) URL: {url!r}"
    return None


def _receive_body(response: httpx.Response, cache: FetchCache, settings: FetchSettings, deadline: float) -> _Outcome:
    """Stream the body into a temp file, hashing as it comes, within the byte limit and the deadline."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > settings.max_bytes:
        return _Failure(f"{OVER_LIMIT}: Content-Length {int(declared)} bytes is over the limit of "
                        f"{settings.max_bytes} bytes", response.status_code)
    temp = cache.new_temp()
    try:
        digest, n_bytes, head = hashlib.sha256(), 0, bytearray()
        with temp.open("wb") as out:
            for chunk in response.iter_bytes():  # chunks as they arrive, so the checks below run often
                n_bytes += len(chunk)
                if n_bytes > settings.max_bytes:
                    return _Failure(f"{OVER_LIMIT}: more than {settings.max_bytes} bytes "
                                    "(the size limit)", response.status_code)
                if time.monotonic() > deadline:
                    # not retried: a body that trickled for the whole deadline would trickle again
                    # (retried, one such URL held a run for four deadlines, about 20 minutes)
                    return _Failure(f"timeout after {settings.deadline_s:g} s: the response did not complete "
                                    "before the deadline", response.status_code, retryable=False)
                digest.update(chunk)
                out.write(chunk)
                if len(head) < SNIFF_BYTES:
                    head += chunk[: SNIFF_BYTES - len(head)]
            out.flush()
            os.fsync(out.fileno())
        if n_bytes == 0:
            return _Failure("empty response body", response.status_code)
        sniffed = sniff_type(bytes(head), temp)
        sha256 = digest.hexdigest()
        path = cache.commit_object(temp, sha256)
        return _Body(path, sha256, n_bytes, response.headers.get("content-type"), sniffed,
                     response.headers.get("etag"), response.headers.get("last-modified"), str(response.url),
                     response.status_code)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def _attempt(client: httpx.Client, cache: FetchCache, url: str, headers: dict[str, str],
             settings: FetchSettings) -> _Outcome:
    """One attempt: follow redirects by hand (to name a loop), then take the final response."""
    deadline = time.monotonic() + settings.deadline_s
    chain, current = [url], url
    try:
        for _hop in range(settings.max_redirects + 1):
            with client.stream("GET", current, headers=headers) as response:
                if response.status_code == 304:
                    return _NotModified(response.headers.get("etag"), response.headers.get("last-modified"))
                if response.has_redirect_location:
                    target = str(response.url.join(response.headers["location"]))
                    if target in chain:
                        return _Failure("redirect loop: " + " -> ".join([*chain, target]), response.status_code)
                    if problem := _check_url(target):
                        return _Failure(f"redirect to a URL that cannot be fetched ({problem})", response.status_code)
                    chain.append(target)
                    current = target
                    continue
                if not 200 <= response.status_code < 300:
                    return _Failure(_status_text(response), response.status_code,
                                    retryable=_retryable_status(response.status_code),
                                    retry_after_s=_retry_after_s(response.headers.get("retry-after")))
                return _receive_body(response, cache, settings, deadline)
    except httpx.HTTPError as exc:
        return _transport_failure(exc, settings)
    return _Failure(f"too many redirects (more than {settings.max_redirects}): " + " -> ".join(chain))


def _backoff_s(retry: int, failure: _Failure, settings: FetchSettings) -> float:
    if failure.retry_after_s is not None:
        return min(failure.retry_after_s, settings.retry_after_cap_s)
    return min(settings.backoff_s * 2 ** (retry - 1), settings.backoff_cap_s)


class _HostGate:
    """Politeness: at most `per_host` requests to one host at once, and `host_interval_s` between
    the starts of two requests to it."""

    def __init__(self, settings: FetchSettings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._slots: dict[str, threading.Semaphore] = {}
        self._next_start: dict[str, float] = {}

    @contextlib.contextmanager
    def turn(self, url: str):
        host = (urlsplit(url).hostname or "").lower()
        with self._lock:
            slot = self._slots.setdefault(host, threading.Semaphore(self.settings.per_host))
        with slot:
            with self._lock:
                now = time.monotonic()
                start = max(now, self._next_start.get(host, now))
                self._next_start[host] = start + self.settings.host_interval_s
            if start > now:
                time.sleep(start - now)
            yield


_NO_GATE = None  # a download outside a list: no politeness bookkeeping


def _download(client: httpx.Client, cache: FetchCache, url: str, headers: dict[str, str],
              settings: FetchSettings, gate: _HostGate | None = _NO_GATE) -> tuple[_Outcome, int]:
    """Attempts with backoff until success, a final failure, or the retries are spent; (outcome, attempts)."""
    attempts = 0
    while True:
        attempts += 1
        if gate is None:
            outcome = _attempt(client, cache, url, headers, settings)
        else:
            with gate.turn(url):
                outcome = _attempt(client, cache, url, headers, settings)
        if not isinstance(outcome, _Failure) or not outcome.retryable or attempts > settings.retries:
            if isinstance(outcome, _Failure) and outcome.retryable and attempts > 1:
                outcome = replace(outcome, error=f"{outcome.error} (after {attempts} attempts)")
            return outcome, attempts
        delay = _backoff_s(attempts, outcome, settings)
        log.info("fetch %s: %s; retry %d/%d in %.2f s", url, outcome.error, attempts, settings.retries, delay)
        _sleep(delay)


# --- one URL, many URLs --------------------------------------------------------------------------------------

def _failed(url: str, symbol: str | None, error: str, http_status: int | None = None, attempts: int = 0) -> Fetched:
    return Fetched(url=url, name=file_name(url, None, symbol), path=None, sha256=NO_SHA256, n_bytes=0,
                   content_type=None, fetched_at=None, status="failed", error=error, http_status=http_status,
                   symbol=symbol, attempts=attempts)


def _from_entry(url: str, symbol: str | None, entry: CacheEntry, path: Path, status: Status,
                error: str | None = None, http_status: int | None = None, attempts: int = 0) -> Fetched:
    return Fetched(url=url, name=entry.name, path=path, sha256=entry.sha256, n_bytes=entry.n_bytes,
                   content_type=entry.content_type, fetched_at=entry.fetched_at, status=status, error=error,
                   http_status=http_status, sniffed_type=entry.sniffed_type, final_url=entry.final_url,
                   symbol=symbol, attempts=attempts)


def _is_fresh(entry: CacheEntry, max_age_s: float) -> bool:
    try:
        age = (datetime.now(UTC) - datetime.fromisoformat(entry.checked_at)).total_seconds()
    except ValueError:
        return False
    return 0 <= age <= max_age_s  # a negative age (the clock went back) is not trusted


def _conditional_headers(entry: CacheEntry) -> dict[str, str]:
    headers = {}
    if entry.etag:
        headers["If-None-Match"] = entry.etag
    if entry.last_modified:
        headers["If-Modified-Since"] = entry.last_modified
    return headers


def _fetch_one(client: httpx.Client, cache: FetchCache, url: str, symbol: str | None, settings: FetchSettings,
               offline: bool, gate: _HostGate | None = _NO_GATE) -> Fetched:
    if problem := _check_url(url):
        return _failed(url, symbol, problem)
    entry = cache.entry(url)
    cached = cache.verified_path(entry) if entry else None
    if entry and cached and (offline or _is_fresh(entry, settings.max_age_s)):
        return _from_entry(url, symbol, entry, cached, "cached")
    if offline:
        return _failed(url, symbol, "offline, and the URL is not in the fetch cache")

    outcome, attempts = _download(client, cache, url, _conditional_headers(entry) if entry and cached else {}, settings,
                                  gate)
    if isinstance(outcome, _Failure):
        if entry and cached and settings.stale_if_error:
            note = f"refresh failed ({outcome.error}); using the copy fetched at {entry.fetched_at}"
            return _from_entry(url, symbol, entry, cached, "cached", note, outcome.http_status, attempts)
        return _failed(url, symbol, outcome.error, outcome.http_status, attempts)
    now = _now_iso()
    if isinstance(outcome, _NotModified):
        if not (entry and cached):
            return _failed(url, symbol, "HTTP 304 Not Modified, but nothing is cached for this URL", 304, attempts)
        entry = replace(entry, checked_at=now, etag=outcome.etag or entry.etag,
                        last_modified=outcome.last_modified or entry.last_modified)
        cache.record(url, entry)
        return _from_entry(url, symbol, entry, cached, "not_modified", None, 304, attempts)
    same_bytes = entry is not None and entry.sha256 == outcome.sha256
    kind = _decide_type(outcome.sniffed_type, outcome.content_type)
    entry = CacheEntry(sha256=outcome.sha256, n_bytes=outcome.n_bytes, name=file_name(url, kind, symbol),
                       fetched_at=entry.fetched_at if entry and same_bytes else now, checked_at=now,
                       etag=outcome.etag, last_modified=outcome.last_modified, content_type=outcome.content_type,
                       sniffed_type=outcome.sniffed_type, final_url=outcome.final_url)
    cache.record(url, entry)
    return _from_entry(url, symbol, entry, outcome.path, "downloaded", None, outcome.http_status, attempts)


@functools.lru_cache(maxsize=2)
def _ssl_context(trust_env: bool) -> ssl.SSLContext:
    """Built once per process: loading the CA bundle costs more than a loopback request."""
    return httpx.create_ssl_context(trust_env=trust_env)


def _client(settings: FetchSettings) -> httpx.Client:
    return httpx.Client(timeout=httpx.Timeout(settings.timeout_s), follow_redirects=False,
                        headers={"User-Agent": settings.user_agent}, trust_env=settings.trust_env,
                        verify=_ssl_context(settings.trust_env))


def _fetch_targets(targets: Sequence[tuple[str | None, str]], cache_dir: Path, settings: FetchSettings,
                   offline: bool, progress: Callable[[int, int], None] | None) -> list[Fetched]:
    unique: dict[str, str | None] = {}
    repeats: dict[str, int] = {}
    for symbol, url in targets:
        url = url.strip()
        if url in unique:
            repeats[url] = repeats.get(url, 1) + 1
        unique.setdefault(url, symbol)
    for url, n in repeats.items():
        log.warning("%s is listed %d times: fetched once", url, n)
    cache = FetchCache(cache_dir)
    items = list(unique.items())
    results: list[Fetched | None] = [None] * len(items)
    gate = _HostGate(settings)
    deadline = time.monotonic() + settings.list_deadline_s
    count_lock = threading.Lock()
    done = 0

    def one(index: int, url: str, symbol: str | None, client: httpx.Client) -> None:
        nonlocal done
        remaining = deadline - time.monotonic()
        try:
            if remaining <= 0 and not offline:
                result = _failed(url, symbol, f"not fetched: the list's deadline of {settings.list_deadline_s:g} s "
                                              "passed first (setting list_deadline_s)")
            else:  # a download under way ends by the list's deadline too
                local = (settings if remaining >= settings.deadline_s else
                         replace(settings, deadline_s=max(remaining, 0.001), timeout_s=max(min(settings.timeout_s, remaining), 0.001),
                                 retries=0))
                result = _fetch_one(client, cache, url, symbol, local, offline, gate)
        except Exception as exc:  # noqa: BLE001 - a bug must not lose the other documents: report it
            log.exception("fetch %s failed unexpectedly", url)
            result = _failed(url, symbol, f"unexpected error: {type(exc).__name__}: {exc}")
        results[index] = result
        with count_lock:
            done += 1
            if progress is not None:
                progress(done, len(items))

    try:
        with _client(settings) as client:
            if settings.concurrency == 1 or len(items) <= 1:
                for index, (url, symbol) in enumerate(items):
                    one(index, url, symbol, client)
            else:
                with ThreadPoolExecutor(max_workers=settings.concurrency, thread_name_prefix="uncoop-fetch") as pool:
                    for future in [pool.submit(one, i, url, symbol, client) for i, (url, symbol) in enumerate(items)]:
                        future.result()
    finally:
        cache.flush()
    return [r for r in results if r is not None]


def fetch_urls(urls: Sequence[str], cache_dir: Path, settings: FetchSettings = FetchSettings(), *,  # noqa: B008
               offline: bool = False, progress: Callable[[int, int], None] | None = None) -> list[Fetched]:
    """Fetch each distinct URL (in input order) into the cache under `cache_dir`. Never raises for a URL:
    a URL that could not be fetched comes back with status "failed" and an error."""
    return _fetch_targets([(None, url) for url in urls], Path(cache_dir), settings, offline, progress)


def fetch_symbols(symbols: Sequence[str], cache_dir: Path, settings: FetchSettings = FetchSettings(), *,  # noqa: B008
                  offline: bool = False, progress: Callable[[int, int], None] | None = None) -> list[Fetched]:
    """Fetch UN documents by symbol through `settings.symbol_url_template`; names come from the symbols."""
    pairs = symbol_urls(symbols, settings.symbol_url_template)
    return _fetch_targets(pairs, Path(cache_dir), settings, offline, progress)


# --- handing the bytes on ------------------------------------------------------------------------------------

MANIFEST = ".fetch-manifest.json"  # hidden: folder ingest ignores it


def provenance(item: Fetched) -> dict[str, str | int | None]:
    """What a document row should keep of where its bytes came from."""
    return {"name": item.name, "url": item.url, "final_url": item.final_url, "symbol": item.symbol,
            "sha256": item.sha256, "n_bytes": item.n_bytes, "fetched_at": item.fetched_at,
            "content_type": item.content_type, "sniffed_type": item.sniffed_type}


def _link_or_copy(source: Path, target: Path) -> None:
    with contextlib.suppress(OSError):
        if os.path.samefile(source, target):  # linked by an earlier run (rename onto it would do nothing)
            return
    temp = target.with_name(f".{target.name}.tmp")
    with contextlib.suppress(FileNotFoundError):
        temp.unlink()
    try:
        os.link(source, temp)
    except OSError:  # another filesystem, or no hard links there
        shutil.copyfile(source, temp)
    os.replace(temp, target)


def materialize(fetched: Sequence[Fetched], target_dir: Path) -> list[Path]:
    """Place each fetched document at target_dir/<name> (a hard link to the cached object, else a copy) and
    write target_dir/.fetch-manifest.json (name -> provenance), so a folder ingest can read them and still
    trace each file to its URL. Files that an earlier manifest listed and this one does not are removed;
    other files are left alone. Failed items are skipped. Returns the paths written, in input order."""
    target_dir = Path(target_dir)
    target_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = target_dir / MANIFEST
    previous: dict[str, object] = {}
    if manifest_path.is_file():
        with contextlib.suppress(ValueError, OSError):
            previous = json.loads(manifest_path.read_text(encoding="utf-8"))
    written, manifest = [], {}
    for item in fetched:
        if item.path is None or item.status == "failed":
            continue
        target = target_dir / item.name
        _link_or_copy(item.path, target)
        written.append(target)
        manifest[item.name] = provenance(item)
    for stale in set(previous) - set(manifest):
        if "/" not in stale and "\\" not in stale and not stale.startswith("."):
            with contextlib.suppress(FileNotFoundError):
                (target_dir / stale).unlink()
    data = json.dumps(dict(sorted(manifest.items())), indent=1, ensure_ascii=False) + "\n"
    _write_atomically(manifest_path, data.encode("utf-8"), target_dir)
    return written


def failed_rejections(fetched: Sequence[Fetched]) -> list[Rejected]:
    """A quarantine record for each URL that could not be fetched: source_name is the URL, detail the
    error; the reason is too_large for a body over max_bytes (as for a local file), else fetch_failed."""
    return [Rejected(source_name=item.url, source_sha256=NO_SHA256, n_bytes=0,
                     reason="too_large" if (item.error or "").startswith(OVER_LIMIT) else "fetch_failed",
                     detail=item.error or "fetch failed")
            for item in fetched if item.status == "failed"]
