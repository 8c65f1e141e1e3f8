"""UN document symbols: cleaning into canonical form, kinds and resolution facts."""

from __future__ import annotations

import pytest

from flows.core.symbols import (
    ResolutionInfo,
    canonical_symbol,
    format_symbol,
    int_to_roman,
    parse_symbol,
    resolution_info,
    roman_to_int,
    symbol_kind,
)

CANONICAL = [
    # printed -> canonical
    ("S/RES/1963 (2010)", "S/RES/1963 (2010)"),
    ("S/RES/1963(2010)", "S/RES/1963 (2010)"),
    ("S/RES/1963 ( 2010 )", "S/RES/1963 (2010)"),
    ("S/RES/794 ( 1992)", "S/RES/794 (1992)"),
    ("S/RES/82 (l 950)", "S/RES/82 (1950)"),
    ("A/RES/67/264", "A/RES/67/264"),
    ("A / RES / 67 / 264", "A/RES/67/264"),
    ("A/RES/3369 (XXX)", "A/RES/3369 (XXX)"),
    ("A/RES/3369(XXX)", "A/RES/3369 (XXX)"),
    ("A/RES/69/96 A", "A/RES/69/96 A"),
    ("A/RES/ES-10/19", "A/RES/ES-10/19"),
    ("A/RES/S-26/2", "A/RES/S-26/2"),
    ("A/RES/2252 (ES-V)", "A/RES/2252 (ES-V)"),
    ("A/67/280-S/2012/614", "A/67/280-S/2012/614"),
    ("A/63/666– S/2008/813", "A/63/666-S/2008/813"),
    ("A/63/666 — S/2008/813", "A/63/666-S/2008/813"),
    ("A/67/742S/2013/95", "A/67/742-S/2013/95"),
    ("A/47/277-S/24111", "A/47/277-S/24111"),
    ("A /67/PV.3", "A/67/PV.3"),
    ("S/PV.7015", "S/PV.7015"),
    ("S/PV.7015 ", "S/PV.7015"),
    ("A/44/49/Corr.l", "A/44/49/Corr.1"),
    ("A/37/51/Add.l", "A/37/51/Add.1"),
    ("A/4l/53", "A/41/53"),
    ("S/2013/184*", "S/2013/184"),
    ("[S/PRST/2013/12](#)", "S/PRST/2013/12"),
    ("S/PRST/2013/12.", "S/PRST/2013/12"),
    ("A/S-23/10/Rev.1", "A/S-23/10/Rev.1"),
    ("SC/6816", "SC/6816"),
    ("GA/11334", "GA/11334"),
    ("SG/SM/14552", "SG/SM/14552"),
    ("S/96/Rev.7", "S/96/Rev.7"),
    ("E/CN.4/2005/L.10/Add.1", "E/CN.4/2005/L.10/Add.1"),
    ("E/CN.4/Sub.2/2005/1", "E/CN.4/Sub.2/2005/1"),
    ("ST/SGB/2009/4", "ST/SGB/2009/4"),
    ("ST/AI/2010/3/Rev.1", "ST/AI/2010/3/Rev.1"),
    ("A/C.1/67/L.5", "A/C.1/67/L.5"),
    ("A/C.5/67/SR.20", "A/C.5/67/SR.20"),
    ("A/HRC/RES/16/18", "A/HRC/RES/16/18"),
    ("A/HRC/22/17/Add.4", "A/HRC/22/17/Add.4"),
    ("A/67/663/ Add.1", "A/67/663/Add.1"),
    ("S /8053 / Add.3", "S/8053/Add.3"),
    ("A/60/L.8/Add.1-3", "A/60/L.8/Add.1-3"),
    ("A/75/L.21/Add.1", "A/75/L.21/Add.1"),
    ("E/2013/50/Rev.1", "E/2013/50/Rev.1"),
    ("CEDAW/C/GC/30", "CEDAW/C/GC/30"),
    ("S/2018/2/Rev.2", "S/2018/2/Rev.2"),
    ("S/2013/5 (2013)", "S/2013/5"),  # a year after a non-resolution symbol is not part of it
]

NOT_SYMBOLS = ["Corr.1", "S/2", "A/1", "13-42009 (E)", "*1342009*", "AU/PSC/PR", "S/he", "and/or", "", "   ",
               "2/4", "A/", "/67/280", "UN/AU", "Add.1"]


