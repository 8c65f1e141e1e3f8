"""The UN's Akoma Ntoso files end to end: the bundled sample in a git repository that the test
makes itself (no network), read through `source_repo`, refreshed, with the repository's stray files."""

from __future__ import annotations

import shutil
import subprocess

import pandas as pd

from flows.core.gitsource import checkout_dir
from flows.core.unxml_check import check_release
from flows.pipeline import build_release
from flows.settings import settings_for
from tests.conftest import CORPUS

SAMPLE = CORPUS / "unxml" / "2021"


def _git(repo, *args):
    subprocess.run(["git", "-c", "user.email=t@example.org", "-c", "user.name=t", *args], cwd=repo, check=True,
                   capture_output=True)


def test_a_git_repository_source_is_read_and_refreshed(tmp_path):
    origin = tmp_path / "origin"
    for lang in ("English", "French", "Chinese"):
        (origin / "2021" / lang).mkdir(parents=True)
        for n in (2561, 2562):
            for f in (SAMPLE / lang).glob(f"SC_{n}_2021-*.xml"):
                shutil.copy(f, origin / "2021" / lang / f.name)
    (origin / "2021" / "English" / "test").write_bytes(b"\r\n")  # the repository's stray files
    (origin / "desktop.ini").write_text("[LocalizedFileNames]\n", encoding="utf-8")
    (origin / "other.xml").write_text('<?xml version="1.0"?><catalog/>', encoding="utf-8")
    _git(origin, "init", "-q")
    _git(origin, "add", ".")
    _git(origin, "commit", "-qm", "first")
    out = tmp_path / "out"
    settings = settings_for("test", input_dir=None, source_repo=origin.as_uri(), output_dir=out)

    first = build_release(settings)
    assert first.status == "published" and first.n_documents == 6 and first.extracted == 7  # and other.xml
    assert first.quarantined == {"unsupported_format": 3}  # test, desktop.ini, other.xml
    docs = pd.read_parquet(out / "latest" / "documents.parquet")
    assert sorted(docs.document_id) == ["S/RES/2561 (2021)", "S/RES/2561 (2021)@fr", "S/RES/2561 (2021)@zh",
                                        "S/RES/2562 (2021)", "S/RES/2562 (2021)@fr", "S/RES/2562 (2021)@zh"]
    assert set(docs.language) == {"en", "fr", "zh"} and set(docs.doc_type) == {"resolution"}
    assert docs.source_name.str.startswith("2021/").all()
    quarantine = pd.read_parquet(out / "latest" / "quarantine.parquet")
    assert "<catalog>" in quarantine.set_index("source_name").loc["other.xml", "detail"]
    mentions = pd.read_parquet(out / "latest" / "entity_mentions.parquet")
    other_versions = mentions[mentions.document_id.str.contains("@")]
    # outside English only countries and registry organizations are read (no persons, no places)
    assert other_versions.entity_id.str.match(r"^(?:country|org):").all()

    # the release checked against the files by a reader of their own (uncoop check-unxml)
    figures = check_release(out / "latest", checkout_dir(origin.as_uri(), out / ".cache" / "fetch")).as_dict()
    assert (figures["akn_documents"], figures["published"], figures["xml_files"]) == (6, 6, 7)
    assert figures["symbol_equal_markup"] == figures["date_equal_markup"] == figures["language_equal_markup"] == 1.0
    assert figures["linked_citation_recall"]["en"]["recall"] == 1.0
    assert min(v["recall"] for v in figures["linked_citation_recall"].values()) >= 0.95

    shutil.copy(next((SAMPLE / "Arabic").glob("SC_2561_2021-*.xml")), origin / "2021" / "SC_2561_2021-A.xml")
    _git(origin, "add", ".")
    _git(origin, "commit", "-qm", "Arabic")
    second = build_release(settings)
    assert second.status == "published" and second.n_documents == 7
    assert (second.extracted, second.cached) == (1, 7)  # only the new document is extracted
    assert any("updated" in note for note in second.notes)
    docs = pd.read_parquet(out / "latest" / "documents.parquet")
    assert "S/RES/2561 (2021)@ar" in set(docs.document_id)

    third = build_release(settings)
    assert third.status == "unchanged"
