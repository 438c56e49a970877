import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from hocvuso.accounts.demo import DEMO_PASSWORD
from hocvuso.accounts.models import Role

PASSWORD = "Dung-Mat-Khau-2025"
WRONG_LOGIN = "Số điện thoại/tên đăng nhập hoặc mật khẩu không đúng."
LOCKED = "Bạn đã nhập sai quá nhiều lần. Vui lòng thử lại sau"


@pytest.fixture
def resident(make_user, dong_cuong):
    return make_user(
        Role.TEAM_MEMBER,
        dong_cuong,
        username="nguyen.van.an",
        phone="0912345678",
        password=PASSWORD,
        full_name="Nguyễn Văn An",
    )


def _login(client, identifier, password, **extra):
    return client.post(
        reverse("accounts:login"), {"username": identifier, "password": password}, **extra
    )


def _signed_in_as(client):
    return client.session.get(SESSION_KEY)


def test_login_page_asks_for_phone_or_username(client, db):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert "Số điện thoại hoặc tên đăng nhập" in response.text
    assert 'autocomplete="current-password"' in response.text


@pytest.mark.parametrize(
    "identifier",
    [
        "0912345678",
        "+84 912 345 678",
        "84912345678",
        "0912.345.678",
        "nguyen.van.an",
        "Nguyen.Van.An",
    ],
)
def test_login_by_phone_in_any_spelling_or_by_username(client, resident, identifier):
    response = _login(client, identifier, PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("portal:home")
    assert _signed_in_as(client) == str(resident.pk)


def test_login_follows_a_safe_next_address_and_ignores_a_foreign_one(client, resident):
    response = client.post(
        reverse("accounts:login") + "?next=/tai-khoan/",
        {"username": "0912345678", "password": PASSWORD, "next": "/tai-khoan/"},
    )
    assert response.url == "/tai-khoan/"
    client.logout()
    response = client.post(
        reverse("accounts:login"),
        {"username": "0912345678", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.url == reverse("portal:home")


def test_wrong_password_and_unknown_account_get_the_same_message(client, resident):
    wrong_password = _login(client, "0912345678", "not-the-password")
    unknown_phone = _login(client, "0987654321", "not-the-password")
    unknown_name = _login(client, "khong.co.ai", "not-the-password")
    for response in (wrong_password, unknown_phone, unknown_name):
        assert response.status_code == 200
        assert response.context["form"].non_field_errors() == [WRONG_LOGIN]
    assert _signed_in_as(client) is None


def test_disabled_account_gets_the_same_message_as_a_wrong_password(client, resident):
    resident.is_active = False
    resident.save()
    response = _login(client, "0912345678", PASSWORD)
    assert response.context["form"].non_field_errors() == [WRONG_LOGIN]
    assert _signed_in_as(client) is None


def test_after_the_failure_limit_even_the_right_password_is_refused(client, resident, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_LOCKOUT_SECONDS = 300
    for _ in range(3):
        assert WRONG_LOGIN in _login(client, "+84 912 345 678", "sai").text
    response = _login(client, "0912345678", PASSWORD)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Bạn đã nhập sai quá nhiều lần. Vui lòng thử lại sau 5 phút."
    ]
    assert _signed_in_as(client) is None


def test_lockout_of_an_account_name_holds_from_another_address(client, resident, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    for _ in range(2):
        _login(client, "nguyen.van.an", "sai", REMOTE_ADDR="10.0.0.1")
    response = _login(client, "NGUYEN.VAN.AN", PASSWORD, REMOTE_ADDR="10.0.0.2")
    assert LOCKED in response.text
    assert _signed_in_as(client) is None


def test_an_address_shared_by_an_office_locks_only_at_its_own_higher_limit(
    client, resident, make_user, settings
):
    settings.LOGIN_FAILURE_LIMIT = 2
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 4
    for name in ("mot", "hai", "ba"):
        _login(client, name, "sai", REMOTE_ADDR="10.0.0.9")
    assert _login(client, "0912345678", PASSWORD, REMOTE_ADDR="10.0.0.9").status_code == 302
    client.logout()
    _login(client, "bon", "sai", REMOTE_ADDR="10.0.0.9")
    _login(client, "nam", "sai", REMOTE_ADDR="10.0.0.9")
    assert LOCKED in _login(client, "0912345678", PASSWORD, REMOTE_ADDR="10.0.0.9").text


def test_lockout_of_an_address_holds_for_every_account_name(client, resident, make_user, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 3
    for name in ("mot", "hai", "ba"):
        _login(client, name, "sai", REMOTE_ADDR="10.0.0.9")
    refused = _login(client, "0912345678", PASSWORD, REMOTE_ADDR="10.0.0.9")
    assert LOCKED in refused.text
    accepted = _login(client, "0912345678", PASSWORD, REMOTE_ADDR="10.0.0.10")
    assert accepted.status_code == 302


def test_a_successful_login_resets_the_failure_count(client, resident, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(2):
        _login(client, "0912345678", "sai")
    assert _login(client, "0912345678", PASSWORD).status_code == 302
    client.logout()
    for _ in range(2):
        _login(client, "0912345678", "sai")
    assert _login(client, "0912345678", PASSWORD).status_code == 302


def test_the_lockout_ends_after_the_lockout_time(client, resident, settings):
    settings.LOGIN_FAILURE_LIMIT = 1
    settings.LOGIN_LOCKOUT_SECONDS = 1
    _login(client, "0912345678", "sai")
    assert LOCKED in _login(client, "0912345678", PASSWORD).text
    time.sleep(1.2)
    assert _login(client, "0912345678", PASSWORD).status_code == 302


def test_logout_is_a_post_that_ends_the_session(client, resident):
    client.force_login(resident)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert _signed_in_as(client) == str(resident.pk)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert _signed_in_as(client) is None


def test_demo_accounts_are_listed_only_when_the_setting_is_on(
    client, make_user, dong_cuong, settings
):
    make_user(
        Role.COMMUNE_OFFICER, dong_cuong, username="demo.xa.dongcuong", password=DEMO_PASSWORD
    )
    make_user(Role.COMMUNE_OFFICER, dong_cuong, username="can.bo.that")

    settings.HOCVUSO_SHOW_DEMO_ACCOUNTS = False
    hidden = client.get(reverse("accounts:login")).text
    assert "demo.xa.dongcuong" not in hidden
    assert DEMO_PASSWORD not in hidden

    settings.HOCVUSO_SHOW_DEMO_ACCOUNTS = True
    shown = client.get(reverse("accounts:login")).text
    assert "demo.xa.dongcuong" in shown
    assert "Cán bộ cấp xã" in shown
    assert "Đông Cuông" in shown
    assert DEMO_PASSWORD in shown
    assert "can.bo.that" not in shown


def test_a_demo_account_logs_in_with_the_demo_password(client, make_user, dong_cuong):
    make_user(Role.TEAM_LEADER, dong_cuong, username="demo.to.truong", password=DEMO_PASSWORD)
    assert _login(client, "demo.to.truong", DEMO_PASSWORD).status_code == 302
