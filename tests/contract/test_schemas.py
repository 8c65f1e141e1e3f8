"""schemas/ implements CONTRACT.md and the generated files match it."""

import pytest

from flows.core.schema import arrow_schema, drifted, json_schema, tables, vocabularies

# CONTRACT.md: the tables and the columns (with their Arrow types) every release must hold.
CONTRACT = {
    "documents": {"document_id": "string", "source_name": "string", "source_sha256": "string", "symbol": "string",
                  "doc_type": "string", "body": "string", "title": "string", "date": "date32", "original_language": "string",
                  "text": "string", "n_chars": "int64"},
    "meetings": {"meeting_id": "string", "body": "string", "meeting_number": "int64", "title": "string",
                 "agenda_item": "string", "start_date": "date32", "end_date": "date32", "city": "string",
                 "country_iso3": "string", "format": "string", "level": "string", "status": "string"},
    "meeting_mentions": {"meeting_id": "string", "document_id": "string", "start": "int64", "end": "int64"},
    "resolutions": {"resolution_id": "string", "body": "string", "number": "int64", "session": "int64", "year": "int64",
                    "title": "string", "adopted_on": "date32", "n_citing_documents": "int64"},
    "citations": {"citation_id": "string", "document_id": "string", "cited_symbol": "string", "cited_kind": "string",
                  "pinpoint": "string", "raw": "string", "start": "int64", "end": "int64", "via_ibid": "bool"},
    "areas": {"area_id": "string", "label": "string", "definition": "string"},
    "cooperation_areas": {"document_id": "string", "area_id": "string", "n_mentions": "int64", "evidence": "string",
                          "start": "int64", "end": "int64"},
    "entities": {"entity_id": "string", "entity_type": "string", "name": "string", "acronym": "string",
                 "country_iso3": "string", "title": "string"},
    "entity_mentions": {"document_id": "string", "entity_id": "string", "surface": "string", "start": "int64", "end": "int64"},
}
KEYS = {"documents": ("document_id",), "meetings": ("meeting_id",), "resolutions": ("resolution_id",),
        "citations": ("citation_id",), "areas": ("area_id",), "cooperation_areas": ("document_id", "area_id"),
        "entities": ("entity_id",)}
VOCABULARIES = {
    "doc_type": ["presidential_statement", "resolution", "draft_resolution", "letter", "concept_paper", "report", "meeting_record",
                 "press_release", "note", "other"],
    "cited_kind": ["sc_resolution", "ga_resolution", "prst", "document", "meeting_record", "charter",
                   "rules_of_procedure", "url", "other"],
    "entity_type": ["organization", "person", "country", "place"],
    "meeting_status": ["held", "planned", "unknown"],
}


@pytest.mark.parametrize("table", sorted(CONTRACT))
def test_schema_holds_the_contract_columns(table):
    spec = tables()[table]
    types = {c.name: c.type for c in spec.columns}
    for column, kind in CONTRACT[table].items():
        assert types.get(column) == kind, f"{table}.{column}"
    if table in KEYS:
        assert spec.primary_key == KEYS[table]


def test_vocabularies_are_the_contract_ones():
    for name, values in VOCABULARIES.items():
        assert vocabularies()[name] == values


def test_no_nested_columns_anywhere():
    for table in tables().values():
        for field in arrow_schema(table):
            assert not (field.type.num_fields or str(field.type).startswith(("list", "struct", "map"))), field


def test_foreign_keys_point_at_real_columns():
    for table in tables().values():
        for fk in table.foreign_keys:
            target = tables()[fk["reference"]["resource"]]
            assert set(fk["fields"]) <= set(table.column_names)
            assert set(fk["reference"]["fields"]) <= set(target.column_names)


def test_json_schema_requires_every_column():
    for table in tables().values():
        schema = json_schema(table)
        assert schema["items"]["required"] == table.column_names


def test_generated_files_do_not_drift():
    stale = drifted()
    assert stale == [], f"regenerate with `uncoop schemas` (make schemas): {stale}"
