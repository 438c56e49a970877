"""Targets: set by the level above, tightened below; bad input refused with nothing changed."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from hocvuso.accounts.models import Role
from hocvuso.monitoring.models import Target
from hocvuso.monitoring.selectors import effective_targets
from hocvuso.monitoring.services.targets import set_target


@pytest.fixture
def province_officer(make_user, area):
    return make_user(Role.PROVINCE_OFFICER, area("15"))


def test_a_percentage_set_above_applies_below_and_may_only_be_tightened(
    province_officer, officer, dong_cuong, area
):
    set_target(
        area=area("15"),
        indicator="residents_guided",
        year=2026,
        kind="percent",
        value="70",
        set_by=province_officer,
    )
    inherited = effective_targets(dong_cuong, 2026)["residents_guided"]
    assert (inherited.value, inherited.is_own, inherited.area.code) == (70, False, "15")

    with pytest.raises(ValidationError, match="không được hạ xuống"):
        set_target(
            area=dong_cuong,
            indicator="residents_guided",
            year=2026,
            kind="percent",
            value="60",
            set_by=officer,
        )
    assert not Target.objects.filter(area=dong_cuong).exists()

    set_target(
        area=dong_cuong,
        indicator="residents_guided",
        year=2026,
        kind="percent",
        value="80,5",
        set_by=officer,
    )
    own = effective_targets(dong_cuong, 2026)["residents_guided"]
    assert (float(own.value), own.is_own, own.deadline) == (80.5, True, datetime.date(2026, 12, 31))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"value": "120"}, "không quá 100%"),
        ({"value": "tám mươi"}, "phải là một số"),
        ({"indicator": "khong_co"}, "không tồn tại"),
        ({"year": "2040"}, "từ 2025 đến 2030"),
        ({"indicator": "classes_held"}, "số lượng"),
        ({"kind": "absolute", "indicator": "classes_held", "value": "2.5"}, "số nguyên"),
        ({"deadline": datetime.date(2027, 1, 1)}, "trong năm"),
    ],
)
def test_bad_targets_are_refused_with_a_clear_message(officer, dong_cuong, fields, message):
    values = {"indicator": "residents_guided", "year": 2026, "kind": "percent", "value": "80"}
    values.update(fields)
    with pytest.raises(ValidationError, match=message):
        set_target(area=dong_cuong, set_by=officer, **values)
    assert not Target.objects.exists()


def test_a_target_outside_scope_is_forbidden(officer, tien_lu, login):
    with pytest.raises(PermissionDenied):
        set_target(
            area=tien_lu,
            indicator="residents_guided",
            year=2026,
            kind="percent",
            value=80,
            set_by=officer,
        )
    response = login(officer).post(
        f"/theo-doi/{tien_lu.code}/chi-tieu/",
        {"indicator": "residents_guided", "year": 2026, "kind": "percent", "value": 80},
    )
    assert response.status_code == 403
    assert not Target.objects.exists()


def test_an_officer_sets_a_target_on_the_page(officer, dong_cuong, login):
    client = login(officer)
    response = client.post(
        f"/theo-doi/{dong_cuong.code}/chi-tieu/",
        {"indicator": "households_guided", "year": 2026, "kind": "percent", "value": "101"},
        follow=True,
    )
    assert "không quá 100%" in response.content.decode()
    assert not Target.objects.exists()
    client.post(
        f"/theo-doi/{dong_cuong.code}/chi-tieu/",
        {"indicator": "households_guided", "year": 2026, "kind": "percent", "value": "90"},
    )
    assert Target.objects.get(area=dong_cuong).value == 90
