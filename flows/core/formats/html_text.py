"""HTML (press.un.org-style pages) to text: the content, not the navigation around it.

The page is parsed with the standard library's `html.parser`, which is a flat, non-recursive
tokenizer: a page of 100,000 nested <div>s or with tags that never close cannot exhaust the
stack, and every walk below uses an explicit stack too. Scripts, styles, navigation, forms,
asides, hidden elements and the site's header and footer are never built into the tree. The
content root is <main> (or role="main"), else the largest <article>, else the element whose
paragraphs hold most of the page's paragraph text. Block elements end paragraphs; <br> ends a
line; character references are decoded by the parser.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser

from flows.core.formats.errors import ConversionError, guarded
from flows.core.ingest import _looks_binary, decode

_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param",
                   "source", "track", "wbr"})
_DROPPED = frozenset({"script", "style", "nav", "aside", "form", "noscript", "template", "svg", "math", "iframe",
                      "button", "select", "textarea", "object", "canvas", "head", "dialog", "menu"})
_PAGE_CHROME = frozenset({"header", "footer"})  # the site's, unless inside <main> or <article>
_LANDMARKS = frozenset({"main", "article"})
_DROPPED_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar",
                            "dialog", "alert"})
_BLOCKS = frozenset({
    "address", "article", "blockquote", "body", "caption", "center", "dd", "details", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "html",
    "li", "main", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
_CLOSES_P = _BLOCKS - {"body", "html", "td", "th", "tr", "li", "dd", "dt", "caption"}
_SIBLING_CLOSES = {"li": {"li"}, "dt": {"dt", "dd"}, "dd": {"dt", "dd"}, "td": {"td", "th"}, "th": {"td", "th"},
                   "tr": {"td", "th", "tr"}, "option": {"option"}}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_SPACE = re.compile(r"[ \t\n\r\f]+")
_RUN_OF_SPACES = re.compile(r"[ \t\r\f]+")
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]{1,40})""", re.I)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.:\-]{1,40})""", re.I)
_LATIN1_LABELS = {"latin1", "latin-1", "iso-8859-1", "iso8859-1", "ascii", "us-ascii", "l1"}


class _Node:
    __slots__ = ("tag", "attrs", "children", "parent", "text_chars", "p_chars", "p_direct")

    def __init__(self, tag: str, attrs: dict[str, str], parent: _Node | None) -> None:
        self.tag = tag
        self.attrs = attrs
        self.children: list[_Node | str] = []
        self.parent = parent
        self.text_chars = 0  # non-space characters of text in the subtree
        self.p_chars = 0  # of them, inside <p> elements
        self.p_direct = 0  # of them, inside <p> children of this node


class _TreeBuilder(HTMLParser):
    """Builds the content tree from parser events, leaving out what is never content."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#document", {}, None)
        self.nodes: list[_Node] = [self.root]
        self._stack: list[_Node] = [self.root]
        self._open: Counter[str] = Counter()
        self._skipping: str | None = None
        self._skip_depth = 0
        self._closing = False
        self._unparsed_tail = False

    def close(self) -> None:
        self._closing = True  # what is left unparsed now is an unclosed comment or tag: not text
        super().close()

    def _dropped(self, tag: str, attrs: dict[str, str]) -> bool:
        if tag in _DROPPED or attrs.get("role", "").strip().lower() in _DROPPED_ROLES:
            return True
        if tag in _PAGE_CHROME and not any(self._open[t] for t in _LANDMARKS):
            return True
        return ("hidden" in attrs or attrs.get("aria-hidden", "").lower() == "true"
                or bool(_HIDDEN_STYLE.search(attrs.get("style", ""))))

    def _pop(self) -> None:
        node = self._stack.pop()
        self._open[node.tag] -= 1

    def _close_implied(self, tag: str) -> None:
        top = self._stack[-1].tag
        if top == "p" and tag in _CLOSES_P:
            self._pop()
        elif top in _SIBLING_CLOSES.get(tag, ()):
            self._pop()
            if tag == "tr" and self._stack[-1].tag == "tr":
                self._pop()

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        if self._skipping is not None:
            if tag == self._skipping and tag not in _VOID:
                self._skip_depth += 1
            return
        attrs = {k.lower(): (v or "") for k, v in attr_list}
        if self._dropped(tag, attrs):
            if tag not in _VOID:
                self._skipping, self._skip_depth = tag, 1
            return
        self._close_implied(tag)
        node = _Node(tag, attrs, self._stack[-1])
        self._stack[-1].children.append(node)
        self.nodes.append(node)
        if tag not in _VOID:
            self._stack.append(node)
            self._open[tag] += 1

    def handle_endtag(self, tag: str) -> None:
        if self._skipping is not None:
            if tag == self._skipping:
                self._skip_depth -= 1
            if self._skip_depth == 0 or tag in ("body", "html"):  # an unclosed <nav> ends with the page
                self._skipping = None
            return
        if tag == "br":  # "</br>" is read as a line break, as browsers do
            self.handle_starttag("br", [])
            return
        if not self._open[tag]:
            return  # a stray end tag
        while self._stack[-1].tag != tag:
            self._pop()
        self._pop()

    def handle_data(self, data: str) -> None:
        if self._closing and (data.startswith("<") or self._unparsed_tail):
            self._unparsed_tail = True  # an unclosed comment or tag runs to the end of the page
            return
        if self._skipping is None and data:
            self._stack[-1].children.append(data)


