"""Check a release built from a folder of the UN's Akoma Ntoso files against the files themselves.

`check_release(release, folder)` reads every `.xml` file of the folder a second time, with a
reader of its own (XPath on the markup, not the pipeline's walker), and measures:

- documents: XML documents (root <akomaNtoso>) published, and published or quarantined with a reason;
- symbol, date and language of each published document equal to what its markup states
  (<docNumber>, <docDate refersTo="#dateOfIssuance">, FRBRlanguage);
- recall of the linked citations, per language: each link to undocs.org / docs.un.org names a
  symbol; a document's citations recall it when they hold that symbol (as many times as linked);
- the same resolution's cited symbols across its language versions (how many versions cite
  exactly the symbols the English version cites).

Prints plain figures; the build's time and peak memory are measured by the caller (the CLI).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_AKN = "akomaNtoso"


@dataclass
class FileFacts:
    source_name: str
    symbol: str | None
    date: dt.date | None
    language: str | None
    linked: Counter = field(default_factory=Counter)  # cited symbol -> times linked


@dataclass
class CheckReport:
    n_xml_files: int = 0
    n_akn: int = 0
    n_published: int = 0
    n_quarantined: int = 0
    quarantine_reasons: Counter = field(default_factory=Counter)
    equal: dict[str, list[int]] = field(default_factory=lambda: {"symbol": [0, 0], "date": [0, 0], "language": [0, 0]})
    mismatches: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    recall: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))  # lang -> [found, linked]
    versions: list[int] = field(default_factory=lambda: [0, 0])  # [same cited set as English, versions compared]
    not_found: list[str] = field(default_factory=list)  # XML documents neither published nor quarantined

    def as_dict(self) -> dict[str, Any]:
        def ratio(a: int, b: int) -> float | None:
            return round(a / b, 4) if b else None

        return {
            "xml_files": self.n_xml_files, "akn_documents": self.n_akn, "published": self.n_published,
            "published_share": ratio(self.n_published, self.n_akn),
            "published_or_quarantined_share": ratio(self.n_published + self.n_quarantined, self.n_akn),
            "quarantined": dict(sorted(self.quarantine_reasons.items())),
            **{f"{k}_equal_markup": ratio(*v) for k, v in self.equal.items()},
            "linked_citation_recall": {lang: {"recall": ratio(*v), "found": v[0], "linked": v[1]}
                                       for lang, v in sorted(self.recall.items())},
            "linked_citation_recall_all": ratio(sum(v[0] for v in self.recall.values()),
                                                sum(v[1] for v in self.recall.values())),
            "versions_citing_as_english": ratio(*self.versions), "versions_compared": self.versions[1],
            "not_found": self.not_found[:20],
            "mismatch_examples": {k: v[:5] for k, v in self.mismatches.items()},
        }

    def render(self) -> str:
        d = self.as_dict()
        lines = [
            f"XML documents: {d['akn_documents']} (of {d['xml_files']} .xml files)",
            f"published: {d['published']} ({d['published_share']}); published or quarantined with a reason: "
            f"{d['published_or_quarantined_share']}",
            f"quarantined: {d['quarantined'] or 'none'}",
            f"symbol = markup: {d['symbol_equal_markup']}, date = markup: {d['date_equal_markup']}, "
            f"language = markup: {d['language_equal_markup']}",
            "linked-citation recall: " + ", ".join(f"{lang} {v['recall']} ({v['found']}/{v['linked']})"
                                                    for lang, v in d["linked_citation_recall"].items())
            + f"; all {d['linked_citation_recall_all']}",
            f"language versions citing the same symbols as the English version: {d['versions_citing_as_english']} "
            f"of {d['versions_compared']}",
        ]
        for what, examples in d["mismatch_examples"].items():
            lines.append(f"  {what} differs, e.g. {'; '.join(examples)}")
        if d["not_found"]:
            lines.append(f"  neither published nor quarantined: {', '.join(d['not_found'])}")
        return "\n".join(lines)


def _lang1(code: str | None) -> str | None:
    if not code:
        return None
    code = code.strip().lower()
    if len(code) == 2:
        return code
    import pycountry

    lang = pycountry.languages.get(alpha_3=code) or pycountry.languages.get(bibliographic=code)
    return getattr(lang, "alpha_2", None)


def read_facts(path: Path, root: Path) -> FileFacts | None:
    """What one file's markup states, read by XPath; None when the file is not AKN."""
    from lxml import etree

    from flows.core.formats.akn import link_symbol
    from flows.core.symbols import canonical_symbol

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=True)
    try:
        tree = etree.parse(str(path), parser)
    except (etree.XMLSyntaxError, OSError):
        return None
    top = tree.getroot()
    if top is None or etree.QName(top).localname != _AKN:
        return None
    number = top.xpath("string((//*[local-name()='docNumber'])[1])")
    issued = top.xpath("string((//*[local-name()='docDate'][@refersTo='#dateOfIssuance'])[1]/@date)")
    language = top.xpath("string((//*[local-name()='FRBRlanguage'])[1]/@language)")
    try:
        date = dt.date.fromisoformat(issued[:10]) if issued else None
    except ValueError:
        date = None
    linked: Counter = Counter()
    for a in top.xpath("//*[local-name()='a'][@href]"):
        prev = a.getprevious()
        if (prev is not None and isinstance(prev.tag, str) and etree.QName(prev).localname == "a"
                and prev.get("href") == a.get("href") and not (prev.tail or "").strip()):
            continue  # one reference split over two links ("2436" "(2018)"): counted once
        sym = link_symbol(a.get("href"))
        if sym:
            linked[sym] += 1
    symbol = canonical_symbol(" ".join(str(number).split())) if str(number).strip() else None
    return FileFacts(path.relative_to(root).as_posix(), symbol, date, _lang1(str(language)), linked)


