"""gunicorn settings for hr_clinic (read automatically from the working folder).

Every value can be set from the environment. Behind a TLS proxy; see
docs/deployment.md.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
# Sync workers by default; with GUNICORN_THREADS > 1, threaded workers (each
# thread keeps its own persistent database connection).
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (slow leaks never build up); jitter avoids all
# workers restarting at once.
max_requests = 2000
max_requests_jitter = 200
# The app writes one JSON line per request with ids only (hr_clinic.lib.logs);
# gunicorn's access log would add the query string, so it stays off.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Only the proxy in front may set X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn 27's control socket is not used (and would be created in ~/.gunicorn).
control_socket_disable = True
