"""Countries and organizations in the French, Spanish, Russian, Arabic and Chinese texts.

- countries: pycountry's translations of the ISO 3166-1 names (its gettext catalogues, the
  names without an inverted comma form), with the UN's short names where they differ
  (`languages.yaml`: `countries`); Russian names also in their other cases (the last word's
  ending), Arabic names also with their attached prefixes (و, ب, ل, ف, ك; "لل" for "ل" + "ال");
- organizations of the registry (`organizations.yaml`) by their official names and acronyms in
  the language (`languages.yaml`: `organizations`).

A mention carries the English canonical name and the same key as in an English text
("country:SYR", "org:au"), so the six versions of a document give the same entities. Persons,
places and cooperation areas are read in English texts only. Matching runs on the matching view
of the text (`languages.matching_view`): offsets are those of the text. Never raises on any text.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from functools import cache

import pycountry

from flows.core.gazetteer import country_name
from flows.core.languages import matching_view
from flows.core.lookups import load_lookup
from flows.core.models import EntityMention

_GETTEXT_LOCALE = {"fr": "fr", "es": "es", "ru": "ru", "ar": "ar", "zh": "zh_CN"}
_ARABIC_MARKS = re.compile("[\u064B-\u0652\u0640]")  # harakat and tatweel: not written in UN texts


@cache
def _registry() -> dict[str, dict]:
    return {e["id"]: e for e in load_lookup("organizations")}


def _country_names(language: str) -> dict[str, str]:
    """name in `language` -> ISO3."""
    names: dict[str, str] = {}
    try:
        catalogue = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[_GETTEXT_LOCALE[language]])
    except (OSError, KeyError):
        catalogue = None
    if catalogue is not None:
        for country in pycountry.countries:
            for attr in ("name", "common_name", "official_name"):
                value = getattr(country, attr, None)
                if not value:
                    continue
                translated = catalogue.gettext(value)  # the same in many languages: "Somalia", "Mali"
                if "," in translated or "(" in translated:
                    continue  # an inverted form ("Congo, La République démocratique du")
                translated = unicodedata.normalize("NFC", _ARABIC_MARKS.sub("", translated))
                names.setdefault(translated, country.alpha_3)
                if language == "ar" and " و " in translated:  # "البوسنة و الهرسك": UN texts join و
                    names.setdefault(translated.replace(" و ", " و"), country.alpha_3)
    for iso3, local in (load_lookup("languages")["countries"].get(language) or {}).items():
        for name in local:
            names[name] = iso3
    return names


# Russian endings: a word of a name in its other cases ("Сирийской Арабской Республике")
_RU_ENDINGS = (("ая", "(?:ая|ой|ую|ою)"), ("яя", "(?:яя|ей|юю)"), ("ий", "(?:ий|ого|ому|им|ом)"),
               ("ый", "(?:ый|ого|ому|ым|ом)"), ("ое", "(?:ое|ого|ому|ым|ом)"), ("ее", "(?:ее|его|ему|им|ем)"),
               ("а", "(?:а|ы|и|е|у|ой|ою)"), ("я", "(?:я|и|ю|ей|е)"), ("ь", "(?:ь|и|ью)"))


def _ru_word(word: str) -> str:
    if len(word) <= 3 or not word[0].isupper() and len(word) <= 4:
        return re.escape(word)
    for end, alt in _RU_ENDINGS:
        if word.endswith(end):
            return re.escape(word[: -len(end)]) + alt
    if word[-1].isalpha() and word[-1] not in "йиыеоуюэ":
        return re.escape(word) + "(?:а|у|е|ом|ы|ов)?"
    return re.escape(word)


def _variant(name: str, language: str) -> str:
    """The expression of one name: its other cases (ru), its attached prefixes (ar)."""
    name = matching_view(name)
    if language == "ru":
        body = r"\s+".join(_ru_word(w) for w in name.split())
    else:
        body = re.escape(name)
    body = body.replace(r"\ ", r"\s+")
    if language == "ar":
        if name.startswith("ال"):
            return rf"(?:[وفبك]{{0,2}}ال|[وف]?لل){re.escape(name[2:]).replace(chr(92) + ' ', chr(92) + 's+')}"
        return rf"[وفبكل]{{0,2}}{body}"
    return body


@cache
def _matcher(language: str) -> tuple[re.Pattern[str] | None, list[tuple[str, str]]]:
    """One expression for every name of `language` (a group per target) and the targets."""
    targets: list[tuple[str, str]] = []  # (kind, id)
    alts: list[tuple[str, int]] = []
    by_target: dict[tuple[str, str], int] = {}
    for name, iso3 in _country_names(language).items():
        i = by_target.setdefault(("country", iso3), len(by_target))
        alts.append((name, i))
    for org_id, names in load_lookup("languages")["organizations"].items():
        if org_id not in _registry():
            continue
        for name in names.get(language) or []:
            i = by_target.setdefault(("organization", org_id), len(by_target))
            alts.append((name, i))
    targets = [t for t, _ in sorted(by_target.items(), key=lambda kv: kv[1])]
    if not alts:
        return None, targets
    alts.sort(key=lambda a: len(a[0]), reverse=True)
    groups: dict[int, list[str]] = {}
    for name, i in alts:
        groups.setdefault(i, []).append(_variant(name, language))
    body = "|".join(f"(?P<t{i}>{'|'.join(ps)})" for i, ps in groups.items())
    if language == "zh":
        return re.compile(body), targets
    return re.compile(rf"(?<![^\W\d_])(?:{body})(?![^\W\d_])"), targets


def extract_entities_lang(text: str, language: str) -> list[EntityMention]:
    """The countries and organizations named in a text in `language` (fr, es, ru, ar, zh),
    sorted by offset; [] for another language."""
    if not text or language not in _GETTEXT_LOCALE:
        return []
    rx, targets = _matcher(language)
    if rx is None:
        return []
    out = []
    for m in rx.finditer(matching_view(text)):
        group = m.lastgroup
        if group is None:
            continue
        kind, key = targets[int(group[1:])]
        if kind == "country":
            out.append(EntityMention(entity_key=f"country:{key}", entity_type="country",
                                     name=country_name(key) or key, surface=text[m.start():m.end()],
                                     start=m.start(), end=m.end(), country_iso3=key))
        else:
            entry = _registry()[key]
            out.append(EntityMention(entity_key=f"org:{key}", entity_type="organization", name=entry["name"],
                                     surface=text[m.start():m.end()], start=m.start(), end=m.end(),
                                     acronym=entry.get("acronym"), wikidata_id=entry.get("wikidata_id")))
    return out
