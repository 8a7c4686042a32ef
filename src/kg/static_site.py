"""`kg publish --to DIR`: the static parts of a release for any static host or object store.

DIR gets the files laid out at the paths `kg serve` serves them from, so a static host in front
of (or instead of) kg serve answers the same URLs: /dumps/kg.{ttl,nt,jsonld}[.gz],
/dumps/*.csv and /dumps/csv-metadata.json where the release has tables, /context.jsonld,
/.well-known/void, /ontology.ttl, /shapes.ttl, /release.json; and `nginx.conf`, a snippet for an
nginx `server` block (root, media types, precompressed .gz, CORS, caching) that nginx itself
keeps private. Only the files: what kg serve negotiates (the HTML of /ontology and /shapes, VoID
as JSON-LD) stays with kg serve, so the snippet can also sit in front of kg serve replicas
(deploy/nginx-replicas.conf) and take the downloads off them.

Publishing is atomic, as `kg build` is: each release is written into `DIR.releases/<id>/` and
DIR is a symlink moved onto it in one rename, so a host serving DIR sees the old files or the
new ones, never a mix; the previous release's folder is kept (downloads in progress finish).
DIR must be absent or a symlink a previous `kg publish` made.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from .errors import KgError

# release file -> (path on the site, media type); *.gz are served as application/gzip when
# asked for by name, and in place of the plain file (Content-Encoding: gzip) to clients that take it
FILES = {
    "kg.ttl": ("dumps/kg.ttl", "text/turtle"),
    "kg.nt": ("dumps/kg.nt", "application/n-triples"),
    "kg.jsonld": ("dumps/kg.jsonld", "application/ld+json"),
    "context.jsonld": ("context.jsonld", "application/ld+json"),
    "void.ttl": (".well-known/void", "text/turtle"),
    "ontology.ttl": ("ontology.ttl", "text/turtle"),
    "shapes.ttl": ("shapes.ttl", "text/turtle"),
    "release.json": ("release.json", "application/json"),
}
CSV_TYPE = "text/csv"
CSVW_TYPE = "application/csvm+json"  # the CSVW metadata media type (W3C, Model for Tabular Data)
KEEP = 2  # release folders kept: the published one and the one before


def _tables(dist: Path) -> list[Path]:
    """The release's CSV tables and their CSVW metadata, wherever the build put them."""
    out: list[Path] = []
    for folder in (dist, dist / "dumps", dist / "csv", dist / "tables"):
        if folder.is_dir():
            out += sorted(p for p in folder.iterdir() if p.is_file() and
                          (p.name.endswith((".csv", ".csv.gz")) or p.name == "csv-metadata.json"))
    return out


def nginx_conf(root: Path, release_id: str) -> str:
    r = str(root)
    return f"""# The static parts of Demand KG release {release_id}, as written by `kg publish --to {r}`.
# Include it in an nginx server block, e.g.
#     server {{ listen 80; server_name kg.example.org; include {r}/nginx.conf; }}
# Every URL is the one kg serve answers; the files change when kg publish moves {r}.
root {r};
charset utf-8;
charset_types text/turtle text/csv application/n-triples application/ld+json application/json application/csvm+json;
etag on;
types {{
    text/turtle                ttl;
    application/n-triples      nt;
    application/ld+json        jsonld;
    text/csv                   csv;
    application/json           json;
    application/gzip           gz;
}}
location = /nginx.conf {{ return 404; }}
location /dumps/ {{
    gzip_static on;  # kg.ttl.gz in place of kg.ttl for clients that accept gzip, as kg serve does
    add_header Vary Accept-Encoding always;
    add_header Access-Control-Allow-Origin "*" always;
    add_header Cache-Control "public, max-age=3600" always;
}}
location = /dumps/csv-metadata.json {{
    types {{ }} default_type {CSVW_TYPE};
    add_header Access-Control-Allow-Origin "*" always;
}}
location = /.well-known/void {{
    types {{ }} default_type text/turtle;
    add_header Access-Control-Allow-Origin "*" always;
}}
location = /context.jsonld {{ add_header Access-Control-Allow-Origin "*" always; }}
location = /release.json {{ add_header Access-Control-Allow-Origin "*" always; add_header Cache-Control "no-cache" always; }}
"""


def media_type(site_path: str) -> str:
    """The media type the generated nginx.conf gives a file (for object stores, set at upload)."""
    if site_path == "dumps/csv-metadata.json":
        return CSVW_TYPE
    if site_path == ".well-known/void":
        return "text/turtle"
    if site_path.endswith(".gz"):
        return "application/gzip"
    ext = site_path.rsplit(".", 1)[-1]
    return {"ttl": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json",
            "csv": CSV_TYPE, "json": "application/json"}.get(ext, "application/octet-stream")


def write_static(dist: Path, out: Path) -> dict:
    """Write the static parts of the release in `dist` to `out` (a symlink, moved atomically)."""
    rel = dist / "release.json"
    if not rel.is_file():
        raise KgError(f"no release in {dist}: run `kg build` first")
    info = json.loads(rel.read_text(encoding="utf-8"))
    out = out.absolute()
    if out.exists() and not out.is_symlink():
        if out.is_dir() and not any(out.iterdir()):
            out.rmdir()
        else:
            raise KgError(f"{out} exists and is not a folder kg publish made (a symlink): give a new path")
    home = out.parent / f"{out.name}.releases"
    home.mkdir(parents=True, exist_ok=True)
    final = home / info["id"]
    tmp = home / f".{info['id']}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    files: dict[str, dict] = {}

    def put(src: Path, site_path: str) -> None:
        dst = tmp / site_path
        dst.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(src, dst)  # same file system: no copy (the release's files never change)
        except OSError:
            shutil.copy2(src, dst)
        files[site_path] = {"bytes": dst.stat().st_size, "type": media_type(site_path)}

    try:
        for name, (site_path, _) in FILES.items():
            for gz in ("", ".gz"):
                src = dist / (name + gz)
                if src.is_file() and (not gz or site_path.startswith("dumps/")):
                    put(src, site_path + gz)
        for src in _tables(dist):
            put(src, "dumps/" + src.name)
        missing = [n for n in ("kg.ttl", "kg.nt", "kg.jsonld", "void.ttl") if not (dist / n).is_file()]
        if missing:
            raise KgError(f"the release in {dist} lacks {', '.join(missing)}")
        (tmp / "nginx.conf").write_text(nginx_conf(out, info["id"]), encoding="utf-8")
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    link = out.parent / f".{out.name}.{os.getpid()}.link"
    if link.is_symlink() or link.exists():
        link.unlink()
    os.symlink(os.path.relpath(final, out.parent), link)
    os.replace(link, out)  # one rename: readers see the old release or the new one
    kept = sorted((p for p in home.iterdir() if p.is_dir() and not p.name.startswith(".")),
                  key=lambda p: p.stat().st_mtime, reverse=True)
    for old in kept[KEEP:]:
        if old != final:
            shutil.rmtree(old, ignore_errors=True)
    return {"release": info["id"], "dir": str(out), "files": len(files),
            "bytes": sum(f["bytes"] for f in files.values()), "nginx": str(out / "nginx.conf"), "paths": files}
