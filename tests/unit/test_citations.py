"""The UN citation extractor: table-driven cases in the forms UN documents print.

Each case is a sentence (or a few) as UN documents write it, with every citation expected in it:
(canonical cited_symbol, cited_kind, pinpoint). The strings are written from the way resolutions,
presidential statements, reports, letters and verbatim records cite instruments, not copied from
the bundled samples.
"""

from __future__ import annotations

import datetime as dt

import pytest

from flows.core.citations import extract_citations

SC, GA, DOC, PRST, PV, CH, ROP = "sc_resolution", "ga_resolution", "document", "prst", "meeting_record", "charter", "rules_of_procedure"
C = "Charter of the United Nations"


def cites(text: str) -> list[tuple[str, str, str | None]]:
    out = []
    for c in extract_citations(text):
        assert text[c.start:c.end] == c.raw
        if c.cited_kind == "url":
            continue
        out.append((c.cited_symbol, c.cited_kind, c.pinpoint))
    return out


# --- Security Council resolutions -------------------------------------------------------------
SC_CASES = [
    ("Recalling its resolution 1963 (2010) on threats to international peace",
     [("S/RES/1963 (2010)", SC, None)]),
    ("Security Council resolution 1325 (2000) on women and peace and security",
     [("S/RES/1325 (2000)", SC, None)]),
    ("pursuant to resolution 2231(2015)", [("S/RES/2231 (2015)", SC, None)]),
    ("Reaffirming its resolutions 1267 (1999), 1333 (2000) and 1390 (2002),",
     [("S/RES/1267 (1999)", SC, None), ("S/RES/1333 (2000)", SC, None), ("S/RES/1390 (2002)", SC, None)]),
    ("Recalling its resolutions 1261 (1999) of 25 August 1999, 1265 (1999) of 17 September 1999 and 1296 (2000) of 19 April 2000,",
     [("S/RES/1261 (1999)", SC, None), ("S/RES/1265 (1999)", SC, None), ("S/RES/1296 (2000)", SC, None)]),
    ("Recalling all its previous relevant resolutions, in particular resolutions 2253 (2015), 2178 (2014), and 2368 (2017),",
     [("S/RES/2253 (2015)", SC, None), ("S/RES/2178 (2014)", SC, None), ("S/RES/2368 (2017)", SC, None)]),
    ("resolutions 425 (1978), 426 (1978), 520 (1982), 1559 (2004), 1655 (2006) 1680 (2006) and 1697 (2006)",
     [("S/RES/425 (1978)", SC, None), ("S/RES/426 (1978)", SC, None), ("S/RES/520 (1982)", SC, None),
      ("S/RES/1559 (2004)", SC, None), ("S/RES/1655 (2006)", SC, None), ("S/RES/1680 (2006)", SC, None),
      ("S/RES/1697 (2006)", SC, None)]),
    ("Acting under resolution 678 (1990),", [("S/RES/678 (1990)", SC, None)]),
    ("resolution 660 ( 1990) and all subsequent relevant resolutions", [("S/RES/660 (1990)", SC, None)]),
    ("resolution 242 (1967) and 338 (1973)", [("S/RES/242 (1967)", SC, None), ("S/RES/338 (1973)", SC, None)]),
    ("UN Security Council resolution 2250 (2015) on youth, peace and security",
     [("S/RES/2250 (2015)", SC, None)]),
    ("United Nations Security Council resolution 1540 (2004)", [("S/RES/1540 (2004)", SC, None)]),
    ("Council resolution 2098 (2013)", [("S/RES/2098 (2013)", SC, None)]),
    ("UNSC resolution 1244 (1999)", [("S/RES/1244 (1999)", SC, None)]),
    ("RESOLUTION 2100 (2013)", [("S/RES/2100 (2013)", SC, None)]),
    ("Resolution 1701 (2006) calls for", [("S/RES/1701 (2006)", SC, None)]),
    ("resolution 1559 (2004) and resolution 1680 (2006)",
     [("S/RES/1559 (2004)", SC, None), ("S/RES/1680 (2006)", SC, None)]),
    ("its resolutions 1769 (2007), 1828 (2008), 1881 (2009), 1935 (2010) and 2003 (2011),",
     [("S/RES/1769 (2007)", SC, None), ("S/RES/1828 (2008)", SC, None), ("S/RES/1881 (2009)", SC, None),
      ("S/RES/1935 (2010)", SC, None), ("S/RES/2003 (2011)", SC, None)]),
    ("as extended by resolution 2040 (2012), for a period of 13 months", [("S/RES/2040 (2012)", SC, None)]),
    ("the Committee established pursuant to resolution 1718 (2006) (\u201cthe Committee\u201d)",
     [("S/RES/1718 (2006)", SC, None)]),
    ("resolution 82 (l 950)", [("S/RES/82 (1950)", SC, None)]),
    ("resolutions 1373 (2001), 2178 (2014), and 2462 (2019).",
     [("S/RES/1373 (2001)", SC, None), ("S/RES/2178 (2014)", SC, None), ("S/RES/2462 (2019)", SC, None)]),
    ("S/RES/2337 (2017)", [("S/RES/2337 (2017)", SC, None)]),
    ("(S/RES/2337)", [("S/RES/2337", SC, None)]),
    ("S/RES/1963(2010)", [("S/RES/1963 (2010)", SC, None)]),
    ("resolutions 1970 (2011) or 1973 (2011)", [("S/RES/1970 (2011)", SC, None), ("S/RES/1973 (2011)", SC, None)]),
]

