"""Akoma Ntoso (AKN4UN) XML: the document's readable text, what its markup states about it,
and the citations its markup links.

The UN publishes Security Council and General Assembly resolutions and presidential
statements in the AKN4UN profile of Akoma Ntoso: FRBR metadata in `<meta>` (symbol, dates,
language, author), the text in its structure (`<coverPage>`, `<preface>`, `<preamble>`,
`<mainBody>`, `<conclusions>`, `<attachments>`) and references to other documents as
`<a href="https://undocs.org/en/S/RES/2250(2015)">2250 (2015)</a>`.

`read_akn` turns the bytes into an `AknDocument`: the text in reading order (one block a
paragraph, blocks separated by a blank line, a paragraph's number on its paragraph's line,
footnotes after the body), the metadata the markup states, and each link with the offsets of
its text in that text. The text is built here, already normalized (spaces collapsed, NFC,
invisible characters dropped), so the offsets need no second mapping.

Parsing is hardened: lxml with entity resolution, DTD loading and network access off, no
huge-tree mode (libxml2's limits on depth and size stay on), comments and processing
instructions dropped. It recovers from the broken nesting found in real files (a stray
`</docTitle>` in the Council's 2006-2009 statements) rather than losing the document: the
recovered tree keeps every text node. The tree is walked without recursion (`iterwalk`).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import parse_qs, unquote, urlsplit

from flows.core.formats.errors import ConversionError, guarded
from flows.core.lookups import load_lookup

__all__ = ["AknDocument", "AknLink", "looks_akn", "looks_xml", "read_akn", "link_symbol"]

# <akomaNtoso ...> (any namespace prefix) as the root element, after the XML declaration,
# comments and a doctype
_AKN_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?akomaNtoso[\s/>]")
_XML_START = re.compile(rb"^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*(?:<!DOCTYPE[^>]*>\s*)?(?:<!--.*?-->\s*)*<"
                        rb"(?P<root>[A-Za-z_][\w.\-:]*)", re.S)
_BOMS = (b"\xef\xbb\xbf",)

# elements whose content is not read as text
_SKIP = frozenset({"meta", "img", "authorialNote", "noteRef", "eol", "eop", "componentRef", "documentRef"})
# elements that start a block (a line of the text) and end it
_BLOCKS = frozenset({
    "p", "heading", "subheading", "crossHeading", "docTitle", "docProponent", "tblock", "li", "tr", "th", "td",
    "caption", "blockContainer", "listIntroduction", "listWrapUp", "intro", "wrapUp", "formula", "longTitle",
    "signature", "item", "title", "toc", "tocItem", "block", "subFlow", "num-block", "quotedText-block",
    "container", "paragraph", "point", "alinea", "list", "blockList", "section", "article", "chapter", "part",
    "clause", "subparagraph", "level", "hcontainer", "content", "coverPage", "preface", "preamble", "mainBody",
    "body", "conclusions", "attachment", "attachments", "doc", "component", "components", "table", "recitals",
    "recital", "citations", "citation", "division", "subdivision", "rule", "subrule", "transitional",
})
_NUM = "num"
_NOT_TITLES = frozenset({"adoption", "adoptionDate"})  # <docTitle>s that state the adoption, not a title
_SPACE_RUN = re.compile(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class AknLink:
    """A link in the text: `text[start:end]` is the link's text, `href` its target."""

    start: int
    end: int
    href: str


@dataclass(frozen=True, slots=True)
class AknDocument:
    """What an AKN document's markup states, beside its readable text."""

    text: str
    symbol: str | None  # canonical (flows.core.symbols), from <docNumber>, else from the FRBR URI
    doc_type: str | None  # vocabulary doc_type (schemas/lookups/akn.yaml)
    body: str | None  # "Security Council"
    title: str | None  # the printed title(s) of the cover page, in this language
    date: dt.date | None  # date of issuance (<docDate refersTo="#dateOfIssuance">), else publication
    adopted_on: dt.date | None  # <docDate refersTo="#adoptionDate">, else FRBRdate name="adoption"
    language: str | None  # ISO 639-1 (from FRBRlanguage, an ISO 639-2 code)
    links: tuple[AknLink, ...] = field(default_factory=tuple)
    akn_name: str = ""  # the document element and its name attribute: "statement/resolution"


