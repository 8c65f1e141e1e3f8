"""Checks of a release's files against its datapackage.json, for `uncoop validate`.

Every file listed is present and matches its sha256; each table's Parquet file is readable, has
the rows datapackage.json says, and its JSON file holds exactly the same rows (the JSON of the
Parquet rows, written the way the release writer writes it, compared a row group at a time, so
memory stays bounded). Every problem is one line for the person who runs the check; none raises.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flows.core.ingest import sha256_file
from flows.core.schema import tables


class BrokenRelease(Exception):
    """The release cannot be checked at all (no readable datapackage.json)."""


def read_package(release: Path) -> dict[str, Any]:
    """datapackage.json as a dict; BrokenRelease with one line when it is missing or broken."""
    path = release / "datapackage.json"
    try:
        package = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BrokenRelease(f"{release} is not a release (no datapackage.json)") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise BrokenRelease(f"{path} cannot be read: {exc}") from exc
    except ValueError as exc:
        raise BrokenRelease(f"{path} is not valid JSON ({exc}): the release is damaged") from exc
    if not isinstance(package, dict) or not isinstance(package.get("resources"), list):
        raise BrokenRelease(f"{path} is not a data package (it has no list of resources)")
    return package


def check_files(release: Path, package: dict[str, Any]) -> list[str]:
    """Problems of the files against datapackage.json (empty when there is none)."""
    problems: list[str] = []
    root = release.resolve()
    declared: dict[str, dict[str, Any]] = {}
    for res in package["resources"]:
        if not isinstance(res, dict) or not isinstance(res.get("path"), str):
            problems.append("datapackage.json lists a resource without a path")
            continue
        declared[res["path"]] = res
        path = (release / res["path"]).resolve()
        if not path.is_relative_to(root):
            problems.append(f"{res['path']} points outside the release")
            continue
        if not path.is_file():
            problems.append(f"{res['path']} is missing")
            continue
        expected = str(res.get("hash", "")).removeprefix("sha256:")
        if expected and sha256_file(path) != expected:
            problems.append(f"{res['path']} does not match its sha256 in datapackage.json")
    for name in tables():
        problems += _check_table(release, name, declared)
    return problems


def _check_table(release: Path, name: str, declared: dict[str, dict[str, Any]]) -> list[str]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    parquet, json_path = release / f"{name}.parquet", release / f"{name}.json"
    if not parquet.is_file():
        return [f"table {name}: {parquet.name} is missing"]
    try:
        file = pq.ParquetFile(parquet)
        n_rows = file.metadata.num_rows
    except (pa.ArrowException, OSError) as exc:
        return [f"table {name}: {parquet.name} cannot be read as Parquet (truncated or damaged: {exc})"]
    problems = []
    # the row count is declared on the table's tabular resource (its CSV file; older releases: the Parquet file)
    source, rows = next(((path, declared[path]["rows"]) for path in (f"{name}.csv", parquet.name)
                         if isinstance(declared.get(path, {}).get("rows"), int)), (None, None))
    if rows is None:
        problems.append(f"table {name}: datapackage.json declares no row count for it")
    elif rows != n_rows:
        problems.append(f"table {name}: {parquet.name} holds {n_rows} rows, datapackage.json says {rows} ({source})")
    json_rows = declared.get(json_path.name, {}).get("rows")
    if isinstance(json_rows, int) and json_rows != n_rows:
        problems.append(f"table {name}: datapackage.json says {json_rows} rows for {json_path.name}, "
                        f"the Parquet file holds {n_rows}")
    if not json_path.is_file():
        return [*problems, f"table {name}: {json_path.name} is missing"]
    try:
        same = _json_matches(file, json_path)
    except (pa.ArrowException, OSError) as exc:
        return [*problems, f"table {name}: {parquet.name} cannot be read as Parquet (truncated or damaged: {exc})"]
    if not same:
        problems.append(f"table {name}: {json_path.name} does not hold the same rows as {parquet.name}")
    return problems


def _json_matches(file, json_path: Path) -> bool:
    """Whether the JSON file is exactly the JSON of the Parquet rows (as the writer writes it:
    '[' + the rows joined by ',' + ']\\n'), read a row group at a time."""

    from flows.core.storage import _json_chunk

    with json_path.open("rb") as stream:
        if stream.read(1) != b"[":
            return False
        first = True
        for i in range(file.num_row_groups):
            group = file.read_row_group(i)
            if group.num_rows == 0:
                continue
            chunk = _json_chunk(group)
            expected = chunk if first else b"," + chunk
            if stream.read(len(expected)) != expected:
                return False
            first = False
        return stream.read() == b"]\n"
