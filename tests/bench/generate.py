"""Write a benchmark corpus of N documents (about 10 KB each) recombined from real UN texts.

    python -m tests.bench.generate --docs 10000 --out /tmp/uncoop-bench-10k

Each generated document starts with the masthead (first paragraphs) of one real document of
corpus/ (seeds and undocs) and goes on with body paragraphs drawn from real documents until it
reaches about `--kb` kilobytes. Then names, numbers and dates are varied so documents differ
the way a real series does:

- numbers keep their number of digits (so symbols such as S/PRST/2013/12 and resolution
  numbers stay well formed; a year stays a plausible year),
- the month of a date is swapped for another month,
- an organization or country name from the vocabularies under schemas/lookups is swapped for
  another of the same kind (the text still names real organizations).

The same seed gives the same files, byte for byte; `mutate(path, seed)` changes one file
in place (the 1%-changed rerun of the benchmark).
"""

from __future__ import annotations

import argparse
import random
import re
from functools import lru_cache
from pathlib import Path

from tests.bench.corpus import source_texts, vary_numbers

DEFAULT_SEED = 20261122
_MASTHEAD_PARAGRAPHS = 4
_NUMBER = re.compile(r"(?<![A-Za-z])\d+")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
_MONTH = re.compile(r"\b(" + "|".join(_MONTHS) + r")\b")
_SWAPPABLE = (
    "African Union", "League of Arab States", "European Union", "Organization of Islamic Cooperation",
    "Organization for Security and Cooperation in Europe", "Economic Community of West African States",
    "Southern African Development Community", "Association of Southeast Asian Nations",
    "Collective Security Treaty Organization", "Shanghai Cooperation Organization",
    "Organization of American States", "Intergovernmental Authority on Development",
)
_COUNTRIES = ("Egypt", "Kenya", "Mali", "Somalia", "Libya", "Yemen", "Ukraine", "Jordan", "Chad",
              "Senegal", "Norway", "Japan", "Brazil", "Indonesia", "Qatar", "Peru", "Ghana")
_NAME = re.compile(r"\b(" + "|".join(map(re.escape, _SWAPPABLE + _COUNTRIES)) + r")\b")


@lru_cache(maxsize=1)
def _sources() -> tuple[tuple[list[str], list[str]], ...]:
    """(masthead paragraphs, body paragraphs) of every bundled document."""
    out = []
    for _, text in source_texts():
        paras = [p for p in text.split("\n\n") if p.strip()]
        if len(paras) > _MASTHEAD_PARAGRAPHS:
            out.append((paras[:_MASTHEAD_PARAGRAPHS], paras[_MASTHEAD_PARAGRAPHS:]))
    return tuple(out)


def _vary(text: str, rng: random.Random, rate: float = 0.08) -> str:
    def month(m: re.Match) -> str:
        return rng.choice(_MONTHS) if rng.random() < 0.3 else m.group(0)

    def name(m: re.Match) -> str:
        if rng.random() >= 0.3:
            return m.group(0)
        pool = _COUNTRIES if m.group(0) in _COUNTRIES else _SWAPPABLE
        return rng.choice(pool)

    return _NAME.sub(name, _MONTH.sub(month, vary_numbers(text, rng, rate, years=(1990, 2025), pattern=_NUMBER)))


def document(i: int, seed: int = DEFAULT_SEED, kb: float = 10.0) -> str:
    """The i-th generated document: the same (i, seed, kb) always gives the same text."""
    rng = random.Random(f"{seed}:{i}")
    sources = _sources()
    masthead, body = sources[rng.randrange(len(sources))]
    paras = list(masthead)
    size = sum(len(p) + 2 for p in paras)
    target = int(kb * 1000)
    own = list(body)
    while size + 1500 < target:
        if own and rng.random() < 0.7:
            para = own.pop(0)  # mostly the document's own body, in order
        else:
            para = rng.choice(rng.choice(sources)[1])
        paras.append(para)
        size += len(para) + 2
    return _vary("\n\n".join(paras), rng) + "\n"


def generate(out: Path, n_docs: int, seed: int = DEFAULT_SEED, kb: float = 10.0) -> int:
    """Write n_docs documents as out/doc-000001.txt ...; returns the total bytes written."""
    out.mkdir(parents=True, exist_ok=True)
    total = 0
    for i in range(n_docs):
        data = document(i, seed, kb).encode("utf-8")
        (out / f"doc-{i:06d}.txt").write_bytes(data)
        total += len(data)
    return total


def mutate(path: Path, seed: int) -> None:
    """Change one generated document in place (numbers, months and names varied again)."""
    text = path.read_text(encoding="utf-8")
    path.write_text(_vary(text, random.Random(f"mutate:{seed}:{path.name}"), rate=0.2), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--docs", type=int, default=1000)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--kb", type=float, default=10.0, help="target size of each document in KB (default 10)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = p.parse_args(argv)
    total = generate(args.out, args.docs, args.seed, args.kb)
    print(f"wrote {args.docs} documents, {total / 1e6:.1f} MB, under {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
