"""Production settings: the base ones, never in debug, with Redis-backed sessions and long-cached
static files. `python3 dev.py production` runs with these; see docs/production.md."""

from .base import *  # noqa: F403
from .base import DATABASES, REDIS_URL, env_bool

DEBUG = False
WHITENOISE_USE_FINDERS = False
# Hashed file names (the manifest storage) are cached for ten years by WhiteNoise itself; the few
# files asked for by their plain name for a day.
WHITENOISE_MAX_AGE = 24 * 3600
if REDIS_URL:
    # Each signed-in request reads its session from Redis; the database keeps a copy, so a Redis
    # restart signs nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# App servers keep their connection between requests; a connection that the database dropped
# (a restart, a failover) is noticed and replaced instead of failing the next request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PgBouncer in transaction mode hands each transaction to any server connection, so a cursor
# kept open across transactions (what .iterator() uses on PostgreSQL) cannot work through it.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("PGBOUNCER", False)
