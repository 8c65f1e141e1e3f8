"""Hypothesis fuzzes every extractor for speed as well as safety (issue 20, findings 1-2):
long runs of one character class in the six UN scripts, with and without spaces, repeated UN
symbols and citations, random mixtures. Each example is a few tens of KB; the deadline is far
above what linear code needs there (a few hundredths of a second) and far below what the
quadratic code of before took (the 'İ', '中文' and "OIC’" runs: tens of seconds)."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.adversarial import PIECES, SCRIPTS, SEPARATORS, extractors

EXTRACTORS = extractors()
for _fn in EXTRACTORS.values():  # warm up: vocabularies, tries and expressions are built once per process
    _fn("The African Union (AU) and S/2013/1, ibid. İ 中文 مجلس")

N_CHARS = st.integers(min_value=2_000, max_value=30_000)
script_units = st.sampled_from(list(SCRIPTS)).flatmap(lambda s: st.text(alphabet=SCRIPTS[s], min_size=1, max_size=8))
units = st.one_of(script_units, st.sampled_from(PIECES),
                  st.lists(st.sampled_from(PIECES), min_size=1, max_size=4).map(" ".join))
runs = st.builds(lambda unit, sep, n: (unit + sep) * max(1, n // len(unit + sep)),
                 units, st.sampled_from(SEPARATORS), N_CHARS)
mixtures = st.lists(st.one_of(st.sampled_from(PIECES), script_units, st.sampled_from(SEPARATORS)),
                    min_size=200, max_size=3_000).map("".join)

FUZZ = settings(max_examples=40, deadline=timedelta(seconds=5),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _run_all(text: str) -> None:
    for name, fn in EXTRACTORS.items():
        result = fn(text)
        assert result is not None or name == "extract_metadata", name


@FUZZ
@given(runs)
def test_long_runs_in_every_script_stay_fast(text):
    _run_all(text)


@FUZZ
@given(mixtures)
def test_random_mixtures_of_un_pieces_and_scripts_stay_fast(text):
    _run_all(text)


@FUZZ
@given(st.sampled_from(["İ", "中文", "OIC’", "S/2013/1 ", "(S/2013/1, ibid.) ", "S/2013/1.\nIbid.\n", "AU OIC "]),
       st.integers(min_value=20_000, max_value=40_000))
def test_the_runs_that_were_quadratic_stay_fast(unit, n_chars):
    _run_all(unit * (n_chars // len(unit)))
