"""Release extras for BI users: one DuckDB database and one zip of CSV files.

Analysts open a release in DuckDB, Excel, Tableau or Power BI without writing Parquet
readers. Both files are derived from the Parquet files of the release folder, so they carry
no information of their own; they are never part of the content fingerprint. Both read those
files a row group or a batch at a time, so their memory does not grow with the corpus (the
documents' full texts alone are the size of the corpus).

* `write_duckdb` writes every table with its column types, NOT NULL, PRIMARY KEY and
  FOREIGN KEY constraints (DuckDB enforces them, so a file that loads is a file whose keys
  hold), COMMENTs from `schemas/tables.yaml`, a `date_dimension` and ready-made views.
  DuckDB files are not byte-deterministic (two builds of the same tables differ), so the
  release lists them with their own hash but they never enter the fingerprint.
* `write_csv_zip` writes one CSV per table into a zip whose bytes depend only on the tables.
  Deflate is most of its time; level 5 is about twice as fast as zlib's default 6 for about
  2% more bytes on UN texts (see CSV_ZIP_LEVEL).

Both build the file beside its target and rename it into place, so a reader never sees
half a file.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from flows.core.ingest import sha256_file
from flows.core.schema import Table, tables

DUCKDB_FILE = "uncoop.duckdb"
CSV_ZIP_FILE = "uncoop-csv.zip"
CSV_SUFFIX = ".csv"
CHANGES_JSON = "changes.json"
CHANGES_MD = "CHANGES.md"

_DUCKDB_TYPES = {"string": "VARCHAR", "int64": "BIGINT", "bool": "BOOLEAN", "date32": "DATE"}
UTF8_BOM = b"\xef\xbb\xbf"
# 1980-01-01 is the earliest time a zip entry can hold: a fixed time keeps the bytes stable.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# Deflate level of the CSV zip. Measured on the 10,000-document benchmark release (368 MB of
# CSV): level 6 (zlib's default, what the zip had before) 10.4 s and 82.1 MB; level 5 5.9 s and
# 83.9 MB; level 4 5.7 s and 88.1 MB; level 1 3.7 s and 105 MB.
CSV_ZIP_LEVEL = 5
BATCH_BYTES = 4 << 20  # about this many bytes of decoded rows are held at a time
_MIN_BATCH_ROWS, _MAX_BATCH_ROWS = 16, 65_536
# DuckDB's own memory while loading: enough for its indexes (primary and foreign keys); table
# data beyond it is written to the database file, and intermediate results spill to disk.
DUCKDB_MEMORY_LIMIT = "512MB"
DUCKDB_THREADS = 1
# Block size of the DuckDB file. DuckDB's default, 256 KiB, gives every table, column segment
# and key index blocks of its own, mostly empty on a release of this size: the bundled release
# took 42 blocks, 11.0 MB for 0.46 MB of Parquet. With 16 KiB blocks (the smallest DuckDB
# allows) the same database is 3.8 MB, of which about 2.4 MB are the documents' full texts
# (documents.text, document_sources.raw_text), which DuckDB stores uncompressed where Parquet
# has them zstd-compressed. Readers need DuckDB 1.2 or later (non-default block sizes).
DUCKDB_BLOCK_SIZE = 16384


class BIExportError(RuntimeError):
    """The tables could not be loaded into DuckDB (for instance a key that does not hold)."""


def sql_name(identifier: str) -> str:
    """A quoted SQL identifier: columns such as `end` and `date` are keywords."""
    return '"' + identifier.replace('"', '""') + '"'


def sql_text(text: str) -> str:
    """A quoted SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _load_order(names: list[str], schema: Mapping[str, Table]) -> list[str]:
    """Tables sorted so that each comes after the tables its foreign keys reference."""
    ordered: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in ordered or name in visiting:
            return
        visiting.add(name)
        table = schema.get(name)
        for fk in table.foreign_keys if table else ():
            if fk["reference"]["resource"] in names:
                visit(fk["reference"]["resource"])
        visiting.discard(name)
        ordered.append(name)

    for name in names:
        visit(name)
    return ordered


