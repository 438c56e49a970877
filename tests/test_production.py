"""The production profile's settings and gunicorn configuration, read as `dev.py production` reads
them: in a fresh process, from the environment."""

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

from django.conf import settings

GUNICORN_CONFIG = Path(settings.PACKAGE_DIR) / "config" / "gunicorn.py"

_READ = """
import json
from django.conf import settings as s
import django
django.setup()
print(json.dumps({
    "DEBUG": s.DEBUG,
    "SESSION_ENGINE": s.SESSION_ENGINE,
    "CACHE": s.CACHES["default"]["BACKEND"],
    "STATIC": s.STORAGES["staticfiles"]["BACKEND"],
    "WHITENOISE_USE_FINDERS": s.WHITENOISE_USE_FINDERS,
    "HUEY_IMMEDIATE": s.HUEY["immediate"],
    "HEALTH_CHECKS": s.DATABASES["default"]["CONN_HEALTH_CHECKS"],
    "CONNECT_TIMEOUT": s.DATABASES["default"]["OPTIONS"].get("connect_timeout"),
    "MIDDLEWARE": s.MIDDLEWARE,
}))
"""


def _production_settings(**env: str) -> dict:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hocvuso.config.settings.production",
        "DATABASE_URL": "postgres://hocvuso@127.0.0.1:5432/hocvuso",
        "REDIS_URL": "",
        "DEBUG": "1",
        **env,
    }
    environment.pop("HUEY_IMMEDIATE", None)
    done = subprocess.run(
        [sys.executable, "-c", _READ], env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_production_with_redis_uses_it_for_cache_sessions_and_the_queue():
    read = _production_settings(REDIS_URL="redis://127.0.0.1:6379/0")
    assert read["DEBUG"] is False  # whatever DEBUG says in the environment
    assert read["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    assert read["CACHE"] == "django.core.cache.backends.redis.RedisCache"
    assert read["HUEY_IMMEDIATE"] is False
    assert read["STATIC"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert read["WHITENOISE_USE_FINDERS"] is False
    assert read["HEALTH_CHECKS"] is True
    assert read["MIDDLEWARE"][:5] == [
        "django.middleware.security.SecurityMiddleware",
        "hocvuso.config.middleware.SecurityHeadersMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
        # Around every layer that may query the database, so that an outage is waited out or
        # answered 503 (tests/test_database_outage.py).
        "hocvuso.config.middleware.DatabaseOutageMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
    ]
    # A database host that does not answer fails the connection in seconds.
    assert read["CONNECT_TIMEOUT"] == 5


def test_production_without_redis_keeps_sessions_in_the_database_and_runs_tasks_in_process():
    read = _production_settings()
    assert read["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"
    assert read["HUEY_IMMEDIATE"] is True


def test_gunicorn_runs_two_workers_per_core_and_one_more(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.setenv("PORT", "8123")
    config = runpy.run_path(str(GUNICORN_CONFIG))
    assert config["workers"] == 2 * os.cpu_count() + 1
    assert config["bind"] == "127.0.0.1:8123"
    assert config["worker_class"] == "sync"
    assert config["max_requests"] > 0 and config["max_requests_jitter"] > 0
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    assert runpy.run_path(str(GUNICORN_CONFIG))["workers"] == 3
