"""Official metadata: data_extract JSON lines (Council and Assembly formats), AKN4UN vote blocks,
and what the assembly makes of them (resolutions columns, adoption meetings, votes, drafts)."""

import json
from pathlib import Path

import pytest

from flows.core.assemble import assemble_tables
from flows.core.official import (
    OfficialMetadata,
    akn_record,
    looks_like_metadata,
    member_state_iso3,
    read_metadata_lines,
    read_official_files,
    rejoin_split_names,
)

SNAPSHOT = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "unxml" / "SCresolutions"
BUNDLED = Path(__file__).resolve().parents[2] / "corpus" / "unxml" / "data_extract" / "2021.json"
COUNCIL_15 = ["CHINA", "ESTONIA", "FRANCE", "INDIA", "IRELAND", "KENYA", "MEXICO", "NIGER", "NORWAY",
              "RUSSIAN FEDERATION", "SAINT VINCENT AND THE GRENADINES", "TUNISIA", "UNITED KINGDOM", "UNITED STATES",
              "VIET NAM"]


def council(**over):
    """A line in the Council's format (keys and value shapes as in UNxml/SCresolutions)."""
    base = {"symbol": "S/RES/2724(2024)", "resolution_number": "Resolution 2724 (2024)",
            "document_title": "Adopted by the Security Council at its 9568th meeting, on8 March 2024",
            "adoption_meeting": "9568th meeting", "adoption_date": "8\u00a0March 2024",
            "agenda_item_name": "Reports of the Secretary-General on the Sudan and South Sudan",
            "adoption_type": "Adopted 14-0-1, 9568th meeting", "draft_resolution": "S/2024/223",
            "outcome_letter": "S/PV.9568", "resolution_title": "Security Council resolution 2724 (2024) [on Sudan]",
            "MS_in_favour_count": "014", "MS_against_count": "", "MS_abstaining_count": "001",
            "MS_in_favour": [n for n in COUNCIL_15 if n != "RUSSIAN FEDERATION"], "MS_against": [],
            "MS_abstaining": ["RUSSIAN FEDERATION"], "sponsors": ["UNITED KINGDOM"], "additional_sponsors": ["MALTA"],
            "subjects": [["SUDAN", "UNBIS Thesaurus"], ["CEASEFIRES", "UNBIS Thesaurus"], ["SUDAN", "UNBIS Thesaurus"]]}
    base.update(over)
    return base


def assembly(**over):
    """A line in the Assembly's format (title, pv, originating_document, voting_type)."""
    base = {"symbol": "A/RES/80/999", "title": "Test resolution", "pv": "A/80/PV.99",
            "adoption_date": "29\u00a0October 2025", "originating_document": "A/80/L.6",
            "agenda_item_name": "Test agenda item", "adoption_type": "By a recorded vote",
            "voting_type": "adoptedRecordedVote", "MS_in_favour": ["BRAZIL", "CUBA", "CÔTE D\u2019IVOIRE"],
            "MS_against": ["UNITED STATES"], "MS_abstaining": ["TÜRKÝYE"], "MS_in_favour_count": "3",
            "MS_against_count": "1", "MS_abstaining_count": "1", "subjects": [["CUBA", "UNBIS Thesaurus"]]}
    base.update(over)
    return base


def lines(*objs) -> bytes:
    return "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objs).encode("utf-8")


def test_a_council_line_gives_the_official_facts():
    [r], problems, n = read_metadata_lines(lines(council()), "data_extract/2024.json")
    assert (problems, n) == ([], 1)
    assert r.symbol == "S/RES/2724 (2024)" and r.body == "Security Council"
    assert r.adopted_on.isoformat() == "2024-03-08"
    assert (r.meeting_number, r.meeting_record, r.written_procedure) == (9568, "S/PV.9568", False)
    assert r.counts == (14, 0, 1)  # the empty against count is the empty list: 0
    assert ("RUSSIAN FEDERATION", "abstain") in r.voters and r.draft == "S/2024/223"
    assert r.sponsors == (("UNITED KINGDOM", False), ("MALTA", True))
    assert r.subjects == (("SUDAN", "UNBIS Thesaurus"), ("CEASEFIRES", "UNBIS Thesaurus"))


