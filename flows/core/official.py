"""The UN's official metadata of resolutions: adoption, votes, sponsors, subjects.

Two sources state it. The `data_extract/<year>.json` files of the UN's machine-readable
repositories (UNxml/SCresolutions, UNxml/GAresolutions) hold one JSON object per resolution per
line: title, adoption date and meeting, agenda item, draft symbol, vote counts and the Member
States voting each way, sponsors and subjects (the Council and the Assembly name some keys
differently: `schemas/lookups/official_metadata.yaml` lists them). The AKN4UN XML of a
resolution or a draft states the same in its <workflow> (draft, adoption or veto, meeting record)
and <analysis> (the recorded vote) blocks.

`read_metadata_lines` and `akn_record` turn either into `OfficialRecord`s; a line that is not a
record (not JSON, no symbol, a symbol that is not a resolution's) becomes a `Problem` with its
reason, never an exception. Pure functions: no Prefect, no I/O but the bytes they are given.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from xml.etree import ElementTree as ET

from flows.core.dates import parse_date
from flows.core.formats.akn import looks_akn
from flows.core.gazetteer import country_iso3, fold
from flows.core.lookups import load_lookup
from flows.core.symbols import canonical_symbol, resolution_info

VOTES = ("yes", "no", "abstain")


@dataclass(frozen=True, slots=True)
class OfficialRecord:
    """What the official metadata states about one resolution (or one draft not adopted)."""

    symbol: str  # canonical: the resolution's symbol, or the draft's when it was not adopted
    body: str
    source_name: str
    line: int  # 1-based line of a JSON-lines file; 0 for an XML file
    title: str | None = None
    adopted_on: dt.date | None = None  # for drafts not adopted: the day of the vote
    meeting_number: int | None = None
    meeting_record: str | None = None  # canonical symbol of the meeting record (S/PV.9568)
    session: int | None = None  # General Assembly session of a plenary meeting (A/80/PV.99)
    written_procedure: bool = False  # adopted without a meeting (voting by mail)
    agenda_item: str | None = None
    draft: str | None = None  # canonical symbol of the draft resolution
    outcome: str = "adopted"  # draft outcome: adopted, vetoed, not_adopted
    recorded_vote: bool = True  # False: adopted without a vote
    counts: tuple[int | None, int | None, int | None] = (None, None, None)  # yes, no, abstain as stated
    voters: tuple[tuple[str, str], ...] = ()  # (name as written, vote)
    sponsors: tuple[tuple[str, bool], ...] = ()  # (name as written, additional sponsor)
    subjects: tuple[tuple[str, str], ...] = ()  # (term, vocabulary)


@dataclass(frozen=True, slots=True)
class Problem:
    """A line or file of official metadata that could not be read as a record."""

    source_name: str  # "data_extract/2021.json#line=7" for one line
    source_sha256: str
    n_bytes: int
    reason: str  # quarantine_reason vocabulary
    detail: str


@dataclass
class OfficialMetadata:
    """Every official record of a run, with what could not be read."""

    records: list[OfficialRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    n_lines: int = 0
    digest: str = ""  # sha256 over the metadata files' bytes (part of the run's inputs fingerprint)

    def rejections(self) -> list:
        """The lines that are not records, as quarantine entries (`flows.core.ingest.Rejected`)."""
        from flows.core.ingest import Rejected

        return [Rejected(q.source_name, q.source_sha256, q.n_bytes, q.reason, q.detail) for q in self.problems]

    def extend(self, records: Iterable[OfficialRecord], problems: Iterable[Problem], n_lines: int = 0) -> None:
        self.records += records
        self.problems += problems
        self.n_lines += n_lines


@cache
def _config() -> dict[str, Any]:
    return load_lookup("official_metadata") or {}


def _get(obj: dict[str, Any], name: str) -> Any:
    """The first non-empty value of the keys that may hold field `name`."""
    for key in _config()["fields"][name]:
        value = obj.get(key)
        if value not in (None, "", [], "N.A."):
            return value
    return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _count(value: Any) -> int | None:
    text = _text(value)
    return int(text) if text and text.isdigit() else None


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    return [n for n in (_text(v) for v in value if isinstance(v, str | int)) if n]


_TALLY = re.compile(r"(\d{1,3})\s*-\s*(\d{1,3})\s*-\s*(\d{1,3})")
_ORDINAL_MEETING = re.compile(r"(\d+)\s*(?:st|nd|rd|th)?\s*(?:\([^)]*\)\s*)?meeting", re.IGNORECASE)
_GLUED_DATE = re.compile(r"(?<=[a-z])(?=\d)")


@cache
def _state_names() -> dict[str, str]:
    return {fold(name): iso3 for name, iso3 in (_config().get("member_state_names") or {}).items()}


def member_state_iso3(name: str) -> str | None:
    """ISO 3166-1 alpha-3 code of a Member State as the metadata writes it ("REPUBLIC OF KOREA",
    "UNITED STATES"): the gazetteer's names first, then the variants of the metadata files."""
    return country_iso3(name) or _state_names().get(fold(name))