def _head(data: bytes) -> bytes:
    head = data[:4096]
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom):]
    return head


def looks_xml(data: bytes) -> str | None:
    """The root element's name when `data` starts like an XML document (UTF-8 or ASCII), else None."""
    m = _XML_START.match(_head(data))
    if not m or not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"<?xml", b"<")):
        return None
    return m.group("root").decode("ascii", "replace")


def looks_akn(data: bytes) -> bool:
    """True when the root element of `data` is <akomaNtoso> (any namespace prefix)."""
    root = looks_xml(data)
    return root is not None and root.rsplit(":", 1)[-1] == "akomaNtoso" and bool(_AKN_ROOT.search(_head(data)))


@cache
def _cfg() -> dict:
    return load_lookup("akn")


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""  # comments, processing instructions, entities
    return tag.rpartition("}")[2]


def _parse(data: bytes):
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, recover=True, remove_comments=True, remove_pis=True,
                             remove_blank_text=False)
    root = etree.fromstring(data, parser=parser)
    if root is None:
        raise ConversionError("corrupt", "not well-formed XML, and nothing could be recovered from it")
    return root


class _TextBuilder:
    """Builds the text block by block, collapsing spaces, and records where each link lies."""

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.pos = 0  # length of the text so far ("\n\n".join(blocks))
        self.line: list[str] = []
        self.line_len = 0
        self.space = False  # a space is pending before the next word
        self.links: list[tuple[int, int, str]] = []  # absolute start, end, href
        self.open_links: list[tuple[int, str]] = []  # (absolute start, href)

    def _line_start(self) -> int:
        return self.pos + (2 if self.blocks else 0)

    def add(self, s: str | None) -> None:
        if not s:
            return
        s = _INVISIBLE.sub("", s)
        if not s:
            return
        lead = s[0].isspace() or s[0] == "\u00a0"
        words = _SPACE_RUN.sub(" ", s).strip(" ")
        if not words:
            self.space = self.space or bool(self.line)
            return
        if (lead or self.space) and self.line:
            self.line.append(" ")
            self.line_len += 1
        self.line.append(words)
        self.line_len += len(words)
        self.space = _SPACE_RUN.fullmatch(s[-1]) is not None

    def mark(self) -> int:
        """The absolute offset where the next word will start."""
        extra = 1 if (self.space and self.line) else 0
        return self._line_start() + self.line_len + extra

    def end_block(self) -> None:
        if not self.line:
            self.space = False
            return
        text = unicodedata.normalize("NFC", "".join(self.line))
        start = self._line_start()
        if len(text) != self.line_len:  # NFC changed lengths: keep offsets exact by not composing
            text = "".join(self.line)
        self.blocks.append(text)
        self.pos = start + len(text)
        self.line, self.line_len, self.space = [], 0, False

    def open_link(self, href: str) -> None:
        self.open_links.append((self.mark(), href))

    def end_mark(self) -> int:
        """The absolute offset just after the last word added."""
        return self._line_start() + self.line_len

    def close_link(self) -> None:
        start, href = self.open_links.pop()
        end = self.end_mark()
        if end > start:
            self.links.append((start, end, href))

    def text(self) -> str:
        self.end_block()
        return "\n\n".join(self.blocks)


def _walk_text(root) -> tuple[str, list[AknLink], list[str]]:
    """The readable text of the document element (body parts in order, footnotes after), its
    links, and the titles printed on the cover page (<docTitle>)."""
    builder = _TextBuilder()
    notes: list = []
    title_spans: list[tuple[int, int]] = []
    _walk_into(builder, root, notes, title_spans)
    done = 0
    while done < len(notes):  # footnotes after the body (a note's own notes after it)
        builder.end_block()
        note = notes[done]
        done += 1
        if note.get("marker"):
            builder.add(note.get("marker"))
            builder.space = True
        _walk_into(builder, note, notes, title_spans, inside_note=True)
        builder.end_block()
    text = builder.text()
    links = [AknLink(s, e, h) for s, e, h in builder.links]
    titles = [text[s:e].strip() for s, e in title_spans if e > s]
    return text, _trim_links(text, links), titles


