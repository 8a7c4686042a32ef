"""Files of the release: dumps (ETag, Last-Modified, 304, gzip as stored), VoID, context,
and the ontology and shapes as Turtle or as HTML documentation."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Blueprint, Response, abort, request, send_file

from ..sparql_protocol import negotiate, wants_html
from .common import error_page, etag_for, finish, page, site

bp = Blueprint("files", __name__)

DUMP_TYPES = {".ttl": "text/turtle", ".nt": "application/n-triples",
              ".jsonld": "application/ld+json"}
DUMPS = [f"kg{ext}{gz}" for ext in DUMP_TYPES for gz in ("", ".gz")]
TABLE_FILES = {"places.csv": "text/csv; charset=utf-8", "operations.csv": "text/csv; charset=utf-8",
               "claims.csv": "text/csv; charset=utf-8", "links.csv": "text/csv; charset=utf-8",
               "csv-metadata.json": "application/csvm+json"}


def _last_modified() -> dt.datetime | None:
    s = site()
    if s.release is None:
        return None
    return dt.datetime.fromisoformat(s.release.created.replace("Z", "+00:00"))


def _send(path: Path, mimetype: str, etag: str | None, encoding: str | None = None,
          download_name: str | None = None) -> Response:
    resp = send_file(path, mimetype=mimetype, conditional=True, etag=etag or True,
                     last_modified=_last_modified(), max_age=3600,
                     download_name=download_name, as_attachment=False)
    resp.headers["Vary"] = "Accept-Encoding"
    if encoding and resp.status_code in (200, 206):
        resp.headers["Content-Encoding"] = encoding
    elif encoding:
        resp.headers["Content-Encoding"] = encoding
    return resp


@bp.route("/dumps/<name>")
def dump(name: str):
    s = site()
    if name in TABLE_FILES:  # the tidy tables and their CSVW metadata (kg.tables)
        f = s.file(name)
        if f is None:
            return error_page(404, f"{name} is not part of this release (built before the tables were)")
        info = s.release.files.get(name, {}) if s.release else {}
        return _send(f, TABLE_FILES[name], info.get("sha256", "")[:32] or None)
    if name not in DUMPS:
        abort(404)
    f = s.file(name)
    if f is None:
        return error_page(404, f"{name} is not part of this server's release "
                               "(serving a remote endpoint without --dist?)")
    info = s.release.files.get(name, {}) if s.release else {}
    tag = info.get("sha256", "")[:32] or None
    if name.endswith(".gz"):
        return _send(f, "application/gzip", tag)
    ext = Path(name).suffix
    gz = s.file(name + ".gz")
    accepts_gzip = "gzip" in request.headers.get("Accept-Encoding", "").lower()
    if gz is not None and accepts_gzip:  # the precompressed file, as stored
        gtag = s.release.files.get(name + ".gz", {}).get("sha256", "")[:32] if s.release else None
        return _send(gz, DUMP_TYPES[ext], (gtag + "-gz") if gtag else None, encoding="gzip")
    return _send(f, DUMP_TYPES[ext], tag)


@bp.route("/context.jsonld")
def context():
    s = site()
    f = s.file("context.jsonld")
    if f is None:
        from ..jsonld import context_document
        import json

        return Response(json.dumps(context_document(), indent=2), content_type="application/ld+json")
    return _send(f, "application/ld+json", None)


@bp.route("/.well-known/void")
def void():
    s = site()
    f = s.file("void.ttl")
    if f is None:
        return error_page(404, "no VoID description: this server has no release folder")
    accept = request.headers.get("Accept")
    if accept and not negotiate(accept, ("text/turtle",)) and negotiate(accept, ("application/ld+json",)):
        import pyoxigraph as ox

        body = s.memo("void.jsonld", lambda: ox.serialize(list(ox.parse(path=str(f), format=ox.RdfFormat.TURTLE)),
                                                          None, ox.RdfFormat.JSON_LD))
        return finish(Response(body, content_type="application/ld+json"), etag_for(s.cache_key or "", "void-jsonld"))
    return _send(f, "text/turtle", None)


# ----------------------------------------------------------------------------- ontology and shapes

def _doc_source(name: str) -> bytes:
    s = site()
    f = s.file(f"{name}.ttl")
    if f is not None:
        return f.read_bytes()
    from rdflib import Graph  # remote mode without a release: the package's own files

    from ..vocab import load_dir, ontology_dir, shapes_dir

    g: Graph = load_dir(ontology_dir() if name == "ontology" else shapes_dir())
    return g.serialize(format="turtle").encode()


def _doc_model(name: str) -> dict:
    """Classes, properties, concepts (ontology) or node shapes (shapes), for the HTML page."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import OWL, RDF, RDFS, SKOS

    SH = "http://www.w3.org/ns/shacl#"
    g = Graph()
    g.parse(data=_doc_source(name), format="turtle")

    def text(s, *preds):
        for p in preds:
            for o in g.objects(s, p):
                return str(o)
        return ""

    def name_of(iri):
        from .common import compact

        return compact(str(iri))

    sections = []
    if name == "ontology":
        for title, cls in (("Classes", OWL.Class), ("Object properties", OWL.ObjectProperty),
                           ("Datatype properties", OWL.DatatypeProperty)):
            items = []
            for s_ in sorted(set(g.subjects(RDF.type, cls)), key=str):
                if not isinstance(s_, URIRef):
                    continue
                items.append({"iri": str(s_), "anchor": str(s_).rsplit("#", 1)[-1].rsplit("/", 1)[-1],
                              "name": name_of(s_), "label": text(s_, RDFS.label, SKOS.prefLabel),
                              "comment": text(s_, RDFS.comment, SKOS.definition),
                              "facts": [(name_of(p), name_of(o)) for p in (RDFS.domain, RDFS.range, RDFS.subClassOf,
                                                                          RDFS.subPropertyOf)
                                        for o in g.objects(s_, p) if isinstance(o, URIRef)]})
            sections.append((title, items))
        items = []
        for s_ in sorted(set(g.subjects(RDF.type, SKOS.Concept)), key=str):
            items.append({"iri": str(s_), "anchor": str(s_).rsplit("#", 1)[-1].rsplit("/", 1)[-1],
                          "name": name_of(s_), "label": text(s_, SKOS.prefLabel, RDFS.label),
                          "comment": text(s_, SKOS.definition, RDFS.comment), "facts": []})
        sections.append(("Concepts", items))
    else:
        items = []
        for s_ in sorted(set(g.subjects(RDF.type, URIRef(SH + "NodeShape"))), key=str):
            facts = []
            for t in g.objects(s_, URIRef(SH + "targetClass")):
                facts.append(("sh:targetClass", name_of(t)))
            for prop in g.objects(s_, URIRef(SH + "property")):
                path = g.value(prop, URIRef(SH + "path"))
                bits = []
                for k in ("minCount", "maxCount", "datatype", "class", "nodeKind", "pattern", "in"):
                    v = g.value(prop, URIRef(SH + k))
                    if v is not None and k != "in":
                        bits.append(f"{k} {name_of(v) if isinstance(v, URIRef) else v}")
                msg = g.value(prop, URIRef(SH + "message"))
                facts.append((name_of(path) if path is not None else "(path)",
                              ", ".join(bits) + (f" — {msg}" if msg else "")))
            items.append({"iri": str(s_), "anchor": str(s_).rsplit("#", 1)[-1].rsplit("/", 1)[-1],
                          "name": name_of(s_), "label": text(s_, RDFS.label, URIRef(SH + "name")),
                          "comment": text(s_, RDFS.comment, URIRef(SH + "description")), "facts": facts})
        sections.append(("Node shapes", items))
    return {"sections": sections}


