"""The catalog page of a real built release, opened in headless Chromium (Debian's `chromium`).

Chromium renders the page; a small measuring script, added to a copy of the page only for this
test (the page itself has no script), writes what the browser computed into data attributes
that `--dump-dom` gives back: the size of every chart and of each of its bars, cells and
nodes, the HTTP status of every linked file fetched from a loopback server, and whether a
phone-width page scrolls sideways. The screenshot is kept in outputs/test-artifacts/ (or in
$UNCOOP_TEST_ARTIFACTS) for a person to look at.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import struct
import subprocess
import threading
import zlib
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from tests.conftest import ROOT

INSTALL = "apt-get install -y chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-extensions", "--hide-scrollbars", "--mute-audio"]
MARKS = ("bar", "cell", "node", "edge")
MEASURE = """<script>
(function () {
  for (const svg of document.querySelectorAll('svg.chart')) {
    const box = svg.getBoundingClientRect();
    svg.setAttribute('data-rendered', Math.round(box.width) + 'x' + Math.round(box.height));
    for (const mark of svg.querySelectorAll('.bar, .cell, .node, .edge')) {
      const b = mark.getBBox();
      mark.setAttribute('data-bbox', (b.width > 0 || b.height > 0) ? 'drawn' : 'empty');
    }
  }
  const root = document.documentElement;
  document.body.setAttribute('data-overflow', String(root.scrollWidth > window.innerWidth));
  document.body.setAttribute('data-page-height', String(root.scrollHeight));
  const hrefs = [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))
    .filter(h => !h.startsWith('#') && !/^[a-z][a-z0-9+.-]*:/i.test(h));
  if (location.protocol.startsWith('http')) {
    Promise.all(hrefs.map(h => fetch(h, {method: 'HEAD'}).then(r => [h, r.status], e => [h, String(e)])))
      .then(rs => document.body.setAttribute('data-links', JSON.stringify(rs)));
  }
})();
</script>"""


def chromium() -> str:
    """The Chromium binary; the test fails (not skips) without it: CI installs it."""
    for candidate in (os.environ.get("UNCOOP_CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    pytest.fail(f"headless Chromium is needed for this test and was not found: install it with `{INSTALL}` "
                "(Debian) or set UNCOOP_CHROMIUM to its path", pytrace=False)


def run_chromium(profile: Path, *args: str) -> str:
    done = subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, f"chromium failed ({done.returncode}): {done.stderr[-2000:]}"
    return done.stdout


class Dom(HTMLParser):
    """Start tags of a dumped DOM with their attributes, in document order."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def first(self, tag: str) -> dict[str, str]:
        return next(a for t, a in self.tags if t == tag)

    def chart(self, chart_id: str) -> list[dict[str, str]]:
        start = next(i for i, (t, a) in enumerate(self.tags) if t == "svg" and a.get("id") == chart_id)
        end = next((i for i in range(start + 1, len(self.tags)) if self.tags[i][0] == "svg"), len(self.tags))
        return [a for _, a in self.tags[start:end]]


