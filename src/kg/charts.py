"""Small bar charts as inline SVG, drawn on the server: no script, no CDN, readable on a phone.

Every text goes through markupsafe.escape; the result is Markup safe to embed in a page.
"""
from __future__ import annotations

from markupsafe import Markup, escape


def _fmt(n: float) -> str:
    return f"{int(n):,}" if float(n).is_integer() else f"{n:,.1f}"


def hbar(items: list[tuple[str, float, str | None]], *, title: str, unit: str = "", width: int = 640,
         bar_h: int = 22, label_w: int = 190) -> Markup:
    """Horizontal bars: (label, value, href) per row, in the given order."""
    if not items:
        return Markup("")
    top = max(v for _, v, _ in items) or 1
    plot_w = width - label_w - 70
    h = 28 + bar_h * len(items)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {h}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
             f'<text x="0" y="16" class="ct">{escape(title)}</text>']
    for i, (label, value, href) in enumerate(items):
        y = 26 + i * bar_h
        w = max(1.0, plot_w * value / top) if value else 0
        bar = (f'<text x="{label_w - 8}" y="{y + bar_h * 0.68:.1f}" text-anchor="end" class="cl">{escape(label)}</text>'
               f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{bar_h - 6}" class="cb"/>'
               f'<text x="{label_w + w + 6:.1f}" y="{y + bar_h * 0.68:.1f}" class="cv">{_fmt(value)}{escape(unit)}</text>')
        if href:
            bar = f'<a href="{escape(href)}"><title>{escape(label)}: {_fmt(value)}</title>{bar}</a>'
        parts.append(bar)
    parts.append("</svg>")
    return Markup("".join(parts))


def vbar(items: list[tuple[str, float]], *, title: str, width: int = 640, height: int = 220,
         every: int | None = None, klass: str = "cb") -> Markup:
    """Vertical bars over an ordered axis (e.g. years); labels on every n-th bar."""
    if not items:
        return Markup("")
    top = max(v for _, v in items) or 1
    left, bottom, head = 44, 24, 26
    plot_w, plot_h = width - left - 8, height - bottom - head
    step = plot_w / len(items)
    every = every or max(1, round(len(items) / 10))
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
             f'<text x="0" y="16" class="ct">{escape(title)}</text>',
             f'<line x1="{left}" y1="{head + plot_h}" x2="{width - 8}" y2="{head + plot_h}" class="ca"/>',
             f'<text x="{left - 6}" y="{head + 10}" text-anchor="end" class="cv">{_fmt(top)}</text>',
             f'<text x="{left - 6}" y="{head + plot_h}" text-anchor="end" class="cv">0</text>']
    for i, (label, value) in enumerate(items):
        hgt = plot_h * value / top
        x = left + i * step
        parts.append(f'<rect x="{x + step * 0.1:.1f}" y="{head + plot_h - hgt:.1f}" width="{step * 0.8:.1f}" '
                     f'height="{hgt:.1f}" class="{klass}"><title>{escape(label)}: {_fmt(value)}</title></rect>')
        if i % every == 0:
            parts.append(f'<text x="{x + step / 2:.1f}" y="{height - 6}" text-anchor="middle" class="cl">'
                         f'{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