def check_release(release: Path, folder: Path) -> CheckReport:
    import pandas as pd

    report = CheckReport()
    docs = pd.read_parquet(release / "documents.parquet", columns=["document_id", "source_name", "symbol", "date",
                                                                   "language"])
    cites = pd.read_parquet(release / "citations.parquet", columns=["document_id", "cited_symbol", "cited_kind"])
    quarantine = pd.read_parquet(release / "quarantine.parquet", columns=["source_name", "reason"])
    by_name = docs.set_index("source_name")
    held = dict(zip(quarantine.source_name, quarantine.reason, strict=True))
    cited: dict[str, Counter] = defaultdict(Counter)
    for doc_id, sym, kind in zip(cites.document_id, cites.cited_symbol, cites.cited_kind, strict=True):
        if kind != "url":  # a URL's text differs by language; the symbols it names do not
            cited[doc_id][sym] += 1
    sets: dict[str, dict[str, set[str]]] = defaultdict(dict)  # symbol -> language -> cited symbols
    for path in sorted(folder.rglob("*.xml")):
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        report.n_xml_files += 1
        facts = read_facts(path, folder)
        if facts is None:
            continue
        report.n_akn += 1
        name = facts.source_name
        if name not in by_name.index:
            if name in held:
                report.n_quarantined += 1
                report.quarantine_reasons[held[name]] += 1
            else:
                report.not_found.append(name)
            continue
        report.n_published += 1
        row = by_name.loc[name]
        published_date = row["date"]
        if published_date is not None and not isinstance(published_date, dt.date):
            published_date = pd.Timestamp(published_date).date() if not pd.isna(published_date) else None
        for what, mine, theirs in (("symbol", row["symbol"], facts.symbol), ("date", published_date, facts.date),
                                   ("language", row["language"], facts.language)):
            if theirs is None:
                continue  # the markup states none: nothing to compare
            report.equal[what][1] += 1
            if mine == theirs:
                report.equal[what][0] += 1
            else:
                report.mismatches[what].append(f"{name}: {mine!r} vs markup {theirs!r}")
        lang = facts.language or "?"
        found = cited.get(row["document_id"], Counter())
        counts = report.recall[lang]
        counts[1] += sum(facts.linked.values())
        counts[0] += sum(min(n, found[sym]) for sym, n in facts.linked.items())
        if facts.symbol:
            sets[facts.symbol][lang] = set(found)
    for by_lang in sets.values():
        english = by_lang.get("en")
        if english is None:
            continue
        for lang, symbols in by_lang.items():
            if lang != "en":
                report.versions[1] += 1
                report.versions[0] += symbols == english
    return report


def write_json(report: CheckReport, path: Path, extra: dict[str, Any]) -> None:
    path.write_text(json.dumps({**extra, **report.as_dict()}, indent=2, default=str) + "\n", encoding="utf-8")