# --- General Assembly resolutions ------------------------------------------------------------
GA_CASES = [
    ("General Assembly resolution 67/264", [("A/RES/67/264", GA, None)]),
    ("Recalling General Assembly resolutions 67/264 and 65/283,",
     [("A/RES/67/264", GA, None), ("A/RES/65/283", GA, None)]),
    ("In its resolution 60/1, the General Assembly", [("A/RES/60/1", GA, None)]),
    ("Recalling its resolution 70/1 of 25 September 2015, entitled",
     [("A/RES/70/1", GA, None)]),
    ("resolutions 47/19, 48/16, 49/9 and 50/10",
     [("A/RES/47/19", GA, None), ("A/RES/48/16", GA, None), ("A/RES/49/9", GA, None), ("A/RES/50/10", GA, None)]),
    ("resolutions 69/96 A and B", [("A/RES/69/96 A", GA, None), ("A/RES/69/96 B", GA, None)]),
    ("resolution 31/16 A", [("A/RES/31/16 A", GA, None)]),
    ("General Assembly resolution 3369 (XXX)", [("A/RES/3369 (XXX)", GA, None)]),
    ("resolution 1514 (XV) of 14 December 1960", [("A/RES/1514 (XV)", GA, None)]),
    ("resolution 2625 (XXV), annex", [("A/RES/2625 (XXV)", GA, "annex")]),
    ("resolutions 3419 A to D (XXX)",
     [("A/RES/3419 A (XXX)", GA, None), ("A/RES/3419 B (XXX)", GA, None), ("A/RES/3419 C (XXX)", GA, None),
      ("A/RES/3419 D (XXX)", GA, None)]),
    ("resolution 377 A (V) entitled \u201cUniting for peace\u201d", [("A/RES/377 A (V)", GA, None)]),
    ("resolution 2200 A (XXI), annex", [("A/RES/2200 A (XXI)", GA, "annex")]),
    ("resolution ES-10/19", [("A/RES/ES-10/19", GA, None)]),
    ("resolution S-26/2, annex", [("A/RES/S-26/2", GA, "annex")]),
    ("resolution 2252 (ES-V)", [("A/RES/2252 (ES-V)", GA, None)]),
    ("resolution 3362 (S-VII)", [("A/RES/3362 (S-VII)", GA, None)]),
    ("United Nations General Assembly resolution 75/200 (2020),", [("A/RES/75/200", GA, None)]),
    ("General Assembly resolution 42/37 C (1987) of 30 November 1987", [("A/RES/42/37 C", GA, None)]),
    ("A/RES/67/264", [("A/RES/67/264", GA, None)]),
    ("A/RES/60/1", [("A/RES/60/1", GA, None)]),
    ("Assembly resolution 58/291", [("A/RES/58/291", GA, None)]),
    ("resolutions 57/309 of 22 May 2003, 58/9 of 5 November 2003 and 58/289 of 14 April 2004",
     [("A/RES/57/309", GA, None), ("A/RES/58/9", GA, None), ("A/RES/58/289", GA, None)]),
    ("resolution 74/306 and 74/307 of 11 September 2020",
     [("A/RES/74/306", GA, None), ("A/RES/74/307", GA, None)]),
    ("Security Council resolutions 2286 (2016) and 2532 (2020) and General Assembly resolutions 74/270 and 74/274,",
     [("S/RES/2286 (2016)", SC, None), ("S/RES/2532 (2020)", SC, None), ("A/RES/74/270", GA, None),
      ("A/RES/74/274", GA, None)]),
    ("Resolution 49/57, annex.", [("A/RES/49/57", GA, "annex")]),
    ("Resolution 56/6, sect. B.", [("A/RES/56/6", GA, "sect. B")]),
    ("Resolution 69/283, annex II.", [("A/RES/69/283", GA, "annex II")]),
    ("General Assembly resolution 1991 A (XVIII)", [("A/RES/1991 A (XVIII)", GA, None)]),
    ("General Assembly resolution 2131 (1965)", [("A/RES/2131 (XX)", GA, None)]),
]

