"""Render a plain-text profile page as the site's WordPress HTML (for parity tests and the
benchmark). Deliberately independent of the parser: it splits the text by its own simple rules.
"""
from __future__ import annotations

import html
import re

MENU_END = re.compile(r"^(?:Key Partners|Key Sources)$")
FOOTER = re.compile(r"^\|?\s*(State|Type|Population|Location)\b\s*\|?\s*(.*?)\s*\|?\s*$")


def _e(s: str) -> str:
    out = html.escape(s, quote=False)
    return (out.replace("\u2019", "&#8217;").replace("\u201c", "&#8220;")
            .replace("\u201d", "&#8221;").replace("\u00a0", "&nbsp;"))


def render(text: str, slug: str, *, table_footer: bool = True) -> str:
    lines = text.splitlines()
    i = 0
    out = ["<!DOCTYPE html>", '<html lang="en-US"><head><meta charset="UTF-8">']
    body: list[str] = []
    title = None
    if lines and lines[0].strip() and lines[0].strip() != "Tactics Used" and "," in lines[0] and len(lines[0]) < 60:
        title = lines[0].strip()
        i = 1
    out.append(f"<title>{_e(title or slug)} &#8211; Demand Forum</title>")
    out.append(f'<link rel="canonical" href="https://demand-forum.org/site/{slug}/" />')
    out.append("<style>.x{}</style></head><body class=\"single\">")
    out.append('<header class="site-header"><nav><ul><li><a href="/">Home</a></li>'
               '<li><a href="/tactics/">Tactics</a></li></ul></nav></header>')
    out.append('<main id="main"><article class="post">')
    if title:
        body.append(f'<header class="entry-header"><h1 class="entry-title">{_e(title)}</h1></header>')
    body.append('<div class="entry-content">')
    blocks: list[list[str]] = []
    cur: list[str] = []
    for ln in lines[i:]:
        if ln.strip():
            cur.append(ln.strip())
        elif cur:
            blocks.append(cur)
            cur = []
    if cur:
        blocks.append(cur)
    section = "start"
    footer_rows: list[tuple[str, str]] = []
    closed = False
    for b in blocks:
        first = b[0]
        if first == "Tactics Used":
            body.append("<h3>Tactics Used</h3>")
            section = "menu"
            rest = b[1:]
            if rest:
                blocks_menu = rest
                _menu(body, blocks_menu)
            continue
        if section == "menu" and all(len(x) < 40 and not x.endswith(".") for x in b) and not FOOTER.match(first):
            _menu(body, b)
            continue
        if first in ("Key Partners", "Key Sources"):
            section = first
            body.append(f"<h4>{first}</h4>")
            b = b[1:]
            if not b:
                continue
        footer_here = [FOOTER.match(x) for x in b]
        if any(footer_here) and (section != "narrative" or FOOTER.match(first)):
            for x, m in zip(b, footer_here):
                if m:
                    footer_rows.append((m.group(1), m.group(2)))
                elif x.startswith("Comments are closed"):
                    closed = True
            continue
        if first.startswith("Comments are closed"):
            closed = True
            continue
        if section == "Key Partners":
            body.append("<ul>" + "".join(f"<li>{_e(x.lstrip('•-* '))}</li>" for x in b) + "</ul>")
        elif section == "Key Sources":
            parts = []
            for x in b:
                if x.endswith(":"):
                    parts.append(f"<strong>{_e(x)}</strong>")
                else:
                    m = re.search(r"https?://\S+", x)
                    href = m.group(0) if m else f"https://example-news.test/{abs(hash(x)) % 10**8}"
                    parts.append(f'<a href="{_e(href)}">{_e(x)}</a>')
            body.append("<p>" + "<br>\n".join(parts) + "</p>")
        else:
            section = "narrative"
            body.append("<p>" + _e(" ".join(b)) + "</p>")
    if footer_rows:
        if table_footer:
            body.append('<table class="site-info">' + "".join(
                f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in footer_rows) + "</table>")
        else:
            body.extend(f"<div>{_e(k)} {_e(v)}</div>" for k, v in footer_rows)
    body.append("</div>")
    out.extend(body)
    out.append("</article>")
    if closed:
        out.append('<div id="comments"><p class="nocomments">Comments are closed.</p></div>')
    out.append("</main><footer class=\"site-footer\"><p>&copy; Demand Forum</p></footer></body></html>")
    return "\n".join(out)


def _menu(body: list[str], items: list[str]) -> None:
    if any("|" in x for x in items):
        rows = []
        for x in items:
            cells = [c.strip() for c in x.strip("|").split("|")]
            rows.append("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in cells) + "</tr>")
        body.append('<table class="tactics">' + "".join(rows) + "</table>")
    else:
        body.append('<ul class="tactics">' + "".join(f'<li class="tactic">{_e(x)}</li>' for x in items) + "</ul>")
