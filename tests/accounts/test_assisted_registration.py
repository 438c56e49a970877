import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from hocvuso.accounts.models import Role, RoleAssignment, User
from hocvuso.accounts.services import AccountError, register_assisted_learner

URL = "/tai-khoan/dang-ky-ho/"


@pytest.fixture
def sai_luong(dong_cuong, make_village):
    return make_village(dong_cuong, "Thôn Sài Lương")


@pytest.fixture
def quang(tien_lu, make_village):
    return make_village(tien_lu, "Thôn Quẵng")


@pytest.fixture
def team_member(make_user, dong_cuong):
    return make_user(Role.TEAM_MEMBER, dong_cuong, full_name="Lò Văn Tổ")


def _learners():
    return User.objects.filter(role_assignments__role=Role.LEARNER)


def test_registration_page_is_mounted_where_navigation_points():
    assert reverse("accounts:register_assisted") == URL


def test_team_member_registers_a_resident_without_a_phone(client, login, team_member, sai_luong):
    client = login(team_member)
    response = client.post(
        URL, {"full_name": "  Hoàng   Thị Mai ", "year_of_birth": "1956", "village": sai_luong.pk}
    )
    learner = User.objects.get(full_name="Hoàng Thị Mai")
    assert response.status_code == 302
    assert response.url == reverse("accounts:register_assisted_done", args=[learner.pk])
    assert learner.username.startswith("hv")
    assert learner.username[2:].isdigit()
    assert not learner.has_usable_password()
    assert learner.phone is None
    assert learner.year_of_birth == 1956
    assert learner.home_area == sai_luong
    assert learner.registered_by == team_member
    assert list(learner.role_assignments.values_list("role", "area")) == [
        (Role.LEARNER, sai_luong.pk)
    ]
    assert learner.role_assignments.get().granted_by == team_member

    done = client.get(response.url).text
    assert learner.username in done
    assert "Việc cần làm tiếp" in done


def test_phone_given_at_registration_is_stored_normalised(login, team_member, sai_luong):
    login(team_member).post(
        URL, {"full_name": "Vàng A Sử", "village": sai_luong.pk, "phone": "+84 345 678 901"}
    )
    assert User.objects.get(full_name="Vàng A Sử").phone == "0345678901"


def test_only_villages_in_scope_are_offered(login, team_member, sai_luong, quang):
    page = login(team_member).get(URL).text
    assert "Thôn Sài Lương" in page
    assert "Thôn Quẵng" not in page


def test_village_outside_scope_is_refused_with_403_and_nothing_is_created(
    login, team_member, quang
):
    response = login(team_member).post(URL, {"full_name": "Người Ngoài", "village": quang.pk})
    assert response.status_code == 403
    assert not User.objects.filter(full_name="Người Ngoài").exists()


def test_phone_already_in_use_is_refused_in_vietnamese_and_nothing_is_created(
    login, make_user, team_member, sai_luong
):
    make_user(phone="0912345678")
    learners_before = _learners().count()
    response = login(team_member).post(
        URL, {"full_name": "Đinh Văn Hai", "village": sai_luong.pk, "phone": "0912 345 678"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["phone"] == [
        "Số điện thoại này đã được dùng cho một tài khoản khác."
    ]
    assert not User.objects.filter(full_name="Đinh Văn Hai").exists()
    assert _learners().count() == learners_before


def test_invalid_phone_is_refused_and_nothing_is_created(login, team_member, sai_luong):
    response = login(team_member).post(
        URL, {"full_name": "Đinh Văn Ba", "village": sai_luong.pk, "phone": "12345"}
    )
    assert "Số điện thoại không hợp lệ" in response.context["form"].errors["phone"][0]
    assert not User.objects.filter(full_name="Đinh Văn Ba").exists()


def test_missing_name_and_village_are_reported(login, team_member, sai_luong):
    response = login(team_member).post(URL, {"full_name": "  ", "village": ""})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"full_name", "village"}


def test_year_of_birth_in_the_future_is_refused(login, team_member, sai_luong):
    response = login(team_member).post(
        URL, {"full_name": "Tương Lai", "village": sai_luong.pk, "year_of_birth": "2999"}
    )
    assert "year_of_birth" in response.context["form"].errors
    assert not User.objects.filter(full_name="Tương Lai").exists()


def test_anonymous_user_is_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", [Role.LEARNER, Role.CONTENT_EDITOR, Role.AMBASSADOR])
def test_roles_without_the_register_permission_get_403(login, make_user, dong_cuong, role):
    assert login(make_user(role, dong_cuong)).get(URL).status_code == 403


@pytest.mark.parametrize("role", [Role.TEAM_LEADER, Role.COMMUNE_OFFICER])
def test_team_leader_and_commune_officer_may_register(
    login, make_user, dong_cuong, sai_luong, role
):
    client = login(make_user(role, dong_cuong))
    response = client.post(URL, {"full_name": f"Người học {role}", "village": sai_luong.pk})
    assert response.status_code == 302


def test_confirmation_of_someone_elses_registration_is_not_found(
    login, make_user, dong_cuong, team_member, sai_luong
):
    learner = register_assisted_learner(
        registered_by=team_member, full_name="Bí Mật", village=sai_luong
    )
    other = make_user(Role.TEAM_MEMBER, dong_cuong)
    response = login(other).get(reverse("accounts:register_assisted_done", args=[learner.pk]))
    assert response.status_code == 404


def test_service_refuses_a_village_outside_scope(team_member, quang):
    with pytest.raises(PermissionDenied):
        register_assisted_learner(registered_by=team_member, full_name="Người Ngoài", village=quang)
    assert not User.objects.filter(full_name="Người Ngoài").exists()


def test_service_refuses_a_commune_in_place_of_a_village(team_member, dong_cuong):
    with pytest.raises(AccountError):
        register_assisted_learner(registered_by=team_member, full_name="Ai Đó", village=dong_cuong)
    assert not RoleAssignment.objects.filter(role=Role.LEARNER, area=dong_cuong).exists()


def test_assisted_learner_cannot_log_in_without_a_password(client, team_member, sai_luong):
    learner = register_assisted_learner(
        registered_by=team_member, full_name="Không Mật Khẩu", village=sai_luong
    )
    response = client.post(
        reverse("accounts:login"), {"username": learner.username, "password": "!"}
    )
    assert response.status_code == 200


def test_every_mistake_in_the_form_is_reported_at_once(login, team_member, sai_luong):
    response = login(team_member).post(URL, {"full_name": "", "village": "", "phone": "123"})
    assert set(response.context["form"].errors) == {"full_name", "village", "phone"}
