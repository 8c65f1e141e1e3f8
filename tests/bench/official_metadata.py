"""Measure the official-metadata reader on a UNxml repository (or any folder of metadata files).

    python -m tests.bench.official_metadata [FOLDER]   # default: ../shared/corpus/unxml/SCresolutions

Reads every metadata file under FOLDER (JSON lines, recognised by content, as the pipeline does)
and the <workflow>/<analysis> blocks of every AKN4UN XML file, assembles them the way a build does
(`flows.core.assemble`, no documents) and prints: lines and records read, lines quarantined,
resolutions with recorded vote counts, votes rows, Member State names not mapped, adoption
meetings found, lists that disagree with the counts, drafts (adopted, vetoed, not adopted), and
the time and peak memory of the whole.
"""

from __future__ import annotations

import argparse
import resource
import time
from collections import Counter
from pathlib import Path

from flows.core.assemble import assemble_tables
from flows.core.formats.akn import looks_akn
from flows.core.official import looks_like_metadata, member_state_iso3, read_official_files

DEFAULT = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "unxml" / "SCresolutions"


def measure(folder: Path) -> dict[str, object]:
    start = time.perf_counter()
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    metadata = [(p.relative_to(folder).as_posix(), d) for p in files if p.suffix.lower() in (".json", ".jsonl")
                for d in [p.read_bytes()] if looks_like_metadata(d)]
    xml = [(p.relative_to(folder).as_posix(), d) for p in files if p.suffix.lower() == ".xml"
           for d in [p.read_bytes()] if looks_akn(d)]
    meta = read_official_files(metadata, xml)
    read = time.perf_counter() - start
    tables = assemble_tables([], official=meta)
    seconds = time.perf_counter() - start
    json_records = [r for r in meta.records if r.line]
    res = tables["resolutions"]
    names = Counter(n for r in json_records for n, _ in r.voters)
    unmapped = sorted(n for n in names if member_state_iso3(n) is None)
    from flows.core.assemble import CorpusIndex

    notes = CorpusIndex().finish([], meta).official_notes
    return {
        "metadata files": len(meta.files),
        "lines": meta.n_lines,
        "resolutions read (records / lines)": f"{len(json_records)} / {meta.n_lines}",
        "lines quarantined": len(meta.problems),
        "resolutions in the release": len(res),
        "with a recorded vote (counts)": sum(r["votes_yes"] is not None for r in res),
        "adoption meetings found": f"{sum(r['meeting_id'] is not None for r in res)} / {len(res)} "
                                   f"({sum(r['meeting_id'] is not None for r in res) / max(len(res), 1):.4f})",
        "meetings rows": len(tables["meetings"]),
        "votes rows": len(tables["votes"]),
        "Member State names (distinct)": len(names),
        "names not mapped": ", ".join(unmapped) or "none",
        "lists that disagree with the counts (no votes rows)": sum("disagree with the counts" in n for n in notes),
        "sponsors rows": len(tables["resolution_sponsors"]),
        "subjects rows": len(tables["resolution_subjects"]),
        "AKN4UN files read": len(xml),
        "drafts": dict(Counter(d["outcome"] for d in tables["draft_resolutions"])),
        "draft votes rows": len(tables["draft_votes"]),
        "seconds (read / total)": f"{read:.2f} / {seconds:.2f}",
        "peak memory MB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    args = parser.parse_args()
    if not args.folder.is_dir():
        print(f"no folder {args.folder}")
        return 2
    for key, value in measure(args.folder).items():
        print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
