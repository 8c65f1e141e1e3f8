"""Cooperation areas: vocabulary, phrase matching, proper-name masking, evidence and sentences."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.core.areas import _matches, extract_areas, load_areas, sentence_spans
from tests.conftest import CORPUS, corpus_text

CONTRACT_AREAS = [
    ("conflict_prevention", "Conflict prevention"),
    ("conflict_resolution", "Conflict resolution"),
    ("mediation", "Mediation and good offices"),
    ("preventive_diplomacy", "Preventive diplomacy"),
    ("confidence_building", "Confidence-building"),
    ("peacemaking", "Peacemaking"),
    ("peacekeeping", "Peacekeeping"),
    ("peacebuilding", "Peacebuilding"),
    ("post_conflict_reconstruction", "Post-conflict rehabilitation and reconstruction"),
    ("early_warning", "Early warning and early response"),
    ("counter_terrorism", "Counter-terrorism"),
    ("human_rights", "Human rights"),
    ("humanitarian_assistance", "Humanitarian assistance"),
    ("refugees", "Refugees and displacement"),
    ("intercultural_dialogue", "Intercultural dialogue"),
    ("religious_tolerance", "Religious tolerance"),
    ("information_sharing", "Information sharing"),
    ("capacity_building", "Capacity-building"),
    ("economic_social_development", "Economic, social and cultural development"),
    ("institutional_coordination", "Institutional coordination"),
]


def areas_of(text: str) -> set[str]:
    return {h.area_id for h in extract_areas(text)}


def test_vocabulary_is_the_contract_table():
    rows = load_areas()
    assert [(r["area_id"], r["label"]) for r in rows] == CONTRACT_AREAS
    assert all(r["definition"] and "\n" not in r["definition"] for r in rows)


POSITIVE = [
    # conflict_prevention: inflection and word order
    ("The Council stresses the importance of conflict prevention in Africa.", "conflict_prevention"),
    ("Regional organizations can help to prevent conflicts from arising.", "conflict_prevention"),
    ("efforts aimed at preventing conflict in the Sahel", "conflict_prevention"),
    ("the prevention of conflicts and the protection of civilians", "conflict_prevention"),
    ("in the prevention and resolution of conflicts in the region", "conflict_prevention"),
    ("the prevention, management and resolution of conflicts in Africa", "conflict_prevention"),
    ("to prevent the outbreak and escalation of armed conflicts", "conflict_prevention"),
    ("its capacity in the field of conflict-prevention", "conflict_prevention"),
    # conflict_resolution
    ("in the prevention and resolution of conflicts in the region", "conflict_resolution"),
    ("its role in conflict prevention and resolution", "conflict_resolution"),
    ("the Mechanism for Conflict Prevention, Management and Resolution", "conflict_resolution"),
    ("to resolve differences peacefully through dialogue, reconciliation and negotiation", "conflict_resolution"),
    ("committed to the pacific settlement of disputes", "conflict_resolution"),
    ("a political solution to the Syrian conflict", "conflict_resolution"),
    ("efforts of the African Union to settle conflicts on the continent", "conflict_resolution"),
    ("the peaceful resolution of the crisis in Kosovo", "conflict_resolution"),
    ("to help resolve the conflict in Darfur", "conflict_resolution"),
    # mediation
    ("strengthening the role of mediation in the peaceful settlement of disputes", "mediation"),
    ("the Secretary-General to use his good offices", "mediation"),
    ("the appointment of a joint mediator", "mediation"),
    ("the establishment of a mediation unit", "mediation"),
    # preventive_diplomacy
    ("in the fields of preventive diplomacy and mediation", "preventive_diplomacy"),
    ("diplomatic efforts to prevent disputes between States", "preventive_diplomacy"),
    # confidence_building
    ("activities in conflict prevention, confidence-building and peacekeeping", "confidence_building"),
    ("confidence building measures between the parties", "confidence_building"),
    ("confidence- and security-building measures in Europe", "confidence_building"),
    ("with the aim of rebuilding trust between the communities", "confidence_building"),
    # peacemaking
    ("conflict prevention, peacemaking, peacekeeping and peacebuilding", "peacemaking"),
    ("promoting and facilitating the Middle East peace process", "peacemaking"),
    ("to facilitate negotiations between Darfuri armed movements and the Government", "peacemaking"),
    ("when negotiating and implementing peace agreements", "peacemaking"),
    ("the brokering of peace agreements in conflict situations", "peacemaking"),
    ("a just, lasting and comprehensive peace in the Middle East", "peacemaking"),
    # peacekeeping
    ("the contribution of troops to United Nations Peacekeeping Operations", "peacekeeping"),
    ("Africa's peace-keeping capacity", "peacekeeping"),
    ("troop-contributing countries and police-contributing countries", "peacekeeping"),
    ("the African Standby Force", "peacekeeping"),
    # peacebuilding
    ("in support of nationally owned and inclusive peacebuilding efforts", "peacebuilding"),
    ("post-conflict peace-building", "peacebuilding"),
    ("a new approach to sustaining peace", "peacebuilding"),
    ("the important role of the Peacebuilding Commission in peacebuilding", "peacebuilding"),
    ("the Council notes the collaboration between UNOWAS and the Peacebuilding Commission", "peacebuilding"),
    # post_conflict_reconstruction
    ("conflict resolution and post-conflict rehabilitation", "post_conflict_reconstruction"),
    ("post-conflict stabilization and reconstruction processes", "post_conflict_reconstruction"),
    ("the stabilization of Somalia", "post_conflict_reconstruction"),
    ("disarmament, demobilization and reintegration of ex-combatants", "post_conflict_reconstruction"),
    ("the two organizations have worked together in reconstruction and development", "post_conflict_reconstruction"),
    # early_warning
    ("the operationalization of the continental Early Warning System", "early_warning"),
    ("to enable early responses to disputes and emerging crises", "early_warning"),
    ("rapid and appropriate responses to emerging situations", "early_warning"),
    ("to assess the risk of conflict at the regional level", "early_warning"),
    # counter_terrorism
    ("the adoption of national counter-terrorism strategies", "counter_terrorism"),
    ("countering incitement to commit terrorist acts", "counter_terrorism"),
    ("the fight against terrorism and violent extremism", "counter_terrorism"),
    ("bilateral counterterrorism cooperation", "counter_terrorism"),
    # human_rights
    ("the promotion and protection of human rights and fundamental freedoms", "human_rights"),
    ("international humanitarian and human rights law", "human_rights"),
    # humanitarian_assistance
    ("the provision of urgent humanitarian assistance", "humanitarian_assistance"),
    ("to facilitate access for humanitarian organizations", "humanitarian_assistance"),
    ("unhindered humanitarian access to all those in need", "humanitarian_assistance"),
    ("to develop viable options for delivering aid", "humanitarian_assistance"),
    # refugees
    ("the civilian and humanitarian character of refugee camps", "refugees"),
    ("refugees and internally displaced persons", "refugees"),
    ("the voluntary return of displaced persons", "refugees"),
    # intercultural_dialogue
    ("understanding and dialogue among civilizations, cultures and religions", "intercultural_dialogue"),
    ("within the framework of the United Nations Alliance of Civilizations", "intercultural_dialogue"),
    ("fostering a culture of peace at the global level", "intercultural_dialogue"),
    ("promoting intercultural and interreligious dialogue", "intercultural_dialogue"),
    # religious_tolerance
    ("combating religious intolerance and discrimination", "religious_tolerance"),
    ("the defamation of religions", "religious_tolerance"),
    ("discrimination based on religion or belief", "religious_tolerance"),
    # information_sharing
    ("sharing of information and analysis between the two organizations", "information_sharing"),
    ("increased exchange of information and sharing of experience, best practices and lessons learned",
     "information_sharing"),
    ("the timely and effective exchange of intelligence", "information_sharing"),
    ("information-sharing on foreign terrorist fighters", "information_sharing"),
    # capacity_building
    ("the Ten-Year Capacity-Building Programme for the African Union", "capacity_building"),
    ("the commitment of the OIC to building its capacity in the field of mediation", "capacity_building"),
    ("technical and other forms of assistance in order to strengthen their capacities", "capacity_building"),
    ("financial, technical and logistical support for gender-sensitive training efforts", "capacity_building"),
    ("capacitybuilding for the League of Arab States", "capacity_building"),
    # economic_social_development
    ("cooperation in humanitarian, human rights, social, economic and cultural fields", "economic_social_development"),
    ("reconstruction and development in Afghanistan", "economic_social_development"),
    ("the 2030 Agenda for Sustainable Development", "economic_social_development"),
    ("to promote economic growth in the affected areas", "economic_social_development"),
    ("the stability and development of the Sahel region", "economic_social_development"),
    # institutional_coordination
    ("the biennial general meeting of the organizations and agencies of the two systems", "institutional_coordination"),
    ("periodic consultations between the two secretariats", "institutional_coordination"),
    ("including through regular briefings by the High Representative", "institutional_coordination"),
    ("How can coordination be further improved at the institutional level between the two organizations?",
     "institutional_coordination"),
    ("requests the Secretary-General to include in his next report recommendations", "institutional_coordination"),
    ("supporting regular follow-up missions and staff exchanges", "institutional_coordination"),
    ("to keep the Security Council fully informed, consistent with Article 54", "institutional_coordination"),
    ("the opening of a liaison office in Addis Ababa", "institutional_coordination"),
]


@pytest.mark.parametrize(("sentence", "area_id"), POSITIVE)
def test_positive(sentence: str, area_id: str):
    assert area_id in areas_of(sentence)


NEGATIVE = [
    # proper names alone do not show the area
    ("The Chair of the Peacebuilding Commission also participated in the meeting.", "peacebuilding"),
    ("The Peacebuilding Fund and the Peacebuilding Support Office were represented.", "peacebuilding"),
    ("The Counter-Terrorism Committee Executive Directorate attended the meeting.", "counter_terrorism"),
    ("with the Global Counterterrorism Forum and the Counter-Terrorism Committee", "counter_terrorism"),
    ("a statement by the President of the Human Rights Council", "human_rights"),
    ("the Office of the United Nations High Commissioner for Human Rights", "human_rights"),
    ("the Office for the Coordination of Humanitarian Affairs", "humanitarian_assistance"),
    ("the Office for the Coordination of Humanitarian Affairs", "institutional_coordination"),
    ("the United Nations High Commissioner for Refugees made a statement", "refugees"),
    ("the Under-Secretary-General of the Department of Peacekeeping Operations", "peacekeeping"),
    ("the United Nations Development Programme and the African Development Bank", "economic_social_development"),
    ("the Southern African Development Community and the Intergovernmental Authority on Development",
     "economic_social_development"),
    ("the Organization of the Black Sea Economic Cooperation", "economic_social_development"),
    ("the United Nations Multidimensional Integrated Stabilization Mission in Mali", "post_conflict_reconstruction"),
    # generic words that are not the area
    ("Recalling its resolution 1325 (2000) and resolution 2250 (2015),", "conflict_resolution"),
    ("the immediate cessation of all acts of violence", "mediation"),
    ("the development of effective partnerships between the two organizations", "economic_social_development"),
    ("the progressive development of international law", "economic_social_development"),
    ("the principles of international humanitarian law", "humanitarian_assistance"),
    ("humanitarian exemptions to sanctions measures", "humanitarian_assistance"),
    ("the prevention of sexual violence against women", "conflict_prevention"),
    ("the good offices of the Secretary-General", "preventive_diplomacy"),
    ("to prevent arming and training for terrorist activities", "capacity_building"),
    ("the provision of sanctuary and training for international terrorists", "capacity_building"),
    ("Requests the Secretary-General to provide all necessary assistance to the Committee", "capacity_building"),
    ("the Council shared the views expressed by the Secretary-General", "information_sharing"),
    ("the withdrawal of all foreign forces, foreign fighters and mercenaries", "counter_terrorism"),
    ("the 1951 Convention relating to the Status of Refugees", "refugees"),
    ("to stabilize the price of oil", "post_conflict_reconstruction"),
    ("the bank reconciliation of the accounts", "conflict_resolution"),
    ("to facilitate and promote dialogue among civilizations", "peacemaking"),
    ("a framework agreement on cooperation between the two organizations", "peacemaking"),
    ("The Security Council expresses its appreciation for the briefings.", "counter_terrorism"),
    ("an immediate and intermediate review", "mediation"),
]


@pytest.mark.parametrize(("sentence", "area_id"), NEGATIVE)
def test_negative(sentence: str, area_id: str):
    assert area_id not in areas_of(sentence)


@pytest.mark.parametrize("variant", [
    "peacebuilding", "peace-building", "peace building", "Peace-Building", "peace\u2011building", "peace- building",
])
def test_hyphen_and_spacing_variants(variant: str):
    assert areas_of(f"in support of {variant} efforts") == {"peacebuilding"}


@pytest.mark.parametrize("variant", ["counter-terrorism", "counterterrorism", "counter terrorism", "Counter-Terrorism"])
def test_counter_terrorism_variants(variant: str):
    assert "counter_terrorism" in areas_of(f"national {variant} strategies")


@pytest.mark.parametrize(("phrase", "expected"), [
    ("conflict prevention and resolution", {"conflict_prevention", "conflict_resolution"}),
    ("prevention and resolution of conflicts", {"conflict_prevention", "conflict_resolution"}),
    ("prevent and resolve conflict", {"conflict_prevention", "conflict_resolution"}),
    ("conflict prevention", {"conflict_prevention"}),
    ("conflict resolution", {"conflict_resolution"}),
])
def test_word_order_gives_both_areas(phrase: str, expected: set[str]):
    assert areas_of(f"the role of the organization in {phrase}") == expected


def test_name_masked_but_activity_counted():
    text = ("The Counter-Terrorism Committee Executive Directorate attended. "
            "The OIC adopted national counter-terrorism strategies.")
    hits = {h.area_id: h for h in extract_areas(text)}
    assert hits["counter_terrorism"].n_mentions == 1
    assert text[hits["counter_terrorism"].start:hits["counter_terrorism"].end] == "counter-terrorism"


def test_hit_offsets_evidence_and_counts():
    text = ("Security Council\n\n"
            "\u201cThe Council notes the interest of the OIC, Mr. Khiari said (see para. 3). "
            "It welcomes mediation and good offices. Mediation remains essential.\n"
            "Requests the Secretary-General to report.")
    hits = {h.area_id: h for h in extract_areas(text)}
    med = hits["mediation"]
    assert med.n_mentions == 3
    assert text[med.start:med.end] == "mediation"
    assert med.evidence == "It welcomes mediation and good offices."
    assert text[med.evidence_start:med.evidence_end] == med.evidence
    assert hits["institutional_coordination"].evidence == "Requests the Secretary-General to report."
    assert [h.area_id for h in extract_areas(text)] == sorted(hits)


def test_no_areas_in_plain_text():
    assert extract_areas("") == []
    assert extract_areas("The meeting rose at 11.15 a.m.") == []


@pytest.mark.parametrize(("text", "expected"), [
    ("One. Two.", ["One.", "Two."]),
    ("See para. 24 and paras. 106-116 of the report. Next.", ["See para. 24 and paras. 106-116 of the report.", "Next."]),
    ("Resolution No. 5 was adopted. It was.", ["Resolution No. 5 was adopted.", "It was."]),
    ("Mr. Khiari and Ms. Ashton spoke. Done.", ["Mr. Khiari and Ms. Ashton spoke.", "Done."]),
    ("Under Art. 24 and Arts. 52 and 53 of the Charter. Done.", ["Under Art. 24 and Arts. 52 and 53 of the Charter.", "Done."]),
    ("Regional bodies, i.e. the OIC, e.g. in Jeddah. Done.", ["Regional bodies, i.e. the OIC, e.g. in Jeddah.", "Done."]),
    ("It recalls S/PRST/2013/12. The OIC agrees.", ["It recalls S/PRST/2013/12. The OIC agrees."]),
    ("Yousef M. Al Dobeay spoke. Done.", ["Yousef M. Al Dobeay spoke.", "Done."]),
    ("First paragraph without stop\nSecond paragraph", ["First paragraph without stop", "Second paragraph"]),
    ("1. Requests the Secretary-General to report. Decides to remain seized.",
     ["1. Requests the Secretary-General to report.", "Decides to remain seized."]),
    ("\u201cThe Council agrees.\u201d The end.", ["\u201cThe Council agrees.\u201d", "The end."]),
    ("Is it? Yes! No.", ["Is it?", "Yes!", "No."]),
    ("   \n\n  ", []),
])
def test_sentence_spans(text: str, expected: list[str]):
    assert [text[a:b] for a, b in sentence_spans(text)] == expected


def _all_corpus_files() -> list[Path]:
    return sorted((CORPUS / "seeds").glob("*.txt")) + sorted((CORPUS / "undocs").glob("*.txt"))


def test_whole_corpus_runs_and_hits_are_consistent():
    files = _all_corpus_files()
    assert len(files) > 100
    for path in files:
        text = corpus_text(path.name)
        hits = extract_areas(text)
        assert [h.area_id for h in hits] == sorted({h.area_id for h in hits})
        for h in hits:
            assert 0 <= h.evidence_start <= h.start < h.end <= h.evidence_end <= len(text)
            assert text[h.evidence_start:h.evidence_end] == h.evidence
            assert h.n_mentions >= 1


def test_keywords_cover_every_match_on_the_corpus():
    """Matching near the YAML keywords only finds exactly what a full scan finds."""
    for path in _all_corpus_files():
        text = corpus_text(path.name)
        assert _matches(text) == _matches(text, full_scan=True), path.name


def test_a_dotted_capital_i_does_not_hide_capitalised_mentions():
    """"İ" lower-cases to two characters; the text is read with an "i" there, so the keyword scan
    finds capitalised mentions anywhere in the document, with offsets into the text itself."""
    text = "Mr. İlhan Kaya spoke. Mediation and Human Rights matter, as do the Peace-Building efforts of MEDİATION."
    found = _matches(text)
    assert found == _matches(text, full_scan=True)
    assert set(found) >= {"mediation", "human_rights", "peacebuilding"}
    assert [text[a:b] for a, b in found["mediation"]] == ["Mediation", "MEDİATION"]


_UN_WORDS = st.sampled_from([
    "peace", "building", "peace-building", "Commission", "conflict", "prevention", "resolution", "of", "and",
    "the", "Counter-Terrorism", "Committee", "human", "rights", "Council", "para.", "No.", "Mr.", "S/PRST/2013/12.",
    "\n", ". ", ", ", "-", "\u2011", "İ", "mediation", "refugees", "capacity", "development", "report", "(", ")",
])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_UN_WORDS, st.text(max_size=12)), max_size=40).map(" ".join))
def test_never_raises_and_offsets_hold(text: str):
    for h in extract_areas(text):
        assert text[h.evidence_start:h.evidence_end] == h.evidence
        assert h.evidence_start <= h.start < h.end <= h.evidence_end
    for a, b in sentence_spans(text):
        assert 0 <= a < b <= len(text)


def test_mention_across_a_line_break_keeps_evidence_around_it():
    text = "We support conflict\nprevention. Next."
    (hit,) = extract_areas(text)
    assert (hit.area_id, text[hit.start:hit.end]) == ("conflict_prevention", "conflict\nprevention")
    assert hit.evidence_start <= hit.start < hit.end <= hit.evidence_end
