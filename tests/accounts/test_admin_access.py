"""Django admin at /quan-tri/ is for national admins (and superusers) only."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from hocvuso.accounts.models import Role, RoleAssignment, User

ADMIN = "/quan-tri/"
PASSWORD = "Quan-Tri-2025"
NO_INLINE_ROWS = {
    "role_assignments-TOTAL_FORMS": "0",
    "role_assignments-INITIAL_FORMS": "0",
}


@pytest.fixture
def national_admin(make_user, area):
    return make_user(Role.NATIONAL_ADMIN, area("VN"), username="quantri", password=PASSWORD)


@pytest.fixture
def commune_officer(make_user, dong_cuong):
    return make_user(Role.COMMUNE_OFFICER, dong_cuong, username="canboxa", password=PASSWORD)


def test_admin_is_mounted_at_quan_tri():
    assert reverse("admin:index") == ADMIN


def test_commune_officer_is_turned_away_from_admin(login, commune_officer):
    response = login(commune_officer).get(ADMIN)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_staff_flag_alone_does_not_open_admin(login, make_user, dong_cuong):
    staff = make_user(Role.COMMUNE_OFFICER, dong_cuong)
    staff.is_staff = True
    staff.save()
    assert login(staff).get(ADMIN).status_code == 302


def test_anonymous_visitor_is_sent_to_admin_login(client, db):
    response = client.get(ADMIN)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_national_admin_enters_admin_in_vietnamese(login, national_admin):
    assert not national_admin.is_staff
    response = login(national_admin).get(ADMIN)
    assert response.status_code == 200
    assert "Quản trị" in response.text
    assert "Tài khoản và vai trò" in response.text
    assert reverse("admin:accounts_user_changelist") in response.text
    assert reverse("admin:accounts_roleassignment_changelist") in response.text


def test_superuser_enters_admin(login, make_user):
    superuser = make_user()
    superuser.is_superuser = True
    superuser.save()
    assert login(superuser).get(ADMIN).status_code == 200


def test_national_admin_sees_users_with_their_roles(login, national_admin, commune_officer):
    client = login(national_admin)
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200
    change = client.get(reverse("admin:accounts_user_change", args=[commune_officer.pk]))
    assert change.status_code == 200
    assert "Vai trò theo địa bàn" in change.text
    assert "Cán bộ cấp xã" in change.text
    assert "Số điện thoại" in change.text
    assert client.get(reverse("admin:accounts_roleassignment_changelist")).status_code == 200


def test_national_admin_grants_a_role_in_admin_and_is_recorded_as_granter(
    login, national_admin, commune_officer, tien_lu
):
    response = login(national_admin).post(
        reverse("admin:accounts_roleassignment_add"),
        {"user": commune_officer.pk, "role": Role.TEAM_LEADER, "area": tien_lu.pk},
    )
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=commune_officer, role=Role.TEAM_LEADER)
    assert assignment.area == tien_lu
    assert assignment.granted_by == national_admin


def test_admin_login_lets_a_national_admin_in(client, national_admin):
    response = client.post(
        reverse("admin:login"), {"username": "quantri", "password": PASSWORD, "next": ADMIN}
    )
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(national_admin.pk)


def test_admin_login_refuses_a_commune_officer_with_the_right_password(client, commune_officer):
    response = client.post(
        reverse("admin:login"), {"username": "canboxa", "password": PASSWORD, "next": ADMIN}
    )
    assert response.status_code == 200
    assert "không có quyền vào trang quản trị" in response.text
    assert SESSION_KEY not in client.session


def test_admin_login_is_throttled_like_the_site_login(client, national_admin, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    for _ in range(2):
        client.post(reverse("admin:login"), {"username": "quantri", "password": "sai"})
    response = client.post(reverse("admin:login"), {"username": "quantri", "password": PASSWORD})
    assert "Bạn đã nhập sai quá nhiều lần" in response.text
    assert SESSION_KEY not in client.session


def test_national_admin_adds_a_user_whose_phone_is_stored_normalised(login, national_admin):
    client = login(national_admin)
    assert client.get(reverse("admin:accounts_user_add")).status_code == 200
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "nguoimoi",
            "full_name": "Người Mới",
            "phone": "+84 912 000 111",
            "usable_password": "true",
            "password1": "Mat-Khau-Moi-2026",
            "password2": "Mat-Khau-Moi-2026",
            **NO_INLINE_ROWS,
        },
    )
    assert response.status_code == 302
    created = User.objects.get(username="nguoimoi")
    assert created.phone == "0912000111"
    assert created.check_password("Mat-Khau-Moi-2026")


def test_admin_refuses_a_phone_already_in_use(login, national_admin, commune_officer):
    commune_officer.phone = "0912000222"
    commune_officer.save()
    response = login(national_admin).post(
        reverse("admin:accounts_user_add"),
        {
            "username": "trungso",
            "phone": "0912 000 222",
            "usable_password": "false",
            **NO_INLINE_ROWS,
        },
    )
    assert response.status_code == 200
    assert "Số điện thoại này đã được dùng cho một tài khoản khác." in response.text
    assert not User.objects.filter(username="trungso").exists()
