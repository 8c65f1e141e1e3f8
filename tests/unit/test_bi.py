"""BI extras: the DuckDB database (types, keys, date dimension, views checked against pandas),
the Parquet files as pandas, Polars and DuckDB read them, and the deterministic CSV zip. Both
extras read a release folder's Parquet files, as the publish stage hands them over."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from flows.core.assemble import assemble_tables
from flows.core.bi import (
    CSV_ZIP_FILE,
    DUCKDB_FILE,
    UTF8_BOM,
    VIEWS,
    BIExportError,
    batch_rows,
    extra_resources,
    write_csv_zip,
    write_duckdb,
)
from flows.core.extract import extract_document
from flows.core.ingest import read_source
from flows.core.schema import tables
from flows.core.storage import encode_tables
from tests.conftest import CORPUS

DUCK_TYPES = {"string": "VARCHAR", "int64": "BIGINT", "bool": "BOOLEAN", "date32": "DATE"}


def write_release(folder: Path, arrow: dict[str, pa.Table], row_group_size: int | None = None) -> Path:
    """A release folder holding `arrow` as one Parquet file per table (row groups of
    `row_group_size` rows when given)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in arrow.items():
        pq.write_table(table, folder / f"{name}.parquet", row_group_size=row_group_size)
    return folder


def read_release(folder: Path) -> dict[str, pa.Table]:
    return {p.stem: pq.read_table(p) for p in sorted(folder.glob("*.parquet"))}


@pytest.fixture(scope="module")
def rows():
    """A small real release: the seeds and the two smallest UN documents, extracted and assembled."""
    undocs = sorted((CORPUS / "undocs").glob("*.txt"), key=lambda p: (p.stat().st_size, p.name))[:2]
    paths = sorted((CORPUS / "seeds").glob("*.txt")) + undocs
    return assemble_tables([extract_document(read_source(p, CORPUS)) for p in paths])


@pytest.fixture(scope="module")
def release(rows, tmp_path_factory) -> Path:
    """The release folder as the pipeline writes its tables."""
    return encode_tables(rows, tmp_path_factory.mktemp("release")).folder


@pytest.fixture(scope="module")
def arrow(release):
    """The release's tables as read back from its Parquet files."""
    return read_release(release)


@pytest.fixture(scope="module")
def db(release, tmp_path_factory):
    path = tmp_path_factory.mktemp("bi") / DUCKDB_FILE
    write_duckdb(release, path)
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def frames(arrow):
    return {name: table.to_pandas() for name, table in arrow.items()}


