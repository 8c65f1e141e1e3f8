"""Per-document result cache: a rerun extracts only the documents that changed.

An entry holds everything extraction produced for one input (its `SourceDocument` and
`DocumentResult`, or the `Rejected` record when it was quarantined), keyed by

    sha256(input bytes) + source name + CACHE_VERSION

where CACHE_VERSION is a hash of the extractor version, the package version, the source of
every module under flows/core/ and every file under schemas/ (the vocabularies drive what
the extractors find): change any of them and every entry misses, so a forgotten version bump
can never serve stale results. The source name is in the key because an entry records it
(in its `SourceDocument` or `Rejected` record), and a document without a symbol takes its
id from it.

Entries are files `<root>/<key[:2]>/<key>.pkl.lz4` (a pickle, LZ4-compressed by Arrow's codec
behind an 8-byte length), written to a temporary name and renamed into place, so a run killed halfway leaves whole entries or none; an
entry that cannot be read (disk trouble, a foreign file) counts as a miss and is rewritten.
The cache is private to this machine: pickles are only ever read from the folder this code
wrote them to (never put a cache folder from elsewhere in its place).
"""

from __future__ import annotations

import contextlib
import copyreg
import dataclasses
import gc
import hashlib
import importlib.metadata
import io
import operator
import os
import pickle
import struct
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from flows import __version__
from flows.core.extract import EXTRACTOR_VERSION

_PACKAGE = Path(__file__).resolve().parents[1]
_SCHEMAS = _PACKAGE.parent / "schemas"
_SUFFIX = ".pkl.lz4"  # entries of the former zlib format (.pkl.z) are misses, and prune() removes them
_LENGTH = struct.Struct("<Q")


def _codec() -> Any:
    # pyarrow is imported on first use only: the extract workers import this module and must
    # stay small; the flow's process imports pyarrow for the tables anyway
    import pyarrow as pa

    return pa.Codec("lz4")


def _rebuild(cls: type, values: tuple) -> Any:
    return cls(*values)


class _Reducers(dict):
    """The pickler's dispatch table for cache entries. A dataclass whose fields are all
    positional `__init__` parameters (no `__post_init__`) is stored as its class and field values
    and rebuilt by calling the class: its generated `__init__` is faster than the `__setstate__`
    dataclasses give slotted classes, which looks the fields up again for every object (2,000
    generated documents: pickling 1.29 -> 0.65 s, unpickling 1.91 -> 1.45 s). Every other type
    pickles as usual."""

    def __missing__(self, cls: type) -> Any:
        reducer = copyreg.dispatch_table.get(cls)
        if reducer is None and dataclasses.is_dataclass(cls):
            fields = dataclasses.fields(cls)
            if (fields and len(fields) == len(cls.__dataclass_fields__) and not hasattr(cls, "__post_init__")
                    and all(f.init and not f.kw_only for f in fields)):
                values = operator.attrgetter(*(f.name for f in fields))
                if len(fields) == 1:
                    reducer = lambda obj: (_rebuild, (cls, (values(obj),)))  # noqa: E731
                else:
                    reducer = lambda obj: (_rebuild, (cls, values(obj)))  # noqa: E731
        if reducer is None:
            raise KeyError(cls)
        self[cls] = reducer
        return reducer


_REDUCERS = _Reducers()


def encode(value: Any) -> bytes:
    """An entry's bytes: the pickle's length, then the pickle compressed with LZ4 (measured on
    2,000 generated documents: compress 0.76 -> 0.14 s, decompress 0.41 -> 0.11 s against
    zlib level 1, for 18 MB instead of 15)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _REDUCERS
    pickler.dump(value)
    data = buffer.getvalue()
    return _LENGTH.pack(len(data)) + _codec().compress(data, asbytes=True)


def decode(data: bytes) -> Any:
    """The value of an entry; raises on bytes that are not one. The cyclic garbage collector is
    paused while the pickle's objects are built: they hold no cycles, and its passes over the
    growing heap were 40% of the time of loading a cached corpus."""
    (size,) = _LENGTH.unpack_from(data)
    if size > 255 * len(data) + 64:  # more than LZ4 can expand: not an entry (and no huge allocation)
        raise ValueError(f"not a cache entry (claims {size} bytes)")
    raw = _codec().decompress(memoryview(data)[_LENGTH.size:], decompressed_size=size, asbytes=True)
    paused = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(raw)
    finally:
        if paused:
            gc.enable()
_LOCK = ".lock"


def _library_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "-"


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of everything that decides what extraction produces (see the module docstring)."""
    # the converters' output also depends on the PDF and Word libraries
    libraries = "\0".join(f"{lib}={_library_version(lib)}" for lib in ("pypdf", "python-docx", "charset-normalizer"))
    digest = hashlib.sha256(f"{__version__}\0{EXTRACTOR_VERSION}\0{libraries}".encode())
    files = sorted((_PACKAGE / "core").rglob("*.py")) + sorted(p for p in _SCHEMAS.rglob("*") if p.is_file())
    for path in files:
        digest.update(path.relative_to(_PACKAGE.parent).as_posix().encode() + b"\0" + path.read_bytes())
    return f"{EXTRACTOR_VERSION}-{digest.hexdigest()[:16]}"


CACHE_VERSION = code_version()