@pytest.mark.parametrize(("printed", "canonical"), CANONICAL)
def test_canonical_symbol(printed, canonical):
    assert canonical_symbol(printed) == canonical


@pytest.mark.parametrize("printed", NOT_SYMBOLS)
def test_not_symbols(printed):
    assert canonical_symbol(printed) is None


@pytest.mark.parametrize(("printed", "canonical"), CANONICAL)
def test_canonical_is_a_fixed_point(printed, canonical):
    assert canonical_symbol(canonical) == canonical
    assert format_symbol(parse_symbol(canonical)) == canonical


@pytest.mark.parametrize("printed", ["S/RES/1963(2010)", "A /67/PV.3", "A/4l/53", "S/2013/184*"])
def test_parse_rejects_non_canonical(printed):
    assert parse_symbol(printed) is None


KINDS = [
    ("S/RES/1963 (2010)", "sc_resolution"),
    ("S/RES/2337", "sc_resolution"),
    ("A/RES/67/264", "ga_resolution"),
    ("A/RES/3369 (XXX)", "ga_resolution"),
    ("A/RES/ES-10/19", "ga_resolution"),
    ("S/PRST/2013/12", "prst"),
    ("S/PV.7015", "meeting_record"),
    ("A/67/PV.3", "meeting_record"),
    ("A/C.5/67/SR.20", "meeting_record"),
    ("S/2013/446", "document"),
    ("A/67/280-S/2012/614", "document"),
    ("SC/6816", "document"),
    ("S/96/Rev.7", "rules_of_procedure"),
    ("Charter of the United Nations, Article 24", "charter"),
    ("Charter of the United Nations", "charter"),
    ("www.un.org/en/sc", "url"),
    ("Geneva Communiqué", "other"),
]


@pytest.mark.parametrize(("symbol", "kind"), KINDS)
def test_symbol_kind(symbol, kind):
    assert symbol_kind(symbol) == kind


INFOS = [
    ("S/RES/1963 (2010)", ResolutionInfo("Security Council", 1963, None, 2010)),
    ("S/RES/84 (1950)", ResolutionInfo("Security Council", 84, None, 1950)),
    ("S/RES/2337", ResolutionInfo("Security Council", 2337, None, None)),
    ("A/RES/67/264", ResolutionInfo("General Assembly", 264, 67, None)),
    ("A/RES/3369 (XXX)", ResolutionInfo("General Assembly", 3369, 30, None)),
    ("A/RES/1514 (XV)", ResolutionInfo("General Assembly", 1514, 15, None)),
    ("A/RES/69/96 A", ResolutionInfo("General Assembly", 96, 69, None)),
    ("A/RES/ES-10/19", ResolutionInfo("General Assembly", 19, None, None)),
    ("S/2013/446", None),
    ("S/PRST/2013/12", None),
    ("A/67/280-S/2012/614", None),
    ("not a symbol", None),
]


@pytest.mark.parametrize(("symbol", "info"), INFOS)
def test_resolution_info(symbol, info):
    assert resolution_info(symbol) == info


@pytest.mark.parametrize(("roman", "value"), [("I", 1), ("IV", 4), ("XV", 15), ("XXX", 30), ("XLIV", 44), ("XC", 90)])
def test_roman(roman, value):
    assert roman_to_int(roman) == value
    assert int_to_roman(value) == roman


@pytest.mark.parametrize("bad", ["", "IIII", "VX", "ABC", "xv"])
def test_not_roman(bad):
    assert roman_to_int(bad) is None


@pytest.mark.parametrize("printed", ["A/67/49 (Vol. I)", "A/67/49(Vol.I)", "A / 67 / 49 ( vol. i )"])
def test_a_volume_is_part_of_the_symbol_in_one_grammar(printed):
    from flows.core.metadata import canonical_symbol as masthead_symbol

    assert canonical_symbol(printed) == masthead_symbol(printed) == "A/67/49 (Vol. I)"
    assert format_symbol(parse_symbol("A/67/49 (Vol. I)")) == "A/67/49 (Vol. I)"
    assert canonical_symbol("A/67/49 (Vol. II)") != canonical_symbol("A/67/49 (Vol. I)") != "A/67/49"
