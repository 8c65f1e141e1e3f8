"""Read input files: discover them, hash the raw bytes, decode, normalize; reject bad input.

Nothing is dropped silently. A file either becomes a `SourceDocument` or a `Rejected` record
with a reason from the `quarantine_reason` vocabulary; files that are not documents at all
(README, LICENSE, MANIFEST, hidden files) are listed as ignored.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from flows.core.formats import CONVERTED_FORMATS, SUPPORTED_SUFFIXES, ConversionError, convert, sniff_format
from flows.core.formats.akn import AknDocument, read_akn
from flows.core.textnorm import normalize_text

DOCUMENT_SUFFIXES = SUPPORTED_SUFFIXES  # .txt .md .pdf .docx .html .htm
NOT_DOCUMENTS = ("readme", "license", "licence", "manifest", "changelog")
DEFAULT_MAX_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class SourceDocument:
    source_name: str  # path relative to the input folder, with forward slashes
    source_sha256: str
    n_bytes: int
    encoding: str
    raw_text: str
    text: str  # normalized: the text every offset refers to
    source_url: str | None = None  # where a fetched document was downloaded from
    markup: AknDocument | None = None  # Akoma Ntoso input: what its markup states (metadata, links)


@dataclass(frozen=True, slots=True)
class Rejected:
    source_name: str
    source_sha256: str
    n_bytes: int
    reason: str  # vocabulary quarantine_reason
    detail: str
    duplicate_of: str | None = None


@dataclass(frozen=True, slots=True)
class Discovery:
    documents: list[Path]  # candidate document files, sorted by relative name
    unsupported: list[Path]  # files of other formats (quarantined as unsupported_format)
    ignored: list[Path]  # README, LICENSE, MANIFEST and hidden files: not documents
    # paths not read, each with its reason: folders that cannot be listed, links not followed,
    # pipes and devices (quarantined, so every skipped path is in the run report)
    skipped: list[Rejected] = field(default_factory=list)


_Item = TypeVar("_Item")  # SourceDocument or InputFile: anything with a name and a sha256


class InputError(Exception):
    """The input folder itself is unusable (missing, not a folder)."""


def relative_name(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def discover(root: Path) -> Discovery:
    """Every file under `root`, sorted into documents, unsupported formats and ignored files.

    The input folder is a boundary: a symbolic link is followed only when it leads to a file
    inside it (a link to a folder is not followed: inside the root its files are read where they
    are, outside they are not ours to read). Folders that cannot be listed, links not followed
    and files that are not regular files (pipes, sockets, devices) are `skipped`, each with its
    reason, never silently."""
    if not root.exists():
        raise InputError(f"input folder {root} does not exist")
    if not root.is_dir():
        raise InputError(f"input {root} is not a folder")
    files, skipped = _walk(root)
    documents, unsupported, ignored = [], [], []
    for path in sorted(files, key=lambda p: relative_name(p, root)):
        rel = path.relative_to(root)
        name = path.name.lower()
        if any(part.startswith(".") for part in rel.parts) or name.startswith(NOT_DOCUMENTS):
            ignored.append(path)
        elif name.endswith(DOCUMENT_SUFFIXES):
            documents.append(path)
        else:
            unsupported.append(path)
    return Discovery(documents, unsupported, ignored, sorted(skipped, key=lambda r: r.source_name))


_NO_HASH = "0" * 64  # the sha256 column of an input whose bytes were never read


def _walk(root: Path) -> tuple[list[Path], list[Rejected]]:
    """The regular files under `root` (and links to files inside it), and what was skipped."""
    real_root = root.resolve()
    files: list[Path] = []
    skipped: list[Rejected] = []

    def skip(path: Path, reason: str, detail: str, suffix: str = "") -> None:
        skipped.append(Rejected(relative_name(path, root) + suffix, _NO_HASH, 0, reason, detail))

    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as exc:
            if folder == root:
                raise InputError(f"cannot list the input folder {root}: {exc.strerror or exc}") from exc
            skip(folder, "unreadable", f"cannot list the folder: {exc.strerror or exc}; the files in it were not read",
                 "/")
            continue
        for entry in entries:
            path = Path(entry.path)
            try:
                if entry.is_symlink() and _hidden(path, root):
                    files.append(path)  # ignored as every hidden file is (counted, never read or followed)
                elif entry.is_symlink():
                    problem = _link_problem(path, real_root)
                    if problem:
                        skip(path, "skipped_link", problem)
                    else:
                        files.append(path)
                elif entry.is_dir(follow_symlinks=False):
                    stack.append(path)
                elif entry.is_file(follow_symlinks=False):
                    files.append(path)
                else:
                    skip(path, "unreadable", "not a regular file (a pipe, socket or device): not read")
            except OSError as exc:
                skip(path, "unreadable", f"cannot look at it: {exc.strerror or exc}")
    return files, skipped


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _link_problem(path: Path, real_root: Path) -> str | None:
    """Why a symbolic link is not followed, or None for a link to a file inside the input folder."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # missing target, or a loop of links
        return "a symbolic link whose target does not exist (or a loop of links): not followed"
    if not target.is_relative_to(real_root):
        return "a symbolic link that leaves the input folder: not followed (the input folder is a boundary)"
    if target.is_dir():
        return "a symbolic link to a folder inside the input folder: not followed (its files are read where they are)"
    if not target.is_file():
        return "a symbolic link to something that is not a regular file: not followed"
    return None


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path, block: int = 1 << 20) -> str:
    """sha256 of a file, read a block at a time (files may be larger than memory allows)."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(block), b""):
            digest.update(chunk)
    return digest.hexdigest()


# Every byte except the control bytes that text does not hold (all below 32 but tab, LF, FF, CR):
# deleting these from a sample leaves exactly the controls to count (in C, not byte by byte).
_NOT_CONTROL = bytes(b for b in range(256) if not (b < 32 and b not in (9, 10, 12, 13)))


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = len(sample.translate(None, _NOT_CONTROL))
    return controls > max(8, len(sample) // 100)


def decode(data: bytes) -> tuple[str, str]:
    """Decode raw bytes: UTF-8 (with or without BOM), UTF-16/32 with a BOM, else a detected
    legacy encoding. Returns (text, encoding); raises ValueError with a readable reason."""
    for bom, encoding in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                          (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise ValueError(f"starts with a {encoding} byte-order mark but does not decode: {exc.reason}") from exc
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return utf16
    if _looks_binary(data):
        raise ValueError("binary content (NUL or control bytes), not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # only for the rare non-UTF-8 input

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise ValueError("not UTF-8 and no legacy encoding fits")
    text = str(best)
    if sum(ch.isprintable() or ch.isspace() for ch in text) < 0.95 * len(text):
        raise ValueError(f"decodes as {best.encoding} only to unprintable characters")
    if best.encoding != "cp1252" and _latin_script(text):
        # Several single-byte code pages fit a short Latin-script text (cp775, cp850, latin-1...);
        # for documents written in Latin script the Windows Western code page is by far the most
        # common, so it wins whenever it decodes cleanly to Latin script too.
        try:
            western = data.decode("cp1252")
        except UnicodeDecodeError:
            western = None
        if western is not None and _latin_script(western) and not any("\x80" <= ch <= "\x9f" for ch in western):
            return western, "cp1252"
    return text, best.encoding


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text saved without a byte-order mark: in mostly Latin-script text (or text with many
    spaces, digits and punctuation) at least every other byte of one parity is a NUL and no byte
    of the other parity is, which no 8-bit text shows; the decoded text must then be printable.
    Returns (text, encoding) or None."""
    sample = data[:8192]
    if len(data) % 2 or len(sample) < 16:
        return None
    even, odd = sample[0::2], sample[1::2]
    for zeros, others, encoding in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros.count(0) >= 0.5 * len(zeros) and others.count(0) == 0:
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                return None
            if sum(ch.isprintable() or ch.isspace() for ch in text[:4096]) >= 0.95 * min(len(text), 4096):
                return text, encoding
    return None


