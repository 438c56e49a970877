"""API sign-in: a client trades a phone number or username and password for a bearer token."""

import datetime

from django.contrib.auth import authenticate
from django.utils.translation import gettext
from ninja import Router, Schema, Status
from ninja.security import SessionAuth

from hocvuso.accounts import throttle
from hocvuso.accounts.tokens import issue_token, revoke_token, token_auth

router = Router(tags=["auth"])


class CredentialsIn(Schema):
    username: str
    password: str
    # Names the device in the owner's token list, e.g. "Điện thoại Redmi của Minh".
    device_name: str = ""


class DeviceIn(Schema):
    device_name: str = ""


class TokenOut(Schema):
    token: str
    name: str
    expires_at: datetime.datetime
    user: str


class ErrorOut(Schema):
    detail: str


def _issued(user, name: str) -> dict:
    token, raw = issue_token(user=user, name=name)
    return {"token": raw, "name": token.name, "expires_at": token.expires_at, "user": user.username}


@router.post("/token", response={200: TokenOut, 401: ErrorOut, 429: ErrorOut}, auth=None)
def obtain_token(request, credentials: CredentialsIn):
    """A new token for these credentials; failures count towards the same lock as the login page."""
    ip = throttle.client_ip(request)
    if wait := throttle.seconds_locked(credentials.username, ip):
        message = gettext("Bạn đã nhập sai quá nhiều lần. Vui lòng thử lại sau %(minutes)s phút.")
        return Status(429, {"detail": message % {"minutes": throttle.minutes_to_wait(wait)}})
    user = authenticate(request, username=credentials.username, password=credentials.password)
    if user is None or not user.is_active:
        throttle.record_failure(credentials.username, ip)
        return Status(
            401, {"detail": gettext("Số điện thoại/tên đăng nhập hoặc mật khẩu không đúng.")}
        )
    throttle.reset(credentials.username, ip)
    return Status(200, _issued(user, credentials.device_name))


@router.post("/device-token", response=TokenOut, auth=SessionAuth())
def obtain_device_token(request, device: DeviceIn):
    """A token for the member already signed in on the field pages (session and CSRF checked)."""
    return _issued(request.auth, device.device_name)


@router.delete("/token", response={204: None}, auth=token_auth)
def revoke_current_token(request):
    """Revoke the token that authorises this request, e.g. when signing out of the field app."""
    revoke_token(token=request.auth)
    return Status(204, None)
