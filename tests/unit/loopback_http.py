"""A loopback HTTP server for fetch tests: misbehaving endpoints on 127.0.0.1, counted server-side.

Every handler ends promptly once the server stops (sleeps and endless bodies wait on an Event), so
`stop()` joins all handler threads and a test never leaves one behind.
"""

from __future__ import annotations

import io
import threading
import zipfile
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PDF_BYTES = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
HTML_BYTES = b"<!DOCTYPE html>\n<html><head><title>S/PRST/2013/12</title></head><body>Statement</body></html>\n"
TEXT_BYTES = "Letter dated 3 October 2013 from the Secretary-General — Côte d’Ivoire\n".encode()
ETAG = '"v1-abc"'
LAST_MODIFIED = "Tue, 01 Oct 2013 10:00:00 GMT"


def docx_bytes() -> bytes:
    """A minimal Word (OOXML) package: what counts for sniffing is the word/ part inside a zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


class _Handler(BaseHTTPRequestHandler):
    server: LoopbackServer
    timeout = 10  # a client that connects and never sends cannot keep stop() waiting longer than this

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - silence the default stderr log
        return

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        parts = urlsplit(self.path)
        self.server.count(parts.path)
        self.server.user_agents.append(self.headers.get("User-Agent", ""))
        route = getattr(self, "route_" + parts.path.strip("/").replace("-", "_").replace(".", "_").replace("/", "__"), None)
        try:
            if route is None:
                self._send(404, b"no such page", "text/plain")
            else:
                route(parse_qs(parts.query))
        except (BrokenPipeError, ConnectionResetError):  # the client gave up: that is what some tests want
            pass

    # helpers

    def _send(self, status: int, body: bytes, content_type: str | None, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str, status: int = 302) -> None:
        self._send(status, b"", None, {"Location": location})

    # endpoints (path /a-b/c -> route_a_b__c)

    def route_doc_pdf(self, query: dict) -> None:
        """A PDF with validators; a conditional request that matches gets 304 (counted apart)."""
        if self.headers.get("If-None-Match") == ETAG or self.headers.get("If-Modified-Since") == LAST_MODIFIED:
            self.server.count("/doc.pdf:304")
            self.send_response(304)
            self.send_header("ETag", ETAG)
            self.end_headers()
            return
        self._send(200, PDF_BYTES, "application/pdf", {"ETag": ETAG, "Last-Modified": LAST_MODIFIED})

    def route_page_html(self, query: dict) -> None:
        self._send(200, HTML_BYTES, "text/html; charset=utf-8")

    def route_notes_txt(self, query: dict) -> None:
        self._send(200, TEXT_BYTES, "text/plain; charset=utf-8")

    def route_report_docx(self, query: dict) -> None:
        self._send(200, docx_bytes(), "application/octet-stream")

    def route_mislabeled(self, query: dict) -> None:
        self._send(200, PDF_BYTES, "text/html; charset=utf-8")

    def route_plain(self, query: dict) -> None:
        """No validators at all: a revalidation must download again."""
        self._send(200, PDF_BYTES, "application/pdf")

    def route_always_500(self, query: dict) -> None:
        self._send(500, b"boom", "text/plain")

    def route_flaky(self, query: dict) -> None:
        if self.server.hits["/flaky"] <= self.server.flaky_failures:
            self._send(500, b"boom", "text/plain")
        else:
            self._send(200, PDF_BYTES, "application/pdf")

    def route_toggle(self, query: dict) -> None:
        if self.server.broken:
            self._send(503, b"down", "text/plain")
        else:
            self._send(200, PDF_BYTES, "application/pdf")

    def route_rate_limited(self, query: dict) -> None:
        if self.server.hits["/rate-limited"] == 1:
            self._send(429, b"slow down", "text/plain", {"Retry-After": self.server.retry_after})
        else:
            self._send(200, PDF_BYTES, "application/pdf")

    def route_slow(self, query: dict) -> None:
        """Answers only after 2 s: longer than the tests' timeout."""
        if not self.server.stopping.wait(2.0):
            self._send(200, PDF_BYTES, "application/pdf")

    def route_trickle(self, query: dict) -> None:
        """Headers at once, then a byte every 20 ms for 5 s: far past any test's deadline, so only a
        deadline ends it early; a client without one gets a whole (if slow) PDF instead of hanging."""
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        self.end_headers()
        self.wfile.write(b"%PDF-1.4\n")
        for _ in range(250):
            if self.server.stopping.wait(0.02):
                return
            self.wfile.write(b".")
            self.wfile.flush()
        self.wfile.write(b"\n%%EOF\n")

    def route_endless(self, query: dict) -> None:
        """An endless body without Content-Length: only a size limit ends it."""
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.end_headers()
        chunk = b"x" * 65536
        while not self.server.stopping.is_set():
            self.wfile.write(chunk)

    def route_huge_declared(self, query: dict) -> None:
        """Declares a body far over any test limit (and sends none of it)."""
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        self.send_header("Content-Length", str(10**10))
        self.end_headers()

    def route_empty(self, query: dict) -> None:
        self._send(200, b"", "application/pdf")

    def route_missing(self, query: dict) -> None:
        self._send(404, b"not here", "text/plain")

    def route_loop_a(self, query: dict) -> None:
        self._redirect("/loop-b")

    def route_loop_b(self, query: dict) -> None:
        self._redirect("/loop-a")

    def route_hop(self, query: dict) -> None:
        """/hop?n=3 redirects to /hop?n=2 ... /hop?n=0, which is the PDF."""
        n = int(query.get("n", ["0"])[0])
        if n > 0:
            self._redirect(f"/hop?n={n - 1}", 301)
        else:
            self._send(200, PDF_BYTES, "application/pdf")

    def route_ods(self, query: dict) -> None:
        """Like the ODS symbol service: ?s=<symbol> redirects to the file of that symbol."""
        symbol = query.get("s", [""])[0]
        self.server.symbols_seen.append(symbol)
        if symbol == "A/RES/78/265":
            self._redirect("/doc.pdf")
        else:
            self._send(404, b"no such symbol", "text/plain")


class LoopbackServer(ThreadingHTTPServer):
    # Handler threads must not be daemons: socketserver only tracks (and server_close only joins)
    # non-daemon threads, and a test checks that none is left behind once stop() returns.
    daemon_threads = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hits: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        self.flaky_failures = 1
        self.broken = False
        self.retry_after = "1"
        self.symbols_seen: list[str] = []
        self.user_agents: list[str] = []
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def count(self, key: str) -> None:
        with self._lock:
            self.hits[key] += 1

    def start(self) -> LoopbackServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()  # joins the handler threads (block_on_close)
        self._thread.join(timeout=5)
