"""Security headers on every response, pages, API and static files alike; a database outage (a
PostgreSQL restart, a failover) answered by waiting it out or with a 503, never with a 500."""

import logging
import sys
import time
from contextlib import ExitStack, suppress

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import DatabaseError, connections
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

logger = logging.getLogger("hocvuso.database")

# Everything the platform loads comes from itself (no CDN: it must run on an intranet), so the policy
# can be strict: no inline script or style, no eval, no plugins, and no page may frame it. Pictures
# may be data: URLs (Swagger UI's icons) and blob: URLs (a file picked on the phone, shown before
# it is sent).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# The platform needs none of these powerful features; a script that slipped in gets none either.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)


class SecurityHeadersMiddleware:
    """Add the content-security policy and the permissions policy; Django's SecurityMiddleware adds
    nosniff, the referrer policy, the opener policy and (over HTTPS) HSTS, and XFrameOptionsMiddleware
    the X-Frame-Options header that older browsers read instead of frame-ancestors."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response


# SQLSTATEs that mean the connection itself failed, not the statement: connection exceptions
# (class 08), the server shutting down, crashed or still starting, and no free connection slot.
_CONNECTION_STATES = {"57P01", "57P02", "57P03", "53300"}
# Statements that leave nothing behind once their transaction is gone. Anything else (INSERT,
# UPDATE, DELETE, a WITH that may hide one, raw SQL of any kind) counts as a possible write.
_READS = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "SET ", "SHOW")
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
_FAILURE = "_database_connection_failure"


def is_connection_failure(error: BaseException | None) -> bool:
    """Whether `error` is PostgreSQL's connection failing (refused, cut, server restarting), as
    opposed to a statement failing on a working connection (a deadlock, a timeout, a constraint).
    SQLite's errors are never one: the embedded database cannot be out of reach."""
    if not isinstance(error, (OperationalError, InterfaceError)):
        return False
    cause = error.__cause__
    # psycopg 3 names it sqlstate, psycopg2 pgcode; None for a failure on the client's side
    # (connection refused, connection closed).
    state = getattr(cause, "sqlstate", getattr(cause, "pgcode", "none"))
    if state == "none":
        return False
    return state is None or state.startswith("08") or state in _CONNECTION_STATES


def _note_connection_failure(sender, request=None, **kwargs) -> None:
    # Django turns an exception into a 500 page in every middleware layer, so the error never
    # reaches DatabaseOutageMiddleware itself: this receiver marks the request instead.
    error = sys.exc_info()[1]
    if request is not None and is_connection_failure(error):
        setattr(request, _FAILURE, error)


class _WriteWatch:
    """An execute wrapper that notes whether a statement that may write was sent."""

    def __init__(self) -> None:
        self.wrote = False

    def __call__(self, execute, sql, params, many, context):
        if not self.wrote and not (
            isinstance(sql, str) and sql.lstrip().upper().startswith(_READS)
        ):
            # Noted before sending: a write whose answer was lost may have been committed.
            self.wrote = True
        return execute(sql, params, many, context)