def cache_key(source_sha256: str, source_name: str, version: str = CACHE_VERSION) -> str:
    """The key of one input: its bytes, its name and the code that extracts it."""
    return hashlib.sha256(f"{version}\0{source_name}\0{source_sha256}".encode()).hexdigest()


def _owner(value: Any) -> tuple[str, str] | None:
    """(sha256, source name) of the input a cached value belongs to, when it records one."""
    record = getattr(value, "source", value)  # a DocumentResult holds its SourceDocument
    sha, name = getattr(record, "source_sha256", None), getattr(record, "source_name", None)
    return (sha, name) if isinstance(sha, str) and isinstance(name, str) else None


class ResultCache:
    """A folder of per-document extraction results that survives restarts and killed runs."""

    def __init__(self, root: Path, version: str = CACHE_VERSION):
        self.root = Path(root)
        self.version = version
        self.errors: list[str] = []  # entries that could not be read or written (the run reports them)
        self._lock: IO[str] | None = None  # the open lock file while a build uses the cache (in_use)

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}{_SUFFIX}"

    def get(self, source_sha256: str, source_name: str) -> Any | None:
        """The cached value of this input, or None (a miss)."""
        path = self._path(cache_key(source_sha256, source_name, self.version))
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            self.errors.append(f"cannot read {path}: {exc}")
            return None
        try:
            value = decode(data)
        except Exception as exc:  # noqa: BLE001 - a damaged entry is a miss; put() rewrites it
            self.errors.append(f"damaged entry {path} ({type(exc).__name__}): extracted again")
            return None
        if _owner(value) not in (None, (source_sha256, source_name)):
            # an entry of another document under this key (copied in, or a bug): a miss, rewritten
            self.errors.append(f"foreign entry {path} (it holds {_owner(value)[1]!r}): extracted again")
            return None
        return value

    def put(self, source_sha256: str, source_name: str, value: Any) -> bool:
        """Store a value atomically (temporary file + rename); False if it could not be written.
        Failures are recorded in `errors`, never raised: the cache only saves time, it never
        decides what a release holds."""
        path = self._path(cache_key(source_sha256, source_name, self.version))
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(encode(value))
            os.replace(tmp, path)
        except OSError as exc:
            self.errors.append(f"cannot write {path}: {exc}")
            with contextlib.suppress(OSError):  # the folder itself may be what failed
                tmp.unlink(missing_ok=True)
            return False
        return True

    @contextlib.contextmanager
    def in_use(self) -> Iterator[None]:
        """Mark the cache as used by this build for the block (a shared flock on `.lock`, which
        the kernel drops with the process): `prune` by another build sharing the folder waits
        for a time when no build uses it, so it never deletes entries under a running build."""
        import fcntl

        try:
            self.root.mkdir(parents=True, exist_ok=True)
            handle = open(self.root / _LOCK, "a+")  # noqa: SIM115 - held for the block
        except OSError as exc:
            self.errors.append(f"cannot lock {self.root}: {exc}")
            yield
            return
        try:
            fcntl.flock(handle, fcntl.LOCK_SH)
            self._lock = handle
            yield
        finally:
            self._lock = None
            handle.close()

    def prune(self, keep: Iterable[tuple[str, str]]) -> int:
        """Delete every entry (and leftover temporary file) not among `keep` (sha256, name)
        pairs; returns how many files were removed. Run after a successful build so the cache
        holds the current corpus, not every version ever seen. Skipped (0) while another build
        uses the cache: its entries may be among those this build does not keep."""
        import fcntl

        if not self.root.is_dir():
            return 0
        handle = self._lock or open(self.root / _LOCK, "a+")  # noqa: SIM115 - closed below
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self.errors.append(f"not pruned: another build is using {self.root}")
                return 0
            try:
                return self._prune(keep)
            finally:
                fcntl.flock(handle, fcntl.LOCK_SH if handle is self._lock else fcntl.LOCK_UN)
        finally:
            if handle is not self._lock:
                handle.close()

    def _prune(self, keep: Iterable[tuple[str, str]]) -> int:
        wanted = {cache_key(sha, name, self.version) + _SUFFIX for sha, name in keep}
        removed = 0
        for sub in self.root.iterdir():
            if not sub.is_dir():
                continue
            for entry in sub.iterdir():
                if entry.name not in wanted:
                    entry.unlink(missing_ok=True)
                    removed += 1
        return removed


class RunResults:
    """Where the second pass of the assembly finds each document's result: the result cache
    (the persistent one, or a private one for this run when caching is off), or memory for the
    few results the cache could not store. Keeps the corpus out of memory between the passes."""

    def __init__(self, cache: ResultCache):
        self.cache = cache
        self._sha: dict[str, str] = {}  # source name -> sha256
        self._held: dict[str, Any] = {}

    def keep(self, source_name: str, source_sha256: str, value: Any, *, stored: bool) -> None:
        """Remember where a document's result is; `stored` says whether the cache has it."""
        self._sha[source_name] = source_sha256
        if not stored:
            self._held[source_name] = value

    def load(self, source_name: str) -> Any:
        if source_name in self._held:
            return self._held[source_name]
        value = self.cache.get(self._sha[source_name], source_name)
        if value is None:
            raise RuntimeError(f"the result of {source_name!r} vanished from the result cache {self.cache.root} "
                               "during the run (was the folder cleaned?); run the build again")
        return value
