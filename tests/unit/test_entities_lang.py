"""Countries and organizations in the French, Spanish, Russian, Arabic and Chinese texts
(flows/core/entities_lang.py): the keys and English names of an English text."""

from __future__ import annotations

import pytest

from flows.core.entities import extract_entities


def keys(text: str, language: str) -> list[str]:
    found = extract_entities(text, language=language)
    for m in found:
        assert text[m.start:m.end] == m.surface
    return [m.entity_key for m in found]


@pytest.mark.parametrize("text,language", [
    ("la situation en République arabe syrienne et au Liban", "fr"),
    ("la situación en la República Árabe Siria y el Líbano", "es"),
    ("положение в Сирийской Арабской Республике и Ливане", "ru"),
    ("الحالة في الجمهورية العربية السورية ولبنان", "ar"),
    ("阿拉伯叙利亚共和国和黎巴嫩局势", "zh"),
])
def test_countries_take_their_iso3_key(text, language):
    assert keys(text, language) == ["country:SYR", "country:LBN"]


def test_a_mention_carries_the_english_name():
    (m,) = extract_entities("Российская Федерация", language="ru")
    assert (m.entity_type, m.name, m.country_iso3) == ("country", "Russian Federation", "RUS")


@pytest.mark.parametrize("text,language,expected", [
    ("l’Union africaine et la CEDEAO", "fr", ["org:au", "org:ecowas"]),
    ("la Unión Africana y la Liga de los Estados Árabes", "es", ["org:au", "org:las"]),
    ("с Африканским союзом и ОБСЕ", "ru", ["org:au", "org:osce"]),
    ("مع الاتحاد الأفريقي وجامعة الدول العربية", "ar", ["org:au", "org:las"]),
    ("非洲联盟和伊斯兰合作组织", "zh", ["org:au", "org:oic"]),
    ("Conseil de sécurité", "fr", ["org:unsc"]),
])
def test_organizations_of_the_registry(text, language, expected):
    assert keys(text, language) == expected


def test_a_country_name_inside_a_word_is_not_a_mention():
    assert keys("Malien", "fr") == []  # not Mali


def test_organization_names_and_acronyms():
    (m,) = extract_entities("l’OSCE", language="fr")
    assert (m.name, m.acronym) == ("Organization for Security and Co-operation in Europe", "OSCE")


@pytest.mark.parametrize("text", ["", "Union", "الاتحاد", "联合"])
def test_never_raises(text):
    for language in ("fr", "es", "ru", "ar", "zh", "de"):
        keys(text, language)


@pytest.mark.parametrize("text,language,iso3", [
    ("la situación en Somalia", "es", "SOM"),      # the same name as in English
    ("البوسنة والهرسك", "ar", "BIH"),
    ("la situation au Mali", "fr", "MLI"),
])
def test_names_spelled_as_in_english_or_joined(text, language, iso3):
    assert keys(text, language) == [f"country:{iso3}"]
