"""Citations in the French, Spanish, Russian, Arabic and Chinese texts (flows/core/citations_lang.py):
the same canonical cited_symbol as the English text, whatever the language."""

from __future__ import annotations

import pytest

from flows.core.citations import extract_citations
from flows.core.languages import chinese_number, matching_view, ordinal_arabic

CHARTER = "Charter of the United Nations"


def cited(text: str, language: str) -> list[str]:
    return [c.cited_symbol for c in extract_citations(text, language=language)]


def check_offsets(text: str, language: str) -> None:
    for c in extract_citations(text, language=language):
        assert text[c.start:c.end] == c.raw


# One sentence in the six languages (the Council's own wording, resolution 2652 (2022)).
PARALLEL = {
    "en": "Recalling its resolutions 2240 (2015), 2312 (2016) and 2598 (2021) and the statement of its "
          "President of 16 December 2015 (S/PRST/2015/25),",
    "fr": "Rappelant ses résolutions 2240 (2015), 2312 (2016) et 2598 (2021) et la déclaration de sa "
          "présidence en date du 16 décembre 2015 (S/PRST/2015/25),",
    "es": "Recordando sus resoluciones 2240 (2015), 2312 (2016) y 2598 (2021) y la declaración de su "
          "Presidencia de 16 de diciembre de 2015 (S/PRST/2015/25),",
    "ru": "ссылаясь на свои резолюции 2240 (2015), 2312 (2016) и 2598 (2021) и на заявление своего "
          "Председателя от 16 декабря 2015 года (S/PRST/2015/25),",
    "ar": "إذ يشير إلى قراراته 2240 (2015) و 2312 (2016) و 2598 (2021) وبيانه الرئاسي المؤرخ "
          "16 كانون الأول/ ديسمبر 2015 (S/PRST/2015/25)،",
    "zh": "回顾其第2240(2015)、2312(2016)和2598(2021)号决议及2015年12月16日主席声明(S/PRST/2015/25)，",
}


@pytest.mark.parametrize("language", ["fr", "es", "ru", "ar", "zh"])
def test_a_list_of_resolutions_gives_the_english_symbols(language):
    english = cited(PARALLEL["en"], "en")
    assert english == ["S/RES/2240 (2015)", "S/RES/2312 (2016)", "S/RES/2598 (2021)", "S/PRST/2015/25"]
    assert cited(PARALLEL[language], language) == english
    check_offsets(PARALLEL[language], language)


@pytest.mark.parametrize("text,language,expected", [
    ("rappelant la résolution 2250 (2015) sur les jeunes", "fr", ["S/RES/2250 (2015)"]),
    ("recordando la resolución 2250 (2015)", "es", ["S/RES/2250 (2015)"]),
    ("ссылаясь на резолюции 2250 (2015)", "ru", ["S/RES/2250 (2015)"]),
    ("وإذ يشير إلى القرار 2250 (2015)", "ar", ["S/RES/2250 (2015)"]),
    ("回顾第2250(2015)号决议", "zh", ["S/RES/2250 (2015)"]),
    ("回顾第2250（2015）号决议", "zh", ["S/RES/2250 (2015)"]),  # full-width parentheses
    ("وإذ يشير إلى القرار ٢٢٥٠ (٢٠١٥)", "ar", ["S/RES/2250 (2015)"]),  # Arabic-Indic digits
    # General Assembly resolutions: the form of the number decides
    ("la résolution 67/264 de l’Assemblée générale", "fr", ["A/RES/67/264"]),
    ("la resolución 46/182 de la Asamblea General", "es", ["A/RES/46/182"]),
    ("резолюцией 46/182 Генеральной Ассамблеи", "ru", ["A/RES/46/182"]),
    ("في قرار الجمعية العامة 46/182،", "ar", ["A/RES/46/182"]),
    ("大会第46/182号决议", "zh", ["A/RES/46/182"]),
    # a list with the dates of adoption between the items
    ("ses résolutions 1031 (1995) du 15 décembre 1995, 1088 (1996) du 12 décembre 1996", "fr",
     ["S/RES/1031 (1995)", "S/RES/1088 (1996)"]),
    ("sus resoluciones 1031 (1995), de 15 de diciembre de 1995, 1088 (1996), de 12 de diciembre de 1996", "es",
     ["S/RES/1031 (1995)", "S/RES/1088 (1996)"]),
    ("резолюции 1031 (1995) от 15 декабря 1995 года, 1088 (1996) от 12 декабря 1996 года", "ru",
     ["S/RES/1031 (1995)", "S/RES/1088 (1996)"]),
    ("قراراته 1031 (1995) المؤرخ 15 كانون الأول/ديسمبر 1995 و 1088 (1996) المؤرخ 12 كانون الأول/ديسمبر 1996", "ar",
     ["S/RES/1031 (1995)", "S/RES/1088 (1996)"]),
    ("包括1995年12月15日第1031(1995)号、1996年12月12日第1088(1996)号决议", "zh",
     ["S/RES/1031 (1995)", "S/RES/1088 (1996)"]),
])
def test_resolutions(text, language, expected):
    assert cited(text, language) == expected
    check_offsets(text, language)


