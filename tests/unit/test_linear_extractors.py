"""Every extractor does work linear in its input on adversarial text (issue 20, findings 1-2).

Speed is not asserted (that is the benchmark's job): the work is *counted*. A tracer counts the
Python lines each extractor executes; doubling the input must not much more than double the
count. The quadratic code of before (citation de-duplication comparing every span of a symbol
with every other, the entity candidate walk-back to the token start for every non-ASCII letter,
the all-capitals test rescanning the line for every acronym, "ibid." looking through every
earlier citation) executed a line per pair, so its count grew fourfold.
"""

from __future__ import annotations

import datetime as dt
import sys

import pytest

from flows.core.areas import extract_areas
from flows.core.citations import extract_citations
from flows.core.entities import extract_entities
from flows.core.meetings import extract_meetings
from flows.core.metadata import extract_metadata

EXTRACTORS = {
    "citations": extract_citations,
    "entities": extract_entities,
    "meetings": lambda text: extract_meetings(text, dt.date(2013, 1, 1)),
    "areas": extract_areas,
    "metadata": lambda text: extract_metadata(text, "fuzz.txt"),
}

# (name, unit): the text is the unit repeated; the fuzz cases of the issue and their relatives
PATTERNS = [
    ("dotted capital I", "İ"),
    ("Chinese without spaces", "中文"),
    ("acronym and apostrophe", "OIC’"),
    ("acronyms on one capitals line", "AU OIC "),
    ("one symbol repeated", "S/2013/1 "),
    ("parenthetical ibid", "(S/2013/1, ibid.) "),
    ("footnote ibid", "S/2013/1.\nIbid.\n"),
    ("Arabic", "مجلس الأمن "),
    ("Cyrillic capitals", "СОВЕТБЕЗОПАСНОСТИ"),
]


def _lines_executed(fn, text: str) -> int:
    count = 0

    def tracer(frame, event, arg):  # noqa: ARG001 - the tracer's signature
        nonlocal count
        if event == "line":
            count += 1
        return tracer

    sys.settrace(tracer)
    try:
        fn(text)
    finally:
        sys.settrace(None)
    return count


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    # vocabularies, tries and compiled expressions are built once per process: not per input
    for fn in EXTRACTORS.values():
        fn("The African Union (AU) and S/2013/1, ibid. İ 中文 مجلس")


@pytest.mark.parametrize("extractor", sorted(EXTRACTORS))
@pytest.mark.parametrize(("name", "unit"), PATTERNS, ids=[p[0] for p in PATTERNS])
def test_work_grows_linearly(extractor: str, name: str, unit: str) -> None:
    fn = EXTRACTORS[extractor]
    n = max(1, 3000 // len(unit))
    small = _lines_executed(fn, unit * n)
    large = _lines_executed(fn, unit * (2 * n))
    assert large <= 2.6 * small + 200, (
        f"{extractor} on {name!r}: {small} lines for {n} repeats, {large} for {2 * n}: grows faster than the input")
