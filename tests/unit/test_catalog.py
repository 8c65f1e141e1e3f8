"""The release catalog page (index.html): every table with the datapackage's rows and sha256,
links that resolve inside the release, charts drawn from the data (the release's Parquet
files), escaping, determinism."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import pyarrow.parquet as pq
import pytest

from flows.core.catalog import render_catalog, write_catalog
from flows.core.schema import tables
from flows.core.storage import Outputs, datapackage, read_table

CREATED = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
HOSTILE = '<script>alert("x")</script>&"\'<b>'
PASSED = {"success": True, "n_expectations": 40, "n_failed": 0, "per_table": {"documents": {"expectations": 5, "failed": 0}},
          "failures": []}


class Page(HTMLParser):
    """Every start tag with its attributes, in document order, and the page's text."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.chunks: list[str] = []
        self.feed(text)
        self.text = " ".join(self.chunks)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data):
        self.chunks.append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())]

    def chart(self, chart_id: str) -> list[tuple[str, dict[str, str]]]:
        """The start tags inside one chart's <svg> (the charts are not nested)."""
        start = next(i for i, (t, a) in enumerate(self.tags) if t == "svg" and a.get("id") == chart_id)
        end = next((i for i in range(start + 1, len(self.tags)) if self.tags[i][0] == "svg"), len(self.tags))
        return self.tags[start:end]


def _doc(doc_id: str, date: dt.date | None) -> dict:
    return {"document_id": doc_id, "source_name": f"{doc_id}.txt", "source_sha256": "a" * 64, "symbol": doc_id,
            "doc_type": "letter", "body": "Security Council", "title": f"Letter {doc_id}", "date": date,
            "language": "en", "text": "Text.", "n_chars": 5}


def _citation(i: int, doc_id: str, symbol: str, kind: str = "sc_resolution") -> dict:
    return {"citation_id": f"cit-{i:016x}", "document_id": doc_id, "cited_symbol": symbol, "cited_kind": kind,
            "raw": "Text", "start": 0, "end": 4, "via_ibid": False}


def _meeting(i: int, start: dt.date | None) -> dict:
    return {"meeting_id": f"mtg-{i:016x}", "body": "Security Council", "meeting_number": 7000 + i, "start_date": start,
            "end_date": start, "status": "held", "n_documents": 1}


def catalog_rows(hostile: str = "") -> dict[str, list[dict]]:
    """Three dated documents over 2016-2018 and one undated, meetings in 2015 and 2018, two areas,
    resolutions cited by 3, 2 and 1 documents, and one URL (which the charts leave out)."""
    docs = [_doc("S/2016/1", dt.date(2016, 5, 1)), _doc("S/2017/2", dt.date(2017, 6, 1)),
            _doc("S/2018/3" + hostile, dt.date(2018, 7, 1)), _doc("S/2019/4", None)]
    ids = [d["document_id"] for d in docs]
    cites = [("S/RES/1325 (2000)", ids[:3]), ("S/RES/425 (1978)", ids[1:3]), ("A/RES/60/1" + hostile, ids[:1])]
    citations = [_citation(i, doc, sym, "ga_resolution" if sym.startswith("A/") else "sc_resolution")
                 for i, (sym, doc) in enumerate((s, d) for s, docs_ in cites for d in docs_)]
    citations.append(_citation(99, ids[0], "https://example.org", "url"))
    areas = [{"area_id": "mediation", "label": "Mediation" + hostile, "definition": "Mediation."},
             {"area_id": "peacekeeping", "label": "Peacekeeping", "definition": "Peacekeeping."}]
    coop = [{"document_id": d, "area_id": a, "n_mentions": 1, "evidence": "Text.", "start": 0, "end": 4,
             "evidence_start": 0, "evidence_end": 5}
            for d, a in [(ids[0], "mediation"), (ids[1], "mediation"), (ids[2], "peacekeeping"), (ids[3], "peacekeeping")]]
    meetings = [_meeting(1, dt.date(2015, 1, 2)), _meeting(2, dt.date(2018, 3, 4)), _meeting(3, dt.date(2018, 9, 9)),
                _meeting(4, None)]
    return {"documents": docs, "citations": citations, "areas": areas, "cooperation_areas": coop, "meetings": meetings}


def staged_release(root: Path, rows: dict[str, list[dict]], title: str | None = None) -> tuple[Path, dict]:
    """Stage a release as the pipeline does; returns (staging folder, package)."""
    staged = Outputs(root).stage(rows, now=CREATED)
    package = datapackage(staged, staged.folder.name, CREATED, {"n_documents": len(rows.get("documents", []))})
    if title is not None:
        package["title"] = title
    return staged.folder, package