def test_an_assembly_line_gives_the_same_facts_under_its_own_keys():
    [r], problems, _ = read_metadata_lines(lines(assembly()), "data_extract/80.json")
    assert problems == []
    assert (r.symbol, r.body, r.title, r.draft) == ("A/RES/80/999", "General Assembly", "Test resolution", "A/80/L.6")
    assert (r.meeting_number, r.session, r.adopted_on.isoformat()) == (99, 80, "2025-10-29")
    assert r.counts == (3, 1, 1)
    assert {member_state_iso3(n) for n, _ in r.voters} == {"BRA", "CUB", "CIV", "USA", "TUR"}


def test_adopted_without_a_vote_has_no_counts_and_no_votes():
    obj = assembly(adoption_type="Without a vote", voting_type="adoptedWithoutVote", MS_in_favour=[], MS_against=[],
                   MS_abstaining=[], MS_in_favour_count="", MS_against_count="", MS_abstaining_count="")
    [r], _, _ = read_metadata_lines(lines(obj), "x.json")
    assert (r.recorded_vote, r.counts, r.voters) == (False, (None, None, None), ())


def test_voting_by_mail_is_a_written_procedure_without_a_meeting_number():
    obj = council(adoption_meeting="Voting by mail", outcome_letter="S/2021/96", adoption_type="Adopted unanimously",
                  MS_in_favour=COUNCIL_15, MS_abstaining=[], MS_in_favour_count="15", MS_abstaining_count="0")
    [r], _, _ = read_metadata_lines(lines(obj), "x.json")
    assert (r.written_procedure, r.meeting_number, r.meeting_record) == (True, None, None)
    assert r.counts == (15, 0, 0)


def test_malformed_lines_are_reported_with_a_reason_and_the_rest_is_read():
    data = lines(council()) + b"{not json\n" + lines(["a", "list"], {"symbol": "S/2024/223", "title": "x"},
                                                    {"title": "no symbol"}) + b"\n\n"
    records, problems, n = read_metadata_lines(data, "data_extract/2024.json")
    assert len(records) == 1 and n == 5
    assert [p.source_name for p in problems] == [f"data_extract/2024.json#line={i}" for i in (2, 3, 4, 5)]
    assert {p.reason for p in problems} == {"malformed_record"}
    assert "not JSON" in problems[0].detail and "not a resolution" in problems[2].detail


def test_metadata_files_are_recognised_by_content():
    assert looks_like_metadata(lines(council(), assembly()))
    assert looks_like_metadata(json.dumps([assembly()]).encode())  # a JSON array of records too
    assert not looks_like_metadata(b'{"name": "package", "version": "1.0"}\n')
    assert not looks_like_metadata(b"[1, 2, 3]")
    assert not looks_like_metadata(b"plain text")


def test_member_state_names_as_the_files_write_them():
    assert member_state_iso3("REPUBLIC OF KOREA") == "KOR"
    assert member_state_iso3("UNITED KINGDOM") == "GBR"
    assert member_state_iso3("UNITED STATES") == "USA"
    assert member_state_iso3("BOLIVIA (PLURINATIONAL STATE OF)") == "BOL"
    assert member_state_iso3("LIBYA ARAB JAMAHIRIYA") == "LBY"  # a misspelling the files hold
    assert member_state_iso3("ATLANTIS") is None
    assert rejoin_split_names(["CHINA", "CÔTE.", "D'IVOIRE", "FRANCE"]) == ["CHINA", "CÔTE D'IVOIRE", "FRANCE"]