def _walk_into(builder: _TextBuilder, root, notes: list, title_spans: list[tuple[int, int]],
               inside_note: bool = False) -> None:
    """Add the text of `root`'s subtree to `builder`, without recursion; footnotes
    (<authorialNote>) are set aside in `notes` (their place in the text keeps no marker: a
    marker glued to a symbol would change the symbol)."""
    from lxml import etree

    title_start: int | None = None
    skipping: object | None = None
    for event, el in etree.iterwalk(root, events=("start", "end")):
        if inside_note and el is root:
            continue  # the note element itself: its content only
        name = _local(el.tag)
        if skipping is not None:  # inside a skipped element: only its tail is read, at its end
            if event == "end" and el is skipping:
                skipping = None
                builder.add(el.tail)
            continue
        is_link = name == "a" or (name == "ref" and bool(el.get("href")))
        if event == "start":
            if not name:
                continue
            if name in _SKIP:
                if name == "authorialNote":
                    notes.append(el)
                skipping = el
                continue
            if name in _BLOCKS and not _only_number(builder):
                builder.end_block()
            if name == "docTitle" and (el.get("refersTo") or "").lstrip("#") not in _NOT_TITLES:
                title_start = builder.mark()
            if is_link:
                builder.open_link(el.get("href") or "")
            builder.add(el.text)
            if name == _NUM:
                builder.space = True
        else:
            if is_link:
                builder.close_link()
            if name == "docTitle" and title_start is not None:
                title_spans.append((title_start, builder.end_mark()))
                title_start = None
            if name in _BLOCKS:
                builder.end_block()
            builder.add(el.tail)


def _only_number(builder: _TextBuilder) -> bool:
    """True when the line so far is only a paragraph number ("1.", "(a)"): the paragraph's
    text continues on its line."""
    if not builder.line:
        return False
    line = "".join(builder.line).strip()
    return len(line) <= 8 and bool(re.fullmatch(r"\(?[0-9ivxlcdmA-Za-z]{1,5}[.)]?", line))


def _trim_links(text: str, links: list[AknLink]) -> list[AknLink]:
    out = []
    for link in links:
        s, e = link.start, link.end
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append(AknLink(s, e, link.href))
    return out


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        d = dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None
    return d if d.year >= 1945 else None  # "0001-01-01" stands for no date in AKN4UN files


def _language(code: str | None) -> str | None:
    if not code:
        return None
    code = code.strip().lower()
    if len(code) == 2 and code.isalpha():
        return code
    import pycountry

    lang = pycountry.languages.get(alpha_3=code) or pycountry.languages.get(bibliographic=code)
    return getattr(lang, "alpha_2", None) if lang is not None else None


def _first(root, local: str, **attrs: str):
    for el in root.iter():
        if _local(el.tag) == local and all(el.get(k) == v for k, v in attrs.items()):
            return el
    return None


def _frbr_symbol(meta, doc_type: str | None) -> str | None:
    """The symbol of a resolution from its FRBR work URI (/akn/un/.../unsc/<date>/2561-2021/),
    for the few files whose <docNumber> is empty."""
    from flows.core.symbols import canonical_symbol

    work = _first(meta, "FRBRWork")
    this = _first(work, "FRBRthis") if work is not None else None
    value = this.get("value") if this is not None else None
    if not value or doc_type != "resolution":
        return None
    m = re.search(r"/(?P<body>unsc|unga)/[^/]+/(?P<num>\d{1,5})-(?P<year>\d{4})/", value)
    if not m:
        return None
    if m.group("body") == "unsc":
        return canonical_symbol(f"S/RES/{m.group('num')} ({m.group('year')})")
    return None


def _body(meta) -> str | None:
    work = _first(meta, "FRBRWork")
    author = None
    if work is not None:
        for el in work.iter():
            if _local(el.tag) == "FRBRauthor":
                author = (el.get("href") or "").lstrip("#")
                break
    if not author:
        return None
    known = _cfg()["authors"].get(author)
    if known:
        return known
    org = _first(meta, "TLCOrganization", eId=author)
    return (org.get("showAs") or "").strip() or None if org is not None else None


def _cover_docs(root, local: str, refers: tuple[str, ...]):
    for el in root.iter():
        if _local(el.tag) == local and (el.get("refersTo") or "").lstrip("#") in refers:
            yield el