SC_CASES += [
    ("Recalling its resolutions 1674 (2006) and 1894 (2009) on the protection of civilians",
     [("S/RES/1674 (2006)", SC, None), ("S/RES/1894 (2009)", SC, None)]),
    ("Reaffirming its resolutions 1612 (2005), 1882 (2009), 1998 (2011) and 2068 (2012)",
     [("S/RES/1612 (2005)", SC, None), ("S/RES/1882 (2009)", SC, None), ("S/RES/1998 (2011)", SC, None),
      ("S/RES/2068 (2012)", SC, None)]),
    ("Recalling resolution 2171 (2014) on conflict prevention", [("S/RES/2171 (2014)", SC, None)]),
    ("in resolution 2033 (2012) the Council", [("S/RES/2033 (2012)", SC, None)]),
]
GA_CASES += [
    ("Recalling its resolutions 65/283 of 22 June 2011, 66/291 of 13 September 2012 and 68/303 of 31 July 2014",
     [("A/RES/65/283", GA, None), ("A/RES/66/291", GA, None), ("A/RES/68/303", GA, None)]),
    ("Reaffirming its resolution 70/262 of 27 April 2016 on the review of the peacebuilding architecture",
     [("A/RES/70/262", GA, None)]),
    ("General Assembly resolution 46/182 of 19 December 1991", [("A/RES/46/182", GA, None)]),
]

# --- other organs ---------------------------------------------------------------------------
OTHER_ORGANS = [
    ("Human Rights Council resolution 16/18", [("A/HRC/RES/16/18", DOC, None)]),
    ("Economic and Social Council resolution 1996/31", [("E/RES/1996/31", DOC, None)]),
    ("Commission on Human Rights resolution 2005/69", [("E/CN.4/RES/2005/69", DOC, None)]),
    ("Economic and Social Council resolution 1296 (XLIV)", [("E/RES/1296 (XLIV)", DOC, None)]),
    ("A/HRC/RES/16/18", [("A/HRC/RES/16/18", DOC, None)]),
    ("E/RES/2013/5", [("E/RES/2013/5", DOC, None)]),
]

