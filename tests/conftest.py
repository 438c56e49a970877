"""Fixtures shared by every app's tests: the real administrative tree, and users in roles."""

import itertools

import pytest

from hocvuso.accounts.models import Role, User
from hocvuso.accounts.services import create_user
from hocvuso.places.models import Area
from hocvuso.places.services import create_village, load_administrative_units

PASSWORD = "MatKhau@2025"
_serial = itertools.count(1)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the 34 provinces and 3,321 communes once per test database."""
    with django_db_blocker.unblock():
        load_administrative_units()


@pytest.fixture
def administrative_units(db) -> None:
    """The real tree, loaded again when a transactional test before this one flushed it."""
    if not Area.objects.filter(code="VN").exists():
        load_administrative_units()


@pytest.fixture
def area(administrative_units):
    """Look an area up by its code: area("04399")."""
    return lambda code: Area.objects.get(code=code)


@pytest.fixture
def dong_cuong(area) -> Area:
    return area("04399")


@pytest.fixture
def tien_lu(area) -> Area:
    return area("12364")


@pytest.fixture
def make_village(db):
    def make(commune: Area, name: str | None = None) -> Area:
        return create_village(commune=commune, name=name or f"Thôn {next(_serial)}")

    return make


@pytest.fixture
def make_user(db):
    """make_user(Role.COMMUNE_OFFICER, dong_cuong) → a user holding that role over that area."""

    def make(role: Role | None = None, area: Area | None = None, **fields) -> User:
        n = next(_serial)
        fields.setdefault("username", f"user{n}")
        fields.setdefault("password", PASSWORD)
        roles = [(role, area)] if role is not None else []
        return create_user(roles=roles, **fields)

    return make


@pytest.fixture
def login(client):
    """login(user) → the test client, signed in as that user."""

    def sign_in(user: User):
        client.force_login(user)
        return client

    return sign_in


def pytest_collection_modifyitems(config, items):
    """Tests marked postgresql need concurrent writers: on SQLite (run by hand) they are skipped;
    `dev.py test` leaves them out of its SQLite run instead, so CI never sees a skip."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: SQLite serialises writers whole")
    for item in items:
        if item.get_closest_marker("postgresql"):
            item.add_marker(skip)
