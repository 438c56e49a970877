"""Fixtures of the field tests: a village of Xã Đông Cuông with a household, and its team."""

import datetime

import pytest

from hocvuso.accounts.models import Role
from hocvuso.field.services.teams import add_team_member, save_team
from hocvuso.people.services import register_household, register_resident

TODAY_YEAR = datetime.date.today().year


@pytest.fixture
def village(dong_cuong, make_village):
    return make_village(dong_cuong, "Thôn Sài Lương")


@pytest.fixture
def other_village(tien_lu, make_village):
    return make_village(tien_lu, "Thôn Quẵng")


@pytest.fixture
def member(make_user, village):
    return make_user(Role.TEAM_MEMBER, village, full_name="Triệu Thị Mai")


@pytest.fixture
def officer(make_user, dong_cuong):
    return make_user(Role.COMMUNE_OFFICER, dong_cuong, full_name="Phạm Thị Hồng")


@pytest.fixture
def team(village, member):
    team = save_team(village=village, decision_number="123/QĐ-UBND")
    add_team_member(team=team, user=member, joined_on=datetime.date(2026, 1, 5))
    return team


@pytest.fixture
def make_household(officer):
    def make(village, head="Hoàng Văn Páo", members=(("Hoàng Văn Páo", 1970),)):
        household = register_household(village=village, head_name=head, created_by=officer)
        people = [
            register_resident(
                village=village,
                household=household,
                full_name=name,
                year_of_birth=born,
                created_by=officer,
            )
            for name, born in members
        ]
        return household, people

    return make


@pytest.fixture
def household(make_household, village):
    return make_household(
        village,
        members=(("Hoàng Văn Páo", 1970), ("Lý Thị Dung", 1975), ("Hoàng Văn Tú", TODAY_YEAR - 10)),
    )
