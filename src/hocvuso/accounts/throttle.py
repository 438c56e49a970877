"""Slow down password guessing: count failed logins per account name and per client address.

Counters live in Django's cache, so every app-server process sees the same numbers (files on the
embedded profile, Redis in production). After `LOGIN_FAILURE_LIMIT` failures within
`LOGIN_LOCKOUT_SECONDS`, logins for that name are refused for `LOGIN_LOCKOUT_SECONDS`, even with
the right password. An address has a higher limit (`LOGIN_FAILURE_LIMIT_PER_ADDRESS`), because a
commune office or a school shares one address among many honest users.
"""

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache

from hocvuso.accounts.phone import normalise_phone

_PREFIX = "hocvuso:login"


def normalise_identifier(identifier: str) -> str:
    """One spelling per account name: "+84 912 345 678" and "0912345678" count together."""
    return normalise_phone(identifier) or identifier.strip().casefold()


def _limited_keys(identifier: str, ip: str | None) -> list[tuple[str, int]]:
    # Hashed so that any typed text makes a valid cache key and no phone number sits in the cache.
    subjects = [(f"id:{normalise_identifier(identifier)}", settings.LOGIN_FAILURE_LIMIT)]
    if ip:
        subjects.append((f"ip:{ip}", settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS))
    return [
        (f"{_PREFIX}:{hashlib.sha256(subject.encode()).hexdigest()}", limit)
        for subject, limit in subjects
    ]


def _keys(identifier: str, ip: str | None) -> list[str]:
    return [key for key, _limit in _limited_keys(identifier, ip)]


def client_ip(request) -> str | None:
    """The address the request came from, as the server saw it."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def seconds_locked(identifier: str, ip: str | None) -> int:
    """Seconds until a login for this name from this address is allowed again; 0 when it is."""
    now = time.time()
    unlock_times = cache.get_many([f"{key}:until" for key in _keys(identifier, ip)]).values()
    return max([0, *(math.ceil(until - now) for until in unlock_times)])


def record_failure(identifier: str, ip: str | None) -> None:
    """Count one failed login; lock the name or the address once it reaches the limit."""
    window = settings.LOGIN_LOCKOUT_SECONDS
    for key, limit in _limited_keys(identifier, ip):
        count_key = f"{key}:count"
        cache.add(count_key, 0, timeout=window)
        try:
            failures = cache.incr(count_key)
        except ValueError:
            # The window ended between add and incr: this failure starts a new one.
            cache.set(count_key, 1, timeout=window)
            failures = 1
        if failures >= limit:
            cache.set(f"{key}:until", time.time() + window, timeout=window)
            cache.delete(count_key)


def reset(identifier: str, ip: str | None) -> None:
    """Forget the failures of this name after a successful login.

    The address keeps its count: signing in to one's own account must not clear the way for
    guessing at others from the same address.
    """
    cache.delete_many(
        [f"{key}:{part}" for key in _keys(identifier, None) for part in ("count", "until")]
    )


def minutes_to_wait(seconds: int) -> int:
    """Whole minutes to tell the user, never zero."""
    return max(1, math.ceil(seconds / 60))