AKN_DRAFT = b"""<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0" xmlns:akn4un="http://un.org/akn4un">
  <statement name="draftResolution"><meta>
    <identification source="#DGACM"><FRBRWork>
      <FRBRuri value="/akn/un/statement/deliberation/unsc/2023-12-08/2023-970/"></FRBRuri>
      <FRBRdate date="2023-12-08" name="voting"></FRBRdate></FRBRWork></identification>
    <workflow source="#un">
      <step date="2023-12-08" outcome="draftResolution" by="Egypt" />
      <step date="2023-12-08" outcome="veto" as="S/PV.9499" by="not adopted due to the negative vote of a permanent member" />
    </workflow>
    <analysis source="#un"><parliamentary><voting>
      <count value="02" refersTo="inFavour"><akn4un:voters>
        <organization refersTo="memberState">BRAZIL</organization><organization refersTo="memberState">CHINA</organization>
      </akn4un:voters></count>
      <count value="01" refersTo="against"><akn4un:voters>
        <organization refersTo="memberState">UNITED STATES</organization></akn4un:voters></count>
      <count value="01" refersTo="abstaining"><akn4un:voters>
        <organization refersTo="memberState">UNITED KINGDOM</organization></akn4un:voters></count>
    </voting></parliamentary></analysis>
  </meta><preface><p>Draft resolution text</p></preface></statement></akomaNtoso>"""


def test_a_vetoed_draft_from_the_akn_workflow_and_vote_blocks():
    r = akn_record(AKN_DRAFT, "Not adopted/S_2023_970.xml")
    assert (r.symbol, r.outcome, r.meeting_number, r.meeting_record) == ("S/2023/970", "vetoed", 9499, "S/PV.9499")
    assert r.counts == (2, 1, 1) and ("UNITED STATES", "no") in r.voters
    assert akn_record(b"<akomaNtoso><statement name='x'><meta></meta></statement></akomaNtoso>", "y.xml") is None
    assert akn_record(b"<akomaNtoso><broken", "z.xml") is None


def test_the_assembly_adds_the_official_facts_to_the_release_tables():
    meta = read_official_files([("data_extract/2024.json", lines(council(), council(), assembly()))],
                               [("Not adopted/S_2023_970.xml", AKN_DRAFT)])
    t = assemble_tables([], official=meta)
    res = {r["resolution_id"]: r for r in t["resolutions"]}
    assert set(res) == {"S/RES/2724 (2024)", "A/RES/80/999"}  # in the official list, cited or not
    r = res["S/RES/2724 (2024)"]
    assert (r["votes_yes"], r["votes_no"], r["votes_abstain"], r["year"]) == (14, 0, 1, 2024)
    assert r["title"] == "Security Council resolution 2724 (2024) [on Sudan]"
    meetings = {m["meeting_id"]: m for m in t["meetings"]}
    adoption = meetings[r["meeting_id"]]
    assert (adoption["meeting_number"], adoption["start_date"].isoformat(), adoption["status"]) == (9568, "2024-03-08", "held")
    votes = {(v["resolution_id"], v["country_iso3"]): v["vote"] for v in t["votes"]}
    assert len(votes) == len(t["votes"]) == 15 + 5
    assert votes[("S/RES/2724 (2024)", "RUS")] == "abstain" and votes[("A/RES/80/999", "TUR")] == "abstain"
    assert {(s["sponsor"], s["country_iso3"], s["additional"]) for s in t["resolution_sponsors"]} == {
        ("UNITED KINGDOM", "GBR", False), ("MALTA", "MLT", True)}
    drafts = {d["draft_symbol"]: d for d in t["draft_resolutions"]}
    assert drafts["S/2024/223"]["resolution_id"] == "S/RES/2724 (2024)"
    veto = drafts["S/2023/970"]
    assert (veto["outcome"], veto["vetoed_by"], veto["resolution_id"]) == ("vetoed", "USA", None)
    assert veto["meeting_id"] in meetings and meetings[veto["meeting_id"]]["meeting_number"] == 9499
    assert {(v["country_iso3"], v["vote"]) for v in t["draft_votes"]} == {("BRA", "yes"), ("CHN", "yes"),
                                                                          ("USA", "no"), ("GBR", "abstain")}