# --- presidential statements, documents, meeting records -------------------------------------
DOC_CASES = [
    ("the statement by its President of 13 January 2005 (S/PRST/2005/1)", [("S/PRST/2005/1", PRST, None)]),
    ("Recalling its presidential statements S/PRST/2013/12 and S/PRST/2014/27",
     [("S/PRST/2013/12", PRST, None), ("S/PRST/2014/27", PRST, None)]),
    ("in particular resolutions 1625 (2005) and 1631 (2005) and PRST 2006/39.",
     [("S/RES/1625 (2005)", SC, None), ("S/RES/1631 (2005)", SC, None), ("S/PRST/2006/39", PRST, None)]),
    ("S/PRST/1997/29", [("S/PRST/1997/29", PRST, None)]),
    ("the report of the Secretary-General (S/2013/446)", [("S/2013/446", DOC, None)]),
    ("(see A/67/280-S/2012/614, paras. 106-116)", [("A/67/280-S/2012/614", DOC, "paras. 106-116")]),
    ("(A/60/633-S/2005/826, annex III)", [("A/60/633-S/2005/826", DOC, "annex III")]),
    ("on modalities to support African Union peacekeeping operations (A/63/666– S/2008/813).",
     [("A/63/666-S/2008/813", DOC, None)]),
    ("the report of the Secretary-General (A/67/742S/2013/95)", [("A/67/742-S/2013/95", DOC, None)]),
    ("the Brahimi report (A/55/305-S/2000/809)", [("A/55/305-S/2000/809", DOC, None)]),
    ("see A/59/565 and Corr.1", [("A/59/565", DOC, None)]),
    ("A/44/49/Corr.l", [("A/44/49/Corr.1", DOC, None)]),
    ("document A/4l/53", [("A/41/53", DOC, None)]),
    ("as contained in document A/67/663/ Add.1;", [("A/67/663/Add.1", DOC, None)]),
    ("draft resolution A/67/L.1", [("A/67/L.1", DOC, None)]),
    ("[without reference to a Main Committee (A/75/L.21 and A/75/L.21/Add.1)]",
     [("A/75/L.21", DOC, None), ("A/75/L.21/Add.1", DOC, None)]),
    ("(A/60/L.8 and Add.1)", [("A/60/L.8", DOC, None)]),
    ("A/60/L.8/Add.1-3", [("A/60/L.8/Add.1-3", DOC, None)]),
    ("(A/S-23/10/Rev.1)", [("A/S-23/10/Rev.1", DOC, None)]),
    ("International Women\u2019s Day) of 8 March 2000 (SC/6816),", [("SC/6816", DOC, None)]),
    ("its Press Statement (SC/12616)", [("SC/12616", DOC, None)]),
    ("press release GA/11334", [("GA/11334", DOC, None)]),
    ("SG/SM/14552", [("SG/SM/14552", DOC, None)]),
    ("Secretary-General\u2019s bulletin ST/SGB/2003/13", [("ST/SGB/2003/13", DOC, None)]),
    ("ST/AI/2010/3/Rev.1", [("ST/AI/2010/3/Rev.1", DOC, None)]),
    ("E/CN.4/1998/53/Add.2, annex", [("E/CN.4/1998/53/Add.2", DOC, "annex")]),
    ("A/C.1/67/L.5", [("A/C.1/67/L.5", DOC, None)]),
    ("A/HRC/22/17/Add.4, para. 5", [("A/HRC/22/17/Add.4", DOC, "para. 5")]),
    ("CEDAW/C/GC/30", [("CEDAW/C/GC/30", DOC, None)]),
    ("S/2018/2/Rev.2", [("S/2018/2/Rev.2", DOC, None)]),
    ("(S/1998/223 and S/1998/272)", [("S/1998/223", DOC, None), ("S/1998/272", DOC, None)]),
    ("Agreement (S/1994/397, annex II), signed in Moscow", [("S/1994/397", DOC, "annex II")]),
    ("(S/1997/259, annex II)", [("S/1997/259", DOC, "annex II")]),
    ("A/75/345-S/2020/898, sect. III.", [("A/75/345-S/2020/898", DOC, "sect. III")]),
    ("See A/75/345-S/2020/898, sect. II.", [("A/75/345-S/2020/898", DOC, "sect. II")]),
    ("A/47/277-S/24111.", [("A/47/277-S/24111", DOC, None)]),
    ("(A/50/60-S/1995/1, chap. IV)", [("A/50/60-S/1995/1", DOC, "chap. IV")]),
    ("S/2004/616, paras. 2 to 5", [("S/2004/616", DOC, "paras. 2-5")]),
    ("A/59/2005, para. 84", [("A/59/2005", DOC, "para. 84")]),
    ("(A/59/2005, paragraphs 213-215)", [("A/59/2005", DOC, "paras. 213-215")]),
    ("S/2000/809, sect. IV", [("S/2000/809", DOC, "sect. IV")]),
    ("A/66/311-S/2011/552, annex", [("A/66/311-S/2011/552", DOC, "annex")]),
    ("the verbatim record of the meeting (S/PV.7015)", [("S/PV.7015", PV, None)]),
    ("See S/PV.6905 and S/PV.6950.", [("S/PV.6905", PV, None), ("S/PV.6950", PV, None)]),
    ("(A/67/PV.3)", [("A/67/PV.3", PV, None)]),
    ("A /67/PV.48", [("A/67/PV.48", PV, None)]),
    ("A/C.5/67/SR.20", [("A/C.5/67/SR.20", PV, None)]),
    ("S/PV.4092 (Resumption 1)", [("S/PV.4092", PV, None)]),
    ("(see http://undocs.org/S/2013/1)", [("S/2013/1", DOC, None)]),
]

