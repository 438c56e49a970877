"""Bearer tokens for the JSON API: made once and shown once, stored hashed, revocable by their owner.

A token is "hvs_" followed by 43 random URL-safe characters; the database keeps only its SHA-256,
so a leaked database does not let anyone call the API. Each token belongs to one user and acts with
exactly that user's roles and scope.
"""

import datetime
import hashlib
import secrets

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja.errors import HttpError
from ninja.security import HttpBearer

from hocvuso.accounts.models import ApiToken, User

TOKEN_PREFIX = "hvs_"
# Long enough for a field season without signal; a lost phone's token is revoked by its owner.
TOKEN_LIFETIME = datetime.timedelta(days=90)
# last_used_at is written at most this often, so that a busy client does not write on each request.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)
_ENGLISH_UNAUTHORISED = "Invalid, expired or revoked access token: sign in again."


def hash_token(raw: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def issue_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Make a token for this user; the raw token is returned here and never again."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=(name.strip() or gettext("Ứng dụng hiện trường"))[:100],
        key_hash=hash_token(raw),
        prefix=raw[: len(TOKEN_PREFIX) + 4],
        expires_at=timezone.now() + TOKEN_LIFETIME,
    )
    return token, raw


@transaction.atomic
def revoke_token(*, token: ApiToken) -> None:
    """Stop this token from working, at once and for good."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def active_token(raw: str) -> ApiToken | None:
    """The active token of an active user matching `raw`, noting when it was last used."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def unauthorised_message() -> str:
    """Vietnamese first, then English, so any client shows something its user can read."""
    vietnamese = gettext(
        "Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi. Vui lòng đăng nhập lại."
    )
    return f"{vietnamese} — {_ENGLISH_UNAUTHORISED}"


class TokenAuth(HttpBearer):
    """`Authorization: Bearer hvs_…` → request.auth is the ApiToken, request.user its user."""

    def __call__(self, request: HttpRequest):
        # No header or another scheme gets the same clear answer as a bad token, not "Unauthorized".
        found = super().__call__(request)
        if found is None:
            raise HttpError(401, unauthorised_message())
        return found

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        found = active_token(token.strip())
        if found is None:
            raise HttpError(401, unauthorised_message())
        request.user = found.user
        return found


token_auth = TokenAuth()