def test_names_not_mapped_and_lists_that_disagree_with_the_counts_are_reported():
    from flows.core.assemble import CorpusIndex

    meta = OfficialMetadata()
    bad_name = council(symbol="S/RES/2725 (2024)", MS_abstaining=["ATLANTIS"])
    disagree = council(symbol="S/RES/2726 (2024)", MS_abstaining_count="2", adoption_type="Adopted 13-0-2")
    meta.extend(*read_metadata_lines(lines(bad_name, disagree), "d.json")[:2])
    plan = CorpusIndex().finish([], meta)
    assert any("unmapped Member State name 'ATLANTIS'" in n for n in plan.official_notes)
    assert any(n.startswith("S/RES/2726 (2024): the names listed (14-0-1) disagree") for n in plan.official_notes)
    voted = {v["resolution_id"] for v in plan.global_rows["votes"]}
    assert voted == {"S/RES/2725 (2024)"}


def test_the_bundled_metadata_lines_are_all_read():
    records, problems, n = read_metadata_lines(BUNDLED.read_bytes(), "unxml/data_extract/2021.json")
    assert problems == [] and n == 10
    assert [r.symbol for r in records] == [f"S/RES/{k} (2021)" for k in range(2561, 2571)]


@pytest.mark.skipif(not (SNAPSHOT / "data_extract").is_dir(), reason="../shared/corpus/unxml snapshot not present")
def test_every_line_of_the_snapshot_is_read_and_every_name_mapped():
    records, problems, n = [], [], 0
    for path in sorted((SNAPSHOT / "data_extract").glob("*.json")):
        r, p, k = read_metadata_lines(path.read_bytes(), path.name)
        records += r
        problems += p
        n += k
    assert problems == [] and len(records) == n
    assert {name for r in records for name, _ in r.voters if member_state_iso3(name) is None} == set()
    assert sum(r.meeting_number is not None or r.written_procedure for r in records) >= 0.99 * n


RESOLUTION_TEXT = """S/RES/2724 (2024)

Security Council Distr.: General
{day} March 2024

Resolution 2724 (2024)

Adopted by the Security Council at its 9568th meeting, on {day} March 2024

The Security Council,

Recalling its resolution 2715 (2023),
"""


def _resolution_document(day: int):
    from flows.core.extract import extract_document
    from flows.core.ingest import source_from_bytes

    return extract_document(source_from_bytes("res.txt", RESOLUTION_TEXT.format(day=day).encode()))


def test_the_adoption_meeting_is_the_meeting_the_resolution_names():
    meta = read_official_files([("d.json", lines(council()))], [])
    t = assemble_tables([_resolution_document(8)], official=meta)
    [res] = [r for r in t["resolutions"] if r["resolution_id"] == "S/RES/2724 (2024)"]
    assert res["document_id"] == "S/RES/2724 (2024)"
    linked = {m["meeting_id"] for m in t["meeting_mentions"] if m["document_id"] == res["document_id"]}
    assert res["meeting_id"] in linked  # one meeting row: the text's mention and the official record
    assert [m["n_documents"] for m in t["meetings"] if m["meeting_id"] == res["meeting_id"]] == [1]


def test_the_official_date_wins_and_the_texts_disagreement_is_reported():
    from flows.core.assemble import CorpusIndex

    index = CorpusIndex()
    index.add(_resolution_document(9))
    plan = index.finish([], read_official_files([("d.json", lines(council()))], []))
    [res] = [r for r in plan.global_rows["resolutions"] if r["resolution_id"] == "S/RES/2724 (2024)"]
    assert res["adopted_on"].isoformat() == "2024-03-08"
    assert any("adopted on 2024-03-08 says the official metadata" in n and "2024-03-09" in n
               for n in plan.official_notes)