def query(con, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


def test_every_table_has_its_schema_types_nullability_and_rows(db, arrow):
    cols = query(db, "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns")
    for table in tables().values():
        got = cols[cols.table_name == table.name].set_index("column_name")
        assert list(got.index) == table.column_names
        for c in table.columns:
            assert got.loc[c.name, "data_type"] == DUCK_TYPES[c.type], (table.name, c.name)
            assert got.loc[c.name, "is_nullable"] == ("YES" if c.nullable else "NO"), (table.name, c.name)
        n = db.execute(f'SELECT count(*) FROM "{table.name}"').fetchone()[0]
        assert n == arrow[table.name].num_rows


def test_the_database_uses_small_blocks(db):
    """256 KiB blocks (DuckDB's default) made the bundled release's file 11.0 MB for 0.46 MB of
    Parquet: most blocks were nearly empty."""
    from flows.core.bi import DUCKDB_BLOCK_SIZE

    (block_size,) = db.execute("SELECT block_size FROM pragma_database_size()").fetchone()
    assert block_size == DUCKDB_BLOCK_SIZE < 262144


def test_keys_are_constraints_and_documented_in_comments(db):
    cons = query(db, "SELECT table_name, constraint_type, constraint_column_names FROM duckdb_constraints()")
    for table in tables().values():
        mine = cons[cons.table_name == table.name]
        pks = [list(c) for c in mine[mine.constraint_type == "PRIMARY KEY"].constraint_column_names]
        assert pks == ([list(table.primary_key)] if table.primary_key else [])
        fks = sorted(list(c) for c in mine[mine.constraint_type == "FOREIGN KEY"].constraint_column_names)
        assert fks == sorted(fk["fields"] for fk in table.foreign_keys)
    comments = dict(db.execute("SELECT table_name, comment FROM duckdb_tables()").fetchall())
    assert "Primary key: document_id, area_id." in comments["cooperation_areas"]
    assert "Foreign key: area_id -> areas.area_id." in comments["cooperation_areas"]
    col_comment = db.execute("SELECT comment FROM duckdb_columns() WHERE table_name = 'citations' "
                             "AND column_name = 'document_id'").fetchone()[0]
    assert "references documents.document_id" in col_comment


def test_date_dimension_covers_every_date_of_the_release(db, frames):
    dates = [pd.to_datetime(frames[t][c]).dropna() for t, table in tables().items()
             for c in table.column_names if table.column(c).type == "date32"]
    lo, hi = min(d.min() for d in dates if len(d)), max(d.max() for d in dates if len(d))
    dim = query(db, "SELECT * FROM date_dimension ORDER BY date")
    days = pd.to_datetime(dim["date"])
    assert days.iloc[0] == lo and days.iloc[-1] == hi
    assert len(dim) == (hi - lo).days + 1 and days.is_unique
    iso = days.dt.isocalendar()
    assert (dim["year"] == days.dt.year).all() and (dim["quarter"] == days.dt.quarter).all()
    assert (dim["month"] == days.dt.month).all() and (dim["month_name"] == days.dt.month_name()).all()
    assert (dim["iso_week"] == iso.week.astype("int64")).all() and (dim["iso_year"] == iso.year.astype("int64")).all()
    assert (dim["day_of_week"] == days.dt.dayofweek + 1).all()
    assert (dim["is_weekend"] == (days.dt.dayofweek >= 5)).all()


def as_records(df: pd.DataFrame, columns: list[str]) -> list[tuple]:
    """Rows as sorted plain tuples (None for missing), so DuckDB and pandas results compare exactly."""
    out = df[columns].astype(object).where(df[columns].notna(), None)
    rows = [tuple(r) for r in out.itertuples(index=False, name=None)]
    return sorted(rows, key=lambda r: tuple((v is None, str(v)) for v in r))


def year_of(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series).dt.year.astype("Int64")


def test_documents_by_year_type(db, frames):
    docs = frames["documents"].assign(year=lambda d: year_of(d["date"]))
    expected = docs.groupby(["year", "doc_type"], dropna=False).size().rename("n_documents").reset_index()
    got = query(db, "SELECT * FROM v_documents_by_year_type")
    cols = ["year", "doc_type", "n_documents"]
    assert as_records(got, cols) == as_records(expected, cols)
    assert got.n_documents.sum() == len(docs)


def test_most_cited_resolutions(db, frames):
    res, cit = frames["resolutions"], frames["citations"]
    n_cit = cit.groupby("cited_symbol").size()
    expected = res.assign(n_citations=res.resolution_id.map(n_cit).fillna(0).astype("int64"),
                          rank=res.n_citing_documents.rank(method="min", ascending=False).astype("int64"))
    got = query(db, "SELECT * FROM v_most_cited_resolutions")
    cols = ["rank", "resolution_id", "n_citing_documents", "n_citations"]
    assert as_records(got, cols) == as_records(expected, cols)
    assert list(got.n_citing_documents) == sorted(got.n_citing_documents, reverse=True)
    assert got.n_citations.sum() > 0


def test_areas_by_year(db, frames):
    ca = frames["cooperation_areas"].merge(frames["documents"][["document_id", "date"]], on="document_id")
    ca = ca.merge(frames["areas"][["area_id", "label"]], on="area_id").assign(year=lambda d: year_of(d["date"]))
    expected = ca.groupby(["year", "area_id", "label"], dropna=False).agg(
        n_documents=("document_id", "nunique"), n_mentions=("n_mentions", "sum")).reset_index()
    got = query(db, "SELECT * FROM v_areas_by_year")
    cols = ["year", "area_id", "label", "n_documents", "n_mentions"]
    assert as_records(got, cols) == as_records(expected, cols)
    assert str(db.execute("SELECT typeof(n_mentions) FROM v_areas_by_year LIMIT 1").fetchone()[0]) == "BIGINT"


def test_meetings_per_organization(db, frames):
    orgs = frames["entities"][frames["entities"].entity_type == "organization"]
    meetings = frames["meetings"]
    convened = set()
    for m in meetings.itertuples():
        for o in orgs.itertuples():
            names = {o.name.lower()} | ({o.acronym.lower()} if isinstance(o.acronym, str) else set())
            if m.body.lower() in names:
                convened.add((m.meeting_id, o.entity_id))
    pairs = frames["meeting_mentions"].merge(frames["entity_mentions"], on="document_id", suffixes=("_m", "_e"))
    inside = pairs[(pairs.start_e >= pairs.start_m) & (pairs.end_e <= pairs.end_m) & pairs.entity_id.isin(orgs.entity_id)]
    named = set(zip(inside.meeting_id, inside.entity_id, strict=True))
    links = pd.DataFrame(sorted(convened | named), columns=["meeting_id", "entity_id"])
    links = links.merge(meetings[["meeting_id", "start_date", "end_date"]], on="meeting_id")
    conv = pd.DataFrame(sorted(convened), columns=["meeting_id", "entity_id"]).groupby("entity_id").size()
    expected = links.groupby("entity_id").agg(n_meetings=("meeting_id", "nunique")).reset_index()
    expected["n_meetings_convened"] = expected.entity_id.map(conv).fillna(0).astype("int64")
    got = query(db, "SELECT * FROM v_meetings_per_organization")
    cols = ["entity_id", "n_meetings", "n_meetings_convened"]
    assert len(expected) > 0
    assert as_records(got, cols) == as_records(expected, cols)


def test_organization_areas_and_citations_by_year_kind(db, frames):
    p = frames["cooperation_area_partners"]
    expected = p.groupby(["entity_id", "area_id"]).document_id.nunique().rename("n_documents").reset_index()
    got = query(db, "SELECT * FROM v_organization_areas")
    assert as_records(got, ["entity_id", "area_id", "n_documents"]) == as_records(expected, ["entity_id", "area_id", "n_documents"])
    cit = frames["citations"].merge(frames["documents"][["document_id", "date"]], on="document_id")
    cit = cit.assign(year=year_of(cit["date"]))
    expected = cit.groupby(["year", "cited_kind"], dropna=False).agg(
        n_citations=("citation_id", "size"), n_documents=("document_id", "nunique")).reset_index()
    cols = ["year", "cited_kind", "n_citations", "n_documents"]
    assert as_records(query(db, "SELECT * FROM v_citations_by_year_kind"), cols) == as_records(expected, cols)


def test_every_view_runs_and_is_described(db):
    views = dict(db.execute("SELECT view_name, comment FROM duckdb_views() WHERE NOT internal").fetchall())
    assert set(VIEWS) <= set(views)
    for name in VIEWS:
        assert views[name]
        db.execute(f"SELECT * FROM {name}").fetchall()
    assert "text" not in query(db, "SELECT * FROM v_documents LIMIT 0").columns


def test_a_broken_key_fails_loudly_and_leaves_no_file(arrow, tmp_path):
    docs = arrow["documents"]
    broken = write_release(tmp_path / "broken", {**arrow, "documents": pa.concat_tables([docs, docs.slice(0, 1)])})
    out = tmp_path / "out"
    out.mkdir()
    target = out / DUCKDB_FILE
    target.write_bytes(b"the previous file")
    with pytest.raises(BIExportError, match="documents"):
        write_duckdb(broken, target)
    assert target.read_bytes() == b"the previous file"
    assert sorted(p.name for p in out.iterdir()) == [DUCKDB_FILE]  # no partial file, no spill folder


def test_missing_tables_are_created_empty_so_views_resolve(tmp_path):
    (tmp_path / "release").mkdir()
    write_duckdb(tmp_path / "release", tmp_path / "empty.duckdb")
    con = duckdb.connect(str(tmp_path / "empty.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM date_dimension").fetchone() == (0,)
    for name in VIEWS:
        assert con.execute(f"SELECT count(*) FROM {name}").fetchone() == (0,)


# --- the Parquet files, as the tools analysts use read them ------------------------------------

def test_parquet_tables_load_typed_in_duckdb_pandas_and_polars(release, arrow):
    con = duckdb.connect()
    for name, table in tables().items():
        path = release / f"{name}.parquet"
        duck = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM '{path}'").fetchall()}
        arrow_pd = pd.read_parquet(path, dtype_backend="pyarrow")
        plain_pd = pd.read_parquet(path)
        polars = pl.read_parquet(path)
        assert len(arrow_pd) == len(polars) == arrow[name].num_rows
        for c in table.columns:
            assert duck[c.name] == DUCK_TYPES[c.type], (name, c.name)
            pdtype, pltype = arrow_pd[c.name].dtype, polars.schema[c.name]
            assert not pltype.is_nested()
            if c.type == "date32":
                assert str(pdtype) == "date32[day][pyarrow]" and pltype == pl.Date
                assert all(isinstance(v, dt.date) for v in plain_pd[c.name].dropna())
            elif c.type == "int64":
                assert pd.api.types.is_integer_dtype(pdtype) and pltype == pl.Int64, (name, c.name)
                if not c.nullable:
                    assert plain_pd[c.name].dtype == "int64", (name, c.name)
            elif c.type == "bool":
                assert pd.api.types.is_bool_dtype(pdtype) and pltype == pl.Boolean
            else:
                assert pd.api.types.is_string_dtype(pdtype) and pltype == pl.String


def test_plain_pandas_reads_nullable_integers_as_integers(release):
    path = release / "meetings.parquet"
    assert pd.api.types.is_integer_dtype(pd.read_parquet(path)["meeting_number"].dtype)


# --- CSV zip -------------------------------------------------------------------------------------

def tricky(arrow) -> dict[str, pa.Table]:
    """The tables plus an entity whose values need quoting, and an empty string beside a null."""
    ents = arrow["entities"]
    extra = pa.Table.from_pylist([{"entity_id": "org:x", "entity_type": "organization", "name": 'The "Quoted", Org\r\nLtd',
                                   "acronym": "", "country_iso3": None, "title": "Côte d'Ivoire envoy", "wikidata_id": None,
                                   "n_documents": 1}], schema=ents.schema)
    return {**arrow, "entities": pa.concat_tables([ents, extra])}


def read_zip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def test_csv_zip_round_trips_every_value(arrow, tmp_path):
    data = tricky(arrow)
    write_csv_zip(write_release(tmp_path / "release", data), tmp_path / CSV_ZIP_FILE)
    entries = read_zip(tmp_path / CSV_ZIP_FILE)
    assert sorted(entries) == ["README.txt"] + sorted(f"{n}.csv" for n in data)
    for name, table in data.items():
        data = entries[f"{name}.csv"]
        assert data.startswith(UTF8_BOM)
        back = pacsv.read_csv(io.BytesIO(data), convert_options=pacsv.ConvertOptions(
            column_types=table.schema, strings_can_be_null=True, quoted_strings_can_be_null=False))
        assert back.equals(table.cast(back.schema)), name
    ents = pd.read_csv(io.BytesIO(entries["entities.csv"]), keep_default_na=False, na_values=[])
    assert list(ents.columns)[0] == "entity_id"  # the BOM is not part of the first header
    assert ents.iloc[-1]["name"] == 'The "Quoted", Org\r\nLtd'


def test_csv_is_read_by_duckdb_and_polars_with_iso_dates(release, arrow, tmp_path):
    write_csv_zip(release, tmp_path / CSV_ZIP_FILE)
    docs_csv = tmp_path / "documents.csv"
    docs_csv.write_bytes(read_zip(tmp_path / CSV_ZIP_FILE)["documents.csv"])
    con = duckdb.connect()
    described = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM read_csv('{docs_csv}')").fetchall()}
    assert described["date"] == "DATE" and described["n_chars"] == "BIGINT"
    assert con.execute(f"SELECT count(*) FROM read_csv('{docs_csv}')").fetchone()[0] == arrow["documents"].num_rows
    pol = pl.read_csv(docs_csv, try_parse_dates=True)
    assert pol.columns[0] == "document_id" and pol.schema["date"] == pl.Date
    assert pol["text"].to_list() == arrow["documents"]["text"].to_pylist()  # whole texts: Excel cuts them itself


def test_csv_zip_bytes_depend_only_on_the_tables(release, arrow, tmp_path):
    (tmp_path / "out").mkdir()
    write_csv_zip(release, tmp_path / "out" / "a.zip")
    copy = write_release(tmp_path / "copy", dict(reversed(list(arrow.items()))))  # other Parquet bytes, same tables
    write_csv_zip(copy, tmp_path / "out" / "b.zip")
    assert (tmp_path / "out" / "a.zip").read_bytes() == (tmp_path / "out" / "b.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "out" / "a.zip") as zf:
        assert {info.date_time for info in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert zf.testzip() is None
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.zip", "b.zip"]  # no scratch files left


def test_csv_zip_entries_are_the_tables_as_csv(arrow, tmp_path):
    """Each entry is the table as pyarrow writes a whole table at once: BOM, header, CRLF."""
    write_csv_zip(write_release(tmp_path / "release", arrow), tmp_path / CSV_ZIP_FILE)
    entries = read_zip(tmp_path / CSV_ZIP_FILE)
    for name, table in arrow.items():
        whole = io.BytesIO()
        pacsv.write_csv(table, whole, pacsv.WriteOptions(include_header=True, eol="\r\n", quoting_style="needed"))
        assert entries[f"{name}.csv"] == UTF8_BOM + whole.getvalue(), name
    assert b"32,767 characters per cell" in entries["README.txt"]


def test_many_row_groups_give_the_same_csv_zip_and_database(arrow, tmp_path, monkeypatch):
    """Reading a Parquet file a row group and a batch at a time changes nothing in either extra."""
    one = write_release(tmp_path / "one", arrow)
    many = write_release(tmp_path / "many", arrow, row_group_size=3)
    assert pq.ParquetFile(many / "entity_mentions.parquet").num_row_groups > 3
    (tmp_path / "out").mkdir()
    write_csv_zip(one, tmp_path / "out" / "one.zip")
    monkeypatch.setattr("flows.core.bi.BATCH_BYTES", 1)  # the smallest batches, inside each row group too
    assert arrow["entity_mentions"].num_rows > 2 * batch_rows(pq.ParquetFile(one / "entity_mentions.parquet"))
    write_csv_zip(one, tmp_path / "out" / "one-small-batches.zip")
    write_csv_zip(many, tmp_path / "out" / "many.zip")
    assert (tmp_path / "out" / "one.zip").read_bytes() == (tmp_path / "out" / "one-small-batches.zip").read_bytes()
    assert (tmp_path / "out" / "one.zip").read_bytes() == (tmp_path / "out" / "many.zip").read_bytes()
    write_duckdb(one, tmp_path / "out" / "one.duckdb")
    write_duckdb(many, tmp_path / "out" / "many.duckdb")
    con = duckdb.connect()
    con.execute(f"ATTACH '{tmp_path / 'out' / 'one.duckdb'}' AS one (READ_ONLY)")
    con.execute(f"ATTACH '{tmp_path / 'out' / 'many.duckdb'}' AS many (READ_ONLY)")
    names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'one'").fetchall()]
    assert set(names) == set(tables()) | {"date_dimension"}
    for name in names:  # the same rows in the same order
        assert con.execute(f'SELECT * FROM one."{name}"').fetchall() == con.execute(f'SELECT * FROM many."{name}"').fetchall(), name
    for name in VIEWS:  # some views have no ORDER BY: compare their rows as sets
        a, b = (sorted(con.execute(f'SELECT * FROM {db}."{name}"').fetchall(), key=repr) for db in ("one", "many"))
        assert a == b, name
    assert con.execute("SELECT count(*) FROM many.entity_mentions").fetchone()[0] == arrow["entity_mentions"].num_rows


def test_a_table_the_schemas_do_not_know_is_exported_too(arrow, tmp_path):
    release = write_release(tmp_path / "release", {**arrow, "legacy": pa.table({"x": [2, 1], "when": [dt.date(2020, 1, 1), None]})})
    write_duckdb(release, tmp_path / DUCKDB_FILE)
    con = duckdb.connect(str(tmp_path / DUCKDB_FILE), read_only=True)
    assert con.execute("SELECT * FROM legacy").fetchall() == [(2, dt.date(2020, 1, 1)), (1, None)]
    write_csv_zip(release, tmp_path / CSV_ZIP_FILE)
    assert read_zip(tmp_path / CSV_ZIP_FILE)["legacy.csv"] == UTF8_BOM + b'"x","when"\r\n2,2020-01-01\r\n1,\r\n'


def test_extra_resources_describe_the_files_present(release, tmp_path):
    write_csv_zip(release, tmp_path / CSV_ZIP_FILE)
    (res,) = extra_resources(tmp_path)
    assert res["path"] == CSV_ZIP_FILE and res["bytes"] == (tmp_path / CSV_ZIP_FILE).stat().st_size
    assert res["hash"] == "sha256:" + hashlib.sha256((tmp_path / CSV_ZIP_FILE).read_bytes()).hexdigest()