# --- Charter ---------------------------------------------------------------------------------
CHARTER_CASES = [
    ("under Article 41 of the Charter of the United Nations", [(f"{C}, Article 41", CH, None)]),
    ("Article 24 of the Charter", [(f"{C}, Article 24", CH, None)]),
    ("consistent with Article 54 of the United Nations Charter", [(f"{C}, Article 54", CH, None)]),
    ("Articles 52 and 53 of the UN Charter", [(f"{C}, Article 52", CH, None), (f"{C}, Article 53", CH, None)]),
    ("Articles 52 to 54 of the Charter",
     [(f"{C}, Article 52", CH, None), (f"{C}, Article 53", CH, None), (f"{C}, Article 54", CH, None)]),
    ("Articles 33, 52 and 53 of the Charter of the United Nations",
     [(f"{C}, Article 33", CH, None), (f"{C}, Article 52", CH, None), (f"{C}, Article 53", CH, None)]),
    ("In accordance with the Charter of the United Nations, the Council acts on their behalf (Art. 24).",
     [(f"{C}, Article 24", CH, None)]),
    ("Chapter VIII of the Charter also encourages cooperation (Arts. 52 and 53).",
     [(f"{C}, Chapter VIII", CH, None), (f"{C}, Article 52", CH, None), (f"{C}, Article 53", CH, None)]),
    ("Article 2, paragraph 4, of the Charter", [(f"{C}, Article 2", CH, "para. 4")]),
    ("Acting under Chapter VII of the Charter of the United Nations,", [(f"{C}, Chapter VII", CH, None)]),
    ("consistent with chapter VIII of the Charter of the United Nations", [(f"{C}, Chapter VIII", CH, None)]),
    ("Acting under Chapters VII and VIII of the Charter,",
     [(f"{C}, Chapter VII", CH, None), (f"{C}, Chapter VIII", CH, None)]),
    ("in conformity with the Charter of the United Nations, in particular\n\nChapter VI.",
     [(f"{C}, Chapter VI", CH, None)]),
    ("cooperation with regional organizations on Chapter VIII arrangements", [(f"{C}, Chapter VIII", CH, None)]),
    ("the Charter of the United Nations, as provided for in its Chapter VIII.", [(f"{C}, Chapter VIII", CH, None)]),
    ("Acting under Chapter VII,", [(f"{C}, Chapter VII", CH, None)]),
    ("the right of self-defence recognized in Article 51 of the Charter", [(f"{C}, Article 51", CH, None)]),
    ("requests under Article 19 of the Charter", [(f"{C}, Article 19", CH, None)]),
    ("under the provisions of Article 50 of the Charter", [(f"{C}, Article 50", CH, None)]),
    ("Article 99 of the Charter of the United Nations", [(f"{C}, Article 99", CH, None)]),
    ("the Charter of the United Nations", []),  # a bare mention of the Charter cites no provision
    ("ARTICLE 2 OF THE CHARTER", [(f"{C}, Article 2", CH, None)]),
]

