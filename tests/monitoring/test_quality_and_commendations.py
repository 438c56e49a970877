"""Data quality flags, spot checks with their results kept, and commendations on the public page."""

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from hocvuso.accounts.models import Role
from hocvuso.field.models import Visit
from hocvuso.monitoring.models import SpotCheck
from hocvuso.monitoring.services.commendations import record_commendation
from hocvuso.monitoring.services.quality import (
    MAX_VISITS_PER_DAY,
    draw_spot_checks,
    quality_flags,
    record_spot_check,
)
from hocvuso.people.models import MilestoneEvent
from hocvuso.people.services import record_milestone, register_household, register_resident


@pytest.fixture
def village(dong_cuong, make_village):
    return make_village(dong_cuong, "Thôn Sài Lương")


def test_flags_implausible_visits_and_duplicates(village, dong_cuong, officer, admin):
    household = register_household(village=village, head_name="Hoàng Văn Páo", created_by=admin)
    for _ in range(2):
        register_resident(
            village=village, full_name="Hoàng Văn Páo", year_of_birth=1970, created_by=admin
        )
    today = timezone.localdate()
    for _ in range(MAX_VISITS_PER_DAY + 1):
        Visit.objects.create(
            client_id=uuid.uuid4(),
            area=village,
            recorded_by=officer,
            visited_on=today,
            channel=Visit.Channel.DOOR_TO_DOOR,
            household=household,
        )
    kinds = {flag.kind for flag in quality_flags(dong_cuong)}
    assert kinds == {"visits_per_day", "duplicate"}


def test_spot_checks_are_drawn_at_random_and_their_results_kept(
    village, dong_cuong, officer, admin, tien_lu, make_user
):
    for i in range(5):
        resident = register_resident(village=village, full_name=f"Người {i}", created_by=admin)
        record_milestone(
            resident=resident,
            milestone="vneid_level2",
            achieved_on=timezone.localdate() - datetime.timedelta(days=i),
            method=MilestoneEvent.Method.VISIT,
            recorded_by=admin,
        )
    checks = draw_spot_checks(commune=dong_cuong, drawn_by=officer, size=3, seed=1)
    assert len(checks) == 3
    assert "định danh điện tử mức 2" in checks[0].description
    record_spot_check(
        check=checks[0], result="not_confirmed", note="Chưa kích hoạt", checked_by=officer
    )
    kept = SpotCheck.objects.get(pk=checks[0].pk)
    assert (kept.result, kept.checked_by) == ("not_confirmed", officer)
    again = draw_spot_checks(commune=dong_cuong, drawn_by=officer, size=10)
    assert {c.milestone_id for c in again}.isdisjoint({c.milestone_id for c in checks})
    with pytest.raises(ValidationError):
        draw_spot_checks(commune=dong_cuong, drawn_by=officer)
    with pytest.raises(PermissionDenied):
        draw_spot_checks(commune=dong_cuong, drawn_by=make_user(Role.COMMUNE_OFFICER, tien_lu))


def test_commendations_by_the_level_above_show_on_the_public_board(
    village, dong_cuong, officer, make_user, area, client
):
    with pytest.raises(PermissionDenied):
        record_commendation(
            area=dong_cuong,
            kind="award",
            recipient_type="locality",
            recipient_name="Xã Đông Cuông",
            reason="Dẫn đầu tỉnh",
            awarded_on=timezone.localdate(),
            recorded_by=officer,
        )
    record_commendation(
        area=village,
        kind="praise",
        recipient_type="team",
        recipient_name="Tổ công nghệ số Thôn Sài Lương",
        reason="Hướng dẫn 100% hộ cài VNeID",
        awarded_on=timezone.localdate(),
        recorded_by=officer,
    )
    record_commendation(
        area=dong_cuong,
        kind="award",
        recipient_type="locality",
        recipient_name="Xã Đông Cuông",
        reason="Dẫn đầu tỉnh",
        awarded_on=timezone.localdate(),
        recorded_by=make_user(Role.PROVINCE_OFFICER, area("15")),
    )
    page = client.get("/theo-doi/cong-khai/15/").content.decode()
    assert "Tổ công nghệ số Thôn Sài Lương" in page
    assert "Dẫn đầu tỉnh" in page