def _create_table_sql(table: Table, present: set[str]) -> str:
    """CREATE TABLE with types, NOT NULL, the primary key and foreign keys to tables that exist."""
    lines = [f"{sql_name(c.name)} {_DUCKDB_TYPES[c.type]}{'' if c.nullable else ' NOT NULL'}" for c in table.columns]
    if table.primary_key:
        lines.append(f"PRIMARY KEY ({', '.join(sql_name(k) for k in table.primary_key)})")
    for fk in table.foreign_keys:
        ref = fk["reference"]
        if ref["resource"] in present:
            lines.append(f"FOREIGN KEY ({', '.join(sql_name(f) for f in fk['fields'])}) "
                         f"REFERENCES {sql_name(ref['resource'])} ({', '.join(sql_name(f) for f in ref['fields'])})")
    return f"CREATE TABLE {sql_name(table.name)} (\n  " + ",\n  ".join(lines) + "\n)"


def _table_comment(table: Table) -> str:
    parts = [table.description]
    if table.primary_key:
        parts.append(f"Primary key: {', '.join(table.primary_key)}.")
    for fk in table.foreign_keys:
        ref = fk["reference"]
        parts.append(f"Foreign key: {', '.join(fk['fields'])} -> {ref['resource']}.{', '.join(ref['fields'])}.")
    return " ".join(parts)


def _comment_sql(table: Table) -> Iterator[str]:
    """COMMENT ON statements, so the dictionary travels inside the database file."""
    yield f"COMMENT ON TABLE {sql_name(table.name)} IS {sql_text(_table_comment(table))}"
    refs = {f: fk["reference"] for fk in table.foreign_keys for f in fk["fields"]}
    for c in table.columns:
        text = c.description
        if c.name in table.primary_key:
            text += " (primary key)"
        if c.name in refs:
            text += f" (references {refs[c.name]['resource']}.{', '.join(refs[c.name]['fields'])})"
        yield f"COMMENT ON COLUMN {sql_name(table.name)}.{sql_name(c.name)} IS {sql_text(text)}"


def _parquet(path: Path) -> str:
    """A read_parquet() call on one file (the path quoted as an SQL string literal)."""
    return f"read_parquet({sql_text(str(path))})"


def _load_table(con: Any, name: str, source: Path | None, schema: Mapping[str, Table], present: set[str]) -> None:
    """Create one table with its constraints and let DuckDB read its Parquet file into it (it
    reads a row group at a time and checks the keys as rows arrive)."""
    table = schema.get(name)
    if table is None:  # a table the schemas do not know: keep the types as DuckDB reads them
        assert source is not None  # such a name only comes from a file of the folder
        con.execute(f"CREATE TABLE {sql_name(name)} AS SELECT * FROM {_parquet(source)}")
        return
    con.execute(_create_table_sql(table, present))
    for statement in _comment_sql(table):
        con.execute(statement)
    if source is None or pq.ParquetFile(source).metadata.num_rows == 0:
        return
    try:
        con.execute(f"INSERT INTO {sql_name(name)} BY NAME SELECT {', '.join(sql_name(c) for c in table.column_names)} "
                    f"FROM {_parquet(source)}")
    except Exception as exc:  # duckdb.ConstraintException and conversion errors: say which table
        raise BIExportError(f"cannot load table {name} into DuckDB: {exc}") from exc


def _date_columns(con: Any) -> list[tuple[str, str]]:
    rows = con.execute("SELECT table_name, column_name FROM duckdb_columns() WHERE data_type = 'DATE' "
                       "AND schema_name = 'main' ORDER BY table_name, column_index").fetchall()
    return [(t, c) for t, c in rows if t != "date_dimension"]


