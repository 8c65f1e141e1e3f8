"""Issue 6 end to end: a mixed folder of .txt, .md, .pdf, .docx and .html with hostile files
among them, and documents fetched by URL and by symbol from a loopback HTTP server.

Every hostile input must be quarantined with its reason while every good document is
published; fetched documents keep their URL; a second run downloads nothing again.
"""

from __future__ import annotations

import json
import threading
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyarrow.parquet as pq
import pytest

from flows.pipeline import build_release
from flows.settings import settings_for
from tests.conftest import CORPUS
from tests.differential.render import render_docx, render_html, render_pdf, to_latin1

SEED = CORPUS / "seeds"
UNDOCS = CORPUS / "undocs"


def _paragraphs(path: Path, latin1: bool = False) -> list[str]:
    text = path.read_text(encoding="utf-8")
    text = to_latin1(text) if latin1 else text
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def _quarantine(out: Path) -> dict[str, dict]:
    return {e["source_name"]: e for e in json.loads((out / "quarantine" / "index.json").read_text(encoding="utf-8"))}


@pytest.fixture(scope="module")
def mixed_folder(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("mixed")
    seeds = sorted(SEED.glob("*.txt"))
    (d / "plain.txt").write_bytes(seeds[0].read_bytes())
    (d / "notes.md").write_text("# S/PRST/2017/2\n\nThe Security Council recalls resolution 2033 (2012).\n", encoding="utf-8")
    pdf = render_pdf(_paragraphs(seeds[1], latin1=True), "S/2016/1095")
    (d / "letter.pdf").write_bytes(pdf)
    (d / "statement.docx").write_bytes(render_docx(_paragraphs(seeds[0]), "S/PRST/2017/2"))
    resolution = sorted(UNDOCS.glob("S_RES_*.txt"))[0]
    (d / "resolution.html").write_bytes(render_html(_paragraphs(resolution), resolution.stem.replace("_", "/")))
    # hostile and broken input
    (d / "broken").mkdir()
    (d / "broken" / "zero.txt").write_bytes(b"")
    (d / "broken" / "zero.pdf").write_bytes(b"")
    (d / "broken" / "garbage.txt").write_bytes(bytes(range(256)) * 40)
    (d / "broken" / "truncated.pdf").write_bytes(pdf[: len(pdf) // 3])
    (d / "broken" / "not-a-zip.docx").write_bytes(b"PK\x03\x04 this is not really a zip archive")
    (d / "broken" / "deep.html").write_text("<html><body>" + "<div>" * 100_000 + "Cooperation with the African Union."
                                            + "</div>" * 10 + "</body>", encoding="utf-8")
    (d / "broken" / "malformed.html").write_text("<html><body><p>The League of Arab States<div><<<>></p></b></i>"
                                                 "<script>var x = '<p>';</script>", encoding="utf-8")
    (d / "broken" / "legacy-cp1252.txt").write_bytes(
        "Letter dated 3 October 2013 from the Permanent Representative of C\u00f4te d\u2019Ivoire "
        "to the United Nations addressed to the President of the Security Council\n\n"
        "The Economic Community of West African States welcomes resolution 2112 (2013).\n".encode("cp1252"))
    (d / "broken" / "utf16.txt").write_bytes(
        "The Security Council welcomes the cooperation with the African Union (S/PRST/2014/27).\n".encode("utf-16"))
    with open(d / "broken" / "huge.txt", "wb") as f:  # 200 MB, sparse: costs no disk
        f.truncate(200 * 1024 * 1024)
    (d / "broken" / "archive.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    return d


@pytest.fixture(scope="module")
def mixed_build(mixed_folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("mixed-out")
    summary = build_release(settings_for("test", input_dir=mixed_folder, output_dir=out))
    return summary, out


def test_mixed_folder_publishes_every_good_document(mixed_build):
    summary, out = mixed_build
    assert summary.status == "published"
    sources = pq.read_table(out / "latest" / "document_sources.parquet").to_pylist()
    by_name = {r["source_name"]: r for r in sources}
    for name in ("plain.txt", "notes.md", "letter.pdf", "statement.docx", "resolution.html",
                 "broken/legacy-cp1252.txt", "broken/utf16.txt", "broken/malformed.html"):
        assert name in by_name, f"{name} was not published"
    assert by_name["letter.pdf"]["encoding"] == "pdf"
    assert by_name["statement.docx"]["encoding"] == "docx"
    assert by_name["resolution.html"]["encoding"].startswith("html")
    assert by_name["broken/legacy-cp1252.txt"]["encoding"].lower().replace("-", "") in ("cp1252", "windows1252")
    docs = {r["document_id"]: r for r in pq.read_table(out / "latest" / "documents.parquet").to_pylist()}
    texts = "\n".join(d["text"] for d in docs.values())
    assert "Côte d’Ivoire" in texts  # cp1252 decoded, not mangled


def test_converted_documents_keep_their_facts(mixed_build):
    _, out = mixed_build
    cites = pq.read_table(out / "latest" / "citations.parquet").to_pylist()
    docs = {r["document_id"]: r["source_name"] for r in pq.read_table(out / "latest" / "documents.parquet").to_pylist()}
    cited_by_source: dict[str, set[str]] = {}
    for c in cites:
        cited_by_source.setdefault(docs[c["document_id"]], set()).add(c["cited_symbol"])
    # the same seed as plain text and as Word gives the same citations
    assert cited_by_source["statement.docx"] == cited_by_source["plain.txt"]
    assert cited_by_source["letter.pdf"] and cited_by_source["resolution.html"]


def test_every_hostile_input_is_quarantined_with_its_reason(mixed_build):
    summary, out = mixed_build
    q = _quarantine(out)
    expected = {
        "broken/zero.txt": "empty", "broken/zero.pdf": "empty", "broken/garbage.txt": "binary",
        "broken/truncated.pdf": "corrupt", "broken/not-a-zip.docx": "corrupt", "broken/huge.txt": "too_large",
        "broken/archive.zip": "unsupported_format",
    }
    for name, reason in expected.items():
        assert name in q, f"{name} is not in the quarantine report"
        assert q[name]["reason"] == reason, (name, q[name])
        assert q[name]["detail"]
    assert "209715200 bytes is over the limit" in q["broken/huge.txt"]["detail"]
    # deep.html is either converted or quarantined, never a crash, never lost
    published = {r["source_name"] for r in pq.read_table(out / "latest" / "document_sources.parquet").to_pylist()}
    assert "broken/deep.html" in published or "broken/deep.html" in q
    assert sum(summary.quarantined.values()) == len(q)
    rows = pq.read_table(out / "latest" / "quarantine.parquet").to_pylist()
    assert {r["source_name"] for r in rows} == set(q)


class _Site(BaseHTTPRequestHandler):
    """Documents by path and by symbol (/ods?s=SYMBOL), with Last-Modified and 304s; a
    redirect loop; everything else 404. Counts the 200 responses (real downloads)."""

    root: Path
    downloads: list[str]

    def log_message(self, *args) -> None:
        return

    def do_GET(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        if parts.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if parts.path == "/ods":
            name = parse_qs(parts.query).get("s", [""])[0].replace("/", "_") + ".txt"
        else:
            name = parts.path.strip("/")
        path = self.root / name
        if not name or not path.is_file():
            body = b"not found"
            self.send_response(404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        stamp = formatdate(path.stat().st_mtime, usegmt=True)
        if self.headers.get("If-Modified-Since") == stamp:
            self.send_response(304)
            self.end_headers()
            return
        data = path.read_bytes()
        self.downloads.append(name)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Last-Modified", stamp)
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    for path in sorted(SEED.glob("*.txt")):
        (root / path.name).write_bytes(path.read_bytes())
    undoc = sorted(UNDOCS.glob("S_PRST_*.txt"))[0]
    (root / undoc.name).write_bytes(undoc.read_bytes())
    handler = type("Site", (_Site,), {"root": root, "downloads": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler, undoc
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_urls_and_symbols_are_fetched_through_the_cache(site, tmp_path):
    base, handler, undoc = site
    seeds = sorted(SEED.glob("*.txt"))
    urls = tmp_path / "urls.txt"
    urls.write_text(f"# documents by URL\n{base}/{seeds[0].name}\n{base}/{seeds[1].name}\n\n"
                    f"{base}/missing.txt\n{base}/loop\n", encoding="utf-8")
    symbols = tmp_path / "symbols.txt"
    symbol = undoc.stem.replace("_", "/")
    symbols.write_text(symbol + "\n", encoding="utf-8")
    out = tmp_path / "out"
    settings = settings_for("test", input_dir=None, output_dir=out, urls_file=urls, symbols_file=symbols,
                            symbol_url_template=base + "/ods?s={symbol}")
    settings = settings.model_copy(update={"input_dir": None})
    summary = build_release(settings)
    assert summary.status == "published" and summary.n_documents == 3
    sources = pq.read_table(out / "latest" / "document_sources.parquet").to_pylist()
    assert {r["source_url"] for r in sources} == {f"{base}/{seeds[0].name}", f"{base}/{seeds[1].name}",
                                                  base + "/ods?s=" + symbol.replace("/", "%2F")}
    assert all(r["source_name"].startswith("fetched/") for r in sources)
    q = _quarantine(out)
    failed = {e["detail"].split(": ", 1)[0]: e for e in q.values()}
    assert failed[f"{base}/missing.txt"]["reason"] == "fetch_failed" and "404" in failed[f"{base}/missing.txt"]["detail"]
    assert failed[f"{base}/loop"]["reason"] == "fetch_failed" and "redirect" in failed[f"{base}/loop"]["detail"].lower()
    assert sorted(handler.downloads) == sorted([seeds[0].name, seeds[1].name, undoc.name])

    # a second run: conditional requests, nothing downloaded again, nothing new published
    again = build_release(settings)
    assert again.status == "unchanged"
    assert len(handler.downloads) == 3
