"""Golden files: the entities of five bundled UN documents of different kinds."""

from __future__ import annotations

import pytest

from flows.core.entities import extract_entities
from tests.conftest import corpus_text

DOCUMENTS = [
    "S_PRST_2017_2.txt",  # presidential statement
    "S_2013_184.txt",  # letter of the Secretary-General
    "S_RES_1160_1998.txt",  # Security Council resolution (1998 layout)
    "A_RES_75_11.txt",  # General Assembly resolution
    "S_PV_6905.txt",  # meeting record
]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_entities_golden(name, golden):
    text = corpus_text(name)
    rows = [{"key": m.entity_key, "type": m.entity_type, "name": m.name, "acronym": m.acronym,
             "country_iso3": m.country_iso3, "title": m.title, "affiliation": m.affiliation,
             "surface": m.surface, "start": m.start, "end": m.end} for m in extract_entities(text)]
    golden("entities", name.removesuffix(".txt"), rows)
