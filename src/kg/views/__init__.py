"""The site's views, one module per job; `register` wires them and the common headers."""
from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import HTTPException

from . import browse, files, resources, sparql
from .common import error_page


def register(app: Flask, site) -> None:
    for mod in (sparql, resources, browse, files):
        app.register_blueprint(mod.bp)

    @app.after_request
    def headers(resp):
        # reads are open to every origin; there is no write route
        resp.headers.setdefault("Access-Control-Allow-Origin", "*")
        resp.headers.setdefault("Access-Control-Expose-Headers", "ETag, Link, Content-Location, Warning")
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        if resp.mimetype == "text/html":
            resp.headers.setdefault("Content-Security-Policy",
                                    "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                    "script-src 'self'; frame-ancestors 'none'")
            resp.headers.setdefault("Referrer-Policy", "same-origin")
        return resp

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException):
        messages = {404: f"Nothing here: {request.path}", 405: f"{request.method} is not allowed here"}
        return error_page(e.code or 500, messages.get(e.code, e.description or "error"))

    @app.errorhandler(Exception)
    def server_error(e: Exception):  # pragma: no cover - last resort, logged
        app.logger.exception("unhandled error")
        from ..engine import QueryError

        if isinstance(e, QueryError):
            return error_page(e.status, str(e))
        return error_page(500, "internal error; the server log has the details")

    from .common import compact, is_local, local_href, term_html

    app.jinja_env.filters["term"] = term_html
    app.jinja_env.filters["href"] = local_href
    app.jinja_env.filters["compact"] = compact
    app.jinja_env.filters["is_local"] = is_local
    app.jinja_env.filters["num"] = lambda n: f"{n:,}" if isinstance(n, int) else n