def rejoin_split_names(names: list[str]) -> list[str]:
    """Names that a list split in two ("CÔTE.", "D'IVOIRE"): a name no one knows joined with the
    next when together they make a known one."""
    out: list[str] = []
    i = 0
    while i < len(names):
        name = names[i]
        if member_state_iso3(name) is None and i + 1 < len(names):
            joined = f"{name.rstrip('.,; ')} {names[i + 1]}"
            if member_state_iso3(joined) is not None:
                out.append(joined)
                i += 2
                continue
        out.append(name)
        i += 1
    return out


def complete_counts(stated: tuple[int | None, ...], tally: re.Match | None,
                    voters: tuple[tuple[str, str], ...]) -> tuple[int | None, ...]:
    """The yes, no and abstain counts: as stated; where a count is not stated, the tally of the
    adoption text ("Adopted 14-0-1"); else, when other counts or names are stated, the number of
    names listed ("15", "", "" with fifteen names in favour: 15-0-0). None when nothing says."""
    if tally is not None:
        stated = tuple(c if c is not None else int(t) for c, t in zip(stated, tally.groups(), strict=True))
    if all(c is None for c in stated) and not voters:
        return stated
    return tuple(c if c is not None else sum(v == vote for _, v in voters) for c, vote in zip(stated, VOTES, strict=True))


def _meeting(obj: dict[str, Any], symbol_body: str) -> tuple[int | None, str | None, int | None, bool]:
    """(meeting number, meeting record symbol, GA session, written procedure) of a record."""
    said = " ".join(filter(None, (_text(_get(obj, "meeting")), _text(_get(obj, "adoption")),
                                  _text(_get(obj, "adoption_text"))))).casefold()
    written = any(w in said for w in _config()["written_procedure"])
    record = None
    number = session = None
    for key in _config()["fields"]["meeting_record"]:
        sym = canonical_symbol(_text(obj.get(key)) or "")
        if sym and re.search(r"/PV\.\d+$", sym):
            record = sym
            number = int(sym.rsplit(".", 1)[1])
            parts = sym.split("/")
            if parts[0] == "A" and len(parts) == 3 and parts[1].isdigit():
                session = int(parts[1])
            break
    m = _ORDINAL_MEETING.search(_text(_get(obj, "meeting")) or "")
    if m and not written:
        number = int(m.group(1))
    if written:
        return None, None, None, True
    return number, record, session, False


def _adopted_on(obj: dict[str, Any]) -> dt.date | None:
    stated = _text(_get(obj, "adopted_on"))
    day = parse_date(stated) if stated else None
    if day is None:  # "Adopted by the Security Council at its 9568th meeting, on8 March 2024"
        text = _text(_get(obj, "adoption_text")) or ""
        day = parse_date(_GLUED_DATE.sub(" ", text))
    return day


