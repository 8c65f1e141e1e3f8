"""The faster forms of the extract stage find exactly what the plain forms they replace find.

Each test compares a rewritten expression or function with the straightforward one it stands
for, on random strings built from the characters that matter to it."""

from __future__ import annotations

import random
import re

from flows.core import entities, metadata, textnorm
from flows.core.ingest import _looks_binary

_RANDOM_CASES = 20_000


def _strings(alphabet: list[str], max_parts: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, max_parts))) for _ in range(_RANDOM_CASES)]


def test_spaces_collapse_as_one_class_run() -> None:
    plain = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
    for s in _strings([" ", "\t", "\u00a0", "\u2003", "\u3000", "a", "\n", "b"], 12, 1):
        assert textnorm._SPACES.sub(" ", s) == plain.sub(" ", s), repr(s)


def test_emphasis_with_its_look_behind_after_the_star() -> None:
    plain = re.compile(r"(?<![\w*])\*(?=[^\s*\d])([^*\n]*?[^\s*])\*(?![\w*])")
    for s in _strings(["*", "a", " ", "1", "\n", "é", "_", "**"], 10, 2):
        assert [m.span(1) for m in textnorm._EMPHASIS.finditer(s)] == [m.span(1) for m in plain.finditer(s)], s


def test_normalize_text_is_idempotent_on_markup_and_spaces() -> None:
    parts = ["**x**", "*y*", "[a](#)", "\\*", "^a", " ", "  ", "\t", "\u00a0", "\n", "word", "\u200b", "\r\n", "S/PV.1",
             "12", "-"]
    for s in _strings(parts, 14, 3)[:5000]:
        once = textnorm.normalize_text(s)
        assert textnorm.normalize_text(once) == once, repr(s)


def test_looks_binary_counts_control_bytes() -> None:
    def plain(data: bytes) -> bool:
        sample = data[:8192]
        if b"\x00" in sample:
            return True
        return sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13)) > max(8, len(sample) // 100)

    rng = random.Random(4)
    for _ in range(5000):
        data = bytes(rng.choice([1, 2, 9, 10, 12, 13, 27, 31, 32, 65, 200]) for _ in range(rng.randint(0, 300)))
        assert _looks_binary(data) == plain(data), data


def test_words_are_those_of_the_word_expression() -> None:
    chars = list("abc xyz,.’“”–—é١²½ß_9-") + ["\u0301", "ж", "中", "\u00a0", "İ".lower()]
    for s in _strings(chars, 20, 5):
        assert metadata._words(s) == metadata._WORD.findall(s), repr(s)


def test_designator_starts_are_those_of_finditer() -> None:
    parts = ["refugee camp", "camp", " ", "\n", ".", "Xa", "’", "in the vicinity of", "near", "city", "s", "-",
             "region", "\n\n", "sub-district", "\u00a0", "é"]
    for s in _strings(parts, 10, 6):
        assert entities._designator_starts(s) == [m.start() for m in entities._DESIGNATOR_OR_VICINITY.finditer(s)], s


def test_a_name_continues_only_across_a_gap_that_may_stand_inside_it() -> None:
    found = {m.surface for m in entities.extract_entities("The African\nUnion met. The African\n\nUnion did not.")}
    assert "African\nUnion" in found
    assert "African\n\nUnion" not in found
