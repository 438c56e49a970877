"""Fixtures of the field and people API tests: Thôn Sài Lương's team member, an outsider from
Tiên Lữ, their tokens, and a household of Sài Lương with two residents."""

import datetime

import pytest
from django.test import Client

from hocvuso.accounts.models import Role
from hocvuso.accounts.tokens import issue_token
from hocvuso.field.services.teams import add_team_member, save_team
from hocvuso.people.services import register_household, register_resident


class TokenClient:
    """The Django test client, sending JSON and a bearer token (or none)."""

    def __init__(self, raw: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {raw}"} if raw else {}

    def get(self, url, **params):
        return self.client.get(url, params, headers=self.headers)

    def post(self, url, body=None):
        return self.client.post(
            url, body or {}, content_type="application/json", headers=self.headers
        )

    def patch(self, url, body):
        return self.client.patch(url, body, content_type="application/json", headers=self.headers)

    def delete(self, url):
        return self.client.delete(url, headers=self.headers)


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
def outsider(make_user, quang):
    """A team member of a village of Tiên Lữ."""
    return make_user(Role.TEAM_MEMBER, quang, full_name="Nguyễn Văn Bình")


@pytest.fixture
def officer(make_user, dong_cuong):
    return make_user(Role.COMMUNE_OFFICER, dong_cuong, full_name="Phạm Thị Hồng")


@pytest.fixture
def team(sai_luong, member):
    team = save_team(village=sai_luong, decision_number="123/QĐ-UBND")
    add_team_member(team=team, user=member, joined_on=datetime.date(2026, 1, 5))
    return team


def _token_client(user) -> TokenClient:
    _token, raw = issue_token(user=user, name="Máy thử")
    return TokenClient(raw)


@pytest.fixture
def inside(member) -> TokenClient:
    return _token_client(member)


@pytest.fixture
def outside(outsider) -> TokenClient:
    return _token_client(outsider)


@pytest.fixture
def as_officer(officer) -> TokenClient:
    return _token_client(officer)


@pytest.fixture
def anonymous(db) -> TokenClient:
    return TokenClient(None)


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


@pytest.fixture
def spouse(sai_luong, household, member):
    return register_resident(
        village=sai_luong,
        household=household,
        full_name="Bàn Thị Lan",
        year_of_birth=1972,
        created_by=member,
    )
