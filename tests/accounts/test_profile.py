from django.urls import reverse

from hocvuso.accounts.models import Role
from hocvuso.accounts.services import grant_role


def test_profile_requires_login(client, db):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_profile_shows_name_masked_phone_and_roles_with_areas(
    make_user, login, dong_cuong, make_village
):
    village = make_village(dong_cuong, "Thôn Sài Lương")
    user = make_user(
        Role.COMMUNE_OFFICER, dong_cuong, full_name="Trần Thị Bình", phone="0987654321"
    )
    grant_role(user=user, role=Role.AMBASSADOR, area=village)
    page = login(user).get(reverse("accounts:profile")).text
    assert "Trần Thị Bình" in page
    assert "*******321" in page
    assert "0987654321" not in page
    assert "Cán bộ cấp xã" in page
    assert "Đông Cuông" in page
    assert "Đại sứ số" in page
    assert "Thôn Sài Lương" in page
    assert reverse("accounts:password_change") in page


def test_password_change_requires_login(client, db):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_password_change_with_the_old_password_sets_the_new_one(make_user, login):
    user = make_user(password="Mat-Khau-Cu-2025")
    client = login(user)
    page = client.get(reverse("accounts:password_change"))
    assert "Đổi mật khẩu" in page.text
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "Mat-Khau-Cu-2025",
            "new_password1": "Mat-Khau-Moi-2026",
            "new_password2": "Mat-Khau-Moi-2026",
        },
    )
    assert response.url == reverse("accounts:password_change_done")
    assert "Đã đổi mật khẩu" in client.get(response.url).text
    user.refresh_from_db()
    assert user.check_password("Mat-Khau-Moi-2026")


def test_password_change_with_a_wrong_old_password_changes_nothing(make_user, login):
    user = make_user(password="Mat-Khau-Cu-2025")
    response = login(user).post(
        reverse("accounts:password_change"),
        {
            "old_password": "sai",
            "new_password1": "Mat-Khau-Moi-2026",
            "new_password2": "Mat-Khau-Moi-2026",
        },
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password("Mat-Khau-Cu-2025")
