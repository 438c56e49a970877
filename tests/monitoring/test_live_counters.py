"""A write changes every dashboard above it in its own transaction; dashboards read counters only."""

import datetime
import uuid

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hocvuso.field.models import Visit
from hocvuso.field.services.visits import record_visit
from hocvuso.monitoring.selectors import indicator_values
from hocvuso.people.models import MilestoneEvent
from hocvuso.people.services import (
    ImportMode,
    ResidentRow,
    import_residents,
    record_milestone,
    register_household,
    register_resident,
)


def _values(area, year=None):
    return {v.code: v for v in indicator_values(area, year=year)}


@pytest.fixture
def village(dong_cuong, make_village):
    return make_village(dong_cuong, "Thôn Sài Lương")


def test_a_visit_moves_every_level_at_once(village, dong_cuong, area, admin):
    household = register_household(village=village, head_name="Triệu Văn Sơn", created_by=admin)
    resident = register_resident(
        village=village, household=household, full_name="Triệu Văn Sơn", created_by=admin
    )
    levels = [village, dong_cuong, area("15"), area("VN")]
    assert [_values(a)["households_guided"].value for a in levels] == [0.0, 0.0, 0.0, 0.0]
    record_visit(
        client_id=uuid.uuid4(),
        recorded_by=admin,
        visited_on=timezone.localdate(),
        channel=Visit.Channel.DOOR_TO_DOOR,
        household=household,
        residents=[resident],
        milestones={resident.pk: ["vneid_level2"]},
    )
    for level in levels:
        values = _values(level)
        assert values["households_guided"].value == 100.0
        assert values["residents_guided"].value == 100.0
        assert values["vneid_level2"].numerator == 1
        assert values["people_supported"].numerator == 1


def test_a_failed_transaction_leaves_the_counters_unchanged(village, area, admin):
    with pytest.raises(RuntimeError), transaction.atomic():
        register_resident(village=village, full_name="Hoàng Thị Lan", created_by=admin)
        assert _values(area("VN"))["residents_guided"].denominator == 1
        raise RuntimeError
    assert _values(area("VN"))["residents_guided"].denominator == 0


def test_an_import_counts_residents_and_households(village, dong_cuong, admin):
    rows = [
        ResidentRow(row=2, full_name="Lý Văn Hùng", head_name="Lý Văn Hùng", year_of_birth="1980"),
        ResidentRow(row=3, full_name="Lý Thị Mai", head_name="Lý Văn Hùng", year_of_birth="2015"),
        ResidentRow(
            row=4, full_name="Bàn Văn Chàn", head_name="Bàn Văn Chàn", year_of_birth="1970"
        ),
    ]
    import_residents(
        village_or_commune=village, rows=rows, mode=ImportMode.ALL_OR_NOTHING, imported_by=admin
    )
    values = _values(dong_cuong)
    assert values["residents_guided"].denominator == 3
    assert values["adults_skilled"].denominator == 2
    assert values["households_guided"].denominator == 2


def test_a_dashboard_reads_a_handful_of_rows(village, dong_cuong, area, admin):
    resident = register_resident(village=village, full_name="Vũ Văn Quý", created_by=admin)
    record_milestone(
        resident=resident,
        milestone="confirmed_basic_level",
        achieved_on=timezone.localdate() - datetime.timedelta(days=10),
        method=MilestoneEvent.Method.CLASS,
        recorded_by=admin,
    )
    for code in ("VN", "15"):
        place = area(code)
        with CaptureQueriesContext(connection) as queries:
            _values(place)
        assert len(queries) <= 4
        assert all("people_" not in q["sql"] for q in queries)
    values = _values(area("VN"))
    assert values["adults_confirmed"].numerator == 1
    assert values["adults_confirmed"].trend[-1][1] == 1
    assert values["adults_confirmed"].trend[0][1] == 0
