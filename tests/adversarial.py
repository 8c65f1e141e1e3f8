"""Adversarial text for the extractors: the six UN scripts, long runs of one character class
with and without spaces, repeated symbols and citations, pathological Latin patterns.

Shared by the fuzz suite (`tests/property/test_extractor_budget_fuzz.py`, hypothesis strategies)
and the benchmark (`tests/bench/test_bench_adversarial.py`, a seeded random generator), so both
look at the same kinds of input.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

# letters of the six official languages' scripts, and the characters that change case or width
SCRIPTS: dict[str, str] = {
    "latin": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "latin accents": "éèêàçôûÉÈÀÇñÑáíóúÁÍÓÚüÜœŒ",
    "cyrillic": "абвгдежзийклмнопрстуфхцчшщъыьэюяАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ",
    "arabic": "ابتثجحخدذرزسشصضطظعغفقكلمنهوي٠١٢٣٤٥٦٧٨٩",
    "chinese": "中文联合国安全理事会大会决议秘书长区域组织非洲联盟合作",
    "case changers": "İıßẞǅǈﬁﬂŉΐ",
    "digits": "0123456789",
    "punctuation": ".,;:()[]/-–—’‘“”«»\"'*§",
    "spaces": " \t\n\u00a0\u2009\u200b\u3000",
}

# pieces of UN documents that the extractors look for (each triggers some rule)
PIECES = [
    "S/2013/1", "S/PRST/2017/2", "S/RES/2033 (2012)", "A/RES/67/302", "resolution 1631 (2005)", "resolutions 1 and 2",
    "ibid.", "Ibid., para. 4.", "(ibid.)", "Article 52", "Chapter VIII of the Charter", "13 January 2017",
    "Distr.: General", "Original: English", "African Union", "AU", "(AU)", "OIC", "OIC’", "League of Arab States",
    "Organization of Islamic Cooperation", "Mr. Ban Ki-moon", "Secretary-General", "Security Council",
    "7857th meeting", "held on", "in Addis Ababa", "Côte d’Ivoire", "peace and security", "mediation", "(Signed)",
    "Mr.", "Ms.", "A.", "para.", "paragraph 4", "(a)", "*1342009*", "13-42009 (E)", "СОВЕТ БЕЗОПАСНОСТИ",
    "مجلس الأمن", "安全理事会", "İstanbul", "ﬁnancing",
]

SEPARATORS = ["", " ", "\n", ", ", ". ", "’", "-", "\n\n", "/"]

TARGET_CHARS = 100_000  # the benchmark's inputs: 100 KB each


def repeated(unit: str, sep: str, n_chars: int) -> str:
    """`unit` + `sep` repeated to about n_chars characters."""
    block = unit + sep
    return block * max(1, n_chars // max(1, len(block)))


def fixed_cases(n_chars: int = TARGET_CHARS) -> list[tuple[str, str]]:
    """(description, text) of the named worst cases: one long run per script and class, with and
    without spaces, and each UN piece repeated."""
    cases = []
    for script, letters in SCRIPTS.items():
        for sep in ("", " ", "\n"):
            cases.append((f"{script} letters, separator {sep!r}", repeated(letters, sep, n_chars)))
        for ch in letters[:3]:
            cases.append((f"{ch!r} repeated", ch * n_chars))
    for piece in PIECES:
        for sep in (" ", "", "\n", ", "):
            cases.append((f"{piece!r} + {sep!r} repeated", repeated(piece, sep, n_chars)))
    return cases


def random_case(rng: random.Random, n_chars: int = TARGET_CHARS) -> tuple[str, str]:
    """A random adversarial text of about n_chars characters and a description of it."""
    kind = rng.choice(("run", "mix", "pieces"))
    if kind == "run":
        script = rng.choice(list(SCRIPTS))
        unit = "".join(rng.choice(SCRIPTS[script]) for _ in range(rng.randint(1, 12)))
        sep = rng.choice(SEPARATORS)
        return f"run of {unit!r} + {sep!r} ({script})", repeated(unit, sep, n_chars)
    if kind == "mix":
        scripts = rng.sample(list(SCRIPTS), rng.randint(1, 4))
        alphabet = "".join(SCRIPTS[s] for s in scripts)
        return f"random characters of {', '.join(scripts)}", "".join(rng.choice(alphabet) for _ in range(n_chars))
    pieces = rng.sample(PIECES, rng.randint(1, 6))
    seps = rng.sample(SEPARATORS, rng.randint(1, 3))
    parts: list[str] = []
    size = 0
    while size < n_chars:
        part = rng.choice(pieces) + rng.choice(seps)
        parts.append(part)
        size += len(part)
    return f"UN pieces {pieces} with separators {seps}", "".join(parts)


def extractors() -> dict[str, Callable[[str], object]]:
    """Every extractor as extract_document runs it, plus normalization."""
    from flows.core.areas import extract_areas
    from flows.core.citations import extract_citations
    from flows.core.entities import extract_entities
    from flows.core.meetings import extract_meetings
    from flows.core.metadata import extract_metadata
    from flows.core.textnorm import normalize_text

    return {
        "normalize_text": normalize_text,
        "extract_metadata": lambda text: extract_metadata(text, "fuzz.txt"),
        "extract_citations": extract_citations,
        "extract_entities": extract_entities,
        "extract_meetings": lambda text: extract_meetings(text, dt.date(2013, 6, 30)),
        "extract_areas": extract_areas,
    }
