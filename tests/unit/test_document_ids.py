"""Document ids never collide (issue 20, finding 6): a collision withheld the whole release."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from flows.core.assemble import mint_document_ids


def test_a_file_named_like_a_symbol_does_not_take_the_id_of_the_document_printing_it():
    docs = [("S/2013/1.txt", None), ("letter.txt", "S/2013/1")]
    ids = mint_document_ids(docs)
    assert ids[1] == "S/2013/1"  # the printed symbol wins
    assert len(set(ids)) == 2
    assert ids[0] == "S/2013/1.txt"


def test_a_name_that_is_itself_a_symbol_still_gets_an_id_of_its_own():
    docs = [("S/2013/1", None), ("letter.txt", "S/2013/1")]
    ids = mint_document_ids(docs)
    assert ids[1] == "S/2013/1"
    assert len(set(ids)) == 2


def test_ids_are_unchanged_where_nothing_collides():
    docs = [("a/S_PRST_2017_2.txt", "S/PRST/2017/2"), ("b/note.txt", None), ("c/x.txt", None), ("d/x.txt", None)]
    assert mint_document_ids(docs) == ["S/PRST/2017/2", "b/note", "c/x", "d/x"]


names = st.sampled_from(["S/2013/1.txt", "S/2013/1", "S/2013/1.md", "a.txt", "a", "a.md", "x/S/2013/1.txt",
                         "S/PRST/2017/2.txt", "fetched/S/2013/1"])
symbols = st.one_of(st.none(), st.sampled_from(["S/2013/1", "S/PRST/2017/2", "a", "S/2013/1.txt", "x/S/2013/1"]))


@given(st.dictionaries(names, symbols, min_size=1))
def test_ids_are_always_unique(docs):
    pairs = sorted(docs.items())
    ids = mint_document_ids(pairs)
    assert len(set(ids)) == len(ids)
