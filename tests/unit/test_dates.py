"""Dates as UN documents write them."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.core.dates import find_dates, month_number, ordinal_value, parse_date

D = dt.date


@pytest.mark.parametrize(
    ("text", "raw", "first", "last"),
    [
        ("held on 24 July 2025, in connection", "24 July 2025", D(2025, 7, 24), D(2025, 7, 24)),
        ("On 3 and 4 April 2012, OIC", "3 and 4 April 2012", D(2012, 4, 3), D(2012, 4, 4)),
        ("From 28 to 30 May 2013, OIC", "28 to 30 May 2013", D(2013, 5, 28), D(2013, 5, 30)),
        ("held in Astana from 22 to 24 July 2024 to review", "22 to 24 July 2024", D(2024, 7, 22), D(2024, 7, 24)),
        ("to be held on 28 October 2013 (see annex)", "28 October 2013", D(2013, 10, 28), D(2013, 10, 28)),
        ("Mecca, Saudi Arabia, on 7 and 8 December 2005, adopted", "7 and 8 December 2005", D(2005, 12, 7), D(2005, 12, 8)),
        ("in Cancun, 30 November-2 December 2010.", "30 November-2 December 2010", D(2010, 11, 30), D(2010, 12, 2)),
        ("in Vienna, 12-14 March 2019.", "12-14 March 2019", D(2019, 3, 12), D(2019, 3, 14)),
        ("the session of 12\u201314 March 2019", "12\u201314 March 2019", D(2019, 3, 12), D(2019, 3, 14)),
        ("from 30 November to 2 December 2010", "30 November to 2 December 2010", D(2010, 11, 30), D(2010, 12, 2)),
        ("from 30 December-2 January 2011", "30 December-2 January 2011", D(2010, 12, 30), D(2011, 1, 2)),
        ("for the period from 1 January 2017 to 31 December 2019", "1 January 2017 to 31 December 2019", D(2017, 1, 1), D(2019, 12, 31)),
        ("held on March 28, 2007 in connection", "March 28, 2007", D(2007, 3, 28), D(2007, 3, 28)),
        ("on 3, 4 and 5 April 2012", "3, 4 and 5 April 2012", D(2012, 4, 3), D(2012, 4, 5)),
        ("Distr.\nGENERAL\n3 DECEMBER 1992", "3 DECEMBER 1992", D(1992, 12, 3), D(1992, 12, 3)),
        ("2nd April, 1947.", "2nd April, 1947", D(1947, 4, 2), D(1947, 4, 2)),
        ("signed on Sept. 5, 2001", "Sept. 5, 2001", D(2001, 9, 5), D(2001, 9, 5)),
        ("release of 2025-07-24", "2025-07-24", D(2025, 7, 24), D(2025, 7, 24)),
    ],
)
def test_find_dates_forms(text: str, raw: str, first: dt.date, last: dt.date) -> None:
    found = find_dates(text)
    assert len(found) == 1
    span = found[0]
    assert text[span.start : span.end] == raw == span.raw
    assert (span.start_date, span.end_date) == (first, last)
    assert span.is_range == (first != last)


@pytest.mark.parametrize(
    "text",
    [
        "no date here",
        "31 February 2020",  # no such day
        "you may 2020 consider",  # the modal verb is not a month
        "in May 2020",  # month and year only: not a day
        "resolution 1325 (2000)",
        "the 2005 World Summit",
    ],
)
def test_find_dates_negatives(text: str) -> None:
    assert find_dates(text) == []


def test_several_dates_in_order() -> None:
    text = "resolutions 1261 (1999) of 25 August 1999, 1265 (1999) of 17 September 1999 and 1296 (2000) of 19 April 2000"
    assert [d.start_date for d in find_dates(text)] == [D(1999, 8, 25), D(1999, 9, 17), D(2000, 4, 19)]


@pytest.mark.parametrize(
    ("s", "expected"),
    [
        ("24 July 2025", D(2025, 7, 24)),
        ("Tuesday, 4 September 2012, 10 a.m.", D(2012, 9, 4)),
        ("2025-07-24", D(2025, 7, 24)),
        ("from 22 to 24 July 2024", D(2024, 7, 22)),
        ("", None),
        ("July", None),
        ("32 July 2025", None),
    ],
)
def test_parse_date(s: str, expected: dt.date | None) -> None:
    assert parse_date(s) == expected


@pytest.mark.parametrize(
    ("word", "value"),
    [("first", 1), ("third", 3), ("Fiftieth", 50), ("seventy-fifth", 75), ("Twenty-third", 23), ("644th", 644),
     ("3rd", 3), ("22nd", 22), ("meeting", None)],
)
def test_ordinal_value(word: str, value: int | None) -> None:
    assert ordinal_value(word) == value


@pytest.mark.parametrize(("name", "n"), [("January", 1), ("Sept.", 9), ("dec", 12), ("Mayday", None)])
def test_month_number(name: str, n: int | None) -> None:
    assert month_number(name) == n


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_find_dates_never_raises_and_spans_are_exact(text: str) -> None:
    for span in find_dates(text):
        assert text[span.start : span.end] == span.raw
        assert span.start_date <= span.end_date


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 28), st.sampled_from(["January", "May", "October"]), st.integers(1900, 2099), st.text(max_size=20))
def test_any_day_month_year_is_found(day: int, month: str, year: int, noise: str) -> None:
    text = f"{noise} on {day} {month} {year}."
    assert parse_date(text[len(noise):]) == dt.date(year, month_number(month) or 1, day)
