from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from hocvuso.accounts.demo import DEMO_PASSWORD
from hocvuso.accounts.models import Role, RoleAssignment, User
from hocvuso.demo.data import COMMUNES, USERS
from hocvuso.demo.services import load_demo
from hocvuso.places.models import Area, AreaChange


@pytest.fixture
def demo(db):
    return load_demo()


def _village_names(code: str) -> set[str]:
    return set(
        Area.objects.filter(
            parent__code=code, level=Area.Level.VILLAGE, is_active=True
        ).values_list("name", flat=True)
    )


def test_dong_cuong_has_26_villages_with_thon_sai_luong(demo):
    names = _village_names("04399")
    assert len(names) == 26
    assert "Thôn Sài Lương" in names
    assert Area.objects.get(code="04399").parent.code == "15"


def test_tien_lu_of_hung_yen_has_35_villages_with_thon_quang(demo):
    names = _village_names("12364")
    assert len(names) == 35
    assert "Thôn Quẵng" in names
    assert Area.objects.get(code="12364").parent.code == "33"
    assert not _village_names("08842"), "Xã Tiên Lữ of Phú Thọ is another commune"


def test_mang_den_and_dong_da_have_their_villages_and_residential_groups(demo):
    assert 10 <= len(_village_names("23473")) <= 12
    dong_da = Area.objects.filter(parent__code="00235", level=Area.Level.VILLAGE)
    assert dong_da.exists()
    assert set(dong_da.values_list("kind", flat=True)) == {"tổ dân phố"}


def test_every_role_has_a_demo_user(demo):
    held = set(
        RoleAssignment.objects.filter(user__username__startswith="demo.").values_list(
            "role", flat=True
        )
    )
    assert held == set(Role.values)


def test_field_roles_are_scoped_to_thon_sai_luong(demo):
    sai_luong = Area.objects.get(parent__code="04399", name="Thôn Sài Lương")
    for role in (Role.LEARNER, Role.AMBASSADOR, Role.TEAM_MEMBER, Role.TEAM_LEADER):
        assert RoleAssignment.objects.filter(role=role, area=sai_luong).exists()


def test_each_commune_has_a_demo_officer(demo):
    officers = set(
        RoleAssignment.objects.filter(role=Role.COMMUNE_OFFICER).values_list(
            "area__code", flat=True
        )
    )
    assert {"04399", "12364", "23473", "00235"} <= officers


def test_national_admin_may_open_django_admin(demo):
    assert User.objects.get(username="demo.quantri").is_staff


def test_running_the_demo_twice_changes_nothing(demo):
    counts = (
        Area.objects.count(),
        AreaChange.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
    )
    again = load_demo()
    assert (again.villages_created, again.users_created) == (0, 0)
    assert (again.units.created, again.units.updated) == (0, 0)
    assert counts == (
        Area.objects.count(),
        AreaChange.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
    )


def test_every_demo_user_logs_in_by_username_and_by_phone(demo):
    for spec in USERS:
        user = User.objects.get(username=spec.username)
        assert authenticate(username=spec.username, password=DEMO_PASSWORD) == user
        assert authenticate(username=spec.phone, password=DEMO_PASSWORD) == user


def test_demo_phone_numbers_are_distinct(demo):
    phones = list(User.objects.filter(username__startswith="demo.").values_list("phone", flat=True))
    assert len(phones) == len(set(phones)) == len(USERS)
    assert all(phones)


def test_demo_command_reports_what_it_did_in_vietnamese(db):
    first, second = StringIO(), StringIO()
    call_command("demo", stdout=first)
    call_command("demo", stdout=second)
    villages = sum(len(commune.villages) for commune in COMMUNES)
    assert f"Tài khoản mẫu: tạo mới {len(USERS)}, đã có 0." in first.getvalue()
    assert f"Tài khoản mẫu: tạo mới 0, đã có {len(USERS)}." in second.getvalue()
    assert f"tạo mới 0, đã có {villages}." in second.getvalue()