def _latin_script(text: str) -> bool:
    """True when every non-ASCII letter of `text` is a Latin letter (no Cyrillic, Arabic, CJK...)."""
    return all(ch.isascii() or not ch.isalpha() or unicodedata.name(ch, "").startswith("LATIN") for ch in set(text))


@dataclass(frozen=True, slots=True)
class InputFile:
    """An input file that was found, sized and hashed, but not yet decoded."""

    source_name: str
    path: Path
    source_sha256: str
    n_bytes: int
    source_url: str | None = None  # fetched documents: the URL (the bytes are in the fetch cache)
    content_type: str | None = None  # fetched documents: the Content-Type the server sent


def take_inventory(path: Path, root: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> InputFile | Rejected:
    """Size and hash one input file (reading it once); too large, unreadable and empty files
    are rejected here, before any decoding."""
    name = relative_name(path, root)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return Rejected(name, "0" * 64, size, "too_large",
                            f"{size} bytes is over the limit of {max_bytes} bytes (setting max_bytes)")
        data = path.read_bytes()
    except OSError as exc:
        return Rejected(name, "0" * 64, 0, "unreadable", f"cannot read the file: {exc.strerror or exc}")
    digest = sha256_hex(data)
    if not data:
        return Rejected(name, digest, 0, "empty", "the file is empty (0 bytes)")
    return InputFile(name, path, digest, len(data))


def source_from_bytes(name: str, data: bytes, digest: str | None = None,
                      content_type: str | None = None) -> SourceDocument | Rejected:
    """Decode (text) or convert (PDF, Word, HTML: the bytes decide, then the content type, then
    the name) and normalize the bytes of one input into a SourceDocument, or say why not."""
    digest = digest or sha256_hex(data)
    if not data:
        return Rejected(name, digest, 0, "empty", "the file is empty (0 bytes)")
    fmt = sniff_format(data, name, content_type)
    if fmt == "akn":  # the text is built already normalized, with the offsets of its links
        try:
            akn = read_akn(data)
        except ConversionError as exc:
            return Rejected(name, digest, len(data), exc.reason, exc.detail)
        return SourceDocument(name, digest, len(data), "akn", akn.text, akn.text, markup=akn)
    if fmt == "xml" and name.lower().endswith((".txt", ".md")):
        fmt = "text"  # a text file that begins with a tag is still text
    try:  # anything not recognised as PDF, Word or HTML is decoded as text (or rejected as binary)
        converted = convert(data, fmt if fmt in (*CONVERTED_FORMATS, "xml") else "text")
    except ConversionError as exc:
        return Rejected(name, digest, len(data), exc.reason, exc.detail)
    # NUL is never text: removed wherever it is (the binary test only looks at the first 8 KB)
    raw_text, encoding = converted.text.replace("\x00", ""), converted.encoding
    text = normalize_text(raw_text)
    if not text:
        return Rejected(name, digest, len(data), "empty", "the file holds no text (only whitespace or markup)")
    return SourceDocument(name, digest, len(data), encoding, raw_text, text)


def read_bytes(item: InputFile) -> bytes | Rejected:
    """The bytes of an inventoried file, read again; a rejection when it cannot be read or no
    longer has the bytes the inventory hashed (it changed while the run was going)."""
    try:
        data = item.path.read_bytes()
    except OSError as exc:
        return Rejected(item.source_name, item.source_sha256, item.n_bytes, "unreadable",
                        f"cannot read the file: {exc.strerror or exc}")
    digest = sha256_hex(data)
    if digest != item.source_sha256:
        return Rejected(item.source_name, digest, len(data), "unreadable",
                        "the file changed while the run was reading it; run again")
    return data


def read_input(item: InputFile) -> SourceDocument | Rejected:
    """Read an inventoried file again and turn it into a SourceDocument (or a rejection)."""
    data = read_bytes(item)
    if isinstance(data, Rejected):
        return data
    return with_url(source_from_bytes(item.source_name, data, item.source_sha256, item.content_type), item.source_url)


def with_url(item: SourceDocument | Rejected, url: str | None) -> SourceDocument | Rejected:
    """The SourceDocument with its provenance URL (rejections keep the URL in their detail)."""
    if url is None:
        return item
    if isinstance(item, SourceDocument):
        return replace(item, source_url=url)
    return replace(item, detail=f"{item.detail} (from {url})")


def read_source(path: Path, root: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> SourceDocument | Rejected:
    """Read one input file into a SourceDocument, or say why it cannot be one."""
    item = take_inventory(path, root, max_bytes)
    if isinstance(item, Rejected):
        return item
    return read_input(item)


def drop_duplicates(items: Iterable[_Item | Rejected]) -> list[_Item | Rejected]:
    """Keep the first document of each sha256 (by source name); later copies become duplicates."""
    kept: dict[str, str] = {}
    out: list[_Item | Rejected] = []
    for item in sorted(items, key=lambda i: i.source_name):  # type: ignore[attr-defined]
        if not isinstance(item, Rejected):
            first = kept.get(item.source_sha256)
            if first is not None:
                out.append(Rejected(item.source_name, item.source_sha256, item.n_bytes, "duplicate",
                                    f"same bytes as {first}", duplicate_of=first))
                continue
            kept[item.source_sha256] = item.source_name
        out.append(item)
    return out


def unsupported_rejections(paths: Iterable[Path], root: Path) -> list[Rejected]:
    out = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError:
            data = b""
        out.append(Rejected(relative_name(path, root), sha256_hex(data), len(data), "unsupported_format",
                            f"'{path.suffix or path.name}' files are not read; supported: {', '.join(DOCUMENT_SUFFIXES)}"))
    return out
