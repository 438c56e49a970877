"""Monitoring fixtures; a transactional test's flush empties the tree, so it is loaded again."""

import pytest
from pytest_django.plugin import blocking_manager_key

from hocvuso.accounts.models import Role
from hocvuso.places.services import load_administrative_units


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    marker = item.get_closest_marker("django_db")
    # After the session's last test the test database itself is gone: nothing to reload.
    if nextitem is not None and marker is not None and marker.kwargs.get("transaction"):
        with item.config.stash[blocking_manager_key].unblock():
            load_administrative_units()
    return result


@pytest.fixture
def admin(make_user, area):
    return make_user(Role.NATIONAL_ADMIN, area("VN"), full_name="Quản trị quốc gia")


@pytest.fixture
def officer(make_user, dong_cuong):
    return make_user(Role.COMMUNE_OFFICER, dong_cuong, full_name="Phạm Thị Hồng")
