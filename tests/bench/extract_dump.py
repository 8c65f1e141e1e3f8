"""Dump every extractor's output over a folder of documents, and compare two dumps.

A refactoring of the extractors must not change what they find (or only where a fix says so).
This tool makes that a checkable claim:

    python -m tests.bench.extract_dump corpus DIR             # build a comparison corpus in DIR
    python -m tests.bench.extract_dump dump DIR OUT.json.gz   # every document's facts, as plain JSON
    python -m tests.bench.extract_dump compare A.json.gz B.json.gz

`corpus` writes the bundled corpus, 2,000 generated documents (tests/bench/generate.py) and, when
`../shared/corpus/unxml` is beside the checkout, the text of up to 1,000 UN XML files with their
markup stripped (hostile, unusual input for the text extractors). `dump` runs the same function
the extract stage runs on each file's bytes and writes the records as field dictionaries, so two
dumps compare across changes of module layout and record classes.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import gzip
import json
import re
import shutil
import sys
from pathlib import Path

from tests.bench.generate import generate

ROOT = Path(__file__).resolve().parents[2]
UNXML = ROOT.parent / "shared" / "corpus" / "unxml"


def _process_raw():
    """The extract stage's bytes-to-result function, wherever the layout puts it."""
    for module, name in (("flows.core.extract.run", "process_raw"), ("flows.extract", "process_raw")):
        try:
            mod = __import__(module, fromlist=[name])
            return getattr(mod, name)
        except (ImportError, AttributeError):
            continue
    raise SystemExit("no process_raw found")


def plain(value):
    """A record as JSON-able data: dataclasses become dicts of their fields."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


_TAG = re.compile(r"<[^>]+>")


def build_corpus(out: Path, n_generated: int = 2000, n_xml: int = 1000) -> int:
    if out.exists():
        shutil.rmtree(out)
    (out / "bundled").mkdir(parents=True)
    for path in sorted((ROOT / "corpus").rglob("*.txt")):
        target = out / "bundled" / path.relative_to(ROOT / "corpus")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    generate(out / "generated", n_generated)
    if UNXML.is_dir():
        files = sorted(UNXML.rglob("*.xml"))
        step = max(1, len(files) // n_xml)
        for i, path in enumerate(files[::step][:n_xml]):
            text = _TAG.sub(" ", path.read_text(encoding="utf-8", errors="replace"))
            (out / "xmltext").mkdir(exist_ok=True)
            (out / "xmltext" / f"{i:04d}_{path.stem}.txt").write_text(text, encoding="utf-8")
    return sum(1 for _ in out.rglob("*.txt"))


def dump(folder: Path, out: Path) -> int:
    import hashlib

    process_raw = _process_raw()
    results = {}
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    for i, path in enumerate(files):
        data = path.read_bytes()
        name = path.relative_to(folder).as_posix()
        value = process_raw(name, hashlib.sha256(data).hexdigest(), data)
        record = plain(value)
        if isinstance(record, dict) and "source" in record:
            record["source"] = {k: record["source"][k] for k in ("encoding", "text")}
        results[name] = record
        if i % 500 == 0:
            print(f"{i}/{len(files)}", file=sys.stderr)
    with gzip.open(out, "wt", encoding="utf-8") as fh:
        json.dump(results, fh, sort_keys=True)
    return len(results)


def compare(a_path: Path, b_path: Path, limit: int = 40) -> int:
    a = json.load(gzip.open(a_path, "rt", encoding="utf-8"))
    b = json.load(gzip.open(b_path, "rt", encoding="utf-8"))
    differ = 0
    shown = 0
    for name in sorted(set(a) | set(b)):
        x, y = a.get(name), b.get(name)
        if x == y:
            continue
        differ += 1
        if shown >= limit:
            continue
        shown += 1
        if not isinstance(x, dict) or not isinstance(y, dict):
            print(f"{name}: {str(x)[:200]} != {str(y)[:200]}")
            continue
        for key in sorted(set(x) | set(y)):
            if x.get(key) != y.get(key):
                xs, ys = x.get(key), y.get(key)
                if isinstance(xs, list) and isinstance(ys, list):
                    only_a = [r for r in xs if r not in ys][:3]
                    only_b = [r for r in ys if r not in xs][:3]
                    print(f"{name} [{key}]: -{only_a} +{only_b}")
                else:
                    print(f"{name} [{key}]: {str(xs)[:300]} != {str(ys)[:300]}")
    print(f"{len(set(a) | set(b))} documents, {differ} differ")
    return 1 if differ else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("corpus")
    p.add_argument("out", type=Path)
    p = sub.add_parser("dump")
    p.add_argument("folder", type=Path)
    p.add_argument("out", type=Path)
    p = sub.add_parser("compare")
    p.add_argument("a", type=Path)
    p.add_argument("b", type=Path)
    args = parser.parse_args(argv)
    if args.cmd == "corpus":
        print(build_corpus(args.out), "documents")
        return 0
    if args.cmd == "dump":
        print(dump(args.folder, args.out), "documents dumped")
        return 0
    return compare(args.a, args.b)


if __name__ == "__main__":
    sys.exit(main())