def published(root: Path, rows: dict[str, list[dict]], validation=PASSED, extra_files=()) -> tuple[Path, dict, str]:
    """Stage, write the catalog, then finish (datapackage.json last) as the pipeline is meant to."""
    staging, package = staged_release(root, rows)
    for name in extra_files:
        (staging / name).write_bytes(b"extra " + name.encode())
    write_catalog(staging, package, validation)
    release = Outputs(root).finish(staging, package)
    return release, package, (release / "index.html").read_text(encoding="utf-8")


@pytest.fixture
def release(tmp_path):
    return published(tmp_path, catalog_rows())


def test_every_table_is_listed_with_rows_and_sha256_of_the_datapackage(release):
    _, package, text = release
    page = Page(text)
    by_path = {r["path"]: r for r in package["resources"]}
    listed = []
    current = None
    for tag, attrs in page.tags:
        if tag == "tr" and "data-table" in attrs:
            current = attrs["data-table"]
            listed.append(current)
        elif tag == "td" and "data-rows" in attrs:
            assert int(attrs["data-rows"]) == by_path[f"{current}.csv"]["rows"]
    assert listed == list(tables())
    hrefs = set(_hrefs(page))
    assert {f"{name}.{ext}" for name in tables() for ext in ("csv", "parquet", "json")} <= hrefs  # per-table downloads
    # every file's sha256, folded away under "Whole release" (not on the first screen)
    hashes = {a["data-path"]: a["data-sha256"] for a in page.find("code", **{"class": "hash"})}
    assert {p: "sha256:" + h for p, h in hashes.items()} == {p: r["hash"] for p, r in by_path.items() if r.get("hash")}
    first_screen = text[:text.index('id="charts"')]
    assert not any(h in first_screen for h in hashes.values())
    for table in tables().values():  # the data dictionary: every column with its description
        assert page.find("details", id=f"dict-{table.name.replace('_', '-')}")
        for column in table.columns:
            assert column.description in page.text


def _hrefs(page: Page) -> list[str]:
    return [a["href"] for t, a in page.tags if "href" in a]


def test_every_link_is_relative_and_resolves_inside_the_release(release):
    folder, package, text = release
    page = Page(text)
    declared = {x.get("path") for x in package["licenses"] + package["sources"]} | {package["homepage"]}
    ids = {a["id"] for _, a in page.tags if "id" in a}
    local = []
    for href in _hrefs(page):
        parts = urlsplit(href)
        if parts.scheme:
            assert href in declared, f"external link not declared in datapackage.json: {href}"
        elif href.startswith("#"):
            assert href[1:] in ids, f"dangling fragment {href}"
        else:
            path = PurePosixPath(unquote(parts.path))
            assert not path.is_absolute() and ".." not in path.parts, href
            assert (folder / path).is_file(), f"{href} is not a file of the release"
            local.append(str(path))
    assert {"datapackage.json", "citations.graphml", "data_dictionary.md", "documents.parquet", "meetings.json"} <= set(local)
    # nothing is loaded from anywhere: no scripts, stylesheets, images, frames or fonts
    assert not [t for t, a in page.tags if t in ("script", "link", "img", "iframe", "object", "embed") or "src" in a]
    assert "url(" not in text and "@import" not in text


def test_optional_downloads_are_linked_only_when_in_the_release(tmp_path):
    _, _, without = published(tmp_path / "a", catalog_rows())
    assert "uncoop.duckdb" not in _hrefs(Page(without)) and "uncoop-csv.zip" not in _hrefs(Page(without))
    folder, _, with_extras = published(tmp_path / "b", catalog_rows(), extra_files=("uncoop.duckdb", "uncoop-csv.zip"))
    hrefs = _hrefs(Page(with_extras))
    assert "uncoop.duckdb" in hrefs and "uncoop-csv.zip" in hrefs
    assert "validation/index.html" not in hrefs  # no validation report in this folder: not linked
    (folder / "validation").mkdir(parents=True)
    (folder / "validation" / "index.html").write_text("<html></html>", encoding="utf-8")
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert "validation/index.html" in _hrefs(Page(render_catalog(folder, package, PASSED)))