@pytest.fixture(scope="module")
def release(seeds_build, tmp_path_factory) -> Path:
    """A copy of the seeds release as the pipeline published it, index.html included (the copy
    gets a measuring page beside it; releases themselves are immutable)."""
    summary, output_dir = seeds_build
    assert summary.status == "published", summary.render()
    copy = tmp_path_factory.mktemp("catalog") / "release"
    shutil.copytree((output_dir / "latest").resolve(), copy)
    assert (copy / "index.html").is_file(), "the pipeline did not write index.html into the release"
    html = (copy / "index.html").read_text(encoding="utf-8")
    (copy / "_measure.html").write_text(html.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    return copy


@pytest.fixture(scope="module")
def served(release) -> Iterator[tuple[str, list[tuple[str, str, str]]]]:
    """The release over HTTP on a loopback port, with the log of (method, path, status) it answered."""
    log: list[tuple[str, str, str]] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_request(self, code="-", size="-"):
            log.append((self.command, self.path, str(getattr(code, "value", code))))

        def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature; keep pytest's output clean
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(release)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", log
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def dom(release, served, tmp_path_factory) -> Dom:
    """The page as Chromium rendered it (desktop width), fetched over loopback HTTP."""
    base, _ = served
    profile = tmp_path_factory.mktemp("chromium-profile")
    return Dom(run_chromium(profile, "--window-size=1280,2000", "--virtual-time-budget=10000", "--dump-dom",
                            f"{base}/_measure.html"))


def _year_count(release: Path, table: str, column: str) -> int:
    years = pc.year(pq.read_table(release / f"{table}.parquet", columns=[column])[column]).drop_null()
    return len(pc.unique(years))


def test_charts_render_with_the_release_data(release, dom):
    meetings = [a for a in dom.chart("chart-meetings") if a.get("class") == "bar"]
    assert len(meetings) == _year_count(release, "meetings", "start_date")
    cited = pq.read_table(release / "citations.parquet").to_pylist()
    resolutions = {c["cited_symbol"] for c in cited if c["cited_kind"] in ("sc_resolution", "ga_resolution")}
    bars = [a for a in dom.chart("chart-resolutions") if a.get("class") == "bar"]
    assert resolutions, "the seeds release cites no resolution: nothing for the bar chart to show"
    assert len(bars) == min(15, len(resolutions)), (len(bars), sorted(resolutions))
    assert [int(b["data-value"]) for b in bars] == sorted((int(b["data-value"]) for b in bars), reverse=True)
    network = dom.chart("chart-network")
    nodes = [a for a in network if a.get("class") == "node"]
    edges = [a for a in network if a.get("class") == "edge"]
    cited_docs = {c["document_id"] for c in cited if c["cited_kind"] != "url"}
    assert 0 < len([n for n in nodes if n["data-kind"] == "document"]) <= min(12, len(cited_docs))
    assert 0 < len([n for n in nodes if n["data-kind"] == "instrument"]) <= 12 and edges
    for chart in ("chart-meetings", "chart-areas", "chart-resolutions", "chart-network"):
        svg = dom.chart(chart)[0]
        width, height = (int(v) for v in svg["data-rendered"].split("x"))
        assert width >= 500 and height >= 40, f"{chart} rendered at {width}x{height}"
        marks = [a for a in dom.chart(chart) if a.get("class") in MARKS]
        assert all(a.get("data-bbox") == "drawn" for a in marks), f"{chart}: a mark has an empty box"


def test_every_link_resolves_in_the_release_and_over_http(release, dom, served):
    _, log = served
    package = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    declared = {x.get("path") for x in package["licenses"] + package["sources"]} | {package.get("homepage")}
    ids = {a["id"] for _, a in dom.tags if "id" in a}
    local = set()
    for tag, attrs in dom.tags:
        href = attrs.get("href")
        if tag != "a" or href is None:
            assert "src" not in attrs or tag == "script", f"<{tag}> loads {attrs.get('src')}"
            continue
        if urlsplit(href).scheme:
            assert href in declared, f"external link not declared in datapackage.json: {href}"
        elif href.startswith("#"):
            assert href[1:] in ids, f"dangling fragment {href}"
        else:
            path = PurePosixPath(unquote(urlsplit(href).path))
            assert not path.is_absolute() and ".." not in path.parts and (release / path).is_file(), href
            local.add(href)
    assert {"datapackage.json", "documents.parquet", "citations.graphml"} <= local
    fetched = dict(json.loads(dom.first("body")["data-links"]))
    assert set(fetched) == local and set(fetched.values()) == {200}, fetched
    answered = {path.lstrip("/") for method, path, status in log if method == "HEAD" and status == "200"}
    assert local <= answered


def artifacts_dir() -> Path:
    """Where screenshots are kept for a person to look at (git-ignored outputs/ by default)."""
    target = Path(os.environ.get("UNCOOP_TEST_ARTIFACTS", ROOT / "outputs" / "test-artifacts"))
    target.mkdir(parents=True, exist_ok=True)
    return target


def _png_size_and_variety(data: bytes) -> tuple[int, int, int]:
    """(width, height, distinct byte values of the pixel data) of a PNG, read with the stdlib."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    return width, height, len(set(zlib.decompress(idat)))


def screenshot(profile: Path, page: Path, name: str, width: int, height: int) -> Path:
    """A screenshot of the page kept under artifacts_dir(), checked to be a PNG of that size that is not blank."""
    shot = artifacts_dir() / name
    shot.unlink(missing_ok=True)
    run_chromium(profile, f"--window-size={width},{height}", f"--screenshot={shot}", page.as_uri())
    size_w, size_h, variety = _png_size_and_variety(shot.read_bytes())
    assert (size_w, size_h) == (width, height)
    assert variety > 16, f"the screenshot {shot} is blank"
    print(f"catalog screenshot: {shot}")
    return shot


def test_page_fits_a_phone_screen(release, tmp_path):
    phone = Dom(run_chromium(tmp_path / "profile", "--window-size=390,844", "--dump-dom",
                             (release / "_measure.html").as_uri()))
    assert phone.first("body")["data-overflow"] == "false", "the page scrolls sideways at phone width"
    screenshot(tmp_path / "profile", release / "index.html", "catalog-phone.png", 390, 844)


def test_screenshots_are_kept_for_review(release, dom, tmp_path):
    screenshot(tmp_path / "profile", release / "index.html", "catalog.png", 1280, 2000)
    full_height = min(int(dom.first("body")["data-page-height"]), 16000)
    assert full_height > 2000
    screenshot(tmp_path / "profile", release / "index.html", "catalog-full.png", 1280, full_height)