def _create_date_dimension(con: Any) -> None:
    """Every day from the earliest to the latest date of any date column of the release."""
    con.execute("""
        CREATE TABLE date_dimension (
          "date" DATE NOT NULL PRIMARY KEY, "year" BIGINT NOT NULL, quarter BIGINT NOT NULL, "month" BIGINT NOT NULL,
          month_name VARCHAR NOT NULL, iso_year BIGINT NOT NULL, iso_week BIGINT NOT NULL,
          day_of_week BIGINT NOT NULL, day_name VARCHAR NOT NULL, is_weekend BOOLEAN NOT NULL)""")
    con.execute("COMMENT ON TABLE date_dimension IS 'Calendar: every day from the earliest to the latest date found "
                "in the release (documents, meetings, resolutions, citations). day_of_week is ISO: 1 = Monday.'")
    columns = _date_columns(con)
    if not columns:
        return
    union = " UNION ALL ".join(f"SELECT {sql_name(c)} AS d FROM {sql_name(t)}" for t, c in columns)
    con.execute(f"""
        INSERT INTO date_dimension
        WITH bounds AS (SELECT min(d) AS lo, max(d) AS hi FROM ({union})),
             days AS (SELECT CAST(unnest(generate_series(CAST(lo AS TIMESTAMP), CAST(hi AS TIMESTAMP),
                                                          INTERVAL 1 DAY)) AS DATE) AS day
                      FROM bounds WHERE lo IS NOT NULL)
        SELECT day, year(day), quarter(day), month(day), monthname(day), isoyear(day), weekofyear(day),
               isodow(day), dayname(day), isodow(day) >= 6
        FROM days ORDER BY day""")


# Views analysts ask for. Each one is plain SQL over the tables, so anyone can read how a
# figure was computed (`SELECT sql FROM duckdb_views()`).
VIEWS: dict[str, tuple[str, str]] = {
    "v_documents": (
        "Documents without their full text (cheap to load in BI tools), with the year of their date.",
        """SELECT document_id, symbol, doc_type, body, title, "date", year("date") AS "year", distribution,
                  original_language, "language", source_name, n_chars
           FROM documents"""),
    "v_documents_by_year_type": (
        "Number of documents per year (of their date; null year: no date) and document type.",
        """SELECT year("date") AS "year", doc_type, count(*) AS n_documents
           FROM documents GROUP BY ALL ORDER BY "year" NULLS LAST, doc_type"""),
    "v_meeting_organizations": (
        "Organizations linked to a meeting: role 'convened' when the meeting's body is the organization's name "
        "or acronym, 'named' when the organization is mentioned inside a mention of the meeting.",
        """SELECT DISTINCT m.meeting_id, e.entity_id, 'convened' AS "role"
           FROM meetings m JOIN entities e ON e.entity_type = 'organization'
             AND (lower(m.body) = lower(e.name) OR lower(m.body) = lower(e.acronym))
           UNION
           SELECT DISTINCT mm.meeting_id, em.entity_id, 'named' AS "role"
           FROM meeting_mentions mm
           JOIN entity_mentions em ON em.document_id = mm.document_id AND em.start >= mm.start AND em."end" <= mm."end"
           JOIN entities e ON e.entity_id = em.entity_id AND e.entity_type = 'organization'"""),
    "v_meetings_per_organization": (
        "Per organization: number of meetings it convened or is named in (see v_meeting_organizations), "
        "and the dates of the first and last of them.",
        """SELECT e.entity_id, e.name, e.acronym, count(DISTINCT mo.meeting_id) AS n_meetings,
                  count(DISTINCT mo.meeting_id) FILTER (WHERE mo."role" = 'convened') AS n_meetings_convened,
                  min(m.start_date) AS first_meeting_date, max(coalesce(m.end_date, m.start_date)) AS last_meeting_date
           FROM v_meeting_organizations mo JOIN entities e USING (entity_id) JOIN meetings m USING (meeting_id)
           GROUP BY ALL ORDER BY n_meetings DESC, e.entity_id"""),
    "v_most_cited_resolutions": (
        "Resolutions ranked by the number of documents that cite them, with the number of citations.",
        """SELECT rank() OVER (ORDER BY r.n_citing_documents DESC) AS "rank", r.resolution_id, r.body, r.number,
                  r."year", r.title, r.n_citing_documents,
                  (SELECT count(*) FROM citations c WHERE c.cited_symbol = r.resolution_id) AS n_citations
           FROM resolutions r
           ORDER BY r.n_citing_documents DESC, n_citations DESC, r.resolution_id"""),
    "v_areas_by_year": (
        "Per year (of the document's date) and cooperation area: documents that speak of it and their mentions.",
        """SELECT year(d."date") AS "year", ca.area_id, a.label, count(DISTINCT ca.document_id) AS n_documents,
                  CAST(sum(ca.n_mentions) AS BIGINT) AS n_mentions
           FROM cooperation_areas ca JOIN documents d USING (document_id) JOIN areas a USING (area_id)
           GROUP BY ALL ORDER BY "year" NULLS LAST, ca.area_id"""),
    "v_organization_areas": (
        "Per organization and cooperation area: documents whose evidence sentence for the area names it.",
        """SELECT e.entity_id, e.name, e.acronym, p.area_id, a.label, count(DISTINCT p.document_id) AS n_documents
           FROM cooperation_area_partners p JOIN entities e USING (entity_id) JOIN areas a USING (area_id)
           GROUP BY ALL ORDER BY e.entity_id, p.area_id"""),
    "v_citations_by_year_kind": (
        "Citations per year (of the citing document's date) and kind of what is cited.",
        """SELECT year(d."date") AS "year", c.cited_kind, count(*) AS n_citations,
                  count(DISTINCT c.document_id) AS n_documents
           FROM citations c JOIN documents d USING (document_id)
           GROUP BY ALL ORDER BY "year" NULLS LAST, c.cited_kind"""),
}