# --- rules of procedure ----------------------------------------------------------------------
ROP_CASES = [
    ("under rule 39 of its provisional rules of procedure", [("S/96/Rev.7", ROP, "rule 39")]),
    ("In accordance with rule 37 of the Council\u2019s provisional rules of procedure,",
     [("S/96/Rev.7", ROP, "rule 37")]),
    ("in accordance with rule 28 of its provisional rules of procedure, a committee",
     [("S/96/Rev.7", ROP, "rule 28")]),
    ("rule 78 of the rules of procedure of the General Assembly", [("A/520/Rev.20", ROP, "rule 78")]),
]

# --- pinpoints printed before the citation -------------------------------------------------
PIN_BEFORE = [
    ("paragraph 5 of resolution 1701 (2006)", [("S/RES/1701 (2006)", SC, "para. 5")]),
    ("pursuant to paragraph 14 of resolution 1284 (1999)", [("S/RES/1284 (1999)", SC, "para. 14")]),
    ("paragraphs 5 and 6 of resolution 1132 (1997)", [("S/RES/1132 (1997)", SC, "paras. 5 and 6")]),
    ("paragraph 24 (d) of resolution 2213 (2015)", [("S/RES/2213 (2015)", SC, "para. 24 (d)")]),
    ("operative paragraph 2 of resolution 2118 (2013)", [("S/RES/2118 (2013)", SC, "para. 2")]),
    ("annex II of its resolution 2118 (2013)", [("S/RES/2118 (2013)", SC, "annex II")]),
    ("paragraph 13 of General Assembly resolution 67/264", [("A/RES/67/264", GA, "para. 13")]),
    ("(General Assembly resolution 67/264, para. 13)", [("A/RES/67/264", GA, "para. 13")]),
    ("section VII of document A/47/277-S/24111", [("A/47/277-S/24111", DOC, "sect. VII")]),
    ("paragraphs 13, 14 and 15 of resolution 988 (1995)", [("S/RES/988 (1995)", SC, "paras. 13, 14 and 15")]),
]

# --- things that are not citations -----------------------------------------------------------
NEGATIVE = [
    "At its 7015th meeting, on 28 October 2013, the Council considered the item.",
    "13-42009 (E) 291013",
    "*1342009*",
    "Corr.1",
    "page 2/4",
    "the Helsinki Final Act of 1975 and the Education Agreement (1996)",
    "Recalling its previous resolutions on cooperation between the United Nations and the League",
    "article 3 of the Charter of the League of Arab States",
    "Article 19 of the Universal Declaration of Human Rights",
    "article 29 of the Statute of the International Tribunal",
    "Chapter V of the Agreement, including the Commission for Truth",
    "(Statute, Article 22)",
    "OIC resolution 2/38-POL on Palestine",
    "the African Union Peace and Security Council resolution 12 (2004)",
    "Resolutions 18 September \u2013 24 December 2012",
    "resolution 1, annexes I and II",
    "Security Council resolutions 1850 and 1860",
    "decided in 2010 (2009 figures)",
    "the Charter of OIC, adopted in 2008 (Art. 3)",
    "chap. IV of the report",
    "Supplement No. 49 (A/42/49) of the report",  # a citation: see below; this line tests the masthead only
]


def _flatten(cases):
    return [pytest.param(text, expected, id=text[:60]) for text, expected in cases]


ALL_CASES = SC_CASES + GA_CASES + OTHER_ORGANS + DOC_CASES + CHARTER_CASES + ROP_CASES + PIN_BEFORE


@pytest.mark.parametrize(("text", "expected"), _flatten(ALL_CASES))
def test_citation_forms(text, expected):
    assert cites(text) == expected


def test_at_least_200_citation_strings():
    assert sum(len(exp) for _, exp in ALL_CASES) >= 200


@pytest.mark.parametrize("text", NEGATIVE[:-1])
def test_not_citations(text):
    assert cites(text) == []


