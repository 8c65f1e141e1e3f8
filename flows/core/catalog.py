"""The catalog page of a release: one self-contained `index.html` that a person opens first.

It says what the dataset is, under which licence and from which sources, which release this is,
whether it passed validation, and lists every table with its rows, size, sha256, download links
and data dictionary, with a few charts drawn from the tables. The page is built to be read
offline, from a copied folder or an archive: no network at all (no CDN, no web fonts, no
script), inline CSS, and charts as inline SVG computed here in Python, so they render without
JavaScript and are the same bytes for the same release. Every href is relative to the release
folder (and points at a file that exists) except the licence, source and homepage URLs that
`datapackage.json` itself declares. All text that comes from data is escaped.

The charts read only the columns they need from the release's Parquet files, a batch at a
time, and the counts come from the Parquet footers, so the page costs little memory whatever
the size of the corpus (the documents' texts are never read).
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

import pyarrow.parquet as pq

from flows.core.bi import CHANGES_JSON, CHANGES_MD, CSV_ZIP_FILE, DUCKDB_FILE, release_tables
from flows.core.ingest import sha256_file
from flows.core.schema import Column, Table, constraint_notes, tables

CATALOG_FILE = "index.html"
DATAPACKAGE_FILE = "datapackage.json"  # written last, after the catalog: always linked
DATA_DOCS = "validation/index.html"
# Whole-release files linked when they are in the release folder, with what each one is for.
RELEASE_FILES = (
    (DATAPACKAGE_FILE, "Frictionless Data Package: every file with its schema, keys, rows, bytes and sha256"),
    (DUCKDB_FILE, "DuckDB database holding every table (open with duckdb)"),
    (CSV_ZIP_FILE, "every table as CSV, in one zip archive"),
    (CHANGES_MD, "what changed since the previous release (readable summary)"),
    (CHANGES_JSON, "what changed since the previous release: rows added, removed, changed per table"),
    ("citations.graphml", "the citation network as GraphML (Gephi, networkx, igraph)"),
    ("data_dictionary.md", "every column of every table, in Markdown"),
    ("validation/summary.json", "validation summary (JSON)"),
    ("validation/results.json", "validation results per expectation (JSON)"),
)
RESOLUTION_KINDS = ("sc_resolution", "ga_resolution")
NETWORK_EXCLUDED_KINDS = ("url",)  # web addresses are not instruments
TOP_RESOLUTIONS = 15
NETWORK_INSTRUMENTS = 12
NETWORK_DOCUMENTS = 12
HEAT_STEPS = ("#dbe9f6", "#9ecae1", "#4292c6", "#2171b5", "#08306b")
DOC_COLOUR, INSTRUMENT_COLOUR, BAR_COLOUR = "#c2571a", "#1f5f9e", "#1f5f9e"
_BATCH_ROWS = 65_536  # rows of a few short columns (ids, dates) read at a time


def _e(value: Any) -> str:
    """Escape any text that comes from data for use in element content and quoted attributes."""
    return html.escape(str(value), quote=True)


def _n(value: int | float) -> str:
    return f"{value:,}"


def _size(n_bytes: int | None) -> str:
    if n_bytes is None:
        return "–"
    size = float(n_bytes)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{int(size)} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n_bytes} B"  # pragma: no cover - the loop always returns


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that orders S/RES/425 before S/RES/2253 (numbers by value, not by digits)."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", text) if part)


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-") or "x"


# --- the release folder ----------------------------------------------------------------------


def _local_file(release_dir: Path, path: str) -> bool:
    """True when `path` is a plain relative path to a file inside the release folder."""
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or "://" in path or not path:
        return False
    return path == DATAPACKAGE_FILE or (release_dir / pure).is_file()


def _rows(release_dir: Path, name: str, columns: Sequence[str]) -> Iterator[dict[str, Any]]:
    """The given columns of a table as dicts, read from its Parquet file a batch at a time;
    nothing when the table or a column is missing."""
    path = Path(release_dir) / f"{name}.parquet"
    if not path.is_file():
        return
    source = pq.ParquetFile(path)
    if any(c not in source.schema_arrow.names for c in columns):
        return
    for batch in source.iter_batches(batch_size=_BATCH_ROWS, columns=list(columns)):
        yield from batch.to_pylist()


def _year(value: Any) -> int | None:
    return getattr(value, "year", None)


# --- SVG charts ------------------------------------------------------------------------------


def _svg_open(chart_id: str, title: str, desc: str, width: int, height: int, kind: str) -> str:
    return (f'<svg id="{chart_id}" class="chart" data-chart="{kind}" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
            f'xmlns="http://www.w3.org/2000/svg">'
            f'<title id="{chart_id}-title">{_e(title)}</title><desc id="{chart_id}-desc">{_e(desc)}</desc>')


def _empty_chart(chart_id: str, title: str, kind: str, message: str) -> str:
    return (_svg_open(chart_id, title, message, 640, 60, kind)
            + f'<text x="10" y="35" class="empty">{_e(message)}</text></svg>')


def _nice_step(maximum: int, ticks: int = 4) -> int:
    """A round gridline step (1, 2, 5, 10, 20, ...) that gives about `ticks` lines up to maximum."""
    raw = max(1.0, maximum / ticks)
    magnitude = 10 ** math.floor(math.log10(raw))
    return int(next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw))


def year_bars(chart_id: str, title: str, counts: Mapping[int, int], unit: str) -> str:
    """Vertical bars on a continuous year axis (years without data stay empty, not skipped)."""
    if not counts:
        return _empty_chart(chart_id, title, "year-bars", f"No dated {unit} in this release.")
    first, last = min(counts), max(counts)
    years = list(range(first, last + 1))
    left, right, top, bottom, width, height = 44, 12, 12, 36, 960, 300
    slot = (width - left - right) / len(years)
    peak = max(counts.values())
    step = _nice_step(peak)
    y_max = math.ceil(peak / step) * step
    scale = (height - top - bottom) / y_max
    desc = (f"{_n(sum(counts.values()))} {unit} from {first} to {last}; the most in "
            f"{min(y for y in counts if counts[y] == peak)} ({_n(peak)}).")
    parts = [_svg_open(chart_id, title, desc, width, height, "year-bars")]
    for tick in range(0, y_max + 1, step):
        y = height - bottom - tick * scale
        parts.append(f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}"/>'
                     f'<text class="axis" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>')
    label_every = max(1, math.ceil(len(years) / 12))
    for i, year in enumerate(years):
        x = left + i * slot
        value = counts.get(year, 0)
        if value:
            bar_h = value * scale
            parts.append(f'<rect class="bar" data-year="{year}" data-value="{value}" x="{x + slot * 0.1:.1f}" '
                         f'y="{height - bottom - bar_h:.1f}" width="{max(slot * 0.8, 1):.1f}" height="{bar_h:.1f}">'
                         f'<title>{year}: {_n(value)} {_e(unit)}</title></rect>')
        if (year - first) % label_every == 0:
            parts.append(f'<text class="axis" x="{x + slot / 2:.1f}" y="{height - bottom + 18}" '
                         f'text-anchor="middle">{year}</text>')
    parts.append(f'<line class="axis-line" x1="{left}" x2="{width - right}" y1="{height - bottom}" y2="{height - bottom}"/>')
    parts.append("</svg>")
    return "".join(parts)


def ranked_bars(chart_id: str, title: str, items: Sequence[tuple[str, int]], unit: str) -> str:
    """Horizontal bars, one per label, longest first: for rankings with long labels."""
    if not items:
        return _empty_chart(chart_id, title, "ranked-bars", f"No {unit} in this release.")
    label_w, right, row_h, width = 210, 60, 24, 960
    height = row_h * len(items) + 8
    peak = max(v for _, v in items)
    scale = (width - label_w - right) / peak
    desc = f"The {len(items)} with the most {unit}: " + "; ".join(f"{label} ({value})" for label, value in items) + "."
    parts = [_svg_open(chart_id, title, desc, width, height, "ranked-bars")]
    for i, (label, value) in enumerate(items):
        y = 4 + i * row_h
        bar_w = max(value * scale, 1)
        parts.append(f'<text class="label" x="{label_w - 8}" y="{y + row_h * 0.65:.1f}" text-anchor="end">{_e(label)}</text>'
                     f'<rect class="bar" data-label="{_e(label)}" data-value="{value}" x="{label_w}" y="{y + 3}" '
                     f'width="{bar_w:.1f}" height="{row_h - 6}"><title>{_e(label)}: {_n(value)} {_e(unit)}</title></rect>'
                     f'<text class="value" x="{label_w + bar_w + 6:.1f}" y="{y + row_h * 0.65:.1f}">{_n(value)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def heatmap(chart_id: str, title: str, rows: Sequence[tuple[str, str]], counts: Mapping[tuple[str, int], int],
            unit: str) -> str:
    """A grid of rows (id, label) by continuous years, each cell shaded by its count."""
    if not counts:
        return _empty_chart(chart_id, title, "heatmap", f"No dated {unit} in this release.")
    years_seen = [year for _, year in counts]
    first, last = min(years_seen), max(years_seen)
    years = list(range(first, last + 1))
    label_w, top, right, row_h, width = 300, 8, 12, 20, 960
    cell_w = (width - label_w - right) / len(years)
    height = top + row_h * len(rows) + 60
    peak = max(counts.values())
    desc = (f"{len(rows)} areas by year, {first} to {last}; darker cells mean more {unit}, "
            f"at most {_n(peak)} in one year.")
    parts = [_svg_open(chart_id, title, desc, width, height, "heatmap")]
    for r, (row_id, label) in enumerate(rows):
        y = top + r * row_h
        parts.append(f'<text class="label" x="{label_w - 8}" y="{y + row_h * 0.7:.1f}" text-anchor="end">'
                     f'{_e(_clip(label, 40))}<title>{_e(label)}</title></text>')
        for c, year in enumerate(years):
            value = counts.get((row_id, year), 0)
            if not value:
                continue
            shade = HEAT_STEPS[min(len(HEAT_STEPS) - 1, math.ceil(value / peak * len(HEAT_STEPS)) - 1)]
            parts.append(f'<rect class="cell" data-row="{_e(row_id)}" data-year="{year}" data-value="{value}" '
                         f'x="{label_w + c * cell_w:.1f}" y="{y + 1}" width="{max(cell_w - 1, 1):.1f}" '
                         f'height="{row_h - 2}" fill="{shade}"><title>{_e(label)}, {year}: {_n(value)} {_e(unit)}</title></rect>')
    label_every = max(1, math.ceil(len(years) / 12))
    base = top + row_h * len(rows)
    for c, year in enumerate(years):
        if (year - first) % label_every == 0:
            parts.append(f'<text class="axis" x="{label_w + (c + 0.5) * cell_w:.1f}" y="{base + 16}" '
                         f'text-anchor="middle">{year}</text>')
    parts.append(_heat_legend(label_w, base + 30, peak))
    parts.append("</svg>")
    return "".join(parts)


def _heat_legend(x: int, y: int, peak: int) -> str:
    parts = [f'<text class="axis" x="{x}" y="{y + 12}">fewer</text>']
    for i, shade in enumerate(HEAT_STEPS):
        parts.append(f'<rect class="legend" x="{x + 44 + i * 22}" y="{y}" width="20" height="14" fill="{shade}"/>')
    parts.append(f'<text class="axis" x="{x + 44 + len(HEAT_STEPS) * 22 + 6}" y="{y + 12}">more (max {_n(peak)})</text>')
    return "".join(parts)


def _arc_positions(n: int, centre: float, spread: float, radius: float, cx: float, cy: float) -> list[tuple[float, float, float]]:
    """n points (x, y, angle in degrees) spread evenly on an arc of the circle around `centre` degrees."""
    if n == 1:
        angles = [centre]
    else:
        angles = [centre - spread / 2 + spread * i / (n - 1) for i in range(n)]
    return [(cx + radius * math.cos(math.radians(a)), cy + radius * math.sin(math.radians(a)), a) for a in angles]


def network(chart_id: str, title: str, documents: Sequence[str], instruments: Sequence[str],
            edges: Mapping[tuple[str, str], int]) -> str:
    """Citing documents on the left half of a circle, cited instruments on the right half, one
    curve per (document, instrument) pair: a deterministic layout that needs no force simulation."""
    if not edges:
        return _empty_chart(chart_id, title, "network", "No citations in this release.")
    width, height, radius = 960, 560, 200
    cx, cy = width / 2, height / 2
    spread_doc = min(140.0, 13.0 * max(len(documents) - 1, 1))
    spread_ins = min(140.0, 13.0 * max(len(instruments) - 1, 1))
    pos: dict[tuple[str, str], tuple[float, float, float]] = {}
    pos.update({("document", d): p for d, p in zip(documents, _arc_positions(len(documents), 180, spread_doc, radius, cx, cy),
                                                  strict=True)})
    pos.update({("instrument", s): p for s, p in zip(instruments, _arc_positions(len(instruments), 0, spread_ins, radius, cx, cy),
                                                    strict=True)})
    degree: Counter[tuple[str, str]] = Counter()
    for doc, sym in edges:
        degree[("document", doc)] += 1
        degree[("instrument", sym)] += 1
    desc = (f"{len(documents)} citing documents (left) and the {len(instruments)} instruments they cite most (right), "
            f"joined by {len(edges)} citation links.")
    parts = [_svg_open(chart_id, title, desc, width, height, "network")]
    for (doc, sym), weight in sorted(edges.items()):
        x1, y1, _ = pos[("document", doc)]
        x2, y2, _ = pos[("instrument", sym)]
        parts.append(f'<path class="edge" data-source="{_e(doc)}" data-target="{_e(sym)}" data-weight="{weight}" '
                     f'd="M{x1:.1f},{y1:.1f} Q{cx:.1f},{cy:.1f} {x2:.1f},{y2:.1f}" '
                     f'stroke-width="{min(1 + weight, 6)}"><title>{_e(doc)} cites {_e(sym)} '
                     f'({weight} time{"s" if weight != 1 else ""})</title></path>')
    for (kind, node_id), (x, y, angle) in pos.items():
        colour = DOC_COLOUR if kind == "document" else INSTRUMENT_COLOUR
        r = 4 + min(degree[(kind, node_id)], 8)
        lx = x + (r + 6) * math.cos(math.radians(angle))
        ly = y + (r + 6) * math.sin(math.radians(angle)) + 4
        anchor = "end" if kind == "document" else "start"
        parts.append(f'<circle class="node" data-kind="{kind}" data-id="{_e(node_id)}" cx="{x:.1f}" cy="{y:.1f}" r="{r}" '
                     f'fill="{colour}"><title>{_e(node_id)}: {degree[(kind, node_id)]} links shown</title></circle>'
                     f'<text class="label" x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}">{_e(_clip(node_id, 46))}</text>')
    parts.append(f'<circle cx="24" cy="{height - 36}" r="6" fill="{DOC_COLOUR}"/>'
                 f'<text class="axis" x="36" y="{height - 32}">citing document</text>'
                 f'<circle cx="24" cy="{height - 14}" r="6" fill="{INSTRUMENT_COLOUR}"/>'
                 f'<text class="axis" x="36" y="{height - 10}">cited instrument</text></svg>')
    return "".join(parts)


# --- chart data from the tables ----------------------------------------------------------------


def meetings_per_year(release_dir: Path) -> tuple[dict[int, int], int]:
    """Meetings by the year they start, and how many have no date."""
    counts: Counter[int] = Counter()
    undated = 0
    for row in _rows(release_dir, "meetings", ["start_date"]):
        year = _year(row["start_date"])
        if year is None:
            undated += 1
        else:
            counts[year] += 1
    return dict(sorted(counts.items())), undated


def areas_by_year(release_dir: Path) -> tuple[list[tuple[str, str]], dict[tuple[str, int], int]]:
    """Documents speaking of each cooperation area, by the year of the document; rows (area id,
    label) ordered by how many documents speak of the area."""
    doc_year = {r["document_id"]: _year(r["date"]) for r in _rows(release_dir, "documents", ["document_id", "date"])}
    labels = {r["area_id"]: r["label"] for r in _rows(release_dir, "areas", ["area_id", "label"])}
    counts: Counter[tuple[str, int]] = Counter()
    totals: Counter[str] = Counter()
    for row in _rows(release_dir, "cooperation_areas", ["document_id", "area_id"]):
        year = doc_year.get(row["document_id"])
        if year is not None:
            counts[(row["area_id"], year)] += 1
            totals[row["area_id"]] += 1
    order = sorted(totals, key=lambda a: (-totals[a], a))
    return [(a, labels.get(a) or a) for a in order], dict(sorted(counts.items()))


def cited_resolutions(release_dir: Path, top: int = TOP_RESOLUTIONS) -> list[tuple[str, int]]:
    """The resolutions cited by the most documents (ties in symbol order)."""
    citing: defaultdict[str, set[str]] = defaultdict(set)
    for row in _rows(release_dir, "citations", ["document_id", "cited_symbol", "cited_kind"]):
        if row["cited_kind"] in RESOLUTION_KINDS:
            citing[row["cited_symbol"]].add(row["document_id"])
    ranked = sorted(citing.items(), key=lambda kv: (-len(kv[1]), _natural(kv[0])))
    return [(symbol, len(docs)) for symbol, docs in ranked[:top]]


def citation_subgraph(release_dir: Path, n_instruments: int = NETWORK_INSTRUMENTS,
                      n_documents: int = NETWORK_DOCUMENTS) -> tuple[list[str], list[str], dict[tuple[str, str], int]]:
    """The core of the citation network: the instruments cited by the most documents, the
    documents that cite the most of them, and the citation counts between the two."""
    weights: Counter[tuple[str, str]] = Counter()
    for row in _rows(release_dir, "citations", ["document_id", "cited_symbol", "cited_kind"]):
        if row["cited_kind"] not in NETWORK_EXCLUDED_KINDS and row["cited_symbol"] != row["document_id"]:
            weights[(row["document_id"], row["cited_symbol"])] += 1
    citing: Counter[str] = Counter(sym for _, sym in weights)
    instruments = sorted(sorted(citing, key=lambda s: (-citing[s], _natural(s)))[:n_instruments], key=_natural)
    chosen = set(instruments)
    reach: Counter[str] = Counter(doc for doc, sym in weights if sym in chosen)
    by_reach = sorted(reach, key=lambda d: (-reach[d], _natural(d)))
    picked: list[str] = []
    for sym in sorted(chosen, key=lambda s: (-citing[s], _natural(s))):  # first, one citing document per instrument
        best = next(d for d in by_reach if (d, sym) in weights)
        if best not in picked and len(picked) < n_documents:
            picked.append(best)
    picked += [d for d in by_reach if d not in picked][:n_documents - len(picked)]
    documents = sorted(picked, key=_natural)
    kept_docs = set(documents)
    edges = {pair: w for pair, w in sorted(weights.items()) if pair[0] in kept_docs and pair[1] in chosen}
    return documents, instruments, edges


# --- HTML sections --------------------------------------------------------------------------


CSS = """
:root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--bg:#fff;--soft:#f6f8fa;--accent:#1f5f9e;--ok:#1a7f37;--bad:#cf222e}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
main,header,footer{max-width:72rem;margin:0 auto;padding:0 1rem}
header{padding-top:1.5rem}
h1{font-size:1.6rem;line-height:1.25;margin:.2rem 0 .6rem}
h2{font-size:1.3rem;margin:2rem 0 .6rem;border-bottom:1px solid var(--line);padding-bottom:.25rem}
h3{font-size:1.05rem;margin:1.4rem 0 .4rem}
a{color:var(--accent)}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85em}
.hash{word-break:break-all;color:var(--muted)}
.muted{color:var(--muted);font-weight:normal}
.kicker{text-transform:uppercase;letter-spacing:.06em;font-size:.8rem;color:var(--muted);margin:0}
.kicker .version{text-transform:none;letter-spacing:0;word-break:break-all}
.facts{display:grid;grid-template-columns:repeat(auto-fit,minmax(10rem,1fr));gap:.6rem;margin:1rem 0;padding:0;list-style:none}
.facts li{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:.5rem .75rem}
.facts b{display:block;font-size:1.35rem}
.status{display:inline-block;border-radius:1rem;padding:.1rem .7rem;font-weight:600;color:#fff}
.status.passed{background:var(--ok)}.status.failed{background:var(--bad)}.status.unknown{background:var(--muted)}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{border-bottom:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
thead th{background:var(--soft)}
td.num,th.num{text-align:right;white-space:nowrap}
.badge{display:inline-block;font-size:.72rem;border:1px solid var(--line);border-radius:4px;padding:0 .3rem;margin-left:.25rem;color:var(--muted)}
figure{margin:1rem 0 1.5rem}
figcaption{font-weight:600;margin-bottom:.3rem}
svg.chart{display:block;width:100%;height:auto;min-width:36rem}
svg .bar{fill:#1f5f9e}svg .grid{stroke:#e6e9ed}svg .axis-line{stroke:#8c959f}
svg .axis{font-size:12px;fill:#57606a}svg .label{font-size:13px;fill:#1b1f24}svg .value{font-size:12px;fill:#1b1f24}
svg .edge{fill:none;stroke:#8aa9c9;stroke-opacity:.55}svg .empty{font-size:14px;fill:#57606a}
details{margin:.4rem 0}summary{cursor:pointer;color:var(--accent)}
ul.files{padding-left:1.2rem}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(16rem,1fr));gap:.2rem 1.2rem}
table.counts caption{text-align:left;font-weight:600;padding:.3rem 0}
blockquote{margin:.5rem 0;padding:.4rem .9rem;border-left:4px solid var(--line);background:var(--soft)}
footer{color:var(--muted);font-size:.85rem;padding-bottom:2rem;margin-top:2rem;border-top:1px solid var(--line)}
@media (max-width:40rem){body{font-size:15px}h1{font-size:1.3rem}.facts b{font-size:1.15rem}
#table-list thead{display:none}#table-list tr,#table-list th,#table-list td{display:block;text-align:left}
#table-list tr{border-bottom:2px solid var(--line);padding:.4rem 0}#table-list th,#table-list td{border:0;padding:.15rem .25rem}
#table-list td[data-label]::before{content:attr(data-label) ": ";color:var(--muted)}}
"""


def _link(href: str, text: str, release_dir: Path) -> str:
    """A relative link when the file is in the release, the bare text otherwise."""
    if _local_file(release_dir, href):
        return f'<a href="{_e(href)}">{_e(text)}</a>'
    return f'<span class="muted">{_e(text)} (not in this release)</span>'


def _external(url: Any, text: Any) -> str:
    """A link to a URL that datapackage.json declares (licence, source, homepage): http(s) only."""
    if isinstance(url, str) and url.startswith(("https://", "http://")):
        return f'<a href="{_e(url)}" rel="noopener">{_e(text)}</a>'
    return _e(text)


def _validation_status(validation: Mapping[str, Any] | None) -> tuple[str, str]:
    """(css class, sentence) for the validation result, as ValidationReport.as_dict() gives it."""
    if not validation:
        return "unknown", "not validated"
    n = int(validation.get("n_expectations", 0))
    failed = int(validation.get("n_failed", 0))
    if validation.get("success"):
        return "passed", f"passed: {_n(n - failed)} of {_n(n)} expectations met"
    return "failed", f"FAILED: {_n(failed)} of {_n(n)} expectations not met"


def _header(package: Mapping[str, Any], validation: Mapping[str, Any] | None, counts: Mapping[str, int]) -> str:
    css_class, status = _validation_status(validation)
    facts = [(counts.get("documents", 0), "documents"), (counts.get("meetings", 0), "meetings"),
             (counts.get("citations", 0), "citations"), (counts.get("entities", 0), "entities"),
             (counts.get("cooperation_areas", 0), "document–area links")]
    items = "".join(f"<li><b>{_n(v)}</b>{_e(label)}</li>" for v, label in facts)
    return (f'<header><p class="kicker">{_e(package.get("name", "dataset"))} · release '
            f'<span class="mono version">{_e(package.get("version", "?"))}</span></p>'
            f'<h1>{_e(package.get("title", package.get("name", "Dataset")))}</h1>'
            f'<p>{_e(package.get("description", ""))}</p>'
            f'<p>Validation: <span class="status {css_class}">{_e(status)}</span></p>'
            f'<ul class="facts" aria-label="Counts in this release">{items}</ul></header>')


def _about(package: Mapping[str, Any]) -> str:
    licences = "".join(f"<li>{_external(lic.get('path'), lic.get('title') or lic.get('name'))}"
                       f"{' (' + _e(lic['name']) + ')' if lic.get('name') and lic.get('title') else ''}</li>"
                       for lic in package.get("licenses") or [])
    sources = "".join(f"<li>{_external(src.get('path'), src.get('title') or src.get('path'))}</li>"
                      for src in package.get("sources") or [])
    extra = package.get("uncoop") or {}
    provenance = [("version", package.get("version")), ("created", package.get("created")),
                  ("fingerprint (sha256 of every table file)", extra.get("fingerprint")),
                  ("code version", extra.get("code_version")), ("extractor version", extra.get("extractor_version")),
                  ("documents", extra.get("n_documents")), ("inputs quarantined", extra.get("n_quarantined"))]
    rows = "".join(f'<tr><th scope="row">{_e(k)}</th><td class="mono">{_e(v)}</td></tr>' for k, v in provenance if v is not None)
    homepage = package.get("homepage")
    home = f"<p>Project: {_external(homepage, homepage)}</p>" if homepage else ""
    return (f'<section id="about"><h2>Licence, sources and provenance</h2><h3>Licence</h3><ul>{licences}</ul>'
            f'<h3>Sources</h3><ul>{sources}</ul>{home}<h3>This release</h3>'
            f'<div class="scroll"><table><tbody>{rows}</tbody></table></div></section>')


def _validation_section(release_dir: Path, validation: Mapping[str, Any] | None) -> str:
    css_class, status = _validation_status(validation)
    docs = (f'<p>Every expectation and its result: {_link(DATA_DOCS, "validation report (HTML)", release_dir)}</p>'
            if _local_file(release_dir, DATA_DOCS) else "")
    failures = (validation or {}).get("failures") or []
    listed = "".join(
        f"<li><code>{_e(f.get('table'))}{'.' + _e(f['column']) if f.get('column') else ''}</code>: "
        f"{_e(f.get('expectation'))}{' (' + _n(int(f['unexpected_count'])) + ' rows)' if f.get('unexpected_count') else ''}</li>"
        for f in failures)
    failed = f"<h3>Failed expectations</h3><ul>{listed}</ul>" if listed else ""
    return (f'<section id="validation"><h2>Validation</h2><p><span class="status {css_class}">{_e(status)}</span> '
            f'Every table is checked before publication: nulls, vocabularies, patterns, ranges, keys, foreign keys '
            f'and that every offset points at its text.</p>{docs}{failed}</section>')


def _resources_by_path(package: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {r["path"]: r for r in package.get("resources") or [] if isinstance(r.get("path"), str)}


def _file_link(release_dir: Path, resource: Mapping[str, Any] | None, path: str, label: str) -> str:
    """A download link with the file's size (its sha256 is listed further down, not here)."""
    size = (resource or {}).get("bytes")
    if size is None and _local_file(release_dir, path):
        size = (release_dir / path).stat().st_size
    meta = f' <span class="muted" title="{_e(size)} bytes">{_e(_size(size))}</span>' if size is not None else ""
    return f"{_link(path, label, release_dir)}{meta}"


def _tables_section(release_dir: Path, package: Mapping[str, Any], validation: Mapping[str, Any] | None) -> str:
    by_path = _resources_by_path(package)
    per_table = (validation or {}).get("per_table") or {}
    body = []
    for name, table in tables().items():
        parquet, json_res, csv_res = (by_path.get(f"{name}.{ext}") for ext in ("parquet", "json", "csv"))
        rows = next((r["rows"] for r in (csv_res, parquet, json_res) if r and isinstance(r.get("rows"), int)), None)
        checks = per_table.get(name)
        checked = (f"{_n(checks.get('expectations', 0) - checks.get('failed', 0))}/{_n(checks.get('expectations', 0))}"
                   if checks else "–")
        links = " · ".join(_file_link(release_dir, res, f"{name}.{ext}", label)
                           for res, ext, label in ((csv_res, "csv", "CSV"), (parquet, "parquet", "Parquet"),
                                                   (json_res, "json", "JSON")))
        body.append(f'<tr data-table="{_e(name)}"><th scope="row"><a href="#dict-{_slug(name)}">{_e(name)}</a>'
                    f'<br><span class="muted">{_e(table.description)}</span></th>'
                    f'<td class="num" data-label="rows" data-rows="{_e(rows)}">{_n(rows) if isinstance(rows, int) else "–"}</td>'
                    f'<td data-label="download">{links}</td>'
                    f'<td class="num" data-label="checks met">{checked}</td></tr>')
    head = ('<thead><tr><th scope="col">table</th><th scope="col" class="num">rows</th><th scope="col">download</th>'
            '<th scope="col" class="num">checks met</th></tr></thead>')
    return (f'<section id="tables"><h2>Tables</h2><p>Flat tables (no nested columns) that load as they are into Excel, '
            f'DuckDB, pandas, Power BI, Tableau or Superset: CSV (UTF-8), Parquet, or JSON (arrays of objects), the same '
            f'rows in each. Checksums are listed under <a href="#downloads">Whole release</a>.</p>'
            f'<div class="scroll"><table id="table-list">{head}<tbody>{"".join(body)}</tbody></table></div></section>')


def _checksums(package: Mapping[str, Any]) -> str:
    """Every file datapackage.json lists with its sha256, folded away (not on the first screen)."""
    rows = "".join(
        f'<tr><td><code>{_e(r["path"])}</code></td><td class="num">{_e(r.get("bytes", ""))}</td>'
        f'<td><code class="hash" data-path="{_e(r["path"])}" data-sha256="{_e(str(r.get("hash", "")).removeprefix("sha256:"))}">'
        f'{_e(str(r.get("hash", "")).removeprefix("sha256:"))}</code></td></tr>'
        for r in package.get("resources") or [] if isinstance(r.get("path"), str) and r.get("hash"))
    return (f'<details id="checksums"><summary>Checksums (sha256) of every file</summary><div class="scroll"><table>'
            f'<thead><tr><th scope="col">file</th><th scope="col" class="num">bytes</th><th scope="col">sha256</th></tr>'
            f'</thead><tbody>{rows}</tbody></table></div></details>')


def _other_files(release_dir: Path, package: Mapping[str, Any]) -> list[tuple[str, str, int | None, str | None]]:
    """(path, description, bytes, sha256) of whole-release files and of package resources that are not tables."""
    by_path = _resources_by_path(package)
    table_files = {f"{n}.{ext}" for n in tables() for ext in ("parquet", "json", "csv")}
    described = dict(RELEASE_FILES)
    paths = [p for p, _ in RELEASE_FILES] + sorted(p for p in by_path if p not in described and p not in table_files)
    out = []
    for path in paths:
        if path == CATALOG_FILE or not _local_file(release_dir, path):
            continue
        res = by_path.get(path)
        if res is not None:
            size, digest = res.get("bytes"), str(res.get("hash", "")).removeprefix("sha256:") or None
        elif path == DATAPACKAGE_FILE:
            size, digest = None, None  # describes every other file; written after this page
        else:
            size, digest = (release_dir / path).stat().st_size, sha256_file(release_dir / path)
        out.append((path, described.get(path) or str((res or {}).get("description") or ""), size, digest))
    return out


def _downloads_section(release_dir: Path, package: Mapping[str, Any]) -> str:
    items = []
    for path, desc, size, _digest in _other_files(release_dir, package):
        meta = f' <span class="muted">{_e(_size(size))}</span>' if size is not None else ""
        items.append(f"<li>{_link(path, path, release_dir)}{meta}: {_e(desc)}</li>")
    return (f'<section id="downloads"><h2>Whole release</h2><ul class="files">{"".join(items)}</ul>{_checksums(package)}'
            f'<p class="muted">Load a table in DuckDB: <code>SELECT * FROM read_parquet(\'meetings.parquet\')</code>; '
            f'in pandas: <code>pandas.read_parquet("meetings.parquet")</code>.</p></section>')


def _constraints(column: Column) -> str:
    return "; ".join(constraint_notes(column))


def _keys(table: Table, column: str) -> str:
    badges = ['<span class="badge" title="primary key">PK</span>'] if column in table.primary_key else []
    for fk in table.foreign_keys:
        if column in fk["fields"]:
            ref = fk["reference"]
            target = ref["fields"][fk["fields"].index(column)]
            badges.append(f'<span class="badge" title="foreign key">FK → <a href="#dict-{_slug(ref["resource"])}">'
                          f'{_e(ref["resource"])}</a>.{_e(target)}</span>')
    return "".join(badges)


def _dictionary_section() -> str:
    blocks = []
    for table in tables().values():
        rows = "".join(
            f'<tr><th scope="row"><code>{_e(c.name)}</code>{_keys(table, c.name)}</th><td>{_e(c.type)}</td>'
            f'<td>{"yes" if c.nullable else "no"}</td><td>{_e(c.description)}</td><td>{_e(_constraints(c))}</td>'
            f'<td>{"" if c.example is None else "<code>" + _e(c.example) + "</code>"}</td></tr>'
            for c in table.columns)
        key = f"<p>Primary key: <code>{_e(', '.join(table.primary_key))}</code></p>" if table.primary_key else ""
        blocks.append(f'<details id="dict-{_slug(table.name)}" data-table="{_e(table.name)}"><summary><b>{_e(table.name)}</b> '
                      f'({len(table.columns)} columns)</summary><p>{_e(table.description)}</p>{key}<div class="scroll"><table>'
                      f'<thead><tr><th scope="col">column</th><th scope="col">type</th><th scope="col">null</th>'
                      f'<th scope="col">description</th><th scope="col">constraints</th><th scope="col">example</th></tr>'
                      f'</thead><tbody>{rows}</tbody></table></div></details>')
    return (f'<section id="dictionary"><h2>Data dictionary</h2><p>Generated from the schemas the tables are written and '
            f'validated with. Offsets <code>start</code>/<code>end</code> are Python string offsets into '
            f'<code>documents.text</code> of the same document.</p>{"".join(blocks)}</section>')


def _data_table(caption: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_e(v)}</td>" for v in row) + "</tr>" for row in rows)
    return (f'<details><summary>{_e(caption)}</summary><div class="scroll"><table><thead><tr>{head}</tr></thead>'
            f'<tbody>{body}</tbody></table></div></details>')


def _figure(svg: str, caption: str, note: str, data: str) -> str:
    return (f'<figure><figcaption>{_e(caption)}</figcaption><div class="scroll">{svg}</div>'
            f'<p class="muted">{_e(note)}</p>{data}</figure>')


def _resolutions_table(top: Sequence[tuple[str, int]], titles: Mapping[str, str], documents: set[str]) -> str:
    rows = []
    for sym, n in top:
        name = f'<a href="#{_doc_anchor(sym)}">{_e(sym)}</a>' if sym in documents else _e(sym)
        title = _e(_clip(titles.get(sym, ""), 200)) or '<span class="muted">(title not in this release)</span>'
        rows.append(f'<tr><td>{name}</td><td>{title}</td><td class="num">{_n(n)}</td></tr>')
    return (f'<details open><summary>The most cited resolutions with their titles</summary><div class="scroll">'
            f'<table id="cited-resolutions"><thead><tr><th scope="col">resolution</th><th scope="col">title</th>'
            f'<th scope="col" class="num">citing documents</th></tr></thead><tbody>{"".join(rows)}</tbody></table></div></details>')


def _charts_section(release_dir: Path, documents: set[str] | None = None) -> str:
    organizations = organizations_by_documents(release_dir)
    meetings, undated = meetings_per_year(release_dir)
    area_rows, area_counts = areas_by_year(release_dir)
    labels = dict(area_rows)
    top = cited_resolutions(release_dir)
    docs, instruments, edges = citation_subgraph(release_dir)
    figures = [
        _figure(ranked_bars("chart-organizations", "Organizations named in the most documents", organizations, "documents"),
                "Organizations named in the most documents",
                "Regional and other organizations, by the number of documents of this release that name them.",
                _data_table("Data: documents per organization", ["organization", "documents"], organizations)),
        _figure(year_bars("chart-meetings", "Meetings per year", meetings, "meetings"), "Meetings per year",
                "By the year each meeting starts" + (f"; {_n(undated)} meetings without a date are not shown." if undated else "."),
                _data_table("Data: meetings per year", ["year", "meetings"], meetings.items())),
        _figure(heatmap("chart-areas", "Cooperation areas by year", area_rows, area_counts, "documents"),
                "Cooperation areas by year",
                "Documents that speak of each area, by the year of the document (undated documents are not shown).",
                _data_table("Data: documents per area and year", ["area", "year", "documents"],
                            ((labels.get(a, a), y, n) for (a, y), n in area_counts.items()))),
        _figure(ranked_bars("chart-resolutions", "Most cited resolutions", top, "citing documents"),
                "Most cited resolutions", "Security Council and General Assembly resolutions, by the number of documents "
                "that cite them.", _resolutions_table(top, resolution_titles(release_dir), documents or set())),
        _figure(network("chart-network", "Citation network", docs, instruments, edges), "Citation network (its core)",
                f"The {len(instruments)} instruments cited by the most documents and the {len(docs)} documents citing "
                f"most of them; the whole network is in citations.graphml.",
                _data_table("Data: citation links shown", ["document", "cites", "citations"],
                            ((d, s, w) for (d, s), w in edges.items()))),
    ]
    return (f'<section id="charts"><h2>Charts</h2><p class="muted">Of the documents of this release only (see '
            f'<a href="#coverage">what it covers</a>).</p>{"".join(figures)}</section>')


def _counts(package: Mapping[str, Any], release_dir: Path) -> dict[str, int]:
    """Rows per table: the datapackage's count, else the Parquet footer's."""
    by_path = _resources_by_path(package)
    counts = {name: pq.ParquetFile(path).metadata.num_rows for name, path in release_tables(release_dir).items()}
    for name in tables():
        rows = (by_path.get(f"{name}.csv") or by_path.get(f"{name}.parquet") or {}).get("rows")
        if isinstance(rows, int):
            counts[name] = rows
    return counts


# --- what the release covers, organizations, documents, citing, quarantine ---------------------

TOP_ORGANIZATIONS = 15
DOCUMENT_LIST_LIMIT = 5000  # rows of the document list on the page; the whole list is documents.csv


def _collection(source_name: str) -> str:
    """The collection a document came from: the first folder of its source name."""
    head, sep, _ = str(source_name).partition("/")
    return head if sep else "(top folder)"


def document_list(release_dir: Path) -> list[dict[str, Any]]:
    """Every document (id, symbol, date, type, language, title, collection), by date then id."""
    cols = ["document_id", "symbol", "date", "doc_type", "title", "source_name", "language"]
    rows = [dict(r, collection=_collection(r["source_name"])) for r in _rows(release_dir, "documents", cols)]
    if not rows:  # an older release without a language column
        cols.remove("language")
        rows = [dict(r, language=None, collection=_collection(r["source_name"])) for r in _rows(release_dir, "documents", cols)]
    return sorted(rows, key=lambda r: (r["date"] is None, r["date"] or 0, _natural(r["document_id"])))


def organizations_by_documents(release_dir: Path, top: int = TOP_ORGANIZATIONS) -> list[tuple[str, int]]:
    """The organizations mentioned in the most documents (label: acronym or name)."""
    names = {r["entity_id"]: r["acronym"] or r["name"]
             for r in _rows(release_dir, "entities", ["entity_id", "entity_type", "name", "acronym"])
             if r["entity_type"] == "organization"}
    docs: defaultdict[str, set[str]] = defaultdict(set)
    for row in _rows(release_dir, "entity_mentions", ["document_id", "entity_id"]):
        if row["entity_id"] in names:
            docs[row["entity_id"]].add(row["document_id"])
    ranked = sorted(docs.items(), key=lambda kv: (-len(kv[1]), names[kv[0]]))
    return [(names[e], len(d)) for e, d in ranked[:top]]


def resolution_titles(release_dir: Path) -> dict[str, str]:
    """Title of each resolution: the resolutions table's, else the title of the document itself."""
    titles = {r["document_id"]: r["title"] for r in _rows(release_dir, "documents", ["document_id", "title"]) if r["title"]}
    for r in _rows(release_dir, "resolutions", ["resolution_id", "title"]):
        if r["title"]:
            titles[r["resolution_id"]] = r["title"]
    return titles


def _doc_anchor(document_id: str) -> str:
    return "doc-" + _slug(document_id)


def _count_table(caption: str, header: str, counts: Mapping[Any, int]) -> str:
    body = "".join(f'<tr><td>{_e(k)}</td><td class="num">{_n(v)}</td></tr>'
                   for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))))
    return (f'<div class="scroll"><table class="counts"><caption>{_e(caption)}</caption><thead><tr><th scope="col">{_e(header)}</th>'
            f'<th scope="col" class="num">documents</th></tr></thead><tbody>{body}</tbody></table></div>')


def _coverage_section(documents: Sequence[Mapping[str, Any]]) -> str:
    """What the documents are, said before any chart: a convenience sample, not all UN documents."""
    years = [d["date"].year for d in documents if d["date"] is not None]
    undated = len(documents) - len(years)
    span = f", dated from {min(years)} to {max(years)}" if years else ""
    undated_note = f" ({_n(undated)} without a date)" if undated else ""
    tables_html = "".join([
        _count_table("By type", "type", Counter(d["doc_type"] for d in documents)),
        _count_table("By language", "language", Counter(d["language"] or "unknown" for d in documents)),
        _count_table("By collection (source folder)", "collection", Counter(d["collection"] for d in documents)),
        _count_table("By year", "year", Counter(d["date"].year if d["date"] else "no date" for d in documents)),
    ])
    return (f'<section id="coverage"><h2>What this release covers</h2>'
            f'<p><b>{_n(len(documents))} UN documents</b>{span}{undated_note}. They are a <b>convenience sample</b>: the '
            f'documents that were collected for this dataset, not every UN document on cooperation with regional '
            f'organizations. Counts and charts describe these documents only: a peak in one year shows which documents '
            f'were gathered, not necessarily more cooperation in that year.</p>'
            f'<div class="grid">{tables_html}</div></section>')


def _documents_section(documents: Sequence[Mapping[str, Any]]) -> str:
    """Every document in one table, to browse, or to search with the browser's find (no script)."""
    shown = documents[:DOCUMENT_LIST_LIMIT]
    rows = "".join(
        f'<tr id="{_doc_anchor(d["document_id"])}"><td><code>{_e(d["document_id"])}</code></td>'
        f'<td class="num">{_e(d["date"].isoformat() if d["date"] else "–")}</td><td>{_e(d["doc_type"])}</td>'
        f'<td>{_e(d["language"] or "")}</td><td>{_e(_clip(d["title"] or "", 160))}</td></tr>' for d in shown)
    more = (f'<p class="muted">The first {_n(len(shown))} of {_n(len(documents))} documents; all of them are in '
            f'documents.csv.</p>' if len(documents) > len(shown) else "")
    return (f'<section id="documents"><h2>Documents</h2><p class="muted">Every document of the release, by date. '
            f'Search it with your browser\'s find (Ctrl+F or ⌘F): symbol, type, language or words of the title. '
            f'The full texts are in documents.csv, documents.parquet and uncoop.duckdb.</p>{more}'
            f'<details><summary>Show the {_n(len(shown))} documents</summary><div class="scroll"><table id="document-list">'
            f'<thead><tr><th scope="col">document</th><th scope="col" class="num">date</th><th scope="col">type</th>'
            f'<th scope="col">language</th><th scope="col">title</th></tr></thead><tbody>{rows}</tbody></table></div>'
            f'</details></section>')


def _cite_section(package: Mapping[str, Any]) -> str:
    year = str(package.get("created") or "")[:4]
    licences = ", ".join(str(lic.get("name") or lic.get("title")) for lic in package.get("licenses") or [])
    sources = "; ".join(str(src.get("title")) for src in package.get("sources") or [])
    citation = (f'{package.get("title", package.get("name", "uncoop"))}, release {package.get("version", "")} ({year}). '
                f'Built by {package.get("name", "uncoop")} from United Nations documents. Source: United Nations.')
    return (f'<section id="cite"><h2>How to cite</h2><p>The documents are the United Nations\'; this dataset is derived '
            f'from them. The licence ({_e(licences)}) requires attribution: name the United Nations as the source of the '
            f'documents and this release as the source of the data, for example:</p>'
            f'<blockquote><p>{_e(citation)}</p></blockquote>'
            f'<p class="muted">Documents from: {_e(sources)}. Facts in the tables were extracted automatically and may '
            f'contain errors: check a fact against its document (every row keeps the document and character offsets).</p>'
            f'</section>')


def _quarantine_section(release_dir: Path, package: Mapping[str, Any]) -> str:
    extra = package.get("uncoop") or {}
    counts = extra.get("quarantined") or {}
    total = int(extra.get("n_quarantined") or sum(counts.values()))
    reasons = "".join(f"<li><code>{_e(k)}</code>: {_n(int(v))}</li>" for k, v in sorted(counts.items()))
    link = _link("quarantine.csv", "quarantine.csv", release_dir)
    if not total:
        body = "<p>No input was set aside: every input became a document of this release.</p>"
    else:
        body = (f"<p>{_n(total)} input{'s' if total != 1 else ''} could not be used and {'are' if total != 1 else 'is'} "
                f"not in the tables, each with its reason ({link}):</p><ul>{reasons}</ul>")
    return f'<section id="quarantine"><h2>Inputs set aside (quarantine)</h2>{body}</section>'


def render_catalog(release_dir: Path, package: Mapping[str, Any], validation: Mapping[str, Any] | None = None) -> str:
    """The catalog page of the release in `release_dir` (its Parquet files feed the charts):
    `package` is its datapackage descriptor and `validation` ValidationReport.as_dict() (None
    reads validation/summary.json when the folder has one). The same inputs give the same page."""
    release_dir = Path(release_dir)
    if validation is None and (release_dir / "validation" / "summary.json").is_file():
        validation = json.loads((release_dir / "validation" / "summary.json").read_text(encoding="utf-8"))
    title = f"{package.get('name', 'dataset')} {package.get('version', '')}".strip()
    nav = ('<nav aria-label="Sections" class="muted"><a href="#coverage">Coverage</a> · <a href="#tables">Tables</a> · '
           '<a href="#charts">Charts</a> · <a href="#documents">Documents</a> · <a href="#cite">How to cite</a> · '
           '<a href="#validation">Validation</a> · <a href="#quarantine">Quarantine</a> · '
           '<a href="#downloads">Whole release</a> · <a href="#dictionary">Data dictionary</a> · '
           '<a href="#about">Licence and sources</a></nav>')
    documents = document_list(release_dir)
    body = "".join([
        _header(package, validation, _counts(package, release_dir)),
        f"<main>{nav}",
        _coverage_section(documents),
        _tables_section(release_dir, package, validation),
        _charts_section(release_dir, {d["document_id"] for d in documents}),
        _documents_section(documents),
        _cite_section(package),
        _validation_section(release_dir, validation),
        _quarantine_section(release_dir, package),
        _downloads_section(release_dir, package),
        _dictionary_section(),
        _about(package),
        "</main>",
        f'<footer><p>Generated from <code>{DATAPACKAGE_FILE}</code> and the tables of release '
        f'<code>{_e(package.get("version", ""))}</code>. This page loads nothing from the network.</p></footer>',
    ])
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="description" content="{_e(package.get("title", ""))}">'
            f"<title>{_e(title)}</title><style>{CSS}</style></head>\n<body>{body}</body></html>\n")


def write_catalog(release_dir: Path, package: Mapping[str, Any] | None = None,
                  validation: Mapping[str, Any] | None = None) -> Path:
    """Write `index.html` into a release folder being staged (releases are immutable once
    published). Without `package`, the folder's datapackage.json is read."""
    release_dir = Path(release_dir)
    if package is None:
        package = json.loads((release_dir / DATAPACKAGE_FILE).read_text(encoding="utf-8"))
    target = release_dir / CATALOG_FILE
    target.write_text(render_catalog(release_dir, package, validation), encoding="utf-8")
    return target


def catalog_resource(release_dir: Path) -> dict[str, Any]:
    """The datapackage.json entry of the catalog page (it never lists itself, so it can be
    hashed after it is written)."""
    data = (Path(release_dir) / CATALOG_FILE).read_bytes()
    return {"name": "catalog", "path": CATALOG_FILE, "title": "catalog page",
            "description": "What this release holds, its tables, data dictionary, validation and charts (offline HTML).",
            "format": "html", "mediatype": "text/html", "encoding": "utf-8", "profile": "data-resource", "type": "file",
            "bytes": len(data), "hash": "sha256:" + hashlib.sha256(data).hexdigest()}