def _create_views(con: Any) -> None:
    for name, (description, sql) in VIEWS.items():
        con.execute(f"CREATE VIEW {sql_name(name)} AS {sql}")
        con.execute(f"COMMENT ON VIEW {sql_name(name)} IS {sql_text(description)}")


@contextlib.contextmanager
def _replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside `path`, renamed onto it when the block succeeds, removed otherwise."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    extras = [tmp.with_name(tmp.name + ".wal")]
    for leftover in (tmp, *extras):
        leftover.unlink(missing_ok=True)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        for leftover in (tmp, *extras):
            leftover.unlink(missing_ok=True)


def release_tables(release_dir: Path) -> dict[str, Path]:
    """The Parquet file of each table in a release folder, by table name, in name order."""
    return {p.stem: p for p in sorted(Path(release_dir).glob("*.parquet")) if p.is_file()}


def batch_rows(parquet: pq.ParquetFile, target_bytes: int | None = None) -> int:
    """Rows per batch so that a decoded batch holds about `target_bytes` (default BATCH_BYTES):
    a few rows of long texts, many rows of short ids, from the sizes the Parquet footer records."""
    meta = parquet.metadata
    rows = meta.num_rows
    size = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if rows == 0 or size <= 0:
        return _MAX_BATCH_ROWS
    return max(_MIN_BATCH_ROWS, min(_MAX_BATCH_ROWS, (target_bytes or BATCH_BYTES) * rows // size))


def _duckdb_config(spill_dir: Path) -> dict[str, Any]:
    """Bounded memory: DuckDB evicts table data to the database file and spills intermediate
    results to `spill_dir` past the limit. Insertion order is kept: a table's rows stay in the
    order of its Parquet file, as in the other formats."""
    return {"memory_limit": DUCKDB_MEMORY_LIMIT, "threads": DUCKDB_THREADS, "preserve_insertion_order": True,
            "temp_directory": str(spill_dir), "default_block_size": str(DUCKDB_BLOCK_SIZE)}


def write_duckdb(release_dir: Path, path: Path) -> None:
    """Write every table of a release folder (its Parquet files), the date dimension and the
    views into one DuckDB database file.

    Tables the schemas define but the folder lacks are created empty, so the views always
    resolve. Raises BIExportError when a table does not load (a primary or foreign key that
    does not hold): run it on validated tables.
    """
    import duckdb  # imported here: only releases that write the extra need it loaded

    schema = tables()
    files = release_tables(release_dir)
    names = list(schema) + sorted(set(files) - set(schema))
    with _replacing(Path(path)) as tmp, tempfile.TemporaryDirectory(prefix=".duckdb-spill-", dir=tmp.parent,
                                                                     ignore_cleanup_errors=True) as spill:
        con = duckdb.connect(str(tmp), config=_duckdb_config(Path(spill)))
        try:
            for name in _load_order(names, schema):
                _load_table(con, name, files.get(name), schema, set(names))
            _create_date_dimension(con)
            _create_views(con)
            con.execute("CHECKPOINT")
        finally:
            con.close()


_CSV_OPTIONS = pacsv.WriteOptions(include_header=True, eol="\r\n", quoting_style="needed")


def write_csv(parquet: Path, target: Path) -> None:
    """One table as a CSV file: UTF-8 with a BOM, a header row, CRLF line ends, ISO dates,
    read from its Parquet file a batch at a time and written by Arrow's own file writer (no
    Python bytes objects in between).

    The BOM is what makes Excel read the file as UTF-8 (without it Excel uses the local code
    page and mangles "Côte d'Ivoire"); Tableau, Power BI, pandas, Polars, DuckDB and R read
    it as UTF-8 either way. Strings are always quoted and nulls are empty and unquoted, so an
    empty string ("") and a null stay apart; quotes inside values are doubled (RFC 4180).
    Values are written whole: Excel cuts cells past 32,767 characters itself (README.txt says so).
    """
    source = pq.ParquetFile(parquet)
    with pa.OSFile(str(target), "wb") as sink:
        sink.write(UTF8_BOM)
        with pacsv.CSVWriter(sink, source.schema_arrow, write_options=_CSV_OPTIONS) as writer:
            # One decoding thread: Arrow's per-thread allocator caches would otherwise hold about
            # as much again, for no gain in time (deflate, not decoding, is the slow part).
            for batch in source.iter_batches(batch_size=batch_rows(source), use_threads=False):
                writer.write_batch(batch)


def _readme(names: list[str]) -> bytes:
    lines = [
        "uncoop release as CSV: one file per table, named after the table.",
        "",
        "Encoding UTF-8 with a byte-order mark (Excel opens it as UTF-8); comma-separated; first row is the header;",
        "CRLF line ends (RFC 4180); text values are quoted and may span lines; an empty unquoted field is null.",
        "Dates are ISO 8601 (YYYY-MM-DD); booleans are true/false.",
        "Excel keeps at most 32,767 characters per cell: long texts (documents.text, document_sources.raw_text)",
        "are cut there; use the Parquet files or uncoop.duckdb for the full texts.",
        "Keys and column descriptions: data_dictionary.md and datapackage.json in the release.",
        "",
        "Tables: " + ", ".join(names),
        "",
    ]
    return "\r\n".join(lines).encode("utf-8")


def _zip_entry(name: str, level: int | None = None) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # unix, whatever the platform, so the header bytes do not vary
    info.external_attr = 0o100644 << 16
    if level is not None:  # ZipFile.open(info, "w") takes the level from the entry
        setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel", level)
    return info


def _add_file(zf: zipfile.ZipFile, name: str, source: Path, level: int) -> None:
    """Stream a file into the zip. Its size is known before the entry starts, so the entry
    gets ZIP64 headers exactly when it needs them (past 2 GiB), as writestr would decide."""
    info = _zip_entry(name, level)
    info.file_size = source.stat().st_size
    with source.open("rb") as src, zf.open(info, "w") as dest:
        shutil.copyfileobj(src, dest, 1 << 20)


def csv_path(release_dir: Path, name: str) -> Path:
    """Where a table's CSV file is in a release folder."""
    return Path(release_dir) / f"{name}{CSV_SUFFIX}"


def write_csv_tables(release_dir: Path) -> dict[str, Path]:
    """Every table of a release folder (its Parquet files) as `<table>.csv` beside it: the
    per-table CSV downloads, and the files datapackage.json describes as the tabular resources
    (Frictionless checks their rows, bytes and sha256; it cannot count the bytes of a Parquet
    or JSON file it reads through a parser). Each is written under a temporary name first."""
    out = {}
    for name, parquet in release_tables(release_dir).items():
        target = csv_path(release_dir, name)
        with _replacing(target) as tmp:
            write_csv(parquet, tmp)
        out[name] = target
    return out


def write_csv_zip(release_dir: Path, path: Path, level: int = CSV_ZIP_LEVEL) -> None:
    """One CSV per table of a release folder (its Parquet files) in a zip whose bytes depend only
    on the tables (sorted entries, fixed times). A table's CSV already in the folder
    (`write_csv_tables`) is packed as it is; otherwise it is first written to a scratch file
    beside the zip (a batch of rows at a time), so its size is known when its entry starts,
    then deflated into its entry. `level` is the deflate level of the CSV entries."""
    files = release_tables(release_dir)
    names = sorted(files)
    with _replacing(Path(path)) as tmp, tempfile.TemporaryDirectory(prefix=".csv-", dir=tmp.parent,
                                                                     ignore_cleanup_errors=True) as scratch:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(_zip_entry("README.txt"), _readme(names))
            for name in names:
                csv_file = csv_path(release_dir, name)
                if not csv_file.is_file():
                    csv_file = Path(scratch) / "table.csv"
                    write_csv(files[name], csv_file)
                _add_file(zf, f"{name}.csv", csv_file, level)


_EXTRA_RESOURCES = (
    (DUCKDB_FILE, "duckdb", "DuckDB database", "duckdb", "application/vnd.duckdb",
     "Every table with its keys, a date_dimension and ready-made views (v_*), for DuckDB and BI tools."),
    (CSV_ZIP_FILE, "csv-zip", "CSV files (zip)", "zip", "application/zip",
     "Every table as CSV (UTF-8 with BOM, RFC 4180, ISO dates), one file per table, for spreadsheets and BI tools."),
    (CHANGES_JSON, "changes", "Changes since the previous release", "json", "application/json",
     "Rows added, removed and changed per table, compared with the release that was latest before this one."),
    (CHANGES_MD, "changes-md", "Changes since the previous release (Markdown)", "md", "text/markdown",
     "A readable summary of changes.json."),
)


def extra_resources(release_dir: Path) -> list[dict[str, Any]]:
    """datapackage.json resources for the extras present in `release_dir` (bytes and sha256 of each)."""
    out = []
    for fname, name, title, fmt, media, description in _EXTRA_RESOURCES:
        path = Path(release_dir) / fname
        if not path.is_file():
            continue
        res: dict[str, Any] = {"name": name, "path": fname, "title": title, "description": description,
                               "format": fmt, "mediatype": media, "bytes": path.stat().st_size,
                               "hash": "sha256:" + sha256_file(path),
                               # a file, not a table: Frictionless checks its bytes and sha256
                               "profile": "data-resource", "type": "file"}
        if fmt in ("json", "md"):
            res["encoding"] = "utf-8"
        out.append(res)
    return out
