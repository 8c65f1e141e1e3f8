"""The same facts from the six language versions of the Security Council's resolutions.

    python -m tests.bench.bench_languages [--root DIR] [--show N]

For every resolution of the snapshot (`../shared/corpus/unxml/SCresolutions`, 2020-2026) with an
English version, and every other version of it in ar/es/fr/ru/zh: the Jaccard index of the sets
of cited symbols (`cited_symbol`, URLs left out) found in that version and in the English one
(1.0 when both are empty), and the mean per language; then the English version against the
symbols most of the other versions find (where the English extractor misses). Then the adoption meeting's number and date of each version against the English one's.
Then the countries named (entity keys), Jaccard with the English version; language detection (metadata.detect_language) on every version and on single paragraphs.
`--show N` prints the N worst pairs with
what differs. The text of each XML file comes from tests/bench/unxml_text.py (a THROWAWAY reader,
to be replaced by the project's XML reader at merge). Needs ../shared: exits with a message without it.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from flows.core.citations import extract_citations
from flows.core.entities import extract_entities
from flows.core.meetings import extract_meetings
from flows.core.meetings_lang import adopted_on
from flows.core.metadata import detect_language, extract_metadata
from tests.bench.unxml_text import XmlText, read_unxml

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT.parent / "shared" / "corpus" / "unxml" / "SCresolutions"
LANGS = ("ar", "es", "fr", "ru", "zh")


def versions(root: Path, years=range(2020, 2027)) -> dict[str, dict[str, XmlText]]:
    """Resolution number -> language -> its text (the number from the cover page's symbol, else
    from the file name: a few covers print a wrong year, none a wrong number in six languages)."""
    out: dict[str, dict[str, XmlText]] = defaultdict(dict)
    for year in years:
        for path in sorted((root / str(year)).rglob("*.xml")):
            x = read_unxml(path)
            if x is None or x.language is None:
                continue
            m = re.search(r"S/RES/(\d+)", x.symbol or "") or re.search(r"(\d{4})", path.name)
            if m:
                out[m.group(1)][x.language] = x
    return out


def jaccard(a: set, b: set) -> float:
    return 1.0 if not a and not b else len(a & b) / len(a | b)


def cited(x: XmlText, language: str) -> set[str]:
    return {c.cited_symbol for c in extract_citations(x.text, language=language) if c.cited_kind != "url"}


def countries(x: XmlText, language: str) -> set[str]:
    return {m.entity_key for m in extract_entities(x.text, language=language) if m.entity_type == "country"}


def adoption(x: XmlText, language: str) -> tuple[int | None, object]:
    """(meeting number, adoption date) of a resolution: the first numbered meeting the text names
    ("Adopted by the Security Council at its 9140th meeting, on 29 September 2022") and the date of
    its adoption line (English: extract_metadata's adopted_on)."""
    number = next((m.meeting_number for m in extract_meetings(x.text, None, language=language)
                   if m.meeting_number is not None), None)
    date = extract_metadata(x.text).adopted_on if language == "en" else adopted_on(x.text, language)
    return number, date


def compare(docs: dict[str, dict[str, XmlText]], facts: Callable[[XmlText, str], object],
            score: Callable[[object, object], float]) -> dict[str, list[tuple[float, str, object, object]]]:
    """language -> [(score, resolution, facts of the version, facts of the English version)]."""
    out: dict[str, list] = defaultdict(list)
    for number, by_lang in sorted(docs.items()):
        if "en" not in by_lang:
            continue
        ref = facts(by_lang["en"], "en")
        for lang in LANGS:
            if lang in by_lang:
                got = facts(by_lang[lang], lang)
                out[lang].append((score(got, ref), number, got, ref))
    return out


def report(title: str, results: dict[str, list], show: int) -> None:
    print(title)
    total = [r[0] for rows in results.values() for r in rows]
    for lang in LANGS:
        rows = results.get(lang, [])
        if rows:
            mean = sum(r[0] for r in rows) / len(rows)
            print(f"  {lang}: {mean:.4f} over {len(rows)} resolutions")
    if total:
        print(f"  all: {sum(total) / len(total):.4f} over {len(total)} pairs")
    worst = sorted((r[0], lang, r[1], r[2], r[3]) for lang, rows in results.items() for r in rows)[:show]
    for s, lang, number, got, ref in worst:
        if s < 1:
            if isinstance(got, set):
                print(f"    {lang} {number} {s:.3f} missing={sorted(ref - got)} extra={sorted(got - ref)}")
            else:
                print(f"    {lang} {number} got={got} en={ref}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--root", type=Path, default=SNAPSHOT)
    ap.add_argument("--show", type=int, default=0, help="print the N worst pairs")
    args = ap.parse_args(argv)
    if not args.root.is_dir():
        print(f"no snapshot at {args.root}: nothing measured")
        return 0
    docs = versions(args.root)
    report("cited symbols, Jaccard with the English version (mean per language):",
           compare(docs, cited, jaccard), args.show)
    facts = compare(docs, adoption, lambda a, b: float(a == b))
    print("adoption meeting number and date equal to the English version's (share of the pairs where"
          " the English text prints it):")
    for i, what in ((0, "meeting number"), (1, "adoption date")):
        shares = []
        for lang, rows in sorted(facts.items()):
            pairs = [r for r in rows if r[3][i] is not None]
            if pairs:
                shares.append(f"{lang} {sum(r[2][i] == r[3][i] for r in pairs) / len(pairs):.4f} ({len(pairs)})")
        print(f"  {what}: " + ", ".join(shares))
    worst = sorted(((r[0], lang, r[1], r[2], r[3]) for lang, rows in facts.items() for r in rows), key=lambda w: w[:3])
    for s, lang, number, got, ref in worst[:args.show]:
        if s < 1:
            print(f"    {lang} {number} got={got} en={ref}")
    report("countries (entity keys), Jaccard with the English version (mean per language):",
           compare(docs, countries, jaccard), args.show)
    right: dict[str, list[int]] = defaultdict(list)
    right_lines: dict[str, list[int]] = defaultdict(list)
    for by_lang in docs.values():
        for lang, x in by_lang.items():
            if lang in LANGS + ("en",):
                right[lang].append(detect_language(x.text) == lang)
                # single paragraphs of the body (lines of 40 characters or more, the 4th to the 8th)
                right_lines[lang].extend(detect_language(p) == lang
                                         for p in [p for p in x.text.split("\n") if len(p) >= 40][3:8])
    for what, table in (("documents", right), ("single paragraphs", right_lines)):
        n = sum(len(v) for v in table.values())
        print(f"language detected right ({what}): " + ", ".join(
            f"{lang} {sum(v) / len(v):.4f}" for lang, v in sorted(table.items()) if v)
            + f"; all {sum(sum(v) for v in table.values()) / max(1, n):.4f} over {n}")
    # Where the gap comes from: the English version against what most of the others find.
    scores = []
    for by_lang in docs.values():
        others = [cited(by_lang[lang], lang) for lang in LANGS if lang in by_lang]
        if "en" in by_lang and len(others) >= 3:
            counts: dict[str, int] = defaultdict(int)
            for found in others:
                for sym in found:
                    counts[sym] += 1
            majority = {sym for sym, n in counts.items() if 2 * n > len(others)}
            scores.append(jaccard(cited(by_lang["en"], "en"), majority))
    if scores:
        print(f"  en against the majority of the other versions: {sum(scores) / len(scores):.4f} "
              f"over {len(scores)} resolutions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
