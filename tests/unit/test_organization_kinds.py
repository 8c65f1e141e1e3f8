"""entities.kind: every organization of the registry gets a kind of the contract's vocabulary."""

from flows.core.lookups import load_lookup
from flows.core.organization_kinds import head_word, organization_kind, registry_kinds
from flows.core.schema import vocabularies

KINDS = set(vocabularies()["organization_kind"])


def test_every_registry_organization_has_a_kind_of_the_vocabulary():
    registry = [e["id"] for e in load_lookup("organizations")]
    kinds = registry_kinds()
    assert sorted(kinds) == sorted(registry)
    assert {i: k for i, k in kinds.items() if k not in KINDS} == {}


def test_the_mapping_names_only_registry_ids_and_vocabulary_values():
    table = load_lookup("organization_kinds")
    registry = {e["id"] for e in load_lookup("organizations")}
    registry_kind_values = {e.get("kind") for e in load_lookup("organizations")}
    assert set(table["by_id"]) - registry == set(), "an exception names an organization not in the registry"
    assert registry_kind_values - set(table["by_registry_kind"]) == set(), "a registry kind has no contract kind"
    for section in ("by_registry_kind", "by_id", "by_head_word"):
        assert set(table[section].values()) - KINDS == set(), section
    assert table["default"] in KINDS


def test_the_contract_examples():
    # CONTRACT.md: AU, OIC, LAS, EU, OSCE, ASEAN, OAS, CIS, CSTO regional; ECOWAS, SADC, IGAD, ECCAS subregional
    for org in ("au", "oic", "las", "eu", "osce", "asean", "oas", "cis", "csto"):
        assert organization_kind(f"org:{org}", None) == "regional_organization", org
    for org in ("ecowas", "sadc", "igad", "eccas"):
        assert organization_kind(f"org:{org}", None) == "subregional_organization", org
    assert organization_kind("org:unsc", "Security Council") == "un_principal_organ"
    assert organization_kind("org:ctc", None) == "un_subsidiary_body"
    assert organization_kind("org:minusma", None) == "un_peace_operation"
    assert organization_kind("org:who", None) == "un_specialized_agency"
    assert organization_kind("org:al-shabaab", None) == "non_state_group"


def test_organizations_outside_the_registry_by_the_head_of_their_name():
    assert head_word("Ministry of Foreign Affairs of Mali") == "ministry"
    assert head_word("Joint Verification Mechanism") == "mechanism"
    assert organization_kind("org:mofa", "Ministry of Foreign Affairs") == "national_body"
    assert organization_kind("org:jvm", "Joint Verification Mechanism") == "other"
    assert organization_kind("org:x", None) == "other"
