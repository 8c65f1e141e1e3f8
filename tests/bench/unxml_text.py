"""THROWAWAY text of a UN Akoma Ntoso (AKN4UN) XML file, for the multilingual benchmarks only.

TO BE REPLACED at merge by h15a's reader (flows/core/formats/, issue 15): that reader is the
project's one owner of the XML format; this module exists only so that the language benchmarks
(tests/bench/bench_languages.py) run before it lands. It reads the text of every <p> of the
cover page, preamble, main body and conclusions, one line per <p>, spaces collapsed, plus the
symbol of its cover page (the same in every language version) and the language the markup states.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from defusedxml import ElementTree

_NS = "{http://docs.oasis-open.org/legaldocml/ns/akn/3.0}"
# ISO 639-2/B codes of FRBRlanguage -> the ISO 639-1 codes of documents.language
_LANG = {"eng": "en", "fra": "fr", "spa": "es", "rus": "ru", "ara": "ar", "zho": "zh", "chi": "zh",
         "deu": "de", "ger": "de"}


@dataclass(frozen=True)
class XmlText:
    path: Path
    symbol: str | None  # the docNumber of the cover page ("S/RES/2561 (2021)"), the same in every version
    language: str | None  # ISO 639-1, from FRBRExpression/FRBRlanguage
    text: str


def read_unxml(path: Path) -> XmlText | None:
    """The text and identity of one XML file; None if it cannot be parsed."""
    try:
        root = ElementTree.parse(path).getroot()
    except Exception:  # noqa: BLE001 - a benchmark skips a broken file
        return None
    number = root.find(f".//{_NS}docNumber")
    lang = root.find(f".//{_NS}FRBRExpression/{_NS}FRBRlanguage")
    lines: list[str] = []
    for top in root:
        for part in top:
            if part.tag == f"{_NS}meta":
                continue
            for p in part.iter(f"{_NS}p"):
                line = " ".join("".join(p.itertext()).split())
                if line:
                    lines.append(line)
    code = lang.get("language") if lang is not None else None
    symbol = " ".join("".join(number.itertext()).split()) if number is not None else ""
    return XmlText(path, symbol or None, _LANG.get(code or "", code), "\n".join(lines) + "\n")
