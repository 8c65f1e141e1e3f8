"""A deterministic benchmark corpus of >= 50 MB built from the real texts under corpus/.

Every bundled document (seeds and undocs) is normalized once with `normalize_text`; the corpus
is then a list of documents, each a variant of one real document:

- a few numbers are changed (same number of digits, a year stays a plausible year), so symbols,
  resolution numbers, dates and paragraph numbers differ from copy to copy;
- a few adjacent paragraphs of the body are swapped (the masthead, the first lines, stays first);
- the source documents are taken in a shuffled order, pass after pass, until the size is reached.

Nothing is written to disk: the corpus lives in memory for the benchmark run. The same seed
gives the same bytes.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from flows.core.textnorm import normalize_text

ROOT = Path(__file__).resolve().parents[2]
CORPUS_DIR = ROOT / "corpus"

DEFAULT_SEED = 20240601
DEFAULT_MB = 50.0

_NUMBER = re.compile(r"\d+")
_MASTHEAD_PARAGRAPHS = 3


def source_texts() -> list[tuple[str, str]]:
    """(file name, normalized text) of every bundled document, sorted by path."""
    out = []
    for sub in ("seeds", "undocs"):
        for path in sorted((CORPUS_DIR / sub).glob("*.txt")):
            text = normalize_text(path.read_text(encoding="utf-8"))
            if text.strip():
                out.append((path.name, text))
    return out


def vary_numbers(text: str, rng: random.Random, rate: float, years: tuple[int, int] = (1946, 2024),
                 pattern: re.Pattern[str] = _NUMBER) -> str:
    """Change about `rate` of the numbers that `pattern` finds, keeping their number of digits (a
    symbol stays well formed); a four-digit 19xx or 20xx stays a year, drawn from `years`."""
    def repl(m: re.Match) -> str:
        s = m.group(0)
        if rng.random() >= rate:
            return s
        n = len(s)
        if n == 4 and s[:2] in ("19", "20"):
            return str(rng.randint(*years))  # a year stays a year
        if n == 1:
            return str(rng.randint(1, 9))
        return str(rng.randint(10 ** (n - 1), 10 ** n - 1))

    return pattern.sub(repl, text)


def _swap_paragraphs(text: str, rng: random.Random, swaps: int) -> str:
    paras = text.split("\n\n")
    if len(paras) <= _MASTHEAD_PARAGRAPHS + 2:
        return text
    for _ in range(swaps):
        i = rng.randrange(_MASTHEAD_PARAGRAPHS, len(paras) - 1)
        paras[i], paras[i + 1] = paras[i + 1], paras[i]
    return "\n\n".join(paras)


def build_corpus(mb: float = DEFAULT_MB, seed: int = DEFAULT_SEED, rate: float = 0.05) -> list[str]:
    """Documents (normalized texts) whose total UTF-8 size is at least `mb` megabytes (10**6 bytes).

    The first pass keeps the real texts unchanged; later passes vary them."""
    sources = [t for _, t in source_texts()]
    if not sources:
        raise RuntimeError(f"no documents under {CORPUS_DIR}")
    rng = random.Random(seed)
    target = int(mb * 1_000_000)
    docs: list[str] = []
    total = 0
    first_pass = True
    while total < target:
        order = list(range(len(sources)))
        if not first_pass:
            rng.shuffle(order)
        for i in order:
            text = sources[i]
            if not first_pass:
                text = vary_numbers(text, rng, rate)
                text = _swap_paragraphs(text, rng, swaps=rng.randint(0, 3))
            docs.append(text)
            total += len(text.encode("utf-8"))
            if total >= target:
                break
        first_pass = False
    return docs


def corpus_bytes(docs: list[str]) -> int:
    return sum(len(d.encode("utf-8")) for d in docs)
