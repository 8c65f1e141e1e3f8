"""Meetings named in UN documents: numbered meetings, records, dated events; held or planned."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.core.meetings import extract_meetings, meeting_key
from flows.core.metadata import extract_metadata
from tests.conftest import CORPUS, corpus_text

D = dt.date
SC_HEAD = "Security Council\n\nDistr.: General\n{date}\n\nOriginal: English\n\n"


def only(text: str, doc_date: dt.date | None):
    found = extract_meetings(text, doc_date)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "doc_date", "expected"),
    [
        ('At the 9964th meeting of the Security Council, held on 24 July 2025, in connection with the Council\'s '
         'consideration of the item entitled "Cooperation between the United Nations and regional organizations", the '
         'President made the following statement.', D(2025, 7, 24),
         dict(body="Security Council", meeting_number=9964, start_date=D(2025, 7, 24), status="held",
              agenda_item="Cooperation between the United Nations and regional organizations")),
        ("Resolution 2033 (2012)\nAdopted by the Security Council at its 6702nd meeting, on 12 January 2012\n",
         D(2012, 1, 12), dict(body="Security Council", meeting_number=6702, start_date=D(2012, 1, 12), status="held")),
        ("welcomes the decisions of the AU Peace and Security Council, at its 644th meeting held on 12 December 2016.",
         D(2017, 1, 20), dict(body="AU Peace and Security Council", meeting_number=644, start_date=D(2016, 12, 12))),
        ("From 28 to 30 May 2013, OIC, with the cooperation of the Counter-Terrorism Committee Executive Directorate, "
         "held a meeting in Jeddah, Saudi Arabia, on Security Council resolution 1624 (2005).", D(2013, 10, 3),
         dict(body="OIC", start_date=D(2013, 5, 28), end_date=D(2013, 5, 30), city="Jeddah", country_iso3="SAU",
              status="held")),
        ("On 3 and 4 April 2012, OIC, the United Nations and the Organization for Security and Cooperation in Europe "
         "held, at the OIC secretariat in Jeddah, Saudi Arabia, a joint consultative session on mediation.", D(2013, 10, 3),
         dict(start_date=D(2012, 4, 3), end_date=D(2012, 4, 4), city="Jeddah", country_iso3="SAU", status="held",
              title="Joint consultative session on mediation")),
        ("the 16th biennial general meeting of the organizations of the United Nations system and the Organization "
         "of Islamic Cooperation, held in Astana from 22 to 24 July 2024 to review cooperation.", D(2025, 7, 24),
         dict(start_date=D(2024, 7, 22), end_date=D(2024, 7, 24), city="Astana", country_iso3="KAZ", status="held")),
        ("the Islamic Summit Conference, at its third extraordinary session, held in Mecca, Saudi Arabia, on 7 and 8 "
         "December 2005, adopted the Programme.", D(2013, 10, 3),
         dict(body="Islamic Summit Conference", start_date=D(2005, 12, 7), end_date=D(2005, 12, 8),
              country_iso3="SAU", status="held", title="Third extraordinary session of the Islamic Summit Conference")),
        ("the decision of the Fiftieth Ordinary Session of the ECOWAS Authority held in Abuja on 17 December 2016.",
         D(2017, 1, 20), dict(body="ECOWAS Authority", start_date=D(2016, 12, 17), city="Abuja", country_iso3="NGA")),
        (SC_HEAD.format(date="20 January 2017") + "welcomes the briefing on 13 January 2017 by the Special "
         "Representative of the Secretary-General.", D(2017, 1, 20),
         dict(body="Security Council", format="briefing", start_date=D(2017, 1, 13), status="held")),
        ("7015th meeting\nTuesday, 6 August 2013, 10 a.m.\nNew York\n", D(2013, 8, 6),
         dict(meeting_number=7015, start_date=D(2013, 8, 6), city="New York", country_iso3="USA", status="held")),
        ("... of its resolution.\n30th plenary meeting\n23 November 2020\n", D(2020, 11, 30),
         dict(body="General Assembly", meeting_number=30, start_date=D(2020, 11, 23), status="held")),
        ("as reflected in the record of that meeting (S/PV.7015).", None,
         dict(body="Security Council", meeting_number=7015, start_date=None)),
        ("the Middle East Quartet Principals meeting held in Munich on 1 February 2014 and", D(2014, 2, 14),
         dict(start_date=D(2014, 2, 1), city="Munich", country_iso3="DEU", status="held")),
    ],
    ids=["sc_statement", "adopted_at", "au_psc", "from_to_oic", "on_and", "astana", "at_its_session", "ecowas",
         "briefing", "record_masthead", "ga_plenary", "s_pv", "quartet"],
)
def test_meeting_forms(text: str, doc_date: dt.date | None, expected: dict) -> None:
    m = only(text, doc_date)
    for field, value in expected.items():
        assert getattr(m, field) == value, field
    assert 0 <= m.start < m.end <= len(text)


@pytest.mark.parametrize(
    ("text", "doc_date", "status"),
    [
        ("the concept paper for the Security Council briefing on the theme entitled \u201cPartnership\u201d, to be "
         "held on 28 October 2013 (see annex).", D(2013, 10, 3), "planned"),
        ("The next ministerial meeting will be held in Geneva on 5 May 2014.", None, "planned"),
        ("The next ministerial meeting will be held in Geneva on 5 May 2014.", D(2014, 1, 1), "planned"),
        ("A seminar was held in Geneva on 5 May 2014.", D(2014, 1, 1), "planned"),  # after the document's date
        ("A seminar was held in Geneva on 5 May 2014.", D(2014, 6, 1), "held"),
        ("A seminar was held in Geneva on 5 May 2014.", None, "held"),
        ("the summit of 5 May 2014", None, "unknown"),
    ],
)
def test_held_or_planned(text: str, doc_date: dt.date | None, status: str) -> None:
    assert only(text, doc_date).status == status


@pytest.mark.parametrize(
    "text",
    [
        "requests the Secretary-General to submit a report, no later than 18 September 2009, on practical ways",
        "the extension of the mandate for a further period of three years, from 1 January 2017 to 31 December 2019.",
        "that as of 19 January 2017, outgoing President Jammeh will cease to be recognized",
        "to investigate the incident of 19 March 2013 involving an alleged use of chemical weapons",
        "in the locations of Khan al-Asal and Ataybah, as well as in Homs on 23 December 2012.",
        "Recalling its resolutions 1261 (1999) of 25 August 1999 and 1265 (1999) of 17 September 1999,",
        "I have the honour to refer to my letter dated 3 October 2013 (S/2013/590).",
        "Recalling the report of the Secretary-General dated 10 July 2017 on the operation",
        "the Convention on the Rights of the Child, adopted on 20 November 1989,",
        "the meeting the needs of the population on 5 May 2014",  # "meeting" as a verb
        "The present report covers developments from 23 June to 18 December 2017.",
        "the Joint Plan of Action agreed by the E3+3 and Iran that entered into force on 20 January 2014",
        "On 20 March 2013, I received a letter from the Government of the Syrian Arab Republic",
        "",
    ],
)
def test_not_meetings(text: str) -> None:
    assert extract_meetings(text, D(2020, 1, 1)) == []


def test_same_meeting_in_two_documents_has_one_key() -> None:
    letter = ("the concept paper for the Security Council briefing on the theme entitled \u201cPartnership\u201d, "
              "to be held on 28 October 2013 (see annex).")
    statement = ("At the 7050th meeting of the Security Council, held on 28 October 2013, in connection with the "
                 "Council's consideration of the item entitled \u201cCooperation\u201d, the President made a statement.")
    record = "S/PV.7050\n\nSecurity Council\n\n7050th meeting\nMonday, 28 October 2013, 10 a.m.\nNew York\n"
    a = only(letter, D(2013, 10, 3))
    b = only(statement, D(2013, 10, 28))
    c = only(record, D(2013, 10, 28))
    assert (a.status, b.status) == ("planned", "held")
    assert meeting_key(a) == meeting_key(b) == meeting_key(c)


def test_keys_of_different_meetings_differ() -> None:
    text = ("the AU Peace and Security Council, at its 644th meeting held on 12 December 2016, and its declaration "
            "at its 647th meeting held on 13 January 2017.")
    first, second = extract_meetings(text, D(2017, 1, 20))
    assert (first.meeting_number, second.meeting_number) == (644, 647)
    assert meeting_key(first) != meeting_key(second)


def test_organizer_written_out_or_abbreviated_has_one_key() -> None:
    a = only("the African Union Peace and Security Council, at its 644th meeting held on 12 December 2016.", None)
    b = only("the AU Peace and Security Council, at its 644th meeting held on 12 December 2016.", None)
    assert meeting_key(a) == meeting_key(b)


def test_keys_are_deterministic() -> None:
    text = corpus_text("004_675dc49bf67d1f24.txt")
    first = [meeting_key(m) for m in extract_meetings(text, D(2013, 10, 3))]
    again = [meeting_key(m) for m in extract_meetings(text, D(2013, 10, 3))]
    assert first == again and len(first) == len(set(first)) == 4


def test_sorted_by_start() -> None:
    text = corpus_text("S_PRST_2017_2.txt")
    found = extract_meetings(text, D(2017, 1, 20))
    assert [m.start for m in found] == sorted(m.start for m in found)
    assert {m.meeting_number for m in found} >= {7868, 644, 647}


def test_whole_corpus_never_raises_and_spans_are_inside() -> None:
    paths = sorted((CORPUS / "undocs").glob("*.txt")) + sorted((CORPUS / "seeds").glob("*.txt"))
    assert len(paths) >= 100
    for path in paths:
        text = corpus_text(path.name)
        meta = extract_metadata(text)
        for m in extract_meetings(text, meta.date):
            assert 0 <= m.start < m.end <= len(text), path.name
            assert m.status in {"held", "planned", "unknown"}
            assert m.body
            assert m.start_date is None or m.end_date is None or m.start_date <= m.end_date


@settings(max_examples=150, deadline=None)
@given(st.text(), st.one_of(st.none(), st.dates()))
def test_never_raises(text: str, doc_date: dt.date | None) -> None:
    for m in extract_meetings(text, doc_date):
        assert 0 <= m.start < m.end <= len(text)
        meeting_key(m)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(["meeting", "held", "on", "12 May 2014", "at its", "5th", "session", ",", "in",
                                 "Geneva", "the", "Council", "S/PV.", "7015", "\n", "to be held", "from", "to"]),
                max_size=30))
def test_never_raises_on_meeting_words(words: list[str]) -> None:
    text = " ".join(words)
    for m in extract_meetings(text, D(2014, 1, 1)):
        assert 0 <= m.start < m.end <= len(text)


def _mention(body, number=None, day=None):
    import datetime as dt

    from flows.core.models import MeetingMention

    return MeetingMention(body=body, start=0, end=1, meeting_number=number,
                          start_date=dt.date(2013, 10, day) if day else None, status="held")


def test_meeting_keys_merge_an_announcement_with_the_numbered_meeting():
    from flows.core.meetings import meeting_keys

    letter = _mention("Security Council", day=28)  # "a briefing to be held on 28 October 2013"
    statement = _mention("Security Council", number=7050, day=28)
    record = _mention("Security Council", number=7050)  # S/PV.7050, date not read
    keys = meeting_keys([letter, statement, record])
    assert len(set(keys)) == 1


def test_meeting_keys_keep_two_numbered_meetings_of_one_day_apart():
    from flows.core.meetings import meeting_keys

    a, b = _mention("Security Council", number=7050, day=28), _mention("Security Council", number=7051, day=28)
    unnumbered = _mention("Security Council", day=28)
    keys = meeting_keys([a, b, unnumbered])
    assert len(set(keys)) == 3


def test_meeting_keys_tell_bodies_apart():
    from flows.core.meetings import meeting_keys

    keys = meeting_keys([_mention("Security Council", number=644, day=12),
                         _mention("African Union Peace and Security Council", number=644, day=12)])
    assert keys[0] != keys[1]


@pytest.mark.parametrize(
    ("masthead", "president"),
    [
        ("7002nd meeting\n\nTuesday, 16 July 2013, 3.15 p.m.\nNew York\n\nPresident:\n\nMrs. DiCarlo. . . . . . . .\n\n"
         "(United States of America)\n\nMembers:", "Mrs. DiCarlo (United States of America)"),
        ("3rd plenary meeting\nMonday, 24 September 2012, 9 a.m.\nNew York\n\nPresident:\n\nMr. Jeremić . . . . . . .\n\n"
         "The meeting was called to order at 9.10 a.m.", "Mr. Jeremić"),
        ("6905th meeting\nPresident:\n\nMr. Masood Khan/Mr. Ahmad . . . . . . .\n\n(Pakistan)\n\nMembers:",
         "Mr. Masood Khan/Mr. Ahmad (Pakistan)"),
        ("The President of the Security Council made the following statement:", None),
    ],
)
def test_record_president(masthead, president):
    from flows.core.meetings import record_president

    assert record_president(masthead) == president


def test_record_meeting_carries_its_president():
    from tests.conftest import corpus_text

    text = corpus_text("S_PV_7002.txt")
    (own,) = [m for m in extract_meetings(text, None) if m.meeting_number == 7002]
    assert own.president == "Mrs. DiCarlo (United States of America)"


def test_meeting_keys_keep_plenaries_of_two_sessions_apart():
    import datetime as dt

    from flows.core.meetings import meeting_keys
    from flows.core.models import MeetingMention

    a = MeetingMention(body="General Assembly", start=0, end=1, meeting_number=38, start_date=dt.date(2005, 10, 26))
    b = MeetingMention(body="General Assembly", start=0, end=1, meeting_number=38, start_date=dt.date(2012, 10, 30))
    undated = MeetingMention(body="General Assembly", start=0, end=1, meeting_number=38)
    keys = meeting_keys([a, b, undated])
    assert len(set(keys)) == 3


@pytest.mark.parametrize(("text", "stray"), [
    ("The Paris Conference on Cambodia, held on 30 July 1989, opened the talks.", "Paris"),
    ("The Fourth World Conference on Women, held on 4 September 1995, adopted a plan.", "Women"),
])
def test_meeting_body_is_an_organization_not_a_stray_word(text, stray):
    bodies = {m.body for m in extract_meetings(text, None)}
    assert bodies and stray not in bodies
