"""gunicorn settings for the app servers: `gunicorn -c src/hocvuso/config/gunicorn.py
hocvuso.config.wsgi`. Every value can be changed from the environment; see docs/production.md."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# Sync workers, two per core and one more: a request spends part of its time waiting on PostgreSQL
# and Redis, during which another worker uses the core. Slow phone connections are absorbed by the
# reverse proxy in front, which buffers requests and responses.
workers = int(os.environ.get("WEB_CONCURRENCY", str(multiprocessing.cpu_count() * 2 + 1)))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# A worker is replaced after this many requests, so a slow leak never grows into an outage; the
# jitter keeps the workers from restarting together.
max_requests = 5000
max_requests_jitter = 500
# The heartbeat file of each worker lives in memory, not on a disk that may stall under load.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Only the reverse proxy on this machine may say which client and scheme a request came from.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# The reverse proxy logs every request; the app servers log one only when asked (a path, or "-").
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "hocvuso"
