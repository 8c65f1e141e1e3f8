"""Entities: organizations (registry), countries, places and persons, with exact offsets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.core.entities import extract_entities, organization_registry
from tests.conftest import CORPUS, corpus_text


def keys(text: str, etype: str | None = None) -> set[str]:
    return {m.entity_key for m in extract_entities(text) if etype is None or m.entity_type == etype}


# ------------------------------------------------------------------ organizations ---------

@pytest.mark.parametrize(("text", "expected"), [
    ("The Organization of Islamic Cooperation met.", "org:oic"),
    ("OIC (formerly Organization of the Islamic Conference) is large.", "org:oic"),
    ("the Organisation of Islamic Cooperation", "org:oic"),
    ("the Organization for Security and Co-operation in Europe", "org:osce"),
    ("the Organization for Security and Cooperation in Europe", "org:osce"),
    ("the Conference on Security and Cooperation in Europe of 1975", "org:osce"),
    ("the Counter-Terrorism Committee Executive Directorate", "org:cted"),
    ("the Global Counterterrorism Forum", "org:gctf"),
    ("the Global Counter-Terrorism Forum", "org:gctf"),
    ("the African Union Peace and Security Council", "org:au-psc"),
    ("the Peace and Security Council of the African Union", "org:au-psc"),
    ("the G -5 Sahel and", "org:g5-sahel"),
    ("the Group of Five for the Sahel", "org:g5-sahel"),
    ("in the League of Arab States", "org:las"),
    ("the Arab League", "org:las"),
    ("the United Nations Educational, Scientific and Cultural Organization", "org:unesco"),
    ("Boko Haram attacks", "org:boko-haram"),
    ("ISIL (Da'esh)", "org:isil"),
    ("support to AMISOM", "org:amisom"),
    ("the United\nNations Assistance Mission in Afghanistan", "org:unama"),
    ("the World Health Organisation", "org:who"),
    ("The Secretariat shall", "org:un-secretariat"),
    ("a letter to the United Nations.", "org:un"),
])
def test_organization_found(text, expected):
    assert expected in keys(text, "organization")


@pytest.mark.parametrize(("text", "absent"), [
    ("the United Nations Assistance Mission in Afghanistan", "org:un"),  # longer name wins
    ("the African Union Peace and Security Council", "org:au"),
    ("the African Union Mission in Somalia", "country:SOM"),  # country inside an org name
    ("the au and the eu", "org:au"),  # acronyms only in capitals
    ("The Council met; the council", "org:unsc"),
    ("its Technical Secretariat as well", "org:un-secretariat"),  # generic name inside a longer one
    ("the Secretariat of the League", "org:un-secretariat"),
    ("a general assembly of shareholders", "org:unga"),
    ("The Executive Directorate agreed", "org:cted"),  # refers back only after CTED was named
    ("WHO WE ARE AND WHAT WE DO IN THE FIELD", "org:who"),  # all-caps heading, not the acronym
])
def test_organization_not_found(text, absent):
    assert absent not in keys(text)


def test_a_comma_splits_names():
    text = "the United Nations, Security Council and others"
    assert [m.surface for m in extract_entities(text)] == ["United Nations", "Security Council"]


def test_executive_directorate_refers_back_to_cted():
    text = "The Counter-Terrorism Committee Executive Directorate met. The Executive Directorate also agreed."
    ms = [m for m in extract_entities(text) if m.entity_key == "org:cted"]
    assert [m.surface for m in ms] == ["Counter-Terrorism Committee Executive Directorate", "Executive Directorate"]


def test_canonical_name_and_acronym_of_a_former_name():
    (m,) = [m for m in extract_entities("the Organization of the Islamic Conference") if m.entity_type == "organization"]
    assert (m.name, m.acronym, m.surface) == ("Organization of Islamic Cooperation", "OIC",
                                              "Organization of the Islamic Conference")


def test_acronym_defined_in_parentheses():
    text = "support to the Group of 5 for the Sahel (G5). The G5 will meet."
    ms = [m for m in extract_entities(text) if m.entity_key == "org:g5-sahel"]
    assert [m.surface for m in ms] == ["Group of 5 for the Sahel", "G5", "G5"]


def test_unregistered_organization_defined_by_its_acronym():
    text = "the Joint Monitoring and Evaluation Commission (JMEC) reported; JMEC said"
    ms = [m for m in extract_entities(text) if m.entity_key == "org:jmec"]
    assert [m.surface for m in ms] == ["Joint Monitoring and Evaluation Commission", "JMEC", "JMEC"]
    assert ms[0].name == "Joint Monitoring and Evaluation Commission" and ms[0].acronym == "JMEC"


@pytest.mark.parametrize("text", ["the Security Sector Reform (SSR) agenda", "internally displaced persons (IDPs)"])
def test_non_organization_acronyms_are_not_organizations(text):
    assert keys(text, "organization") == set()


def org_names(text: str) -> dict[str, str]:
    """surface -> canonical name of the organizations found."""
    return {m.surface: m.name for m in extract_entities(text) if m.entity_type == "organization"}


@pytest.mark.parametrize(("text", "surface", "name"), [
    # head noun ending a capitalized name, with its complements
    ("the report of the Board of Auditors was", "Board of Auditors", "Board of Auditors"),
    ("welcomes the Joint Verification Mechanism and", "Joint Verification Mechanism", "Joint Verification Mechanism"),
    ("leaders of the Committee of Nine on Liberia met", "Committee of Nine on Liberia", "Committee of Nine on Liberia"),
    ("the Ad Hoc Working Group on Conflict Prevention and Resolution in Africa met",
     "Ad Hoc Working Group on Conflict Prevention and Resolution in Africa",
     "Ad Hoc Working Group on Conflict Prevention and Resolution in Africa"),
    # a registered name inside a longer proper name gives way; one after a preposition stays
    ("the opening of the United Nations Liaison Office to the League of Arab States in Cairo",
     "United Nations Liaison Office", "United Nations Liaison Office"),
    ("the opening of the United Nations Liaison Office to the League of Arab States in Cairo",
     "League of Arab States", "League of Arab States"),
    # a Main Committee by its ordinal (registry)
    ("the Rapporteur of the Second Committee said", "Second Committee", "Second Committee"),
    # an unregistered sanctions committee by the resolution that established it
    ("before the Committee established pursuant to resolution 985 (1995);",
     "Committee established pursuant to resolution 985 (1995)",
     "Security Council Committee established pursuant to resolution 985 (1995)"),
    # "(ACR)": function words and inner letters spell it; initials in another language's order
    ("on the United Nations Observer Mission in Liberia (UNOMIL), and",
     "United Nations Observer Mission in Liberia", "United Nations Observer Mission in Liberia"),
    ("the Economic and Monetary Community of Central Africa (CEMAC), and",
     "Economic and Monetary Community of Central Africa", "Economic and Monetary Community of Central Africa"),
])
def test_unregistered_organization_named_by_its_form(text, surface, name):
    assert org_names(text).get(surface) == name


@pytest.mark.parametrize(("text", "key"), [
    ("the United Nations Office in West Africa", "org:unowa"),  # registered "for"
    ("the Office for Legal Affairs advised", "org:ola"),  # registered "of"
    ("the United Nations Mission in Mali (MINUSMA) and", "org:minusma"),  # the acronym names a variant
])
def test_registered_name_with_another_preposition(text, key):
    assert key in keys(text, "organization")


@pytest.mark.parametrize(("text", "surface"), [
    ("The Committee decided", "Committee"),  # a head alone is generic
    ("a Programme of Action to Meet the Challenges", "Programme of Action to Meet the Challenges"),
    ("the Security Council in October 2013 met", "Security Council in October 2013"),
    ("the European Union in the Central African Republic", "European Union in the Central African Republic"),
    ("My Office to the Council reported", "My Office"),
    ("the Ten-Year Capacity Building Programme", "Ten-Year Capacity"),
    ("reports to the Central Bank of Somalia and Financial Reporting Centre",
     "Central Bank of Somalia and Financial Reporting Centre"),
    ("the Joint Military Commission on 8 March", "Joint Military Commission on 8"),
])
def test_head_noun_rule_keeps_to_the_name(text, surface):
    assert surface not in org_names(text)


def test_tribunal_named_by_the_resolution_that_established_it():
    text = "the International Tribunal established pursuant to resolution 827 (1993) and the Tribunal"
    assert [m.surface for m in extract_entities(text) if m.entity_key == "org:icty"] == [
        "International Tribunal", "Tribunal"]


def test_registry_rows():
    rows = {r["id"]: r for r in organization_registry()}
    assert rows["oic"]["name"] == "Organization of Islamic Cooperation" and rows["oic"]["acronym"] == "OIC"
    assert rows["un"]["wikidata_id"] == "Q1065"
    assert rows["oau"]["successor"] == "au"
    assert len(rows) == len(organization_registry())  # ids are unique
    assert all(r["kind"] for r in rows.values())


# ------------------------------------------------------------------ countries -------------

@pytest.mark.parametrize(("text", "iso3"), [
    ("the Government of the Sudan", "SDN"),
    ("the Republic of Korea", "KOR"),
    ("the United Kingdom of Great Britain and Northern Ireland", "GBR"),
    ("Türkiye and", "TUR"),
    ("in Cote d’Ivoire", "CIV"),
    ("in Côte d'Ivoire", "CIV"),
    ("the State of Palestine", "PSE"),
    ("The Gambia", "GMB"),
    ("the Republic of the Gambia", "GMB"),
    ("in Cameroun, Chad", "CMR"),
    ("the Federal Republic of Yugoslavia", "YUG"),
    ("the Syrian Arab Republic", "SYR"),
])
def test_country_found(text, iso3):
    assert f"country:{iso3}" in keys(text, "country")


@pytest.mark.parametrize(("text", "absent"), [
    ("the Democratic Republic of the Congo", "country:COG"),
    ("piracy in the Gulf of Guinea", "country:GIN"),
    ("the Lake Chad Basin Commission", "country:TCD"),
    ("South Sudan", "country:SDN"),
    ("the GUAM Organization", "country:GUM"),
])
def test_country_not_found(text, absent):
    assert absent not in keys(text)


def test_country_name_is_the_un_short_name():
    (m,) = extract_entities("in Korea, Republic of Korea")[-1:]
    assert (m.name, m.country_iso3) == ("Republic of Korea", "KOR")


# ------------------------------------------------------------------ places ----------------

@pytest.mark.parametrize(("text", "name", "iso3"), [
    ("a meeting held in Astana from 22 to 24 July", "Astana", "KAZ"),
    ("at the OIC secretariat in Jeddah, Saudi Arabia", "Jeddah", "SAU"),
    ("OIC opened offices in Kabul and Mogadishu in 2011.", "Mogadishu", "SOM"),
    ("Ataybah in the vicinity of Damascus", "Damascus", "SYR"),
    ("Ataybah in the vicinity of Damascus", "Ataybah", None),
    ("in Khan al-Asal area in Aleppo governorate", "Khan al-Asal", None),
    ("the incident in Rann, North-East Nigeria, on 17 January", "Rann", "NGA"),
    ("crisis in Darfur", "Darfur", "SDN"),
    ("the Middle East peace process", "Middle East", None),
])
def test_place_found(text, name, iso3):
    places = {(m.name, m.country_iso3) for m in extract_entities(text) if m.entity_type == "place"}
    assert (name, iso3) in places


@pytest.mark.parametrize("text", [
    "adopted in March 2013 in Support of peace",  # month and common words are not cities
    "the Beijing Declaration and Platform for Action",  # inside a declaration's title
    "the United Nations Office at Geneva",  # inside an organization name
    "Mr. Charles Florence spoke",  # a person, not the city
    "resolutions 3419 A to D (XXX)",
    "the Convention relative to the Protection of Civilian Persons in Time of War",
])
def test_no_place(text):
    assert {m.name for m in extract_entities(text) if m.entity_type == "place"} == set()


# ------------------------------------------------------------------ persons ---------------

@pytest.mark.parametrize(("text", "name", "title"), [
    ("the Assistant Secretary-General of the United Nations, Mr. Khaled Khiari, and",
     "Khaled Khiari", "Assistant Secretary-General of the United Nations"),
    ("the Assistant Secretary-General of the Organization of Islamic Cooperation, Mr. Yousef M. Al Dobeay.",
     "Yousef M. Al Dobeay", "Assistant Secretary-General of the Organization of Islamic Cooperation"),
    ("the Director General of the World Health Organization, Margaret Chan. They",
     "Margaret Chan", "Director General of the World Health Organization"),
    ("outgoing President, Yahya Jammeh, will cease", "Yahya Jammeh", "President"),
    ("to the President Adama Barrow.", "Adama Barrow", "President"),
    ("(Signed) BAN Ki-moon", "Ban Ki-moon", None),
    ("I invite Mr. Jeffrey Feltman, Under-Secretary-General for Political Affairs, to",
     "Jeffrey Feltman", "Under-Secretary-General for Political Affairs"),
    ("Let me thank Mr. Alexander\nLomaia, Permanent Representative", "Alexander Lomaia", "Permanent Representative"),
])
def test_person_found(text, name, title):
    persons = {(m.name, m.title) for m in extract_entities(text) if m.entity_type == "person"}
    assert (name, title) in persons


def test_signed_person_takes_the_title_of_the_letter():
    text = ("Letter dated 3 October 2013 from the Permanent Representative of Azerbaijan to the United Nations "
            "addressed to the Secretary-General\n\nText.\n\n(Signed) Agshin Mehdiyev\n"
            "Ambassador Extraordinary and Plenipotentiary\nPermanent Representative\n")
    (m,) = [m for m in extract_entities(text) if m.entity_type == "person"]
    assert (m.entity_key, m.title, m.affiliation) == (
        "person:agshin-mehdiyev", "Permanent Representative of Azerbaijan to the United Nations", "Azerbaijan")


def test_speaker_surname_joins_the_full_name():
    text = "I invite Mr. Jeffrey Feltman to participate.\nMr. Feltman (United States): The Council is convened."
    assert [m.entity_key for m in extract_entities(text) if m.entity_type == "person"] == [
        "person:jeffrey-feltman", "person:jeffrey-feltman"]


@pytest.mark.parametrize("text", [
    "Mr. President, I thank you.",
    "the Secretary-General, the Security Council and",
    "the President of Ghana, Burkina Faso and Mali",
    "the General Framework Agreement for Peace",
    "The Secretary-General of the United Nations visited.",
])
def test_no_person(text):
    assert [m.name for m in extract_entities(text) if m.entity_type == "person"] == []


# ------------------------------------------------------------------ whole corpus ----------

CORPUS_FILES = sorted(p.name for p in (CORPUS / "undocs").glob("*.txt")) + sorted(
    p.name for p in (CORPUS / "seeds").glob("*.txt"))


def test_every_corpus_document_has_exact_offsets_and_sorted_mentions():
    assert len(CORPUS_FILES) > 100
    for name in CORPUS_FILES:
        text = corpus_text(name)
        ms = extract_entities(text)
        assert [(m.start, m.end) for m in ms] == sorted((m.start, m.end) for m in ms), name
        for m in ms:
            assert text[m.start:m.end] == m.surface, (name, m)
            assert m.entity_type in {"organization", "country", "place", "person"}
            assert m.entity_key.split(":")[0] in {"org", "country", "place", "person"}
            if m.entity_type == "country":
                assert m.country_iso3 and len(m.country_iso3) == 3


def test_same_entity_same_key_and_name_across_documents():
    names: dict[str, set[str]] = {}
    for name in CORPUS_FILES:
        for m in extract_entities(corpus_text(name)):
            if m.entity_type != "person":
                names.setdefault(m.entity_key, set()).add(m.name)
    assert {k: v for k, v in names.items() if len(v) > 1} == {}


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abcXYZ OIC(),.-’'\n\tMr.Ms (Signed) in at ÜéAU1")), max_size=300))
def test_never_raises_on_arbitrary_text(text):
    for m in extract_entities(text):
        assert text[m.start:m.end] == m.surface


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_never_raises_on_any_unicode(text):
    for m in extract_entities(text):
        assert text[m.start:m.end] == m.surface