class DatabaseOutageMiddleware:
    """Answer requests through a short database outage instead of failing them with a 500.

    When a request fails because the connection to PostgreSQL failed, the connection is closed
    and the request handled again after a short wait (0.1 s, doubling to 2 s, for at most
    DATABASE_RETRY_SECONDS in all), provided handling it again cannot do anything twice:

    - a GET, HEAD or OPTIONS request, which must not change anything;
    - any other request during which no statement that may write was sent (the failure came
      while connecting, or after reads only). Once an INSERT, an UPDATE, a DELETE or raw SQL
      has been sent, the request may have been stored, even when the error came at COMMIT, so
      it is never handled again.

    Otherwise, or when the database is still out of reach at the end, the answer is 503 with
    Retry-After and a short message, JSON under /api/; the field app sends its batch again (each
    item is recorded once by its client id), a person presses the button again.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        got_request_exception.connect(
            _note_connection_failure, dispatch_uid="hocvuso-database-outage"
        )

    def __call__(self, request):
        started = time.monotonic()
        delay, retries = 0.1, 0
        while True:
            watch = _WriteWatch()
            setattr(request, _FAILURE, None)
            with ExitStack() as stack:
                for connection in connections.all():
                    stack.enter_context(connection.execute_wrapper(watch))
                response = self.get_response(request)
            error = getattr(request, _FAILURE)
            if error is None or response.status_code != 500:
                if retries:
                    logger.warning(
                        "database connection lost: %s %s answered %s after %s retries in %.1f s",
                        request.method,
                        request.path,
                        response.status_code,
                        retries,
                        time.monotonic() - started,
                    )
                return response
            _close_connections()
            refused = self._why_not_again(request, watch)
            if (
                refused is None
                and time.monotonic() - started + delay > settings.DATABASE_RETRY_SECONDS
            ):
                refused = "still out of reach"
            if refused is not None:
                logger.error(
                    "database unavailable: %s %s answered 503 after %s retries in %.1f s (%s): %s",
                    request.method,
                    request.path,
                    retries,
                    time.monotonic() - started,
                    refused,
                    str(error).strip().splitlines()[0] if str(error).strip() else repr(error),
                )
                return self._unavailable(request, may_have_written=watch.wrote)
            time.sleep(delay)
            retries += 1
            delay = min(delay * 2, 2.0)

    def _why_not_again(self, request, watch: _WriteWatch) -> str | None:
        """Why the request may not be handled again, or None if it may."""
        if request.path in settings.DATABASE_RETRY_EXEMPT_PATHS:
            return "answered at once on this path"
        if request.method not in _SAFE_METHODS and watch.wrote:
            return "not retried: it may have written"
        if any(c.in_atomic_block for c in connections.all(initialized_only=True)):
            return "not retried: a transaction is still open"
        if not _rewind_body(request):
            return "not retried: its body was read as a stream"
        return None

    def _unavailable(self, request, *, may_have_written: bool) -> HttpResponse:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        with translation.override(language):
            message = _(
                "Hệ thống tạm thời không kết nối được cơ sở dữ liệu. Xin thử lại sau ít giây."
            )
            if may_have_written and request.method not in _SAFE_METHODS:
                message += " " + _(
                    "Yêu cầu vừa gửi có thể đã được lưu: hãy kiểm tra trước khi gửi lại."
                )
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=503)
        else:
            response = HttpResponse(
                f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8">'
                f"<title>503</title></head><body><p>{escape(message)}</p></body></html>",
                status=503,
            )
        response["Retry-After"] = str(settings.DATABASE_RETRY_AFTER)
        response["Cache-Control"] = "no-store"
        response["Content-Language"] = language
        return response


def _close_connections() -> None:
    """Drop the broken connections; the next query opens a new one."""
    for connection in connections.all(initialized_only=True):
        # close() forgets the connection even when closing the dead socket fails.
        with suppress(DatabaseError):
            connection.close()


def _rewind_body(request) -> bool:
    """Make the request's body readable again for a second run; False if it cannot be."""
    if hasattr(request, "_files"):
        for _name, files in request._files.lists():
            for file in files:
                if file.closed:
                    return False
                file.seek(0)
    # A view that read the body as a stream, past Django's parsing, consumed it for good.
    return not (
        getattr(request, "_read_started", False)
        and not hasattr(request, "_body")
        and not hasattr(request, "_post")
    )


class DatabaseOutageLogFilter(logging.Filter):
    """Leave out django.request's "Internal Server Error" of a request whose database connection
    failed: DatabaseOutageMiddleware logs one line for it once it knows how it ended."""

    def filter(self, record: logging.LogRecord) -> bool:
        return getattr(getattr(record, "request", None), _FAILURE, None) is None
