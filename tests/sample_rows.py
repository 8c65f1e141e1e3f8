"""A minimal, valid set of release rows that tests build on (and break on purpose)."""

import datetime as dt

TEXT = "Chapter VIII of the Charter encourages cooperation with the OIC."


def release_rows(text: str = TEXT) -> dict[str, list[dict]]:
    rows = {
        "documents": [{
            "document_id": "S/PRST/2025/1", "source_name": "a.txt", "source_sha256": "a" * 64, "symbol": "S/PRST/2025/1",
            "doc_type": "presidential_statement", "body": "Security Council", "title": "Statement",
            "date": dt.date(2025, 7, 24), "original_language": "English", "language": "en", "text": text, "n_chars": len(text),
        }],
        "citations": [{
            "citation_id": "cit-0123456789abcdef", "document_id": "S/PRST/2025/1",
            "cited_symbol": "Charter of the United Nations, Chapter VIII", "cited_kind": "charter", "pinpoint": None,
            "raw": "Chapter VIII of the Charter", "start": 0, "end": 27, "via_ibid": False, "stated_date": None,
        }],
        "entities": [{"entity_id": "org:oic", "entity_type": "organization", "name": "Organization of Islamic Cooperation",
                      "acronym": "OIC", "country_iso3": None, "title": None, "wikidata_id": "Q166346", "n_documents": 1}],
        "entity_mentions": [],
    }
    at = text.find("OIC")
    if at >= 0:
        rows["entity_mentions"].append({"document_id": "S/PRST/2025/1", "entity_id": "org:oic", "surface": "OIC",
                                        "start": at, "end": at + 3})
    return rows
