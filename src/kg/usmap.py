"""A map of U.S. places as inline SVG, drawn on the server: no tiles, no CDN, no script.

State outlines come from the `bokeh_sampledata` package (simplified Census TIGER/Line boundaries
it ships; read once per process); places are drawn at the coordinates the release holds
(wgs84:lat/long from GeoNames). The projection is an Albers equal-area conic for the lower 48
states with Alaska and Hawaii as insets, the usual layout of U.S. maps. Every text is escaped;
the result is Markup safe to embed.
"""
from __future__ import annotations

import math
from functools import lru_cache

from markupsafe import Markup, escape

WIDTH, HEIGHT = 960, 600
# (lon0, lat0, standard parallels) of each projection; the insets' box on the canvas and scale
LOWER48 = (-96.0, 37.5, 29.5, 45.5)
ALASKA = (-154.0, 50.0, 55.0, 65.0)
HAWAII = (-157.0, 13.0, 8.0, 18.0)
INSETS = {"AK": (ALASKA, (10, 430, 230, 160)), "HI": (HAWAII, (250, 500, 130, 90))}
# what each inset shows (lon, lat box): Alaska without the Aleutians west of the antimeridian,
# Hawaii's main islands
WINDOWS = {"AK": (-179.5, 50.5, -129.0, 71.6), "HI": (-160.6, 18.7, -154.6, 22.4)}


def _albers(lon0: float, lat0: float, p1: float, p2: float):
    r = math.radians
    n = (math.sin(r(p1)) + math.sin(r(p2))) / 2
    c = math.cos(r(p1)) ** 2 + 2 * n * math.sin(r(p1))
    rho0 = math.sqrt(c - 2 * n * math.sin(r(lat0))) / n

    def project(lon: float, lat: float) -> tuple[float, float]:
        lon = (lon - lon0 + 180) % 360 - 180 + lon0  # the Aleutians east of 180 stay with Alaska
        theta = n * r(lon - lon0)
        rho = math.sqrt(max(0.0, c - 2 * n * math.sin(r(lat)))) / n
        return rho * math.sin(theta), -(rho0 - rho * math.cos(theta))  # y grows downwards

    return project


class Projection:
    """Lon/lat -> canvas x/y: the lower 48 fitted to the canvas, Alaska and Hawaii in their boxes."""

    def __init__(self, outlines: dict[str, object] | None):
        self.base = {"": _albers(*LOWER48)}
        self.fit: dict[str, tuple[float, float, float]] = {}
        # the lower 48's frame: from their outlines, else from a box around them
        pts = []
        if outlines:
            for code, geom in outlines.items():
                if code not in INSETS:
                    minx, miny, maxx, maxy = geom.bounds
                    pts += [(minx, miny), (maxx, maxy), (minx, maxy), (maxx, miny)]
        else:
            pts = [(-124.8, 24.5), (-66.9, 49.4), (-124.8, 49.4), (-66.9, 24.5), (-96, 49.4), (-96, 24.5)]
        self.fit[""] = self._fit([self.base[""](*p) for p in pts], (10, 10, WIDTH - 20, HEIGHT - 20))
        for code, (params, box) in INSETS.items():
            proj = _albers(*params)
            self.base[code] = proj
            w, s_, e, n = WINDOWS[code]
            edge = [(w + (e - w) * i / 8, lat) for i in range(9) for lat in (s_, n)]
            self.fit[code] = self._fit([proj(*p) for p in edge], box)

    @staticmethod
    def _fit(xy: list[tuple[float, float]], box: tuple[float, float, float, float]) -> tuple[float, float, float]:
        xs, ys = [p[0] for p in xy], [p[1] for p in xy]
        bx, by, bw, bh = box
        k = min(bw / ((max(xs) - min(xs)) or 1), bh / ((max(ys) - min(ys)) or 1))
        # centre the shape in its box
        dx = bx + (bw - k * (max(xs) - min(xs))) / 2 - k * min(xs)
        dy = by + (bh - k * (max(ys) - min(ys))) / 2 - k * min(ys)
        return k, dx, dy

    def __call__(self, lon: float, lat: float, state: str = "") -> tuple[float, float]:
        key = state if state in INSETS else ""
        x, y = self.base[key](lon, lat)
        k, dx, dy = self.fit[key]
        return k * x + dx, k * y + dy


@lru_cache(maxsize=1)
def _outlines():
    """{postal code: shapely geometry} from bokeh_sampledata, or None when it is not installed."""
    try:
        from bokeh_sampledata.us_states import records
    except ImportError:  # pragma: no cover - the map then shows places without outlines
        return None
    return {r["code"]: r["geometry"] for r in records()}


@lru_cache(maxsize=1)
def _state_paths() -> tuple[Projection, tuple[tuple[str, str, str], ...]]:
    """The projection and (code, name, SVG path) of every state, simplified to about a pixel."""
    outlines = _outlines()
    proj = Projection(outlines)
    if not outlines:
        return proj, ()
    import numpy as np
    import shapely
    from shapely.geometry import MultiPolygon, Polygon

    try:
        from bokeh_sampledata.us_states import data as legacy
        names = {code: v["name"] for code, v in legacy.items()}
    except Exception:  # noqa: BLE001 - names are only tooltips
        names = {}
    from shapely.geometry import box

    out = []
    for code, geom in sorted(outlines.items()):
        if code in WINDOWS:
            geom = geom.intersection(box(*WINDOWS[code]))
        g = shapely.transform(geom, lambda xy, c=code: np.array([proj(x, y, c) for x, y in xy]).reshape(-1, 2))
        g = g.simplify(0.6, preserve_topology=True)
        polys = g.geoms if isinstance(g, MultiPolygon) else [g] if isinstance(g, Polygon) else []
        d = []
        for poly in polys:
            ring = list(poly.exterior.coords)
            if len(ring) < 4:
                continue
            d.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in ring[:-1]) + "Z")
        if d:
            out.append((code, names.get(code, code), "".join(d)))
    return proj, tuple(out)


def outlines_available() -> bool:
    return bool(_state_paths()[1])


def svg(places: list[dict], *, title: str, highlight_states: set[str] | None = None) -> Markup:
    """The map: state outlines, and a dot per place with coordinates (`lat`, `long`, `state`,
    `label`, `href`, `operations`), each a link to its page with its name as tooltip."""
    proj, states = _state_paths()
    parts = [f'<svg class="map" id="map" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for code, name, d in states:
        on = " on" if highlight_states and code in highlight_states else ""
        parts.append(f'<path class="st{on}" d="{d}"><title>{escape(name)}</title></path>')
    if states:
        for _code, (_params, (bx, by, bw, bh)) in INSETS.items():
            parts.append(f'<rect class="inset" x="{bx - 4}" y="{by - 4}" width="{bw + 8}" height="{bh + 8}"/>')
    for p in sorted(places, key=lambda p: -(p.get("operations") or 0)):  # small dots drawn last, on top
        if p.get("lat") is None or p.get("long") is None:
            continue
        x, y = proj(p["long"], p["lat"], p.get("state") or "")
        n = p.get("operations") or 0
        r = 3.5 + min(6.0, 1.6 * math.sqrt(n))
        tip = f"{p['label']}: {n} operation{'s' if n != 1 else ''}"
        parts.append(f'<a href="{escape(p["href"])}" class="pt"><circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" '
                     f'class="{"ops" if n else "noops"}"><title>{escape(tip)}</title></circle></a>')
    parts.append("</svg>")
    return Markup("".join(parts))