def test_charts_are_drawn_from_the_data(release):
    page = Page(release[2])
    meetings = [a for t, a in page.chart("chart-meetings") if a.get("class") == "bar"]
    assert [(a["data-year"], a["data-value"]) for a in meetings] == [("2015", "1"), ("2018", "2")]  # undated left out
    assert "1 meetings without a date" in page.text
    cells = {(a["data-row"], a["data-year"], a["data-value"]) for t, a in page.chart("chart-areas") if a.get("class") == "cell"}
    assert cells == {("mediation", "2016", "1"), ("mediation", "2017", "1"), ("peacekeeping", "2018", "1")}
    bars = [(a["data-label"], a["data-value"]) for t, a in page.chart("chart-resolutions") if a.get("class") == "bar"]
    assert bars == [("S/RES/1325 (2000)", "3"), ("S/RES/425 (1978)", "2"), ("A/RES/60/1", "1")]
    network = page.chart("chart-network")
    nodes = {(a["data-kind"], a["data-id"]) for t, a in network if a.get("class") == "node"}
    edges = [a for t, a in network if a.get("class") == "edge"]
    assert ("instrument", "S/RES/1325 (2000)") in nodes and ("document", "S/2016/1") in nodes
    assert not any(i == "https://example.org" for _, i in nodes)  # URLs are not instruments
    assert len(edges) == 6 and all(int(e["data-weight"]) >= 1 for e in edges)
    for chart in ("chart-meetings", "chart-areas", "chart-resolutions", "chart-network"):  # accessible names
        svg = page.find("svg", id=chart)[0]
        assert svg["role"] == "img" and svg["aria-labelledby"] == f"{chart}-title {chart}-desc"
        assert page.find("title", id=f"{chart}-title") and page.find("desc", id=f"{chart}-desc")


def test_empty_release_renders_every_chart_with_a_message(tmp_path):
    staging, package = staged_release(tmp_path, {})
    page = Page(render_catalog(staging, package, None))
    for chart in ("chart-meetings", "chart-areas", "chart-resolutions", "chart-network"):
        assert page.find("svg", id=chart)
    assert not [a for t, a in page.tags if a.get("class") in ("bar", "cell", "node", "edge")]
    assert "No dated meetings in this release." in page.text
    assert "not validated" in page.text


def test_validation_status_and_failures_are_shown(tmp_path):
    staging, package = staged_release(tmp_path, catalog_rows())
    failed = {"success": False, "n_expectations": 12, "n_failed": 1, "per_table": {},
              "failures": [{"table": "meetings", "expectation": "expect_column_values_to_be_unique", "column": "meeting_id",
                            "unexpected_count": 2, "examples": []}]}
    page = Page(render_catalog(staging, package, failed))
    assert "FAILED: 1 of 12 expectations not met" in page.text
    assert "expect_column_values_to_be_unique" in page.text and "(2 rows)" in page.text
    assert "passed: 40 of 40 expectations met" in Page(render_catalog(staging, package, PASSED)).text


def test_validation_summary_is_read_from_the_folder_when_not_given(tmp_path):
    staging, package = staged_release(tmp_path, catalog_rows())
    (staging / "validation").mkdir()
    (staging / "validation" / "summary.json").write_text(json.dumps(PASSED), encoding="utf-8")
    assert "passed: 40 of 40 expectations met" in Page(render_catalog(staging, package)).text


def test_text_from_data_is_escaped(tmp_path):
    staging, package = staged_release(tmp_path, catalog_rows(HOSTILE), title="Title " + HOSTILE)
    text = render_catalog(staging, package, PASSED)
    assert HOSTILE not in text and "<script" not in text
    plain = render_catalog(*staged_release(tmp_path / "plain", catalog_rows()), PASSED)
    assert text.count("<b>") == plain.count("<b>")  # no markup from data
    page = Page(text)
    assert not page.find("script")
    assert "Title " + HOSTILE in page.text  # shown as text, unharmed
    assert "Mediation" + HOSTILE in page.text
    assert any(a.get("data-label") == "A/RES/60/1" + HOSTILE for _, a in page.chart("chart-resolutions"))


def test_the_same_release_gives_the_same_page(tmp_path):
    one = published(tmp_path / "a", catalog_rows())[2]
    two = published(tmp_path / "b", catalog_rows())[2]
    assert one == two
    assert str(tmp_path) not in one  # no absolute paths of the machine that built it


def test_write_catalog_reads_package_and_tables_from_a_folder(release, tmp_path):
    folder, _, text = release
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    (copy / "index.html").unlink()
    written = write_catalog(copy, validation=PASSED)
    assert written == copy / "index.html"
    assert written.read_text(encoding="utf-8") == text


