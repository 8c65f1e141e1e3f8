"""Document metadata from realistic mastheads of every kind of UN document."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.core.metadata import canonical_symbol, detect_language, extract_metadata
from tests.conftest import CORPUS, corpus_text

D = dt.date

PRST = """S/PRST/2016/12

United Nations

Security Council

Distr.: General
21 June 2016

Original: English

Statement by the President of the Security Council
At the 7722nd meeting of the Security Council, held on 21 June 2016, in connection with the Council's consideration of the item entitled "Peace and security in Africa", the President of the Security Council made the following statement on behalf of the Council:
"The Security Council recalls ..."
"""

SC_RES_OLD = """UNITED
NATIONS

S
Security Council
Distr.
GENERAL
S/RES/1040 (1996)*
29 January 1996

RESOLUTION 1040 (1996)
Adopted by the Security Council at its 3623rd meeting, on 29 January 1996

The Security Council,
Recalling ...
"""

GA_RES = """A/RES/73/331

United Nations

General Assembly

Distr.: General
1 October 2019

Seventy-third session
Agenda item 129 (s)
Cooperation between the United Nations and regional and other organizations: cooperation between the United Nations and the Shanghai Cooperation Organization

Resolution adopted by the General Assembly on 12 September 2019
[without reference to a Main Committee (A/73/L.108 and A/73/L.108/Add.1)]

73/331. Cooperation between the United Nations and the Shanghai
Cooperation Organization
The General Assembly,
Recalling ...
"""

LETTER = """S/2019/245

United Nations

Security Council

Distr.: General
18 March 2019

Original: English

Letter dated 15 March 2019 from the Permanent Representative of Kuwait to the
United Nations addressed to the President of the Security Council
I have the honour to transmit herewith the concept note for the briefing ...

Annex to the letter dated 15 March 2019 from the Permanent Representative of Kuwait to the United Nations addressed to the President of the Security Council
Concept note
"""

CONCEPT = """Concept note for the Security Council open debate on the theme "Strengthening regional partnership"
to be held on 12 June 2019

Background
The open debate will ...
"""

REPORT = """S/2016/1072

United Nations

Security Council

Distr.: General
20 December 2016

Original: English

Report of the Secretary-General on the activities of the United Nations Office
for West Africa and the Sahel
I. Introduction
1. The present report covers the period from 1 July to 20 December 2016.
"""

RECORD = """S/PV.7015

United Nations

Security Council

Sixty-eighth year

Provisional

7015th meeting
Tuesday, 6 August 2013, 10 a.m.
New York

President: Ms. Perceval . . . . . . . . . . (Argentina)
"""

GA_RECORD = """A /67/PV.3

United Nations

General Assembly

Official Records

Sixty-seventh session

3rd plenary meeting
Monday, 24 September 2012, 9 a.m.
New York
"""

PRESS = """SC/12616

23 November 2016

Security Council Press Statement on Terrorist Attack in Kabul

The members of the Security Council condemned in the strongest terms ...
"""

NOTE = """S/2017/507

United Nations

Security Council

Distr.: General
30 August 2017

Original: English

Note by the President of the Security Council
1. The members of the Security Council ...
"""

CORR = """A/68/PV.5/Corr.l

General Assembly

Distr.: General
2 October 2013

Original: English
"""

NO_DISTR_RES = """Resolution 2565 (2021)
Adopted by the Security Council on 26 February 2021

The Security Council,
"""

FRENCH = """S/PRST/2017/2

Nations Unies

Conseil de sécurité

Distr. générale
20 janvier 2017
Français
Original : anglais

