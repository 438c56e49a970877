"""A limit on questions and checks per person: counters in Django's cache, shared by every process.

A signed-in user is counted by account, anyone else by address. The limits come from the
environment (ASSISTANT_RATE_LIMIT requests per ASSISTANT_RATE_WINDOW seconds; 30 per minute by
default), enough for a person and too few for a script.
"""

import hashlib
import os

from django.core.cache import cache

from hocvuso.accounts.throttle import client_ip

_PREFIX = "hocvuso:assistant:rate"


def _setting(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(name, default)))
    except ValueError:
        return default


def limit() -> int:
    return _setting("ASSISTANT_RATE_LIMIT", 30)


def window() -> int:
    return _setting("ASSISTANT_RATE_WINDOW", 60)


def allow(request, bucket: str) -> bool:
    """Count one request; False once the person went over the limit within the window."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        subject = f"user:{user.pk}"
    else:
        subject = f"ip:{client_ip(request) or 'unknown'}"
    digest = hashlib.sha256(f"{bucket}:{subject}".encode()).hexdigest()
    key = f"{_PREFIX}:{digest}"
    seconds = window()
    cache.add(key, 0, timeout=seconds)
    try:
        count = cache.incr(key)
    except ValueError:
        # The window closed between add and incr: this request opens a new one.
        cache.set(key, 1, timeout=seconds)
        count = 1
    return count <= limit()