def record_from_json(obj: Any, source_name: str, line: int) -> OfficialRecord | str:
    """One object of a metadata file as a record, or the reason it is not one."""
    if not isinstance(obj, dict):
        return f"a JSON {type(obj).__name__}, not an object"
    raw_symbol = _text(_get(obj, "symbol"))
    if raw_symbol is None:
        return "no symbol"
    symbol = canonical_symbol(raw_symbol)
    info = resolution_info(symbol) if symbol else None
    if info is None:
        return f"symbol {raw_symbol!r} is not a resolution's"
    number, record, session, written = _meeting(obj, info.body)
    adoption = (_text(_get(obj, "adoption")) or "").casefold()
    voters = tuple((name, vote) for vote in VOTES for name in rejoin_split_names(_names(_get(obj, vote))))
    counts = complete_counts(tuple(_count(_get(obj, f"{v}_count")) for v in VOTES), _TALLY.search(adoption), voters)
    without_vote = any(w in adoption.replace(" ", "") or w in adoption for w in _config()["without_vote"])
    recorded = not without_vote and (bool(voters) or any(c is not None for c in counts))
    sponsors = tuple((n, False) for n in _names(_get(obj, "sponsors"))) + tuple(
        (n, True) for n in _names(_get(obj, "additional_sponsors")))
    subjects = []
    for item in _get(obj, "subjects") or []:
        if isinstance(item, list) and item and isinstance(item[0], str) and _text(item[0]):
            subjects.append((_text(item[0]), _text(item[1]) if len(item) > 1 and isinstance(item[1], str) else None))
    draft = canonical_symbol(_text(_get(obj, "draft")) or "")
    return OfficialRecord(
        symbol=symbol, body=info.body, source_name=source_name, line=line, title=_text(_get(obj, "title")),
        adopted_on=_adopted_on(obj), meeting_number=number, meeting_record=record, session=session,
        written_procedure=written, agenda_item=_text(_get(obj, "agenda_item")), draft=draft,
        recorded_vote=recorded, counts=counts if recorded else (None, None, None),  # type: ignore[arg-type]
        voters=voters if recorded else (), sponsors=sponsors,
        subjects=tuple((t, v or "") for t, v in dict.fromkeys(subjects)),
    )


