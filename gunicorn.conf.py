"""gunicorn settings for hr_clinic (read automatically from the working folder).

Every value can be set from the environment. Behind a TLS proxy; see
docs/deployment.md.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
# One sync worker per CPU core by default (WEB_CONCURRENCY overrides). A page
# here is CPU work in Python (the queries take a few ms on the same machine),
# so a worker more than the cores only queues behind the others and adds its
# memory and cold start: on 2 cores, 2 workers served the baseline and the
# pages as fast as 3 and faster than gunicorn's usual 2 x cores + 1 = 5
# (measured with `make bench`, docs/performance.md "Workers"). With
# GUNICORN_THREADS > 1, threaded workers (each thread keeps its own persistent
# database connection).
# (An empty value, as .env.example leaves it, means the default.)
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count())
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (slow leaks never build up), but rarely: a
# worker used to restart every 2,000 requests, every few seconds under load,
# and each fresh one paid Django's 80-105 ms start again. The app is imported
# once in the master (preload_app) and forked, so a restart costs a fork, not
# an import; jitter keeps the workers from restarting together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS") or 50_000)
max_requests_jitter = max_requests // 10
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() != "false"
# The app writes one JSON line per request with ids only (hr_clinic.lib.logs);
# gunicorn's access log would add the query string, so it stays off.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Only the proxy in front may set X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn 27's control socket is not used (and would be created in ~/.gunicorn).
control_socket_disable = True
