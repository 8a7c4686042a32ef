"""Helpers every view uses: links for IRIs, term display, cached responses with ETags."""
from __future__ import annotations

import hashlib
import json
from functools import wraps

from flask import Response, current_app, make_response, render_template, request
from markupsafe import Markup, escape

from ..engine import Term
from ..sparql_protocol import negotiate, wants_html
from ..vocab import DKG

HTML_TYPE = "text/html; charset=utf-8"


def site():
    """The Site this request is served from (fixed for the request, even across a release swap)."""
    return request.environ.get("kg.site") or current_app.extensions["kg"]


def compact(iri: str) -> str:
    """https://w3id.org/demand-kg/ontology#usesTactic -> dkg:usesTactic"""
    s = site()
    best = None
    for p, ns in s.prefixes.items():
        if iri.startswith(ns) and (best is None or len(ns) > len(s.prefixes[best])):
            best = p
    if best is None:
        return iri
    return f"{best}:{iri[len(s.prefixes[best]):]}"


def local_href(iri: str) -> str:
    """Where a browser on this server should go for an IRI."""
    s = site()
    if iri.startswith(s.base):
        ks = s.iris.kind_and_slug(iri)
        if ks:
            frag = iri.split("#", 1)[1] if "#" in iri else ""
            return f"/page/{ks[0]}/{ks[1]}" + (f"#{frag}" if frag else "")
        if iri == s.base + "dataset":
            return "/"
        if iri.rstrip("/") == s.base + "tactic":
            return "/tactics"
    if iri.startswith(str(DKG)):
        return "/ontology#" + iri[len(str(DKG)):]
    return iri


def is_local(iri: str) -> bool:
    return local_href(iri) != iri


def short_dt(dt: str | None) -> str:
    return compact(dt) if dt else ""


def term_html(t: Term | None, label: str | None = None) -> Markup:
    """One term as HTML: a link for IRIs (label, else CURIE), text for literals."""
    if t is None:
        return Markup("")
    if t.kind == "uri":
        href = local_href(t.value)
        text = label or compact(t.value)
        ext = "" if is_local(t.value) else Markup(' rel="noopener" class="ext"')
        return Markup('<a href="{}"{}>{}</a>').format(href, ext, text)
    if t.kind == "bnode":
        return Markup("<code>_:{}</code>").format(t.value)
    extra = Markup("")
    if t.lang:
        extra = Markup(' <span class="dt">@{}</span>').format(t.lang)
    elif t.datatype:
        extra = Markup(' <span class="dt">{}</span>').format(short_dt(t.datatype))
    return Markup('<span class="lit">{}</span>{}').format(t.value, extra)


def etag_for(*parts: str) -> str:
    h = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:24]
    return f'"{h}"'


def finish(resp: Response, etag: str | None) -> Response:
    """Set the ETag, answer 304 on a match; a 200 with an ETag from a release-pinned server is
    deterministic, so the WSGI fast path (app.FastPath) may replay it."""
    if etag:
        resp.headers["ETag"] = etag
        if resp.status_code == 200 and not resp.direct_passthrough and site().cache_key:
            request.environ["kg.cacheable"] = True
        if request.if_none_match and request.if_none_match.contains_raw(etag.strip('"')) \
                or request.headers.get("If-None-Match") == etag:
            r = Response(status=304)
            for h in ("ETag", "Vary", "Link", "Cache-Control", "Content-Location"):
                if h in resp.headers:
                    r.headers[h] = resp.headers[h]
            return r
    return resp


def cached(variant=lambda: ""):
    """Cache a GET view's finished response per release, path and variant (e.g. format).

    Only when the answers cannot change (embedded store); every response gets an ETag then.
    """

    def deco(fn):
        @wraps(fn)
        def inner(*a, **kw):
            s = site()
            if not s.cache_key or request.method not in ("GET", "HEAD"):
                return fn(*a, **kw)
            key = (request.full_path, variant())
            hit = s.cache.get(key)
            if hit is None:
                resp = make_response(fn(*a, **kw))
                if resp.status_code != 200 or resp.direct_passthrough:
                    return resp
                body = resp.get_data()
                tag = etag_for(s.cache_key, *map(str, key))
                hit = (body, resp.status_code, list(resp.headers.items()), tag)
                s.cache.put(key, hit)
            body, status, headers, tag = hit
            resp = Response(body, status=status, headers=headers)
            return finish(resp, tag)

        return inner

    return deco


def page(template: str, status: int = 200, alternates: list[tuple[str, str]] | None = None, **ctx) -> Response:
    s = site()
    html = render_template(template, site=s, alternates=alternates or [], **ctx)
    resp = Response(html, status=status, content_type=HTML_TYPE)
    link = link_header(alternates or [], "text/html")
    if link:
        resp.headers["Link"] = link
    return resp


def link_header(alternates: list[tuple[str, str]], current: str) -> str:
    """One Link field for a response of type `current`: its one `rel="alternate"`, the JSON-LD
    document (or, for the JSON-LD document itself, the HTML page), so that JSON-LD processors
    find it (JSON-LD 1.1, 9.1) and PyLD, which fails on a second alternate, can load every URL of
    a resource. The page lists every format in its <head> and on the page."""
    want = "text/html" if current == "application/ld+json" else "application/ld+json"
    pick = [(h, mt) for h, mt in alternates if mt == want and mt != current] \
        or [(h, mt) for h, mt in alternates if mt and mt != current][:1]
    return ", ".join(f'<{h}>; rel="alternate"; type="{mt}"' for h, mt in pick)


def error_page(status: int, message: str) -> Response:
    """An error as a page for browsers, JSON for a client that asks for JSON, and plain text
    for everyone else (curl, requests, R: `*/*` or no Accept)."""
    accept = request.headers.get("Accept")
    if wants_html(accept, ("text/plain", "application/json")):
        return page("error.html", status=status, title=f"{status}", message=message)
    if negotiate(accept, ("text/plain", "application/json"), False) == "application/json":
        import json

        return Response(json.dumps({"status": status, "error": message}), status=status,
                        content_type="application/json")
    return Response(message + "\n", status=status, content_type="text/plain; charset=utf-8")


def esc(s) -> Markup:
    return escape(s)


def json_for_script(data) -> str:
    """JSON safe inside <script>: no '</script>' or HTML comment can close it."""
    return (json.dumps(data, ensure_ascii=False, indent=1)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
