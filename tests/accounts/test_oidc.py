"""Sign-in through an external OpenID Connect provider, configured by settings; no network."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import override_settings
from django.urls import reverse

from hocvuso.accounts.backends import OIDCBackend
from hocvuso.accounts.models import User

PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_PROVIDER_NAME": "VNeID",
    "OIDC_RP_CLIENT_ID": "hocvuso-test",
    "OIDC_RP_CLIENT_SECRET": "test-secret",
    "OIDC_RP_SIGN_ALGO": "RS256",
    "OIDC_RP_SCOPES": "openid profile phone",
    "OIDC_OP_JWKS_ENDPOINT": "https://id.example.vn/jwks",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://id.example.vn/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": "https://id.example.vn/token",
    "OIDC_OP_USER_ENDPOINT": "https://id.example.vn/userinfo",
}


@pytest.fixture
def provider():
    with override_settings(ROOT_URLCONF="tests.accounts.oidc_urls", **PROVIDER):
        yield


def test_login_page_has_no_provider_button_when_oidc_is_off(client, db):
    assert "Đăng nhập bằng" not in client.get(reverse("accounts:login")).text


def test_login_page_offers_the_provider_when_configured(client, db, provider):
    page = client.get(reverse("accounts:login") + "?next=/tai-khoan/").text
    assert "Đăng nhập bằng VNeID" in page
    assert reverse("oidc_authentication_init") + "?next=/tai-khoan/" in page


def test_provider_button_redirects_to_the_authorization_endpoint_with_client_id(
    client, db, provider
):
    response = client.get(reverse("oidc_authentication_init"))
    assert response.status_code == 302
    target = urlsplit(response.url)
    assert (
        f"{target.scheme}://{target.netloc}{target.path}"
        == PROVIDER["OIDC_OP_AUTHORIZATION_ENDPOINT"]
    )
    query = parse_qs(target.query)
    assert query["client_id"] == ["hocvuso-test"]
    assert query["response_type"] == ["code"]
    assert query["scope"] == ["openid profile phone"]
    assert query["state"][0] in client.session["oidc_states"]


def test_new_person_from_the_provider_gets_an_account_without_password(db, provider):
    backend = OIDCBackend()
    claims = {
        "sub": "079123456789",
        "name": "Phạm Văn Cường",
        "phone_number": "+84 987 654 321",
        "phone_number_verified": True,
    }
    assert backend.verify_claims(claims)
    assert not backend.filter_users_by_claims(claims).exists()
    user = backend.create_user(claims)
    assert user.username == "oidc-079123456789"
    assert user.phone == "0987654321"
    assert user.full_name == "Phạm Văn Cường"
    assert not user.has_usable_password()
    assert list(backend.filter_users_by_claims(claims)) == [user]


def test_verified_phone_links_the_provider_to_an_existing_account(db, provider, make_user):
    existing = make_user(phone="0912345678")
    claims = {"sub": "abc", "phone_number": "0912345678", "phone_number_verified": True}
    assert list(OIDCBackend().filter_users_by_claims(claims)) == [existing]


def test_unverified_phone_never_links_to_an_existing_account(db, provider, make_user):
    make_user(phone="0912345678")
    claims = {"sub": "abc", "phone_number": "0912345678"}
    backend = OIDCBackend()
    assert not backend.filter_users_by_claims(claims).exists()
    user = backend.create_user(claims)
    assert user.phone is None
    assert User.objects.filter(phone="0912345678").count() == 1


def test_claims_without_a_subject_are_refused(db, provider):
    assert not OIDCBackend().verify_claims({"name": "Không Có Mã"})
