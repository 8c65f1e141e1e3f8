"""The text and identity of a UN Akoma Ntoso (AKN4UN) XML file for the multilingual benchmarks
(tests/bench/bench_languages.py), read by the pipeline's own reader (flows/core/formats/akn.py),
so the benchmark measures the text the pipeline extracts from. (The figures in BENCHMARKS.md of
issue 19 were taken with a throwaway reader of the <p> texts before that reader was merged.)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flows.core.formats.akn import read_akn


@dataclass(frozen=True)
class XmlText:
    path: Path
    symbol: str | None  # canonical symbol of the markup, the same in every language version
    language: str | None  # ISO 639-1, as the markup states it
    text: str


def read_unxml(path: Path) -> XmlText | None:
    """The text and identity of one XML file; None if it cannot be read (a benchmark skips it)."""
    try:
        doc = read_akn(path.read_bytes())
    except Exception:  # noqa: BLE001 - a benchmark skips a broken file
        return None
    return XmlText(path=path, symbol=doc.symbol, language=doc.language, text=doc.text)
