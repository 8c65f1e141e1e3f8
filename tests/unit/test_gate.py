"""The publishing gate (CONTRACT.md): never an empty release; a shrinking one only when told."""

from __future__ import annotations

from flows.core.storage import publishing_gate


def package(documents: int, **rows: int) -> dict:
    resources = [{"name": "documents", "format": "parquet", "rows": documents}]
    resources += [{"name": n, "format": "parquet", "rows": r} for n, r in rows.items()]
    resources += [{"name": "documents", "format": "json", "rows": documents}]
    return {"version": "v1", "resources": resources, "uncoop": {"n_documents": documents}}


def test_an_empty_release_is_never_published():
    assert "no documents" in publishing_gate({"documents": 0}, 0, None)
    assert "no documents" in publishing_gate({"documents": 0}, 0, package(5), allow_shrink=True)


def test_a_first_release_and_a_growing_one_pass():
    assert publishing_gate({"documents": 3, "citations": 10}, 3, None) is None
    assert publishing_gate({"documents": 6, "citations": 95}, 6, package(5, citations=100)) is None


def test_fewer_documents_or_a_table_losing_over_a_tenth_is_refused_unless_allowed():
    refused = publishing_gate({"documents": 4, "citations": 100}, 4, package(5, citations=100))
    assert refused and "4 documents" in refused and "--allow-shrink" in refused
    refused = publishing_gate({"documents": 5, "citations": 89}, 5, package(5, citations=100))
    assert refused and "citations" in refused and "11 of its 100" in refused
    assert publishing_gate({"documents": 5, "citations": 90}, 5, package(5, citations=100)) is None
    assert publishing_gate({"documents": 4, "citations": 10}, 4, package(5, citations=100), allow_shrink=True) is None


def test_fewer_quarantined_inputs_are_no_loss():
    assert publishing_gate({"documents": 5, "quarantine": 0}, 5, package(5, quarantine=30)) is None