def test_a_number_without_its_year_takes_the_year_printed_elsewhere_in_the_document():
    text = "重申第1701(2006)号决议。\n关切违反第1701号决议的行为。"
    found = extract_citations(text, language="zh")
    assert [c.cited_symbol for c in found] == ["S/RES/1701 (2006)", "S/RES/1701 (2006)"]
    assert found[1].raw == "第1701号决议"
    assert cited("关切违反第1701号决议的行为。", "zh") == []  # no year anywhere: not cited


@pytest.mark.parametrize("text,language", [
    ("见S/2021/5号文件", "zh"),                       # a symbol touching Chinese characters
    ("التقرير (S/2021/5)، وإذ", "ar"),                 # Arabic comma after the parenthesis
    ("le rapport «S/2021/5»", "fr"),                  # guillemets
    ("报告（S/2021/5）", "zh"),                         # full-width parentheses
])
def test_symbols_in_other_scripts_and_punctuation(text, language):
    assert cited(text, language) == ["S/2021/5"]
    check_offsets(text, language)


@pytest.mark.parametrize("text,language,expected", [
    ("en vertu de l’Article 52 de la Charte", "fr", [f"{CHARTER}, Article 52"]),
    ("agissant en vertu du Chapitre VII de la Charte des Nations Unies", "fr", [f"{CHARTER}, Chapter VII"]),
    ("conforme al Artículo 52 de la Carta", "es", [f"{CHARTER}, Article 52"]),
    ("el Artículo 41 del Capítulo VII de la Carta de las Naciones Unidas", "es",
     [f"{CHARTER}, Article 41", f"{CHARTER}, Chapter VII"]),
    ("статья 52 Устава", "ru", [f"{CHARTER}, Article 52"]),
    ("на основании главы VII Устава Организации Объединенных Наций", "ru", [f"{CHARTER}, Chapter VII"]),
    ("в соответствии с главами VII и VIII Устава", "ru", [f"{CHARTER}, Chapter VII", f"{CHARTER}, Chapter VIII"]),
    ("《宪章》第五十二条", "zh", [f"{CHARTER}, Article 52"]),
    ("根据《联合国宪章》第七章采取行动", "zh", [f"{CHARTER}, Chapter VII"]),
    ("المادة 52 من الميثاق", "ar", [f"{CHARTER}, Article 52"]),
    ("وإذ يتصرف بموجب الفصل السابع من ميثاق الأمم المتحدة،", "ar", [f"{CHARTER}, Chapter VII"]),
])
def test_charter_articles_and_chapters(text, language, expected):
    assert cited(text, language) == expected
    check_offsets(text, language)


@pytest.mark.parametrize("text,language", [
    ("l’article 3 de la Charte africaine", "fr"),
    ("el artículo 3 de la Carta de la Unión Africana", "es"),
    ("пункт 4 статьи 14 Устава Механизма", "ru"),
    ("المادة 3 من الميثاق الأفريقي", "ar"),
    ("la sección 3.2.2 del Capítulo V del Acuerdo Revitalizado", "es"),
])
def test_articles_of_other_instruments_are_not_the_charter(text, language):
    assert cited(text, language) == []


@pytest.mark.parametrize("text,language,pinpoint", [
    ("le paragraphe 3 de la résolution 2250 (2015)", "fr", "para. 3"),
    ("los párrafos 7, 8, 9 y 10 de la resolución 2240 (2015)", "es", "paras. 7, 8, 9 and 10"),
    ("пункт 3 резолюции 2250 (2015)", "ru", "para. 3"),
    ("الفقرة 3 من القرار 2250 (2015)", "ar", "para. 3"),
    ("第2250(2015)号决议第3段", "zh", "para. 3"),
    ("第2240(2015)号决议第7至10段", "zh", "paras. 7-10"),
    ("les paragraphes 7 à 10 de la résolution 2240 (2015)", "fr", "paras. 7-10"),
])
def test_pinpoints_in_the_english_canonical_form(text, language, pinpoint):
    (c,) = extract_citations(text, language=language)
    assert c.pinpoint == pinpoint


def test_english_is_read_by_the_english_extractor():
    text = PARALLEL["en"] + "\nacting under Chapter VII of the Charter of the United Nations,"
    assert extract_citations(text) == extract_citations(text, language="en") == extract_citations(text, None)


def test_another_language_reads_the_symbols_only():
    assert cited("unter Hinweis auf die Resolution 2250 (2015) (S/2021/5)", "de") == ["S/2021/5"]


@pytest.mark.parametrize("text", ["", "résolution", "第号决议", "《宪章》第条", "القرار (", "резолюции ()"])
def test_never_raises(text):
    for language in ("fr", "es", "ru", "ar", "zh"):
        check_offsets(text, language)


def test_readers_of_numbers():
    assert chinese_number("五十二") == 52
    assert chinese_number("十") == 10
    assert chinese_number("一百一十一") == 111
    assert chinese_number("七") == 7
    assert chinese_number("五五") is None
    assert ordinal_arabic("السابع") == 7
    assert ordinal_arabic("الحادي  عشر") == 11
    assert matching_view("（٢٠١٥）،") == "(2015),"
