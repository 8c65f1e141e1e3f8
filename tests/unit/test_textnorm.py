"""Normalization of raw text: markup removed, page furniture dropped, wrapped lines joined."""

import random
import re

import pytest

from flows.core import textnorm
from flows.core.textnorm import normalize_text, strip_markup


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("see General Assembly resolution [67/264](#).", "see General Assembly resolution 67/264."),
        ("resolution [1963 \\(2010\\)](#)", "resolution 1963 (2010)"),
        ("**Security Council**", "Security Council"),
        ("(*ibid.*, para. 106)", "(ibid., para. 106)"),
        ("enhancing cultural dialogue.^a The", "enhancing cultural dialogue. The"),
        ("[A/67/280-S/2012/614](https://undocs.org/A/67/280)", "A/67/280-S/2012/614"),
        ("a *1342009* barcode stays inside a sentence", "a *1342009* barcode stays inside a sentence"),
        ("2 * 3 * 4", "2 * 3 * 4"),
        ("__Note__", "Note"),
    ],
)
def test_strip_markup(raw, expected):
    assert strip_markup(raw) == expected


def test_footnote_line_marker_is_removed():
    assert normalize_text("^a Additional information is available.") == "Additional information is available."


@pytest.mark.parametrize(
    "noise",
    ["13-42009 (E)", "00-72018 (E)", "200117", "*1700923*", "2/4", "3", "`````````", "17-00923 (E) 200117 *1700923*"],
)
def test_page_furniture_lines_are_dropped(noise):
    raw = f"The Council met on that day and took note of the\n\n{noise}\n\nreport of the Secretary-General."
    assert normalize_text(raw) == "The Council met on that day and took note of the report of the Secretary-General."


def test_running_header_symbol_kept_once():
    raw = "S/PRST/2017/2\n\nUnited Nations\n\nfirst page ends here in the middle of a long sentence that\n\nS/PRST/2017/2\n\ncontinues on the next page."
    text = normalize_text(raw)
    assert text.count("S/PRST/2017/2") == 1
    assert "sentence that continues on the next page." in text


def test_wrapped_lines_joined_paragraphs_kept():
    raw = (
        "At the 7868th meeting of the Security Council, held on 20 January 2017, in\n"
        "connection with the Council's consideration of the item entitled \"Peace\n"
        "consolidation in West Africa\", the President made the following statement:\n"
        "\"The Security Council takes note of the report.\n"
    )
    lines = normalize_text(raw).split("\n")
    assert lines[0].startswith("At the 7868th meeting") and lines[0].endswith("following statement:")
    assert lines[1] == '"The Security Council takes note of the report.'


def test_short_header_lines_stay_apart():
    raw = "Security Council\n\nDistr.: General\n24 July 2025\n\nOriginal: English\n\nStatement by the President of the Security Council\n"
    assert normalize_text(raw).split("\n") == [
        "Security Council", "", "Distr.: General", "24 July 2025", "", "Original: English", "",
        "Statement by the President of the Security Council",
    ]


def test_hyphen_at_line_end_joins_without_space():
    raw = "the Assistant Secretary-General and the Under-Secretary-\nGeneral for Political and Peacebuilding Affairs briefed the Council"
    assert "Under-Secretary-General for Political" in normalize_text(raw)


def test_whitespace_and_invisible_characters():
    assert normalize_text("\ufeffa\u00a0b\tc  d\u200b e.\r\nF") == "a b c d e.\nF"


def test_wrapped_lines_read_the_line_end_as_the_regex_did() -> None:
    """_is_wrapped reads the end of a line instead of searching the line for the regex below."""
    terminal = re.compile(r"[.:;!?][\"'”’)\]]*$")

    def plain(line: str, following: str) -> bool:
        if not line or not following or terminal.search(line):
            return False
        if following.startswith(("- ", "• ", "* ", "“", '"')) or line.startswith(("- ", "• ")) and len(line) < 20:
            return False
        return len(line) >= textnorm._WRAP_MIN_CHARS or following[0].islower()

    rng = random.Random(7)
    alphabet = [".", ":", ";", "!", "?", '"', "'", "”", "’", ")", "]", "a", " ", "(", "1", "\u00a0", "word " * 12]
    for _ in range(20_000):
        line = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        following = rng.choice(["next", "Next", "- x", "“x", ""])
        assert textnorm._is_wrapped(line, following) == plain(line, following), repr(line)


@pytest.mark.parametrize(("raw", "expected"), [
    # pieces of one word split by a space: a piece that is no word + a common word together
    ("the coop eration of States", "the cooperation of States"),
    ("its reso lution 71/317", "its resolution 71/317"),
    ("the C ommittee met. The Committee", "the Committee met. The Committee"),
    # a lone letter joins only where the document prints the word whole
    ("the Democrati c Republic of the Congo and the Democratic Republic", "the Democratic Republic of the Congo and the Democratic Republic"),
    ("mai d juin 1967", "mai d juin 1967"),
    # a stray space before the hyphen of a compound
    ("the Follow -up and the High -Level Panel", "the Follow-up and the High-Level Panel"),
    # glued words: a hyphen, or a space where the document prints them apart
    ("the SecretaryGeneral met", "the Secretary-General met"),
    ("the United NationsSecretariat and the United Nations Secretariat", "the United Nations Secretariat and the United Nations Secretariat"),
    # words that stand apart in good text stay apart; names are not words to mend
    ("put in to the world, a part of it, Ban Ki moon, MayrHarting, MacArthur",
     "put in to the world, a part of it, Ban Ki moon, MayrHarting, MacArthur"),
])
def test_words_broken_by_pdf_extraction_are_mended(raw, expected):
    assert normalize_text(raw) == expected
    assert normalize_text(expected) == expected


def test_line_end_hyphen_of_a_split_word_goes_and_a_compound_keeps_it():
    raw = ("The Council underlines the importance of the international coop-\neration with the "
           "organizations and the Secretary-\nGeneral of the League of Arab States.")
    assert "international cooperation with" in normalize_text(raw)
    assert "Secretary-General of the League" in normalize_text(raw)


def test_a_line_ending_in_a_preposition_goes_on_after_page_furniture():
    raw = ("the financing of the United Nations peacekeeping forces in the Middle East: United Nations Interim Force in\n"
           "\n13-36541\n\nLebanon, the report")
    assert "United Nations Interim Force in Lebanon, the report" in normalize_text(raw)