def test_charts_read_the_parquet_files_by_row_group_and_counts_come_from_footers(tmp_path):
    """Tables written in many row groups give the same page; without a package row count, the
    header's counts come from the Parquet footers."""
    staging, package = staged_release(tmp_path, catalog_rows())
    before = render_catalog(staging, package, PASSED)
    for name in tables():
        pq.write_table(read_table(staging, name), staging / f"{name}.parquet", row_group_size=1)
    assert pq.ParquetFile(staging / "citations.parquet").num_row_groups > 1
    assert render_catalog(staging, package, PASSED) == before
    bare = {**package, "resources": [r for r in package["resources"] if r["path"] != "citations.parquet"]}
    assert f"<li><b>{len(catalog_rows()['citations'])}</b>citations</li>" in render_catalog(staging, bare, PASSED)


def _with_organizations(rows: dict[str, list[dict]]) -> dict[str, list[dict]]:
    ids = [d["document_id"] for d in rows["documents"]]
    rows["entities"] = [{"entity_id": "org:au", "entity_type": "organization", "name": "African Union", "acronym": "AU",
                         "n_documents": 2},
                        {"entity_id": "org:oic", "entity_type": "organization", "name": "Organisation of Islamic Cooperation",
                         "acronym": None, "n_documents": 1},
                        {"entity_id": "country:SAU", "entity_type": "country", "name": "Saudi Arabia", "acronym": None,
                         "n_documents": 2}]
    rows["entity_mentions"] = [{"document_id": d, "entity_id": e, "surface": "x", "start": 0, "end": 1}
                               for d, e in [(ids[0], "org:au"), (ids[1], "org:au"), (ids[1], "org:au"),
                                            (ids[2], "org:oic"), (ids[0], "country:SAU"), (ids[1], "country:SAU")]]
    rows["resolutions"] = [{"resolution_id": "S/RES/1325 (2000)", "body": "Security Council", "number": 1325,
                            "year": 2000, "title": "Women and peace and security", "n_citing_documents": 3}]
    return rows


def test_coverage_is_stated_before_any_chart(tmp_path):
    _, _, text = published(tmp_path, catalog_rows())
    coverage = text.index('id="coverage"')
    assert coverage < text.index("<svg") and coverage < text.index('id="tables"')
    section = text[coverage:text.index("</section>", coverage)]
    assert "4 UN documents" in section and "from 2016 to 2018" in section and "1 without a date" in section
    assert "convenience sample" in section
    for caption in ("By type", "By language", "By collection", "By year"):
        assert caption in section


def test_organizations_chart_and_resolution_titles(tmp_path):
    _, _, text = published(tmp_path, _with_organizations(catalog_rows()))
    page = Page(text)
    bars = [a for t, a in page.chart("chart-organizations") if a.get("class") == "bar"]
    assert [(b["data-label"], int(b["data-value"])) for b in bars] == [
        ("AU", 2), ("Organisation of Islamic Cooperation", 1)]  # documents, not mentions; no countries
    table = text[text.index('id="cited-resolutions"'):]
    assert "Women and peace and security" in table[:table.index("</table>")]


def test_documents_can_be_browsed_and_resolutions_link_to_them(tmp_path):
    rows = catalog_rows()
    rows["documents"].append(_doc("S/RES/1325 (2000)", dt.date(2000, 10, 31)))
    _, _, text = published(tmp_path, rows)
    page = Page(text)
    listed = [a["id"] for t, a in page.tags if t == "tr" and a.get("id", "").startswith("doc-")]
    assert len(listed) == 5 and listed[0] == "doc-s-res-1325--2000"  # by date
    assert "#doc-s-res-1325--2000" in _hrefs(page)


def test_how_to_cite_names_the_united_nations(tmp_path):
    _, package, text = published(tmp_path, catalog_rows())
    section = text[text.index('id="cite"'):]
    section = section[:section.index("</section>")]
    assert "United Nations" in section and package["version"] in section and "CC-BY-4.0" in section


def test_quarantine_summary(tmp_path):
    staging, package = staged_release(tmp_path, catalog_rows())
    package["uncoop"].update({"n_quarantined": 3, "quarantined": {"empty": 1, "unreadable": 2}})
    text = render_catalog(staging, package, PASSED)
    section = text[text.index('id="quarantine"'):]
    assert "3 inputs could not be used" in section and "unreadable</code>: 2" in section
    package["uncoop"].update({"n_quarantined": 0, "quarantined": {}})
    assert "No input was set aside" in render_catalog(staging, package, PASSED)