def _measure(nodes: list[_Node]) -> None:
    """Text and paragraph-text sizes of every subtree (children come after parents in `nodes`)."""
    for node in reversed(nodes):
        own = sum(len(c) - len(_SPACE.findall(c)) for c in node.children if isinstance(c, str))
        node.text_chars += own
        if node.tag == "p":
            node.p_chars += node.text_chars
        if node.parent is not None:
            node.parent.text_chars += node.text_chars
            node.parent.p_chars += node.p_chars
            if node.tag == "p":
                node.parent.p_direct += node.text_chars


def _content_root(root: _Node, nodes: list[_Node]) -> _Node:
    mains = [n for n in nodes if (n.tag == "main" or n.attrs.get("role") == "main") and n.text_chars]
    if mains:
        return max(mains, key=lambda n: n.text_chars)
    articles = [n for n in nodes if n.tag == "article" and n.text_chars]
    if articles:
        return max(articles, key=lambda n: n.text_chars)
    best = max(nodes, key=lambda n: n.p_direct)
    if best.p_direct == 0:
        return next((n for n in nodes if n.tag == "body"), root)
    while best.parent is not None and best.p_chars < 0.6 * root.p_chars:
        best = best.parent  # paragraphs spread over sibling blocks: take their common container
    return best


def _events(node: _Node) -> Iterator[tuple[str, _Node | str]]:
    """("open", node), ("text", str), ("close", node) in document order, without recursion."""
    stack: list[tuple[bool, _Node | str]] = [(False, node)]
    while stack:
        closing, item = stack.pop()
        if isinstance(item, str):
            yield "text", item
        elif closing:
            yield "close", item
        else:
            yield "open", item
            stack.append((True, item))
            stack.extend((False, child) for child in reversed(item.children))


def _paragraphs(node: _Node) -> list[str]:
    paragraphs: list[str] = []
    buffer: list[str] = []
    pre = 0

    def flush() -> None:
        if not buffer:
            return
        lines = [_RUN_OF_SPACES.sub(" ", line).strip() for line in "".join(buffer).split("\n")]
        text = "\n".join(line for line in lines if line)
        if text:
            paragraphs.append(text)
        buffer.clear()

    for kind, item in _events(node):
        if isinstance(item, str):
            buffer.append(item if pre else _SPACE.sub(" ", item))
            continue
        if item.tag == "br":
            buffer.append("\n")
        elif item.tag in _BLOCKS:
            flush()
        if item.tag == "pre":
            pre += 1 if kind == "open" else -1
    flush()
    return paragraphs


def _is_inside(node: _Node, ancestor: _Node) -> bool:
    current: _Node | None = node
    while current is not None:
        if current is ancestor:
            return True
        current = current.parent
    return False


def _extract(text: str) -> str:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    _measure(builder.nodes)
    root = _content_root(builder.root, builder.nodes)
    paragraphs = _paragraphs(root)
    title = next((n for n in builder.nodes if n.tag == "h1" and n.text_chars), None)
    if title is not None and not _is_inside(title, root):  # the page title printed above <main>
        paragraphs = _paragraphs(title) + paragraphs
    return "\n\n".join(paragraphs)


def _declared_charset(data: bytes) -> str | None:
    head = data[:4096]
    m = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    if not m:
        return None
    label = m.group(1).decode("ascii", "ignore").lower()
    if label in _LATIN1_LABELS:
        return "cp1252"  # what browsers read for these labels (WHATWG Encoding)
    if label.startswith("utf-16"):
        return "utf-8"  # a UTF-16 label on bytes without a BOM is read as UTF-8 (WHATWG)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_html(data: bytes) -> tuple[str, str]:
    """Decode an HTML page: byte-order mark, then its declared charset, then UTF-8, then detection."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError as exc:
                raise ConversionError("undecodable", f"starts with a {codec} byte-order mark but does not decode") from exc
    if _looks_binary(data):
        raise ConversionError("binary", "binary content (NUL or control bytes), not an HTML page")
    for codec in (_declared_charset(data), "utf-8"):
        if codec:
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError:
                continue
    try:
        return decode(data)
    except ValueError as exc:
        reason = "binary" if str(exc).startswith("binary") else "undecodable"
        raise ConversionError(reason, f"the HTML page does not decode: {exc}") from exc


def html_to_text(data: bytes) -> tuple[str, str]:
    """(text, charset) of an HTML page: its content's paragraphs separated by blank lines."""
    text, charset = decode_html(data)
    return guarded("the HTML page cannot be read", lambda: _extract(text)), charset
