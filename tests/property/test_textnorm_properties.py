"""Properties of the normalizer on arbitrary text."""

from hypothesis import given, settings
from hypothesis import strategies as st

from flows.core.textnorm import normalize_text

UN_ALPHABET = st.sampled_from(list("abcXYZ019 .,:;()[]*^\\/-_\n\t\"“”’") + ["**", "](#)", "13-42009 (E)", "\n\n", "S/2013/1"])
un_like = st.lists(UN_ALPHABET, max_size=80).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=300), un_like))
def test_normalizing_twice_changes_nothing(raw):
    once = normalize_text(raw)
    assert normalize_text(once) == once


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_no_surrounding_whitespace_or_blank_runs(raw):
    text = normalize_text(raw)
    assert text == text.strip()
    assert "\n\n\n" not in text
