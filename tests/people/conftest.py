"""Fixtures of the registry tests: Thôn Sài Lương with its team member, and a village elsewhere."""

import pytest

from hocvuso.accounts.models import Role
from hocvuso.people.services import register_household, register_resident


@pytest.fixture
def sai_luong(dong_cuong, make_village):
    return make_village(dong_cuong, "Thôn Sài Lương")


@pytest.fixture
def quang(tien_lu, make_village):
    return make_village(tien_lu, "Thôn Quẵng")


@pytest.fixture
def member(make_user, sai_luong):
    """A team member of Thôn Sài Lương."""
    return make_user(Role.TEAM_MEMBER, sai_luong, full_name="Triệu Thị Mai")


@pytest.fixture
def officer(make_user, dong_cuong):
    """A commune officer of Xã Đông Cuông."""
    return make_user(Role.COMMUNE_OFFICER, dong_cuong)


@pytest.fixture
def outsider(make_user, quang):
    """A team member of a village in another province."""
    return make_user(Role.TEAM_MEMBER, quang)


@pytest.fixture
def household(sai_luong, member):
    return register_household(
        village=sai_luong, head_name="Triệu Văn Sơn", number="01", created_by=member
    )


@pytest.fixture
def resident(sai_luong, household, member):
    return register_resident(
        village=sai_luong,
        household=household,
        full_name="Triệu Văn Sơn",
        year_of_birth=1968,
        gender="male",
        ethnicity="Dao",
        phone="0912 345 678",
        citizen_id="010068123456",
        created_by=member,
    )
