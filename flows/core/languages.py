"""The six official languages of the UN: their words (`schemas/lookups/languages.yaml`) and the
small readers the extractors of the other languages share.

- `matching_view(text)`: the text with Arabic-Indic and full-width digits, full-width and Arabic
  punctuation, guillemets and Chinese title marks made ASCII, one character for one: patterns run
  on it and offsets stay those of the text;
- `chinese_number("五十二")` -> 52, `ordinal_arabic("السابع")` -> 7;
- `language_data(lang)`: the words of one language, with the derived alternations.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from flows.core.lookups import load_lookup

__all__ = ["matching_view", "chinese_number", "ordinal_arabic", "arabic_ordinals", "language_data"]


@cache
def _data() -> dict[str, Any]:
    return load_lookup("languages")


@cache
def _view_table() -> dict[int, str]:
    table = {}
    for src, dst in _data()["matching_view"].items():
        if len(src) != 1 or len(dst) != 1:
            raise ValueError(f"languages.yaml: matching_view maps one character to one, not {src!r} -> {dst!r}")
        table[ord(src)] = dst
    return table


def matching_view(text: str) -> str:
    """`text` with the characters of `matching_view` replaced (same length, same offsets)."""
    return text.translate(_view_table())


def chinese_number(s: str) -> int | None:
    """The value of a Chinese numeral up to 999 ("五十二" -> 52, "十" -> 10, "一百一十一" -> 111),
    or of ASCII digits; None for anything else."""
    s = s.strip()
    if s.isascii() and s.isdigit():
        return int(s)
    digits, units = _data()["chinese_digits"], _data()["chinese_units"]
    if not s or any(ch not in digits and ch not in units for ch in s):
        return None
    total, current = 0, None
    for ch in s:
        if ch in digits:
            if current is not None:
                return None  # two digits in a row: not a numeral of this form
            current = int(digits[ch])
        else:
            total += (1 if current is None else current) * int(units[ch])
            current = None
    return total + (current or 0) or None


@cache
def arabic_ordinals() -> dict[str, int]:
    return {" ".join(str(k).split()): int(v) for k, v in _data()["arabic_ordinals"].items()}


def ordinal_arabic(word: str) -> int | None:
    """The value of an Arabic ordinal word ("السابع" -> 7, "الحادي عشر" -> 11), else None."""
    return arabic_ordinals().get(" ".join(word.split()))


@cache
def language_data(lang: str) -> dict[str, Any]:
    """The words of `lang` ("fr", "es", "ru", "ar", "zh"), with `pinpoint_words_re` (the pinpoint
    words as one alternation, longest first). KeyError for a language the file does not have."""
    d = dict(_data()["languages"][lang])
    words = sorted(d.get("pinpoint_words", {}), key=len, reverse=True)
    d["pinpoint_words_re"] = "|".join(re.escape(w) for w in words) or "(?!)"
    return d
