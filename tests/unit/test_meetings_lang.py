"""Dates and numbered meetings of the French, Spanish, Russian, Arabic and Chinese texts
(flows/core/dates.py with a language, flows/core/meetings_lang.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from flows.core.dates import find_dates
from flows.core.meetings import extract_meetings
from flows.core.meetings_lang import adopted_on

JAN29 = dt.date(2021, 1, 29)


@pytest.mark.parametrize("text,language", [
    ("le 29 janvier 2021", "fr"),
    ("el 29 de enero de 2021", "es"),
    ("29 января 2021 года", "ru"),
    ("2021年1月29日", "zh"),
    ("في 29 كانون الثاني/يناير 2021", "ar"),
    ("في 29 يناير 2021", "ar"),
    ("في ٢٩ كانون الثاني/ يناير ٢٠٢١", "ar"),  # Arabic-Indic digits
])
def test_dates_in_every_language(text, language):
    (d,) = find_dates(text, language)
    assert d.start_date == JAN29
    assert text[d.start:d.end] == d.raw


def test_english_dates_are_read_with_or_without_a_language():
    text = "Adopted on 29 January 2021 and 3 and 4 April 2012"
    assert find_dates(text) == find_dates(text, "en") == find_dates(text, None)
    assert [d.start_date for d in find_dates("Distr.: General 29 January 2021\n2021年2月1日", "zh")] == [
        JAN29, dt.date(2021, 2, 1)]


def test_an_impossible_date_is_not_a_date():
    assert find_dates("31 февраля 2021 года", "ru") == []
    assert find_dates("2021年2月30日", "zh") == []


ADOPTED = {
    "fr": "Résolution 2700 (2023)\nAdoptée par le Conseil de sécurité à sa 9444e séance, le 19 octobre 2023\n",
    "es": "Resolución 2700 (2023)\nAprobada por el Consejo de Seguridad en su 9444ª sesión, celebrada el 19 de octubre de 2023\n",
    "ru": "Резолюция 2700 (2023),\nпринятая Советом Безопасности на его 9444\u2011м заседании 19 октября 2023 года\n",
    "ar": "القرار 2700 (2023)\nالذي اتخذه مجلس الأمن في جلسته 9444، المعقودة في 19 تشرين الأول/أكتوبر 2023\n",
    "zh": "第2700(2023)号决议\n2023年10月19日安全理事会第9444次会议通过\n",
}


@pytest.mark.parametrize("language", sorted(ADOPTED))
def test_the_adoption_meeting_and_date(language):
    text = ADOPTED[language]
    (m,) = extract_meetings(text, None, language=language)
    assert (m.meeting_number, m.start_date, m.body, m.status) == (9444, dt.date(2023, 10, 19), "Security Council", "held")
    assert "9444" in text[m.start:m.end]
    assert adopted_on(text, language) == dt.date(2023, 10, 19)


def test_the_organ_named_on_the_line_is_the_body():
    text = "Conseil de sécurité\nRappelant la déclaration faite par l’Assemblée générale à sa 85e séance plénière"
    (m,) = extract_meetings(text, None, language="fr")
    assert (m.body, m.meeting_number) == ("General Assembly", 85)


def test_english_meetings_are_unchanged():
    text = "Adopted by the Security Council at its 9444th meeting, on 19 October 2023"
    assert extract_meetings(text, None) == extract_meetings(text, None, language="en")


@pytest.mark.parametrize("text", ["", "séance", "第次会议", "الجلسة", "заседании"])
def test_never_raises(text):
    for language in ("fr", "es", "ru", "ar", "zh", "de"):
        assert extract_meetings(text, None, language=language) == []
        assert adopted_on(text, language) is None
