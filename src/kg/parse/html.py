"""Saved HTML pages (WordPress) flattened to the lines the structure reader understands.

Block elements become lines (a blank line after each block, as paragraphs in plain text),
table rows become `cell | cell |` lines, links are kept with the line they are on, and menu
rows carry a used/unused mark when the markup gives one (class names, check glyphs, checked
inputs, check-mark images).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser

from .structure import Line
from .textutil import clean_line

BLOCK = {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
         "main", "blockquote", "dd", "dt", "dl", "table", "tbody", "thead", "tfoot", "figure",
         "figcaption", "header", "footer", "address", "pre", "center", "form", "fieldset", "hr"}
SKIP = {"script", "style", "noscript", "template", "svg", "iframe", "object", "embed", "head",
        "nav", "aside", "select", "button", "canvas", "video", "audio", "map"}
USED_CLASS = re.compile(r"(?:^|[\s_-])(?:used|checked|active|yes|selected|is-used|tactic-used|on|enabled|true)(?:$|[\s_-])", re.I)
UNUSED_CLASS = re.compile(r"(?:^|[\s_-])(?:unused|not-used|unchecked|inactive|no|off|disabled|false|empty)(?:$|[\s_-])", re.I)
CHECK_GLYPH = re.compile(r"[\u2713\u2714\u2611\u2705]")
CROSS_GLYPH = re.compile(r"[\u2717\u2718\u2610\u274c]")


@dataclass
class HtmlPage:
    lines: list[Line] = field(default_factory=list)
    url: str | None = None
    title: str | None = None
    marks_seen: bool = False


def _attr(node, name: str) -> str:
    try:
        v = node.attributes.get(name)
    except Exception:
        return ""
    return v or ""


_TAG_RE = re.compile(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9]*)")
FLAT_OK = {"p", "li", "tr", "td", "th", "a", "br", "img", "meta", "link", "hr", "input"}


def _flatten_deep(text: str) -> str:
    """Nesting thousands deep (HTML soup) makes tree building quadratic: flatten such tags."""
    if text.count("<") < 4000:
        return text
    counts: dict[str, int] = {}
    for m in _TAG_RE.finditer(text):
        t = m.group(1).lower()
        counts[t] = counts.get(t, 0) + 1
    heavy = [t for t, c in counts.items() if c > 2000 and t not in FLAT_OK]
    for t in heavy:
        text = re.sub(r"<\s*/?\s*" + t + r"\b[^>]{0,500}>", "<br>" if t in BLOCK else " ", text, flags=re.I)
    return text


def read_html(text: str) -> HtmlPage:
    tree = LexborHTMLParser(_flatten_deep(text))
    page = HtmlPage()
    for sel, attr in (('link[rel="canonical"]', "href"), ('meta[property="og:url"]', "content")):
        n = tree.css_first(sel)
        if n is not None and _attr(n, attr).startswith("http"):
            page.url = _attr(n, attr).strip()
            break
    h1 = tree.css_first("h1.entry-title") or tree.css_first("h1")
    if h1 is not None:
        page.title = clean_line(h1.text(separator=" "))
    if not page.title:
        t = tree.css_first("title")
        if t is not None:
            page.title = clean_line(t.text())
    root = None
    for sel in ("article", "main", "#content", ".site-main", ".entry-content", "body"):
        root = tree.css_first(sel)
        if root is not None:
            break
    if root is None:
        root = tree.root
    if root is None:
        return page
    _walk(root, page)
    if page.title:
        first = next((ln.text for ln in page.lines if ln.text.strip()), "")
        if clean_line(first) != page.title:
            page.lines.insert(0, Line(""))
            page.lines.insert(0, Line(page.title))
    return page


def _row_mark(node) -> bool | None:
    cls = _attr(node, "class") + " " + _attr(node, "data-used") + " " + _attr(node, "data-state")
    html = node.html or ""
    if re.search(r"<input[^>]*checkbox[^>]*\bchecked\b", html, re.I):
        return True
    if re.search(r"<input[^>]*checkbox", html, re.I):
        return False
    if UNUSED_CLASS.search(cls):
        return False
    if USED_CLASS.search(cls):
        return True
    txt = node.text(separator=" ") or ""
    if CHECK_GLYPH.search(txt) or re.search(r"<img[^>]*(?:alt|class|src)=\"[^\"]*check", html, re.I):
        return True
    if CROSS_GLYPH.search(txt):
        return False
    inner = node.css_first("[class]")
    if inner is not None and inner is not node:
        icls = " ".join(_attr(x, "class") for x in node.css("[class]"))
        if re.search(r"\b(?:fa-check|dashicons-yes|icon-check|check)\b", icls, re.I):
            return True
    return None


def _walk(root, page: HtmlPage) -> None:
    parts: list[str] = []
    links: list[tuple[str, str]] = []
    mark: list[bool | None] = [None]

    def flush(blank: bool = False) -> None:
        text = clean_line(" ".join(parts))
        if text:
            page.lines.append(Line(text, list(links), mark[0]))
        parts.clear()
        links.clear()
        mark[0] = None
        if blank and page.lines and page.lines[-1].text:
            page.lines.append(Line(""))

    stack: list[tuple[bool, object]] = [(False, root)]
    steps = 0
    while stack:
        steps += 1
        if steps > 2_000_000:
            break
        leaving, node = stack.pop()
        tag = node.tag
        if leaving:
            if tag in BLOCK or tag == "tr":
                flush(blank=True)
            continue
        if tag == "-text":
            t = node.text_content or ""
            if t:
                parts.append(re.sub(r"\s+", " ", t))
            continue
        if tag in ("-comment", "!doctype") or tag in SKIP or tag is None:
            continue
        if tag == "br":
            flush()
            continue
        if tag == "img":
            alt = _attr(node, "alt")
            if alt and CHECK_GLYPH.search(alt):
                parts.append(alt)
            continue
        if tag == "tr":
            flush()
            cells = [clean_line(c.text(separator=" ")) for c in node.css("td, th")]
            m = _row_mark(node)
            row = " | ".join(cells) + " |"
            if m is not None and len(cells) >= 1:
                page.marks_seen = True
            for a in node.css("a"):
                links.append((clean_line(a.text()), _attr(a, "href")))
            parts.append(row)
            mark[0] = m
            flush(blank=True)
            continue
        if tag in BLOCK:
            flush(blank=tag not in ("li", "dt", "dd"))
        if tag == "li":
            m = _row_mark(node)
            if m is not None:
                page.marks_seen = True
                mark[0] = m
        if tag == "a":
            href = _attr(node, "href")
            if href:
                links.append((clean_line(node.text(separator=" ")), href))
        stack.append((True, node))
        children = []
        child = node.child
        while child is not None:
            children.append(child)
            child = child.next
        for c in reversed(children):
            stack.append((False, c))
    flush()
