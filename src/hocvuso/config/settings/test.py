"""Test settings: the base ones, with fast hashing and files kept apart from the demo data."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")

from .base import *  # noqa: F403
from .base import DATA_DIR, REDIS_URL, STATIC_ROOT, env_bool

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "test-media"
ALLOWED_HOSTS = ["*"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Tasks run in-process in tests. tests/test_task_queue.py starts a real worker against Redis with
# these same settings and HUEY_IMMEDIATE=0; for that worker to see the test database, an SQLite one
# is a file (one per test process) rather than in memory.
HUEY = {**HUEY, "immediate": env_bool("HUEY_IMMEDIATE", True)}  # noqa: F405
if REDIS_URL and DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405
