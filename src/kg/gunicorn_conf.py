"""gunicorn settings for `kg serve --workers N --server gunicorn` or `gunicorn -c python:kg.gunicorn_conf 'kg.app:create_app()'`.

Each worker process opens the release store read-only (several may) and starts its own small
pool of query processes on first use. Threads let a worker keep answering cheap requests
while one of its threads waits on a slow query.
"""
import os

worker_class = "gthread"
threads = int(os.environ.get("KG_THREADS", "8"))
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
bind = os.environ.get("KG_BIND", "127.0.0.1:5000")
timeout = 120  # a request waits at most QUERY_TIMEOUT for its query; this is the hard stop
graceful_timeout = 10
keepalive = 5
accesslog = None  # the request path stays lean; put a proxy in front for logs
preload_app = False  # each worker opens the store itself, after the fork
