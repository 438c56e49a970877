"""API tokens: obtained with a password (throttled like the login page), stored hashed, revocable."""

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from hocvuso.accounts.models import ApiToken, Role
from hocvuso.accounts.tokens import TOKEN_PREFIX, hash_token, issue_token, revoke_token
from tests.conftest import PASSWORD

TOKEN_URL = "/api/v1/auth/token"
PROBE_URL = "/api/v1/people/households"


@pytest.fixture(autouse=True)
def fresh_login_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def member(dong_cuong, make_village, make_user):
    village = make_village(dong_cuong, "Thôn Sài Lương")
    return make_user(Role.TEAM_MEMBER, village, phone="0912345678")


def obtain(client, username, password, **extra):
    body = {"username": username, "password": password, **extra}
    return client.post(TOKEN_URL, body, content_type="application/json")


def test_a_member_obtains_a_token_by_phone_and_only_its_hash_is_stored(client, member):
    response = obtain(client, "+84 912 345 678", PASSWORD, device_name="Điện thoại của Minh")
    assert response.status_code == 200
    raw = response.json()["token"]
    assert raw.startswith(TOKEN_PREFIX)
    token = ApiToken.objects.get(user=member)
    assert token.name == "Điện thoại của Minh"
    assert token.key_hash == hash_token(raw)
    assert raw not in {token.key_hash, token.prefix, token.name}
    assert not ApiToken.objects.filter(key_hash=raw).exists()


def test_a_token_authorises_the_field_api_and_records_its_last_use(client, member):
    token, raw = issue_token(user=member, name="Thiết bị thử")
    assert token.last_used_at is None
    response = client.get(PROBE_URL, headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    "header",
    [None, "Bearer hvs_not-a-real-token", "Token something", "Bearer "],
)
def test_a_missing_or_unknown_token_is_refused_in_vietnamese_and_english(client, member, header):
    headers = {"Authorization": header} if header else {}
    response = client.get(PROBE_URL, headers=headers)
    assert response.status_code == 401
    detail = response.json()["detail"]
    assert "Mã truy cập không hợp lệ" in detail
    assert "Invalid, expired or revoked access token" in detail


def test_a_revoked_token_stops_working_at_once(client, member):
    token, raw = issue_token(user=member, name="Điện thoại bị mất")
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get(PROBE_URL, headers=headers).status_code == 200
    revoke_token(token=token)
    assert client.get(PROBE_URL, headers=headers).status_code == 401


def test_the_app_revokes_its_own_token_on_sign_out(client, member):
    _token, raw = issue_token(user=member, name="Thiết bị thử")
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.delete(TOKEN_URL, headers=headers).status_code == 204
    assert client.get(PROBE_URL, headers=headers).status_code == 401
    assert ApiToken.objects.get(user=member).revoked_at is not None


def test_a_token_of_a_deactivated_user_is_refused(client, member):
    _token, raw = issue_token(user=member, name="Thiết bị thử")
    member.is_active = False
    member.save(update_fields=["is_active"])
    response = client.get(PROBE_URL, headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401


def test_a_wrong_password_gets_no_token(client, member):
    response = obtain(client, member.username, "sai-mat-khau")
    assert response.status_code == 401
    assert response.json()["detail"] == "Số điện thoại/tên đăng nhập hoặc mật khẩu không đúng."
    assert not ApiToken.objects.exists()


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_name_even_with_the_right_password(client, member):
    for _ in range(3):
        assert obtain(client, "0912345678", "sai-mat-khau").status_code == 401
    locked = obtain(client, "+84 912 345 678", PASSWORD)
    assert locked.status_code == 429
    assert "Vui lòng thử lại sau" in locked.json()["detail"]
    assert not ApiToken.objects.exists()


def test_the_signed_in_field_page_gets_a_device_token_with_its_csrf_token(member):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    refused = browser.post(
        "/api/v1/auth/device-token", {"device_name": "Chrome"}, content_type="application/json"
    )
    assert refused.status_code == 403
    browser.get("/tai-khoan/")
    csrf = browser.cookies["csrftoken"].value
    response = browser.post(
        "/api/v1/auth/device-token",
        {"device_name": "Chrome"},
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert response.status_code == 200
    assert ApiToken.objects.get(user=member).key_hash == hash_token(response.json()["token"])


def test_an_anonymous_visitor_gets_no_device_token(client):
    response = client.post("/api/v1/auth/device-token", {}, content_type="application/json")
    assert response.status_code == 401
