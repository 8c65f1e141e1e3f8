"""Meetings and events that a UN document names, with their dates, places and status.

Three kinds of mention are read:

- numbered meetings of UN organs and other councils: "At the 9964th meeting of the Security
  Council, held on 24 July 2025, in connection with the Council's consideration of the item
  entitled "..."", "adopted by the Security Council at its 6702nd meeting, on 8 January 2012",
  "the AU Peace and Security Council, at its 644th meeting held on 12 December 2016",
  "30th plenary meeting / 23 November 2020", "S/PV.7015";
- the record's own meeting in the masthead of a meeting record ("7015th meeting / Tuesday,
  4 September 2012, 10 a.m. / New York");
- other dated meetings and events: a meeting noun (meeting, session, summit, conference,
  briefing, debate, consultations, seminar, ...) tied to a date ("held in Astana from 22 to 24
  July 2024", "On 3 and 4 April 2012, OIC ... held ... a joint consultative session", "the
  briefing on 13 January 2017 by ...").

A date is a meeting's only when a meeting noun is tied to it; deadlines, mandate periods,
incidents and the dates of letters, reports and resolutions are not meetings. The words are
data (`schemas/lookups/meeting_words.yaml`). `extract_meetings` never raises.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from functools import cache, lru_cache
from typing import Any

from flows.core.dates import DateSpan, find_dates
from flows.core.fastscan import fast
from flows.core.gazetteer import country_iso3, find_city
from flows.core.lookups import load_lookup
from flows.core.metadata import masthead_body, ordinal_suffix
from flows.core.models import MeetingMention

__all__ = ["extract_meetings", "meeting_key"]

_MAX_EVENT_DAYS = 60  # a longer range is a period (mandate, reporting period), not a meeting
_LEFT_WINDOW = 360
_ORD = r"(?:st|nd|rd|th|d)"


@cache
def _w() -> dict[str, Any]:
    return load_lookup("meeting_words")


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


@cache
def _rx() -> dict[str, re.Pattern[str]]:
    w = _w()
    nouns = [n["noun"] for n in w["meeting_nouns"]]
    noun_alt = "|".join(
        re.escape(n).replace(r"\ ", r"\s+") + ("" if n.endswith("s") else "s?")
        for n in sorted(nouns, key=len, reverse=True)
    )
    organs = _alt(w["organs"])
    return {
        "noun": re.compile(rf"\b(?P<noun>{noun_alt})\b", re.I),
        "held": re.compile(rf"\b(?:{_alt(w['held_verbs'])})\b", re.I),
        "planned": re.compile(rf"\b(?:{_alt(w['planned_markers'])})\b", re.I),
        "block": re.compile(rf"\b(?:{_alt(w['blocking_words'])})\b", re.I),
        "link_end": re.compile(rf"(?:\b(?:{_alt(w['date_links'])})|,)\s*$", re.I),
        "gerund": re.compile(rf"\s+(?:{_alt(w['gerund_objects'])})\b", re.I),
        "organ": re.compile(
            rf"(?:\b(?P<pre>[A-Z]{{2,8}}|African Union|European Union|Arab League)\s+)?\b(?P<organ>{organs}|Council|Assembly)\b"
        ),
        "numbered": re.compile(
            rf"\b(?:the|its)\s+(?P<num>\d{{1,5}}){_ORD}\s+(?P<plen>plenary\s+)?meeting\b"
            rf"(?:\s+of\s+the\s+(?P<organ>(?:[A-Z]{{2,8}}\s+)?{organs}))?",
        ),
        "plenary_end": re.compile(rf"^\s*(?P<num>\d{{1,5}}){_ORD}\s+plenary\s+meeting\s*\n\s*", re.M),
        "record": re.compile(
            rf"^\s*(?P<num>\d{{1,5}}){_ORD}\s+(?P<plen>plenary\s+)?meeting\s*\n+\s*"
            rf"(?:{_alt(w['weekdays'])}),?\s+",
            re.M | re.I,
        ),
        "pv": re.compile(r"\b(?P<pre>[ASE])\s?/(?:\d{1,3}/)?PV\.\s?(?P<num>\d{1,5})\b"),
        "on_consideration": re.compile(
            r"(?:^|\n)[“\"]?On\s+(?P<date>[^,\n]{6,40}),\s+in connection with the (?:Council|Assembly)[’']s\s+consideration\b"
        ),
        "entitled": re.compile(
            r"[^.;]{0,160}?consideration of the (?:item|topic|question|sub-item) entitled\s*[“\"‘']\s*(?P<item>[^”\"’]{3,400}?)\s*[”\"’']"
        ),
        "city": re.compile(
            r"\b(?:in|at)\s+(?P<city>[A-Z][\w’'.-]+(?:[ -][A-Z][\w’'-]+){0,2})"
            r"(?:,\s*(?P<country>(?:the\s+)?[A-Z][\w’'-]+(?:\s+(?:[A-Z][\w’'-]+|of|and|the)){0,5}))?"
        ),
        "sentence_end": re.compile(r"(?:[.;!?][”\"’)]?\s+(?=[“\"‘(]?[A-Z0-9])|\n)"),
        "lead_in": re.compile(r"(?:^|[\n.;:]\s*)[“\"]?(?:On|From|Between)\s+$"),
        "after_lead": re.compile(
            rf",?\s*(?P<subj>[^.;\n]{{0,170}}?)\s(?P<verb>held|convened|organized|organised|hosted|co-hosted|"
            rf"co-organized|conducted|will hold|would hold|plans to hold|is to hold)\b(?P<mid>[^.;\n]{{0,150}}?)"
            rf"\b(?P<noun>{noun_alt})\b",
            re.I,
        ),
        "its_session": re.compile(r"(?P<body>[A-Z][\w’'-]*(?:\s+(?:[A-Z][\w’'-]*|of|and|the|for|on|in))*),?\s+at\s+its\s+$"),
        "of_the": re.compile(
            r"^\s+(?:of|between|by|among)\s+the\s+(?P<who>[A-Z][\w’'-]*(?:\s+(?:[A-Z][\w’'-]*|of|and|the|for|on|in|\([A-Z]{2,10}\)))*)"
        ),
        "by_who": re.compile(
            r"\b(?:held|convened|organized|hosted|chaired)\s+by\s+the\s+(?P<who>[A-Z][\w’'-]*(?:\s+(?:[A-Z][\w’'-]*|of|and|the|for))*)"
        ),
        "fmt_sentence": re.compile(
            r"\bThe\s+(?:meeting|briefing|debate|open debate)\s+will\s+be\s+held\s+in\s+(?:a|an|the)\s+(?P<fmt>[\w -]{3,40}?)\s+format"
            r"(?:\s+at\s+the\s+(?P<lvl>[\w -]{3,40}?)\s+level)?",
            re.I,
        ),
    }


_STOP_BACK = frozenset(
    "the a an its their this that these those of at in on for by with and to from his her our which was is were "
    "are has have had as during after before under welcomes welcomed notes noted recalls recalled takes note "
    "decision decisions outcome results recommendations conclusions".split()
)


# --- helpers --------------------------------------------------------------------------------


def _sentence_start(text: str, pos: int, window: int = _LEFT_WINDOW) -> int:
    lo = max(0, pos - window)
    last = lo
    for m in _rx()["sentence_end"].finditer(text, lo, pos):
        last = m.end()
    return last


def _sentence_end(text: str, pos: int, window: int = 320) -> int:
    m = _rx()["sentence_end"].search(text, pos, min(len(text), pos + window))
    return m.start() if m else min(len(text), pos + window)


def _noun_phrase_start(text: str, noun_start: int, floor: int) -> int:
    """Where the words that qualify a meeting noun begin ("the [16th biennial general] meeting")."""
    pos = noun_start
    for _ in range(8):
        m = re.search(r"([\w’'-]+)\s+$", text[max(floor, pos - 40) : pos])
        if not m:
            break
        word = m.group(1)
        if word.lower() in ("and", "of", "for") and text[pos : pos + 1].isupper():
            # inside a name: "Peace and Security Council", "Organization of African Unity"
            prev = re.search(r"([\w’'-]+)\s+" + re.escape(word) + r"\s+$", text[max(floor, pos - 60) : pos])
            if prev and prev.group(1)[:1].isupper() and prev.group(1).lower() not in _STOP_BACK:
                pos = max(floor, pos - 60) + prev.start(1)
                continue
        if word.lower() in _STOP_BACK or word.isdigit():
            break
        pos = max(floor, pos - 40) + m.start(1)
    return pos


def _clean(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip(" ,;:“”\"'‘’")


@cache
def _format_level_words() -> tuple[tuple[tuple[re.Pattern[str], str], ...], ...]:
    """(word pattern, value) of the formats and of the levels, longest words first (compiled once)."""
    return tuple(
        tuple((re.compile(rf"\b{re.escape(words)}\b"), value)
              for words, value in sorted(_w()[group].items(), key=lambda kv: -len(kv[0])))
        for group in ("formats", "levels")
    )


def _format_level(phrase: str) -> tuple[str | None, str | None]:
    low = phrase.lower()
    formats, levels = _format_level_words()
    fmt = next((value for rx, value in formats if rx.search(low)), None)
    lvl = next((value for rx, value in levels if rx.search(low)), None)
    return fmt, lvl


def _find_place(segment: str) -> tuple[str | None, str | None]:
    """City and ISO3 country of the first "in City[, Country]" in `segment` that is a known city."""
    for m in _rx()["city"].finditer(segment):
        name = m.group("city").rstrip(".")
        printed_country = None
        if m.group("country"):
            printed_country = country_iso3(m.group("country"))
        if country_iso3(name) or name.lower() in _not_cities():
            continue  # "in Mali" is a country, "in Africa" a region, not a city
        city = find_city(name)
        if city is None and printed_country is None:
            continue
        return (city.name if city and city.name.lower() == name.lower() else name), (
            printed_country or (city.country_iso3 if city else None)
        )
    return None, None


@cache
def _not_cities() -> frozenset[str]:
    return frozenset(w.lower() for w in _w().get("not_cities", []))


def _status(start: dt.date | None, doc_date: dt.date | None, context: str) -> str:
    planned = bool(_rx()["planned"].search(context))
    held = bool(_rx()["held"].search(context))
    if start and doc_date:
        if start > doc_date:
            return "planned"
        if start < doc_date:
            return "held"
        return "planned" if planned else "held"
    if planned:
        return "planned"
    if held:
        return "held"
    return "unknown"


def _organ_before(text: str, lo: int, hi: int, default: str | None) -> str | None:
    """The organ named last in text[lo:hi] ("the AU Peace and Security Council, at its ...")."""
    found = None
    for m in _rx()["organ"].finditer(text, lo, hi):
        found = m
    if found is None:
        return default
    organ = found.group("organ")
    short = _w()["organ_short"]
    if organ in short:
        return default or short[organ]
    pre = found.group("pre")
    return f"{pre} {organ}" if pre else organ


# --- the kinds of mentions ----------------------------------------------------------------


def _agenda_after(text: str, pos: int) -> str | None:
    m = _rx()["entitled"].match(text, pos, min(len(text), pos + 700))
    return _clean(m.group("item")) if m else None


def _ga_agenda(text: str) -> str | None:
    m = re.search(r"^Agenda item \d+[^\n]*\n(?P<item>[^\n]{5,300})", text[:2500], re.M)
    if not m:
        return None
    return _clean(m.group("item").split(":")[0])


# "President:" in a meeting record's masthead, then the name before the dot leaders and,
# for the Security Council, the country in parentheses on the next line.
_PRESIDENT = re.compile(
    r"\bPresident:\s*\n\s*(?P<name>(?:Mr|Mrs|Ms|Miss|Sir|Dame|Sheikh|Sheikha|H\.E)\.?\s[^\n]{1,80}?)"
    r"[ \t]*(?:\.[ \t]*){2,}(?:\s*\n\s*\((?P<country>[^()\n]{2,80})\))?"
)


def record_president(text: str) -> str | None:
    """Who presided over the meeting of a record: 'Mrs. DiCarlo (United States of America)'."""
    m = _PRESIDENT.search(text, 0, min(len(text), 3000))
    if not m:
        return None
    name = re.sub(r"[\s.]+$", "", m.group("name")).strip()
    return f"{name} ({m.group('country').strip()})" if m.group("country") else name


def _record_meeting(text: str, body: str | None, out: list[MeetingMention]) -> tuple[int, int] | None:
    m = _rx()["record"].search(text, 0, min(len(text), 1500))
    if not m:
        return None
    dates = find_dates(text[m.end() : m.end() + 40])
    if not dates or dates[0].start != 0:
        return None
    d = dates[0]
    end = m.end() + d.end
    line_after = text[end : end + 80]
    nl = re.search(r"\n\s*(?P<city>[A-Z][A-Za-z .'-]{2,30})\s*\n", line_after)
    if nl:
        city, iso = _find_place("in " + nl.group("city").strip())
    else:
        city, iso = _find_place("in " + line_after.split("\n\n")[0].strip(" ,\n").split("\n")[-1])
    organ = body or ("General Assembly" if m.group("plen") else "Security Council")
    agenda = None
    am = re.search(r"(?:Agenda item \d+[^\n]*|Adoption of the agenda)\n(?P<item>[^\n]{5,300})", text[end : end + 3000])
    if am:
        agenda = _clean(am.group("item").split(" Draft resolution")[0])
    out.append(
        MeetingMention(
            body=organ, start=m.start("num"), end=end, meeting_number=int(m.group("num")),
            title=f"{m.group('num')}{ordinal_suffix(int(m.group('num')))} {'plenary ' if m.group('plen') else ''}meeting of the {organ}",
            agenda_item=agenda, start_date=d.start_date, end_date=d.end_date, city=city, country_iso3=iso,
            status="held", president=record_president(text),
        )
    )
    return m.start("num"), end


def _numbered(text: str, dates: list[DateSpan], body: str | None, doc_date: dt.date | None,
              out: list[MeetingMention], claimed: set[int]) -> None:
    by_start = {d.start: d for d in dates}
    # the expression holds the word "meeting": a text without it is not scanned
    for m in fast(_rx()["numbered"]).finditer(text) if "meeting" in text else ():
        num = int(m.group("num"))
        plen = bool(m.group("plen"))
        sent = _sentence_start(text, m.start())
        organ = m.group("organ")
        if organ:
            organ = _organ_before(text, m.start("organ"), m.end("organ"), body) or organ
        else:
            organ = _organ_before(text, sent, m.start(), body)
        if organ is None:
            organ = "General Assembly" if plen else "Security Council"
        # the date: ", held on 24 July 2025", ", on 8 January 2012", " held on ...", " of ..."
        date = None
        gap = re.match(r",?\s*(?:which\s+was\s+)?(?:held\s+)?(?:in\s+[A-Z][\w .'-]{2,30}?,?\s+)?(?:on|of)\s+", text[m.end() : m.end() + 80])
        if gap and (m.end() + gap.end()) in by_start:
            date = by_start[m.end() + gap.end()]
        end = date.end if date else m.end()
        if date:
            claimed.add(date.start)
        agenda = _agenda_after(text, end)
        ctx = text[m.end() : end]
        fmt, lvl = _format_level(text[max(sent, m.start() - 60) : m.start()])
        city, iso = _find_place(ctx)
        out.append(
            MeetingMention(
                body=organ, start=m.start("num"), end=end, meeting_number=num,
                title=f"{num}{ordinal_suffix(num)} {'plenary ' if plen else ''}meeting of the {organ}",
                agenda_item=agenda, start_date=date.start_date if date else None,
                end_date=date.end_date if date else None, city=city, country_iso3=iso, format=fmt, level=lvl,
                status=_status(date.start_date if date else None, doc_date, ctx) if date else "held",
            )
        )
    # "30th plenary meeting / 23 November 2020" closing a General Assembly resolution (the
    # expression holds the word "plenary": a text without it is not scanned)
    for m in fast(_rx()["plenary_end"]).finditer(text) if "plenary" in text else ():
        if m.end() not in by_start:
            continue
        d = by_start[m.end()]
        claimed.add(d.start)
        organ = body or "General Assembly"
        num = int(m.group("num"))
        out.append(
            MeetingMention(
                body=organ, start=m.start("num"), end=d.end, meeting_number=num,
                title=f"{num}{ordinal_suffix(num)} plenary meeting of the {organ}", agenda_item=_ga_agenda(text),
                start_date=d.start_date, end_date=d.end_date, status=_status(d.start_date, doc_date, "held"),
            )
        )


def _pv_citations(text: str, skip: tuple[int, int] | None, own_symbol_end: int, out: list[MeetingMention]) -> None:
    bodies = _w()["record_bodies"]
    for m in fast(_rx()["pv"]).finditer(text):
        if m.start() < own_symbol_end:
            continue  # the record's own symbol in its masthead
        if skip and skip[0] <= m.start() < skip[1]:
            continue
        organ = bodies.get(m.group("pre"), "Security Council")
        num = int(m.group("num"))
        out.append(
            MeetingMention(body=organ, start=m.start(), end=m.end(), meeting_number=num,
                           title=f"{num}{ordinal_suffix(num)} meeting of the {organ}", status="held")
        )


def _on_consideration(text: str, body: str | None, doc_date: dt.date | None,
                      out: list[MeetingMention], claimed: set[int]) -> None:
    for m in fast(_rx()["on_consideration"]).finditer(text):
        found = find_dates(m.group("date"))
        if not found or found[0].start != 0:
            continue
        d = found[0]
        start = m.start("date")
        claimed.add(start)
        organ = body or "Security Council"
        out.append(
            MeetingMention(body=organ, start=start, end=start + d.end, agenda_item=_agenda_after(text, start + d.end),
                           title=f"Meeting of the {organ}", start_date=d.start_date, end_date=d.end_date,
                           status=_status(d.start_date, doc_date, ""))
        )


def _who_after(seg: str) -> str | None:
    m = _rx()["of_the"].match(seg)
    if not m:
        return None
    return _trim_name(m.group("who")) or None


def _trim_name(who: str) -> str:
    prev = None
    while prev != who:
        prev = who
        who = re.sub(r"\s+(?:of|and|the|for|on|in)$", "", who.strip())
        who = re.sub(r"\s*\([A-Z]{2,10}\)$", "", who)
    return who


_CAP_RUN = re.compile(r"\b(?:[A-Z][\w’'-]*|[A-Z]{2,8})(?:\s+(?:of|and|for|in|the)?\s*(?:[A-Z][\w’'-]*))*")


def _names_in(seg: str) -> list[str]:
    """Capitalized names in a stretch of text ("United Nations", "Organization of Islamic Cooperation")."""
    names = []
    for m in _CAP_RUN.finditer(seg):
        name = _trim_name(m.group(0))
        if len(name) > 2 and name not in names and name.split()[0] not in ("The", "In", "On", "At"):
            names.append(name)
    return names


def _clean_title(title: str) -> str:
    prev = None
    while prev != title:
        prev = title
        title = re.sub(r"\s+(?:of|on|from|in|during|between|and|the)$", "", title.strip(" .,;:“”\"'‘’"))
        title = re.sub(r"\s*\([A-Z]{2,10}\)$", "", title)
    return title[:1].upper() + title[1:]


def _title_tail(seg: str) -> str:
    m = re.search(
        r",|;|\s(?:held|which|that|convened|organized|hosted|to be|will|was|were|under|attended|at the|in [A-Z]|on \d|of \d|from \d)\b",
        seg,
    )
    return seg[: m.start()] if m else seg


def _generic(text: str, dates: list[DateSpan], body: str | None, doc_date: dt.date | None,
             out: list[MeetingMention], claimed: set[int]) -> None:
    for d in dates:
        if d.start in claimed or (d.end_date - d.start_date).days > _MAX_EVENT_DAYS:
            continue
        sent = _sentence_start(text, d.start)
        mention = _noun_then_date(text, d, sent, body, doc_date) or _date_then_noun(text, d, sent, body, doc_date)
        if mention:
            claimed.add(d.start)
            out.append(mention)


@cache
def _nouns_needing_held() -> dict[str, bool]:
    return {n["noun"]: bool(n.get("needs_held")) for n in _w()["meeting_nouns"]}


def _needs_held(noun: str) -> bool:
    n = re.sub(r"\s+", " ", noun.lower())
    cfg = _nouns_needing_held()
    return cfg.get(n, cfg.get(n[:-1], False) if n.endswith("s") else False)


def _noun_then_date(text: str, d: DateSpan, sent: int, body: str | None, doc_date: dt.date | None) -> MeetingMention | None:
    rx = _rx()
    noun = None
    for m in fast(rx["noun"]).finditer(text, sent, d.start):
        if m.group("noun").lower().startswith("meeting") and rx["gerund"].match(text, m.end()):
            continue
        noun = m
    if noun is None:
        return None
    gap = text[noun.end() : d.start]
    has_verb = bool(rx["held"].search(gap) or rx["planned"].search(gap))
    if len(gap) > (320 if has_verb else 140):
        return None
    if not rx["link_end"].search(gap) or rx["block"].search(gap) or find_dates(gap):
        return None
    if re.search(r"\b(?:1[89]|20)\d\d\b", gap) and not has_verb:
        return None
    if _needs_held(noun.group("noun")) and not has_verb:
        return None
    np_start = _noun_phrase_start(text, noun.start(), sent)
    phrase = _clean(text[np_start : noun.end()])
    tail = _title_tail(gap)
    title = _clean_title(_clean(phrase + tail))
    bym = re.match(r"\s+by\s+the\s+(?P<who>[A-Z][\w’'-]*(?:\s+(?:[A-Z][\w’'-]*|of|and|the|for))*)", text[d.end : d.end + 200])
    if bym and title.lower() == phrase.lower():
        title = f"{title} by the {_trim_name(bym.group('who'))}"
    # who met
    organizer = None
    left = text[sent:np_start]
    sm = rx["its_session"].search(left)
    if sm and re.search(r"\bits\s*$", left):
        organizer = _clean(re.sub(r"^(?:The|the)\s+", "", sm.group("body")))
        title = _clean(f"{title} of the {organizer}")
    if organizer is None:
        organizer = _who_after(gap)
    if organizer is None:
        bm = rx["by_who"].search(gap)
        if bm:
            organizer = _clean(bm.group("who"))
    if organizer is None:
        om = rx["organ"].search(phrase)
        if om:
            organizer = _clean(om.group(0))
            if om.group("organ") in _w()["organ_short"] and not om.group("pre"):
                organizer = body or _w()["organ_short"][om.group("organ")]
    if organizer is None:
        caps = re.match(r"^((?:[A-Z][\w’'-]*\s+){1,5})", phrase)
        first_word = phrase.split()[0].lower() if phrase.split() else ""
        if caps and not re.match(r"^(?:\d|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\w+teenth|\w+tieth|\w+-\w+|high-level|joint|special|annual|ordinary|extraordinary|general|open|informal|regular|biennial)", first_word, re.I) \
                and _is_organization(_clean(caps.group(1))):
            organizer = _clean(caps.group(1))
    fmt, lvl = _format_level(phrase)
    if lvl is None:
        lvl = _format_level(gap)[1]
    if organizer is None:
        organizer = body if fmt else None
    if organizer is None:
        names = [n for n in _names_in(tail) if _is_organization(n)]  # not "on Cambodia", "on the Rule of Law"
        organizer = " and ".join(names[:3]) if names else None
    if organizer is None:  # a named event convenes itself ("Peace Implementation Conference")
        organizer = title if title[:1].isupper() and re.search(r"\b[A-Z]", title[1:]) else "unknown"
    after = text[d.end : _sentence_end(text, d.end, 120)]
    city, iso = _find_place(gap)
    if city is None:
        pm = re.match(r",?\s*(?:in|at)\s+[A-Z][\w’'.-]*(?:[ -][A-Z][\w’'-]*){0,2}(?:,\s*(?:the\s+)?[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*){0,4})?", after)
        if pm:
            city, iso = _find_place(pm.group(0))
    return MeetingMention(
        body=organizer, start=np_start, end=d.end, title=title, start_date=d.start_date, end_date=d.end_date,
        city=city, country_iso3=iso, format=fmt, level=lvl, status=_status(d.start_date, doc_date, gap),
        agenda_item=_agenda_after(text, d.end),
    )


@lru_cache(maxsize=4096)
def _is_organization(name: str) -> bool:
    """True when the capitalized words before a meeting noun are an organization's name (the
    registry's, or one that the entity rules read from its form), not a place or a topic
    ("Paris Conference", "Women, Peace and Security meeting", "COVID-19 summit")."""
    from flows.core.entities import extract_entities  # the entity rules; imported late (heavy tables)

    return any(m.entity_type == "organization" and m.start == 0 and m.end >= len(name.rstrip(" ,"))
               for m in extract_entities(name))


def _date_then_noun(text: str, d: DateSpan, sent: int, body: str | None, doc_date: dt.date | None) -> MeetingMention | None:
    rx = _rx()
    if not rx["lead_in"].search(text, max(0, sent - 2), d.start) and not re.fullmatch(r"\s*[“\"]?(?:On|From|Between)\s+", text[sent : d.start]):
        return None
    end_lim = _sentence_end(text, d.end, 420)
    m = rx["after_lead"].match(text, d.end, end_lim)
    if not m:
        return None
    if m.group("noun").lower().startswith("meeting") and rx["gerund"].match(text, m.end()):
        return None
    subj = _clean(re.split(r",\s*(?:with|in cooperation|in collaboration|together|jointly|through)\b", m.group("subj"))[0])
    subj = re.sub(r"^(?:the|The)\s+", "", subj)
    np_start = _noun_phrase_start(text, m.start("noun"), m.start("mid"))
    phrase = _clean(text[np_start : m.end("noun")])
    tail_end = _sentence_end(text, m.end("noun"), 200)
    tail = _title_tail(text[m.end("noun") : tail_end])
    title = _clean_title(_clean(phrase + tail))
    mid = m.group("mid")
    city, iso = _find_place(mid)
    if city is None:
        city, iso = _find_place(text[m.end("noun") : tail_end][:120])
    fmt, lvl = _format_level(phrase)
    organizer = subj if subj and len(subj) <= 160 else (body or "United Nations")
    verb_ctx = m.group("verb") + mid
    return MeetingMention(
        body=organizer, start=d.start, end=m.end("noun"), title=title, start_date=d.start_date, end_date=d.end_date,
        city=city, country_iso3=iso, format=fmt, level=lvl, status=_status(d.start_date, doc_date, verb_ctx),
    )


def _enrich_planned(text: str, out: list[MeetingMention]) -> list[MeetingMention]:
    """"The meeting will be held in a briefing format at the ministerial level" completes the
    one planned meeting of the document."""
    planned = [i for i, m in enumerate(out) if m.status == "planned"]
    if len(planned) != 1:
        return out
    fm = fast(_rx()["fmt_sentence"]).search(text)
    if not fm:
        return out
    i = planned[0]
    m = out[i]
    fmt, _ = _format_level(fm.group("fmt") or "")
    _, lvl = _format_level(fm.group("lvl") or "")
    out[i] = replace(m, format=m.format or fmt or _clean(fm.group("fmt")), level=m.level or lvl)
    return out


# --- entry points -------------------------------------------------------------------------


def extract_meetings(text: str, doc_date: dt.date | None, language: str | None = "en") -> list[MeetingMention]:
    """The meetings named in `text`, sorted by offset. `language` is the ISO 639-1 code of the
    text: a text in another language than English is read by `flows.core.meetings_lang`."""
    if language not in (None, "en"):
        from flows.core.meetings_lang import extract_meetings_lang

        return extract_meetings_lang(text, language)
    return _extract(text or "", doc_date)


def _extract(text: str, doc_date: dt.date | None) -> list[MeetingMention]:
    body = masthead_body(text)
    dates = find_dates(text)
    out: list[MeetingMention] = []
    claimed: set[int] = set()
    record = _record_meeting(text, body, out)
    if record:
        claimed.update(d.start for d in dates if record[0] <= d.start < record[1])
    _numbered(text, dates, body, doc_date, out, claimed)
    if record:  # the masthead's own "7015th meeting" is the record's meeting, found once
        out = [m for m in out if m is out[0] or not (record[0] <= m.start < record[1])]
    _on_consideration(text, body, doc_date, out, claimed)
    own = _rx()["pv"].search(text, 0, min(len(text), 400)) if record else None
    _pv_citations(text, record, own.end() if own else 0, out)
    _generic(text, dates, body, doc_date, out, claimed)
    out = _enrich_planned(text, out)
    out = _date_numbered(out)
    out = [m for m in out if 0 <= m.start < m.end <= len(text)]
    out.sort(key=lambda m: (m.start, m.end))
    return out


def _date_numbered(out: list[MeetingMention]) -> list[MeetingMention]:
    """A numbered meeting named without its date ("S/PV.7015", "its 358th meeting") takes the date
    that another mention of the same meeting in the document states."""
    dated = {(_initials(m.body), m.meeting_number): m for m in out if m.meeting_number is not None and m.start_date}
    result = []
    for m in out:
        src = dated.get((_initials(m.body), m.meeting_number)) if m.meeting_number is not None and not m.start_date else None
        result.append(replace(m, start_date=src.start_date, end_date=src.end_date) if src else m)
    return result


@cache
def _aliases() -> dict[str, str]:
    return {str(k).casefold(): str(v) for k, v in (_w().get("body_aliases") or {}).items()}


def _fold(s: str) -> str:
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()


_SMALL_WORDS = frozenset({"of", "the", "and", "for", "in", "on", "its", "their", "with", "to", "a", "an"})


@lru_cache(maxsize=1 << 12)  # called for every mention of a corpus, with a few hundred distinct bodies
def _initials(body: str) -> str:
    """"African Union Peace and Security Council" and "AU Peace and Security Council" -> "AUPSC"."""
    body = _aliases().get(re.sub(r"^the\s+", "", body.strip(), flags=re.I).casefold(), body)
    parts: list[str] = []
    for tok in re.split(r"[\s,;/()\-–]+", _fold(body)):
        if not tok or tok.lower() in _SMALL_WORDS:
            continue
        if tok.isupper() and len(tok) >= 2:
            parts.append(tok)
        elif tok[0].isupper():
            parts.append(tok[0])
    return "".join(parts) or re.sub(r"\W+", "-", _fold(body).lower()).strip("-")


def meeting_key(m: MeetingMention) -> str:
    """A deterministic key shared by every mention of the same meeting, across documents.

    A meeting is its convening body (reduced to initials, so "AU Peace and Security Council" and
    "African Union Peace and Security Council" agree) and its first day. The date comes first
    because it is what all mentions state: a letter announcing a Security Council briefing "to be
    held on 28 October 2013" and the statement adopted "at the 7050th meeting ..., held on 28
    October 2013" name the same meeting. Without a date, a numbered meeting is its body and
    number ("S/PV.7015"); anything else its body and title.
    """
    who = _initials(m.body or "")
    title = re.sub(r"[^a-z0-9]+", "-", _fold(m.title or "").lower()).strip("-")[:80]
    if m.start_date:
        if who == "unknown":  # organizers not stated: the event's name tells it apart
            return f"{who}|{m.start_date.isoformat()}|{title}"
        return f"{who}|{m.start_date.isoformat()}"
    if m.meeting_number is not None:
        return f"{who}|no.{m.meeting_number}"
    return f"{who}|{title or 'untitled'}"


def meeting_keys(mentions: Sequence[MeetingMention]) -> list[str]:
    """Keys for every meeting mention of a corpus, so that one meeting is one row.

    A numbered meeting is its body, number and date: two meetings of the Council on the same
    day stay two rows, and the 38th plenary meetings of two General Assembly sessions (whose
    numbering restarts every session) stay apart. A numbered mention without a date joins the
    dated mention of the same body and number when there is exactly one (S/PV.7050 and "the
    7050th meeting, held on 28 October 2013"). A mention without a number (a letter announcing
    "a briefing to be held on 28 October 2013") joins the numbered meeting of the same body on
    the same day when there is exactly one; otherwise it keeps its own key (see `meeting_key`).
    """
    numbers_on: dict[tuple[str, object], set[int]] = {}
    dates_of: dict[tuple[str, int], set[object]] = {}
    for m in mentions:
        if m.meeting_number is not None and m.start_date is not None:
            who = _initials(m.body or "")
            numbers_on.setdefault((who, m.start_date), set()).add(m.meeting_number)
            dates_of.setdefault((who, m.meeting_number), set()).add(m.start_date)

    def numbered(who: str, number: int, day: object) -> str:
        if day is None:
            days = dates_of.get((who, number), set())
            day = next(iter(days)) if len(days) == 1 else None
        return f"{who}|no.{number}|{day.isoformat() if day is not None else 'undated'}"

    keys = []
    for m in mentions:
        who = _initials(m.body or "")
        if m.meeting_number is not None:
            keys.append(numbered(who, m.meeting_number, m.start_date))
            continue
        numbers = numbers_on.get((who, m.start_date), set()) if m.start_date is not None else set()
        keys.append(numbered(who, next(iter(numbers)), m.start_date) if len(numbers) == 1 else meeting_key(m))
    return keys