def _objects(data: bytes) -> Iterator[tuple[int, bytes, Any | Exception]]:
    """(line number, line bytes, parsed object or the error) of a JSON-lines file; a file that is
    one JSON array yields its elements (line 0 for all)."""
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"["):
        try:
            items = json.loads(stripped.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            yield 0, data, exc
            return
        for item in items if isinstance(items, list) else [items]:
            yield 0, b"", item
        return
    for i, line in enumerate(data.split(b"\n"), 1):
        if not line.strip():
            continue
        try:
            yield i, line, json.loads(line.decode("utf-8-sig" if i == 1 else "utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            yield i, line, exc


def looks_like_metadata(data: bytes) -> bool:
    """Whether these bytes are a file of official metadata (by content, not by name): its first
    record is an object with a symbol and several of the known fields."""
    for _, _, obj in _objects(data[: 1 << 20] if data.lstrip()[:1] != b"[" else data):
        if not isinstance(obj, dict):
            return False
        fields = _config()["fields"]
        known = sum(any(k in obj for k in keys) for name, keys in fields.items() if name != "symbol")
        return any(k in obj for k in fields["symbol"]) and known >= _config()["min_known_fields"]
    return False


def read_metadata_lines(data: bytes, source_name: str) -> tuple[list[OfficialRecord], list[Problem], int]:
    """The records of one metadata file, the lines that are not records (with their reason) and
    the number of non-empty lines read."""
    records: list[OfficialRecord] = []
    problems: list[Problem] = []
    n = 0
    for line, raw, obj in _objects(data):
        n += 1
        name = f"{source_name}#line={line}" if line else f"{source_name}#item={n}"
        if isinstance(obj, Exception):
            reason = f"not JSON: {obj}"
        else:
            rec = record_from_json(obj, source_name, line or n)
            if isinstance(rec, OfficialRecord):
                records.append(rec)
                continue
            reason = rec
        excerpt = raw[:120].decode("utf-8", "replace")
        problems.append(Problem(name, hashlib.sha256(raw).hexdigest(), len(raw), "malformed_record",
                                f"official metadata line not read ({reason}): {excerpt}"))
    return records, problems, n


# --------------------------------------------------------------------------- AKN4UN ------

def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def akn_record(data: bytes, source_name: str, symbol: str | None = None) -> OfficialRecord | None:
    """The official record an AKN4UN file states in its <workflow> and <analysis> blocks: a draft's
    outcome (adopted, vetoed, not adopted), the meeting record and the recorded vote. None when the
    file states no vote and no outcome, or is not AKN. `symbol`: the document's canonical symbol
    (from the FRBR metadata); without it the FRBR work URI's number is used."""
    steps: list[dict[str, str]] = []
    counts: dict[str, int | None] = {}
    voters: list[tuple[str, str]] = []
    uri = date = kind = None
    vote_of = {"infavour": "yes", "against": "no", "abstaining": "abstain", "abstention": "abstain"}
    current: str | None = None
    try:
        end = data.find(b"</meta>")  # the metadata comes first: the text after it is not parsed
        head = data if end < 0 else data[:end + 7]
        for event, elem in ET.iterparse(_Head(head), events=("start", "end")):
            tag = _local(elem.tag)
            if event == "start":
                if kind is None and tag != "akomaNtoso":
                    kind = elem.get("name") or tag
                if tag == "count":
                    current = vote_of.get((elem.get("refersTo") or "").casefold())
                    if current:
                        counts[current] = _count(elem.get("value"))
                continue
            if tag == "FRBRuri" and uri is None:
                uri = elem.get("value")
            elif tag == "FRBRdate" and date is None:
                date = elem.get("date")
            elif tag == "step":
                steps.append({k: v for k, v in elem.attrib.items()})
            elif tag == "organization" and current and _text(elem.text):
                voters.append((_text(elem.text), current))  # type: ignore[arg-type]
            elif tag == "count":
                current = None
            elif tag == "meta":
                break
    except ET.ParseError:
        return None
    outcomes = _config()["draft_outcomes"]
    outcome = next((outcomes[s.get("outcome", "").casefold()] for s in reversed(steps)
                    if s.get("outcome", "").casefold() in outcomes), None)
    if outcome is None and not counts:
        return None
    record_sym = next((canonical_symbol(s.get("as", "")) for s in steps if "/PV." in s.get("as", "")), None)
    step_day = next((parse_date(s.get("date", "")) for s in reversed(steps)
                     if s.get("outcome", "").casefold() in outcomes), None)
    if symbol is None and uri:
        symbol = _symbol_from_uri(uri, "draft" in (kind or "").casefold())
    if symbol is None:
        return None
    info = resolution_info(symbol)
    body = info.body if info else ("Security Council" if symbol.startswith("S/") else "General Assembly")
    number = int(record_sym.rsplit(".", 1)[1]) if record_sym and record_sym.rsplit(".", 1)[1].isdigit() else None
    stated = tuple(counts.get(v) for v in VOTES)
    return OfficialRecord(
        symbol=symbol, body=body, source_name=source_name, line=0,
        adopted_on=step_day or parse_date(date or ""), meeting_number=number, meeting_record=record_sym,
        outcome=outcome or "adopted", recorded_vote=bool(counts), counts=stated,  # type: ignore[arg-type]
        voters=tuple(voters))


def _symbol_from_uri(uri: str, draft: bool) -> str | None:
    """The symbol in an AKN4UN work URI of the Council: a draft's "/unsc/2023-12-08/2023-970/" ->
    "S/2023/970"; a resolution's "/unsc/2021-01-29/2561-2021/" -> "S/RES/2561 (2021)"."""
    m = re.search(r"/unsc/[\d-]*/(\d+)-(\d+)/", uri)
    if not m:
        return None
    first, second = m.groups()
    return canonical_symbol(f"S/{first}/{second}" if draft else f"S/RES/{first} ({second})")


class _Head:
    """A file-like view of bytes for iterparse (which reads it in chunks: parsing stops at </meta>)."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else self._pos + size
        chunk = self._data[self._pos:end]
        self._pos = end
        return chunk


# ------------------------------------------------------------------- for the assembly ------

def merge_records(meta: OfficialMetadata) -> tuple[dict[str, OfficialRecord], list[str]]:
    """One record per symbol: the metadata lines win over the XML's blocks, the first line (by
    file and line) over later ones. Returns the records and notes on what was set aside."""
    chosen: dict[str, OfficialRecord] = {}
    notes: list[str] = []
    ordered = sorted(meta.records, key=lambda r: (r.line == 0, r.source_name, r.line))
    for r in ordered:
        kept = chosen.get(r.symbol)
        if kept is None:
            chosen[r.symbol] = r
        elif r.line and kept.line:
            notes.append(f"{r.source_name} line {r.line}: {r.symbol} is stated again (kept {kept.source_name} "
                         f"line {kept.line})")
    return dict(sorted(chosen.items())), notes


def vote_rows(record: OfficialRecord, key: str, problems: list[str]) -> list[dict[str, str]]:
    """The per-State votes of a record as rows ({key: symbol, country_iso3, vote}), when the names
    listed agree with the counts stated; names that map to no State and lists that disagree with
    the counts are noted in `problems` (and give no rows)."""
    if not record.recorded_vote or not record.voters:
        return []
    listed = tuple(sum(v == vote for _, v in record.voters) for vote in VOTES)
    if any(c is not None and c != n for c, n in zip(record.counts, listed, strict=True)):
        problems.append(f"{record.symbol}: the names listed ({'-'.join(map(str, listed))}) disagree with the "
                        f"counts stated ({'-'.join('?' if c is None else str(c) for c in record.counts)}); "
                        f"no per-State votes written ({record.source_name})")
        return []
    rows: dict[str, dict[str, str]] = {}
    for name, vote in record.voters:
        iso3 = member_state_iso3(name)
        if iso3 is None:
            problems.append(f"unmapped Member State name {name!r} ({record.symbol}, {record.source_name})")
            continue
        if iso3 in rows and rows[iso3]["vote"] != vote:
            problems.append(f"{record.symbol}: {name!r} is listed as voting both {rows[iso3]['vote']} and {vote}")
            continue
        rows.setdefault(iso3, {key: record.symbol, "country_iso3": iso3, "vote": vote})
    return [rows[k] for k in sorted(rows)]


def vetoed_by(record: OfficialRecord) -> str | None:
    """The permanent members that voted against a draft, ';'-separated ISO3 codes."""
    permanent = set(_config()["permanent_members"])
    codes = sorted({c for n, v in record.voters if v == "no" and (c := member_state_iso3(n)) in permanent})
    return ";".join(codes) or None


def read_official_files(metadata_files: Iterable[tuple[str, bytes]], xml_files: Iterable[tuple[str, bytes]]) -> OfficialMetadata:
    """The official metadata of a run: every metadata file (name, bytes) read line by line, and
    the <workflow>/<analysis> blocks of the AKN4UN files."""
    meta = OfficialMetadata()
    for name, data in metadata_files:
        records, problems, n = read_metadata_lines(data, name)
        meta.files.append(name)
        meta.extend(records, problems, n)
    for name, data in xml_files:
        if looks_akn(data):  # the one content sniffer's rule (formats/akn.py): what becomes a document
            record = akn_record(data, name)
            if record is not None:
                meta.records.append(record)
    return meta


def summary_lines(meta: OfficialMetadata, tables: dict[str, list[dict[str, Any]]], notes: list[str]) -> list[str]:
    """What the run report says of the official metadata: what was read, what it gave, and every
    name or line it could not use."""
    if not meta.files and not meta.records:
        return []
    res = tables.get("resolutions", [])
    with_meta = [r for r in res if r.get("votes_yes") is not None or r.get("meeting_id")]
    lines = [f"official metadata: {len(meta.files)} files, {meta.n_lines} lines, {len(meta.records)} records "
             f"({len(meta.problems)} lines quarantined); resolutions with an adoption meeting "
             f"{sum(1 for r in res if r.get('meeting_id'))}, with vote counts {sum(1 for r in res if r.get('votes_yes') is not None)}"
             f" of {len(with_meta)} stated; votes rows {len(tables.get('votes', []))}; "
             f"drafts {len(tables.get('draft_resolutions', []))}"]
    unmapped = sorted({n.split("'")[1] for n in notes if n.startswith("unmapped Member State name")})
    if unmapped:
        lines.append(f"Member State names not mapped to ISO3 ({len(unmapped)}): " + ", ".join(unmapped))
    lines += [f"  {n}" for n in notes[:50]]
    if len(notes) > 50:
        lines.append(f"  ... and {len(notes) - 50} more")
    return lines