def read_akn(data: bytes) -> AknDocument:
    """Parse AKN XML bytes; raises ConversionError (corrupt, empty, unsupported_format) only."""
    return guarded("Akoma Ntoso XML", lambda: _read(data))


def _read(data: bytes) -> AknDocument:
    from flows.core.symbols import canonical_symbol

    root = _parse(data)
    if _local(root.tag) != "akomaNtoso":
        raise ConversionError("unsupported_format", f"XML whose root is <{_local(root.tag)}>, not <akomaNtoso>")
    doc = next((c for c in root if _local(c.tag)), None)
    if doc is None:
        raise ConversionError("empty", "an <akomaNtoso> element with no document in it")
    doc_name = _local(doc.tag)
    kind = doc.get("name") or ""
    types = _cfg()["doc_types"]
    doc_type = types.get(kind) or types.get(doc_name) or ("other" if kind or doc_name else None)
    meta = next((c for c in doc if _local(c.tag) == "meta"), None)

    symbol = None
    number = _first(doc, "docNumber")
    if number is not None:
        symbol = canonical_symbol(" ".join("".join(number.itertext()).split()))
    if symbol is None and meta is not None:
        symbol = _frbr_symbol(meta, doc_type)
    if symbol is None and doc_type == "resolution" and meta is not None and _body(meta) == "Security Council":
        for el in _cover_docs(doc, "docTitle", ("resolutionNumber",)):  # "Resolución 2777 (2025)"
            m = re.search(r"(\d{1,5})\s*\(\s*(\d{4})\s*\)", "".join(el.itertext()))
            if m:
                symbol = canonical_symbol(f"S/RES/{m.group(1)} ({m.group(2)})")
                break

    issued = adopted = None
    for el in _cover_docs(doc, "docDate", ("dateOfIssuance",)):
        issued = issued or _date(el.get("date"))
    for el in _cover_docs(doc, "docDate", ("adoptionDate", "dateOfAdoption")):
        adopted = adopted or _date(el.get("date"))
    language = body = None
    if meta is not None:
        if adopted is None:
            frbr = _first(meta, "FRBRdate", name="adoption")
            adopted = _date(frbr.get("date")) if frbr is not None else None
        if issued is None:
            expression = _first(meta, "FRBRExpression")
            pub = _first(expression, "FRBRdate") if expression is not None else None
            issued = _date(pub.get("date")) if pub is not None else None
        lang_el = _first(meta, "FRBRlanguage")
        language = _language(lang_el.get("language")) if lang_el is not None else None
        body = _body(meta)

    text, links, titles = _walk_text(doc)
    if not text.strip():
        raise ConversionError("empty", "an Akoma Ntoso document with no text")
    title = "; ".join(t for t in titles if t) or None
    return AknDocument(text=text, symbol=symbol, doc_type=doc_type, body=body, title=title,
                       date=issued or adopted, adopted_on=adopted if doc_type == "resolution" else None,
                       language=language, links=tuple(links), akn_name=f"{doc_name}/{kind}".rstrip("/"))


# --- link targets ----------------------------------------------------------------------------


def link_symbol(href: str) -> str | None:
    """The canonical UN symbol a link points at (https://undocs.org/en/S/RES/2250(2015) ->
    "S/RES/2250 (2015)"), or None when the target names no symbol."""
    from flows.core.symbols import canonical_symbol

    if not href:
        return None
    try:
        parts = urlsplit(href.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if host not in _cfg()["symbol_hosts"]:
        return None
    query = parse_qs(parts.query)
    for key in ("s", "symbol", "DS", "ds"):
        if query.get(key):
            return canonical_symbol(unquote(query[key][0]))
    segments = [s for s in unquote(parts.path).split("/") if s.strip()]
    skip = {p.lower() for p in _cfg()["path_prefixes"]}
    while segments and segments[0].lower() in skip and not _is_symbol_head(segments):
        segments.pop(0)
    if not segments:
        return None
    segments[0] = segments[0].upper() if len(segments[0]) <= 2 else segments[0]  # "s/RES/2024(2011)"
    return canonical_symbol("/".join(segments))


def _is_symbol_head(segments: list[str]) -> bool:
    """True when the path's first element is the first element of a symbol (A/..., S/...)
    rather than a language code or route name: only upper-case elements start symbols."""
    return segments[0].isupper() and len(segments) > 1