def _doc(name: str, title: str):
    s = site()
    accept = request.headers.get("Accept")
    fmt = request.args.get("format")
    if fmt == "ttl" or (fmt != "html" and not wants_html(accept, ("text/turtle",)) and accept):
        if accept and fmt != "ttl" and not negotiate(accept, ("text/turtle",)):
            return error_page(406, f"the {name} is available as text/turtle or text/html")
        body = s.memo(name + ".ttl", lambda: _doc_source(name))
        resp = Response(body, content_type="text/turtle; charset=utf-8")
        resp.headers["Vary"] = "Accept"
        return finish(resp, etag_for(s.cache_key or "", name, "ttl"))
    model = s.memo(name + ".model", lambda: _doc_model(name))
    resp = page("doc.html", title=title, doc=model, name=name,
                alternates=[(f"/{name}?format=ttl", "text/turtle")])
    resp.headers["Vary"] = "Accept"
    return finish(resp, etag_for(s.cache_key or "", name, "html"))


@bp.route("/ontology")
@bp.route("/ontology.ttl", defaults={"ttl": True})
def ontology(ttl: bool = False):
    if ttl:
        return Response(site().memo("ontology.ttl", lambda: _doc_source("ontology")),
                        content_type="text/turtle; charset=utf-8")
    return _doc("ontology", "Ontology")


@bp.route("/shapes")
@bp.route("/shapes.ttl", defaults={"ttl": True})
def shapes(ttl: bool = False):
    if ttl:
        return Response(site().memo("shapes.ttl", lambda: _doc_source("shapes")),
                        content_type="text/turtle; charset=utf-8")
    return _doc("shapes", "SHACL shapes")


@bp.route("/favicon.ico")
def favicon():
    from flask import redirect

    return redirect("/static/favicon.svg", code=301)


@bp.route("/robots.txt")
def robots():
    return Response("User-agent: *\nDisallow: /sparql\nAllow: /\n", content_type="text/plain; charset=utf-8")