def test_each_list_item_has_its_own_span():
    text = "resolutions 1267 (1999), 1333 (2000) and 1390 (2002)"
    got = [(c.raw, c.cited_symbol) for c in extract_citations(text)]
    assert got == [("resolutions 1267 (1999)", "S/RES/1267 (1999)"), ("1333 (2000)", "S/RES/1333 (2000)"),
                   ("1390 (2002)", "S/RES/1390 (2002)")]


def test_charter_articles_each_their_own_span():
    text = "Chapter VIII of the Charter encourages cooperation (Arts. 52 and 53)"
    got = [(c.raw, c.start, c.cited_symbol) for c in extract_citations(text)]
    assert got == [("Chapter VIII", 0, f"{C}, Chapter VIII"), ("Arts. 52", 52, f"{C}, Article 52"),
                   ("53", 65, f"{C}, Article 53")]


@pytest.mark.parametrize(("text", "symbol", "date"), [
    ("resolution 1325 (2000) of 31 October 2000", "S/RES/1325 (2000)", dt.date(2000, 10, 31)),
    ("its resolution 827 (1993) of 25 May 1993 and the Statute", "S/RES/827 (1993)", dt.date(1993, 5, 25)),
    ("resolution 48/11 of 25 October 1993, which", "A/RES/48/11", dt.date(1993, 10, 25)),
    ("the statement of its President of 27 May 1997 (S/PRST/1997/29)", "S/PRST/1997/29", dt.date(1997, 5, 27)),
    ("resolution 1325 (2000)", "S/RES/1325 (2000)", None),
])
def test_stated_date(text, symbol, date):
    got = [c for c in extract_citations(text) if c.cited_symbol == symbol]
    assert len(got) == 1 and got[0].stated_date == date


# --- ibid ------------------------------------------------------------------------------------

IBID_TEXT = (
    "The Secretary-General recognized the enhancement of cooperation (see A/67/280-S/2012/614, paras. 106-116). "
    "A matrix of activities was agreed (ibid., para. 106).\n\n"
    "They agreed on a programme (A/67/280-S/2012/614, para. 108). Cooperation followed under Security Council "
    "resolution 1963 (2010) (ibid., para. 109). The two organizations worked together "
    "(General Assembly resolution 67/264, para. 13) and share objectives (ibid., para. 4) and more (idem)."
)


def test_ibid_resolves_to_last_parenthetical_source():
    got = [(c.raw, c.cited_symbol, c.pinpoint) for c in extract_citations(IBID_TEXT) if c.via_ibid]
    assert got == [
        ("ibid.", "A/67/280-S/2012/614", "para. 106"),
        ("ibid.", "A/67/280-S/2012/614", "para. 109"),
        ("ibid.", "A/RES/67/264", "para. 4"),
        ("idem", "A/RES/67/264", None),
    ]


@pytest.mark.parametrize("text", [
    "The Charter of OIC stressed the determination of its member States (ibid.).",
    "As stated earlier, ibid. is not a source.",
    "Security Council resolution 1963 (2010) was adopted. (ibid., para. 3)",  # no parenthetical source before
])
def test_ibid_without_source_gives_nothing(text):
    assert [c for c in extract_citations(text) if c.via_ibid] == []


def test_footnote_ibid():
    text = ("Having considered the report of the Secretary-General, 1 Commending the work, 2\n\n"
            "A/60/181 and Corr.1.\nIbid., para. 32.\n\nInvites Member States to implement the recommendations of the "
            "World Report on Road Traffic Injury Prevention, including those related to the five main risk factors, "
            "namely, the non-use of safety belts and child restraints, the non-use of helmets, drinking and "
            "driving, inappropriate and excessive speed, and the lack of appropriate infrastructure, and encourages "
            "Member States to strengthen their own leadership in road safety.\n\n"
            "Ibid., para. 37 (i).\nUnited Nations, Treaty Series, vol. 125, No. 1671.\nIbid., vol. 1042, No. 15705.")
    got = [(c.cited_symbol, c.pinpoint) for c in extract_citations(text) if c.via_ibid]
    assert got == [("A/60/181", "para. 32"), ("A/60/181", "para. 37 (i)")]


