"""Hypothesis fuzzes every extractor: arbitrary text, and text built from the pieces UN
documents are made of (symbols, dates, organization names, masthead lines, footnote marks),
never makes one raise, and every fact it returns points inside the text (issue 6)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.core.extract import extract_document
from flows.core.ingest import SourceDocument
from flows.core.textnorm import normalize_text

PIECES = [
    "S/PRST/2017/2", "S/RES/2033 (2012)", "A/RES/67/302", "resolution 1631 (2005)", "ibid.", "Ibid., para. 4.",
    "Article 52", "Chapter VIII of the Charter", "13 January 2017", "Distr.: General", "Original: English",
    "African Union", "AU", "League of Arab States", "Organization of Islamic Cooperation", "OIC", "Mr. Ban Ki-moon",
    "Secretary-General", "Security Council", "7857th meeting", "held on", "in Addis Ababa", "Côte d’Ivoire",
    "peace and security", "counter-terrorism", "mediation", "\n\n", "\n", "1 ", "*1342009*", "13-42009 (E)", "2/5",
    "(", ")", ",", ".", ";", " ", "\u200b", "\u0130", "ﬁ", "٣", "—", "’", "«", "»",
]
un_like = st.lists(st.sampled_from(PIECES), max_size=60).map(" ".join)
anything = st.text(max_size=400)


def _check(text: str) -> None:
    norm = normalize_text(text)
    source = SourceDocument("fuzz/doc.txt", "0" * 64, max(1, len(text.encode("utf-8", "surrogatepass"))), "utf-8",
                            text, norm)
    result = extract_document(source)
    n = len(norm)
    for fact in (*result.citations, *result.entities, *result.meetings, *result.areas):
        start, end = fact.start, fact.end
        assert 0 <= start <= end <= n, fact


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(anything)
def test_every_extractor_survives_arbitrary_text(text):
    _check(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(un_like)
def test_every_extractor_survives_un_shaped_text(text):
    _check(text)
