"""Reading inputs: decoding, hashing, and a clear reason for every file that is not a document."""

import codecs
import hashlib

import pytest

from flows.core.ingest import (
    InputError,
    Rejected,
    SourceDocument,
    decode,
    discover,
    drop_duplicates,
    read_source,
    unsupported_rejections,
)

TEXT = "Letter dated 3 October 2013 from the Permanent Representative of Azerbaijan — Côte d’Ivoire"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
    ],
)
def test_decode_unicode_inputs(data, encoding):
    assert decode(data) == (TEXT, encoding)


def test_decode_legacy_encoding_is_detected():
    text = "Le Conseil de sécurité réaffirme son attachement à la Charte des Nations Unies. " * 5
    decoded, encoding = decode(text.encode("cp1252"))
    assert decoded == text
    assert encoding.replace("_", "").lower() in {"cp1252", "windows1252", "latin1", "iso88591", "iso885915"}


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"   \n\n\t  \n", "empty"),
        (b"**  **\n", "empty"),
        (bytes(range(256)) * 20, "binary"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00\xff" * 100, "binary"),
    ],
)
def test_bad_inputs_are_rejected_with_a_reason(tmp_path, content, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    result = read_source(path, tmp_path)
    assert isinstance(result, Rejected)
    assert result.reason == reason
    assert result.source_sha256 == hashlib.sha256(content).hexdigest()
    assert result.detail


def test_too_large_input_is_rejected_without_reading(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(b"a" * 1000)
    result = read_source(path, tmp_path, max_bytes=999)
    assert isinstance(result, Rejected) and result.reason == "too_large"
    assert "999" in result.detail


def test_bad_utf16_bom_is_undecodable(tmp_path):
    path = tmp_path / "odd.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + b"\x00\xd8")  # a lone surrogate
    result = read_source(path, tmp_path)
    assert isinstance(result, Rejected) and result.reason == "undecodable"


def test_good_input_keeps_raw_and_normalized_text(tmp_path):
    raw = "See resolution [1963 \\(2010\\)](#).\n"
    (tmp_path / "sub").mkdir()
    path = tmp_path / "sub" / "doc.md"
    path.write_text(raw, encoding="utf-8")
    doc = read_source(path, tmp_path)
    assert isinstance(doc, SourceDocument)
    assert doc.source_name == "sub/doc.md"
    assert doc.raw_text == raw
    assert doc.text == "See resolution 1963 (2010)."
    assert doc.source_sha256 == hashlib.sha256(raw.encode()).hexdigest()
    assert doc.n_bytes == len(raw.encode())


def test_discover_sorts_documents_from_other_files(tmp_path):
    for name in ["b.txt", "a/c.md", "README.md", ".hidden/x.txt", "MANIFEST.tsv", "scan.pdf", "notes.TXT", "sheet.xlsx"]:
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x")
    found = discover(tmp_path)
    rel = lambda ps: [p.relative_to(tmp_path).as_posix() for p in ps]  # noqa: E731
    assert rel(found.documents) == ["a/c.md", "b.txt", "notes.TXT", "scan.pdf"]
    assert rel(found.unsupported) == ["sheet.xlsx"]
    assert sorted(rel(found.ignored)) == [".hidden/x.txt", "MANIFEST.tsv", "README.md"]
    assert [r.reason for r in unsupported_rejections(found.unsupported, tmp_path)] == ["unsupported_format"]


@pytest.mark.parametrize("make", [lambda p: None, lambda p: p.write_text("x")])
def test_discover_refuses_missing_or_non_folder_input(tmp_path, make):
    target = tmp_path / "input"
    make(target)
    with pytest.raises(InputError):
        discover(target)


def test_duplicates_keep_the_first_name(tmp_path):
    for name in ["b.txt", "a.txt", "c.txt"]:
        (tmp_path / name).write_text("Same words in both files." if name != "c.txt" else "Other words.")
    items = [read_source(tmp_path / n, tmp_path) for n in ["b.txt", "a.txt", "c.txt"]]
    out = drop_duplicates(items)
    assert [type(i).__name__ for i in out] == ["SourceDocument", "Rejected", "SourceDocument"]
    dup = out[1]
    assert (dup.source_name, dup.reason, dup.duplicate_of) == ("b.txt", "duplicate", "a.txt")