def test_footnote_marker_pinpoint():
    text = ("Taking into consideration the report of the Secretary-General entitled \u201cAn Agenda for Peace\u201d, 1 "
            "and in particular section VII concerning cooperation with regional organizations, and the report "
            "entitled \u201cSupplement to an Agenda for Peace\u201d, 2\n\nA/47/277-S/24111.\nA/50/60-S/1995/1.")
    got = {c.cited_symbol: c.pinpoint for c in extract_citations(text)}
    assert got == {"A/47/277-S/24111": "sect. VII", "A/50/60-S/1995/1": None}


# --- masthead --------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("S/PRST/2017/2\n\nUnited Nations\n\nSecurity Council\n\nDistr.: General\n20 January 2017\n\n"
     "Recalls its statement (S/PRST/2016/19).", [("S/PRST/2016/19", PRST, None)]),
    ("S/RES/1325 (2000)\n\nSecurity Council\n\nResolution 1325 (2000)\nAdopted by the Security Council at its "
     "4213th meeting, on 31 October 2000\nRecalling its resolutions 1261 (1999),",
     [("S/RES/1261 (1999)", SC, None)]),
    ("A /67/PV.3\n\nGeneral Assembly\nSixty-seventh session\n3rd plenary meeting\n\nThe President: I refer to "
     "draft resolution A/67/L.1.", [("A/67/L.1", DOC, None)]),
    ("S/2018/25*\n\nSecurity Council\n\nDistr.: General\n\nLetter dated 9 January 2018 (see S/2017/586).",
     [("S/2017/586", DOC, None)]),
    ("GENERAL ASSEMBLY\nOFFICIAL RECORDS: FORTY-SECOND SESSION\nSUPPLEMENT No. 49 (A/42/49)\n\nUNITED NATIONS",
     []),
])
def test_masthead_symbol_is_not_a_citation(text, expected):
    assert cites(text) == expected


def test_offsets_and_order():
    text = "See S/2013/446 and resolution 1963 (2010); also Article 24 of the Charter (ibid., para. 2)."
    got = extract_citations(text)
    assert got == sorted(got, key=lambda c: (c.start, c.end, c.cited_symbol))
    for c in got:
        assert text[c.start:c.end] == c.raw


@pytest.mark.parametrize(("text", "expected"), [
    # a list taken up again after a clause, and "resolutions including ..."
    ("Recalling its resolutions 1325 (2000) and 1888 (2009), and recalling also 2419 (2018),",
     {"S/RES/1325 (2000)", "S/RES/1888 (2009)", "S/RES/2419 (2018)"}),
    ("Recalling its relevant resolutions, including 2250 (2015) and 2419 (2018),",
     {"S/RES/2250 (2015)", "S/RES/2419 (2018)"}),
    # presidential statements by year and number
    ("its presidential statement 2012/5 and its presidential statements 2013/4 and 2014/1,",
     {"S/PRST/2012/5", "S/PRST/2013/4", "S/PRST/2014/1"}),
])
def test_lists_continued_and_statements_by_number(text, expected):
    assert {c.cited_symbol for c in extract_citations(text)} == expected


def test_a_clause_that_is_no_list_is_not_resumed():
    assert {c.cited_symbol for c in extract_citations("resolution 1325 (2000), counting 5 (2010) persons")} \
        == {"S/RES/1325 (2000)"}


@pytest.mark.parametrize(("text", "symbol", "pinpoint"), [
    ("the Committee, in paragraph 7 of its report contained in document A/67/666/Add.1, recommends",
     "A/67/666/Add.1", "para. 7"),
    ("as noted in paragraph 12 of the report of the Secretary-General (S/2013/163), the", "S/2013/163", "para. 12"),
    ("the outcome document (A/CONF.192/15), annex II, and", "A/CONF.192/15", "annex II"),
    ("in accordance with paragraph 3 of Article 2 of the Charter", "Charter of the United Nations, Article 2", "para. 3"),
])
def test_pinpoints_before_and_after(text, symbol, pinpoint):
    assert (symbol, pinpoint) in {(c.cited_symbol, c.pinpoint) for c in extract_citations(text)}
