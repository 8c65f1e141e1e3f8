"""Countries (pycountry + the UN's variants) and cities (GeoNames)."""

from __future__ import annotations

import pytest

from flows.core.gazetteer import country_iso3, country_name, find_city


@pytest.mark.parametrize(("name", "iso3"), [
    ("France", "FRA"),
    ("the Sudan", "SDN"),
    ("Republic of Korea", "KOR"),
    ("United Kingdom of Great Britain and Northern Ireland", "GBR"),
    ("Türkiye", "TUR"),
    ("Côte d'Ivoire", "CIV"),
    ("Cote d’Ivoire", "CIV"),
    ("State of Palestine", "PSE"),
    ("The Gambia", "GMB"),
    ("the Republic of the Gambia", "GMB"),
    ("Cameroun", "CMR"),
    ("Federal Republic of Yugoslavia", "YUG"),
    ("Democratic Republic of the Congo", "COD"),
    ("Congo", "COG"),
    ("Atlantis", None),
    ("South Macedonia", None),  # not a name of North Macedonia (a wrong variant once said so)
    ("", None),
])
def test_country_iso3(name, iso3):
    assert country_iso3(name) == iso3


@pytest.mark.parametrize(("iso3", "name"), [
    ("FRA", "France"),
    ("KOR", "Republic of Korea"),
    ("TUR", "Türkiye"),
    ("GBR", "United Kingdom of Great Britain and Northern Ireland"),
    ("YUG", "Yugoslavia"),
    ("XXX", None),
])
def test_country_name(iso3, name):
    assert country_name(iso3) == name


@pytest.mark.parametrize(("name", "city", "iso3"), [
    ("Geneva", "Geneva", "CHE"),
    ("Jeddah", "Jeddah", "SAU"),
    ("Jiddah", "Jeddah", "SAU"),
    ("Mecca", "Makkah", "SAU"),
    ("New York", "New York City", "USA"),
    ("Astana", "Astana", "KAZ"),
    ("Damascus", "Damascus", "SYR"),
])
def test_find_city(name, city, iso3):
    found = find_city(name)
    assert found is not None and (found.name, found.country_iso3) == (city, iso3)


@pytest.mark.parametrize("name", ["Kosovo", "Darfur", "Xyzzyville", ""])
def test_find_city_none(name):
    # alternate names of small towns ("Kosovo" for Kosovo Polje) are not used
    assert find_city(name) is None
