"""The citation network of a release as GraphML: documents and cited instruments as nodes,
one edge per (citing document, cited symbol) weighted by the number of citations. Opens in
Gephi, yEd, networkx (`networkx.read_graphml`) and igraph. Deterministic: sorted nodes and edges."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any
from xml.sax.saxutils import quoteattr

_KEYS = [
    ("label", "node", "string"), ("node_type", "node", "string"), ("doc_type", "node", "string"),
    ("date", "node", "string"), ("in_release", "node", "boolean"),
    ("weight", "edge", "int"), ("cited_kind", "edge", "string"),
]


def _data(key: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"<data key={quoteattr(key)}>{quoteattr(str(value))[1:-1]}</data>"


def citation_graphml(documents: Iterable[Mapping[str, Any]], citations: Iterable[Mapping[str, Any]]) -> bytes:
    quoted: dict[str, str] = {}  # node ids recur on every edge: escape each once

    def q(value: str) -> str:
        if value not in quoted:
            quoted[value] = quoteattr(value)
        return quoted[value]

    docs = {d["document_id"]: d for d in documents}
    edges: Counter[tuple[str, str, str]] = Counter()
    cited_kind: dict[str, str] = {}
    for c in citations:
        edges[(c["document_id"], c["cited_symbol"], c["cited_kind"])] += 1
        cited_kind.setdefault(c["cited_symbol"], c["cited_kind"])
    nodes: dict[str, dict[str, Any]] = {}
    for doc_id, d in docs.items():
        date = d.get("date")
        nodes[doc_id] = {"label": d.get("title") or doc_id, "node_type": "document", "doc_type": d.get("doc_type"),
                         "date": date.isoformat() if hasattr(date, "isoformat") else date, "in_release": True}
    for symbol, kind in cited_kind.items():
        nodes.setdefault(symbol, {"label": symbol, "node_type": kind, "in_release": False})
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">']
    lines += [f'  <key id="{k}" for="{f}" attr.name="{k}" attr.type="{t}"/>' for k, f, t in _KEYS]
    lines.append('  <graph id="citations" edgedefault="directed">')
    for node_id in sorted(nodes):
        attrs = "".join(_data(k, v) for k, v in nodes[node_id].items())
        lines.append(f"    <node id={q(node_id)}>{attrs}</node>")
    kinds = {kind: _data("cited_kind", kind) for _, _, kind in edges}
    for i, ((src, dst, kind), n) in enumerate(sorted(edges.items())):
        lines.append(f'    <edge id="e{i}" source={q(src)} target={q(dst)}><data key="weight">{n}</data>{kinds[kind]}</edge>')
    lines += ["  </graph>", "</graphml>", ""]
    return "\n".join(lines).encode("utf-8")