Déclaration du Président du Conseil de sécurité
À la 7868e séance du Conseil de sécurité, tenue le 20 janvier 2017, dans le cadre de l'examen de la question intitulée « Consolidation de la paix en Afrique de l'Ouest », la Présidente du Conseil de sécurité a fait en son nom la déclaration suivante :
« Le Conseil de sécurité prend note du rapport du Secrétaire général sur les activités du Bureau des Nations Unies pour l'Afrique de l'Ouest et le Sahel et se félicite de l'exposé fait par le Représentant spécial. »
"""


@pytest.mark.parametrize(
    ("text", "symbol", "doc_type", "body", "title", "date", "original", "language"),
    [
        (PRST, "S/PRST/2016/12", "presidential_statement", "Security Council",
         "Statement by the President of the Security Council", D(2016, 6, 21), "English", "en"),
        (SC_RES_OLD, "S/RES/1040 (1996)", "resolution", "Security Council", "Resolution 1040 (1996)",
         D(1996, 1, 29), None, "en"),
        (GA_RES, "A/RES/73/331", "resolution", "General Assembly",
         "Cooperation between the United Nations and the Shanghai Cooperation Organization", D(2019, 10, 1), None, "en"),
        (LETTER, "S/2019/245", "letter", "Security Council",
         "Letter dated 15 March 2019 from the Permanent Representative of Kuwait to the United Nations addressed to "
         "the President of the Security Council", D(2019, 3, 18), "English", "en"),
        (CONCEPT, None, "concept_paper", "Security Council", None, None, None, "en"),
        (REPORT, "S/2016/1072", "report", "Security Council",
         "Report of the Secretary-General on the activities of the United Nations Office for West Africa and the Sahel",
         D(2016, 12, 20), "English", "en"),
        (RECORD, "S/PV.7015", "meeting_record", "Security Council", "7015th meeting", D(2013, 8, 6), None, "en"),
        (GA_RECORD, "A/67/PV.3", "meeting_record", "General Assembly", "3rd plenary meeting", D(2012, 9, 24), None, "en"),
        (PRESS, "SC/12616", "press_release", "Security Council",
         "Security Council Press Statement on Terrorist Attack in Kabul", D(2016, 11, 23), None, "en"),
        (NOTE, "S/2017/507", "note", "Security Council", "Note by the President of the Security Council",
         D(2017, 8, 30), "English", "en"),
        (CORR, "A/68/PV.5/Corr.1", "meeting_record", "General Assembly", None, D(2013, 10, 2), "English", "en"),
        (NO_DISTR_RES, None, "resolution", "Security Council", "Resolution 2565 (2021)", D(2021, 2, 26), None, "en"),
        (FRENCH, "S/PRST/2017/2", "presidential_statement", "Security Council", None, D(2017, 1, 20), None, "fr"),
    ],
    ids=["prst", "sc_res_old", "ga_res", "letter", "concept", "report", "sc_record", "ga_record", "press",
         "note", "corr", "res_no_distr", "french"],
)
def test_mastheads(text, symbol, doc_type, body, title, date, original, language) -> None:
    meta = extract_metadata(text)
    assert meta.symbol == symbol
    assert meta.doc_type == doc_type
    assert meta.body == body
    if title is not None:
        assert meta.title == title
    assert meta.date == date
    assert meta.original_language == original
    assert meta.language == language


def test_resolution_adopted_on() -> None:
    assert extract_metadata(SC_RES_OLD).adopted_on == D(1996, 1, 29)
    assert extract_metadata(GA_RES).adopted_on == D(2019, 9, 12)
    assert extract_metadata(LETTER).adopted_on is None


def test_source_name_never_gives_the_symbol() -> None:
    assert extract_metadata(CONCEPT, "S_2019_999.txt").symbol is None


def test_letter_with_annexed_concept_paper_is_a_letter() -> None:
    assert extract_metadata(corpus_text("004_675dc49bf67d1f24.txt")).doc_type == "letter"


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("S/2018/25*", "S/2018/25"),
        ("A /67/PV.3", "A/67/PV.3"),
        ("S/2013/1/Corr.l", "S/2013/1/Corr.1"),
        ("A/37/51/Add.l", "A/37/51/Add.1"),
        ("S/RES/1325 (2000)", "S/RES/1325 (2000)"),
        ("S/RES/794 ( 1992)", "S/RES/794 (1992)"),
        ("A/67/49 (Vol. I)", "A/67/49 (Vol. I)"),
        ("A/67/280-S/2012/614", "A/67/280-S/2012/614"),
    ],
)
def test_canonical_symbol(raw: str, canonical: str) -> None:
    assert canonical_symbol(raw) == canonical


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("The Security Council recalls its previous resolutions and the statements of its President.", "en"),
        ("Le Conseil de sécurité rappelle ses résolutions antérieures et les déclarations de son président.", "fr"),
        ("El Consejo de Seguridad recuerda sus resoluciones anteriores y las declaraciones de su Presidencia.", "es"),
        ("Совет Безопасности ссылается на свои предыдущие резолюции и заявления своего Председателя.", "ru"),
        ("إن مجلس الأمن، إذ يشير إلى قراراته السابقة وبيانات رئيسه", "ar"),
        ("安全理事会回顾其以往各项决议和主席声明。", "zh"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize(
    ("name", "symbol", "doc_type", "date"),
    [
        ("000_43f1bc9eb56fa180.txt", None, "presidential_statement", D(2025, 7, 24)),
        ("004_675dc49bf67d1f24.txt", None, "letter", D(2013, 10, 3)),
        ("S_2018_25.txt", "S/2018/25", "report", D(2018, 1, 9)),
        ("A_67_PV_3.txt", "A/67/PV.3", "meeting_record", D(2012, 9, 24)),
        ("S_RES_1160_1998.txt", "S/RES/1160 (1998)", "resolution", D(1998, 3, 31)),
        ("A_RES_75_11.txt", "A/RES/75/11", "resolution", D(2020, 11, 30)),
        ("A_37_51_Add_1.txt", "A/37/51/Add.1", "other", D(1983, 11, 8)),
        ("S_2013_103.txt", "S/2013/103", "note", D(2013, 2, 21)),
    ],
)
def test_bundled_corpus(name: str, symbol: str | None, doc_type: str, date: dt.date) -> None:
    meta = extract_metadata(corpus_text(name))
    assert (meta.symbol, meta.doc_type, meta.date) == (symbol, doc_type, date)


def test_whole_corpus_never_raises() -> None:
    names = sorted(p.name for p in (CORPUS / "undocs").glob("*.txt")) + sorted(p.name for p in (CORPUS / "seeds").glob("*.txt"))
    assert len(names) >= 100
    for name in names:
        meta = extract_metadata(corpus_text(name), name)
        assert meta.doc_type in {"presidential_statement", "resolution", "letter", "concept_paper", "report",
                                 "meeting_record", "press_release", "note", "other"}
        assert meta.body and meta.language


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_never_raises(text: str) -> None:
    meta = extract_metadata(text)
    assert isinstance(meta.title, str)


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=200))
def test_never_raises_with_masthead_noise(noise: str) -> None:
    extract_metadata("S/2013/1\n" + noise + "\nDistr.: General\n" + noise)


def test_path_import() -> None:  # the corpus is where the tests expect it
    assert Path(CORPUS / "undocs" / "MANIFEST.tsv").exists()


@pytest.mark.parametrize(
    ("masthead", "expected"),
    [
        ("Security Council\n\nDistr.: General\n24 July 2025", "General"),
        ("S/PRST/1994/5\n\nSECURITY COUNCIL\n\nDistr.\nGENERAL\nS/PRST/1994/5", "General"),
        ("General Assembly\n\nDistr.: Limited\n12 October 2020\n\nOriginal: English", "Limited"),
        ("Distr. RESTRICTED\nS/AC.26/2001/R.1", "Restricted"),
        ("Statement by the President of the Security Council\nThe Council met.", None),
    ],
)
def test_distribution(masthead, expected):
    from flows.core.metadata import distribution

    assert distribution(masthead) == expected


def test_on_counts_as_an_english_stop_word() -> None:
    """`on` is a boolean to YAML 1.1 unless quoted; quoted, it is the only English cue here."""
    assert detect_language("Consultations on Mali, on Burkina Faso, on Niger: la situation de") == "en"


def test_a_stop_word_yaml_did_not_read_as_a_string_fails_clearly(monkeypatch) -> None:
    from flows.core import metadata

    monkeypatch.setattr(metadata, "_cfg", lambda: {"stopwords": {"en": ["the", True]}})
    metadata._stopword_sets.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"stop words of 'en' must be strings.*quote"):
            metadata._stopword_sets()
    finally:
        metadata._stopword_sets.cache_clear()
