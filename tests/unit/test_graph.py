"""The citation network file is valid GraphML that graph tools read."""

import datetime as dt
import xml.etree.ElementTree as ET

from flows.core.graph import citation_graphml

NS = {"g": "http://graphml.graphdrawing.org/xmlns"}


def test_graphml_nodes_and_weighted_edges():
    docs = [{"document_id": "S/PRST/2025/1", "title": "Statement <by> the President & co", "doc_type": "presidential_statement",
             "date": dt.date(2025, 7, 24)},
            {"document_id": "S/RES/1325 (2000)", "title": "Resolution 1325 (2000)", "doc_type": "resolution", "date": None}]
    cites = [{"document_id": "S/PRST/2025/1", "cited_symbol": "S/RES/1325 (2000)", "cited_kind": "sc_resolution"},
             {"document_id": "S/PRST/2025/1", "cited_symbol": "S/RES/1325 (2000)", "cited_kind": "sc_resolution"},
             {"document_id": "S/PRST/2025/1", "cited_symbol": "A/RES/67/264", "cited_kind": "ga_resolution"}]
    data = citation_graphml(docs, cites)
    assert data == citation_graphml(list(reversed(docs)), list(reversed(cites)))  # order-independent
    root = ET.fromstring(data)
    nodes = {n.get("id"): n for n in root.iterfind(".//g:node", NS)}
    assert set(nodes) == {"S/PRST/2025/1", "S/RES/1325 (2000)", "A/RES/67/264"}
    label = nodes["S/PRST/2025/1"].find("g:data[@key='label']", NS).text
    assert label == "Statement <by> the President & co"
    edges = {(e.get("source"), e.get("target")): int(e.find("g:data[@key='weight']", NS).text)
             for e in root.iterfind(".//g:edge", NS)}
    assert edges == {("S/PRST/2025/1", "S/RES/1325 (2000)"): 2, ("S/PRST/2025/1", "A/RES/67/264"): 1}
