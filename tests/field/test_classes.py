import datetime
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from hocvuso.accounts.models import Role
from hocvuso.field.models import Attendance
from hocvuso.field.services.classes import (
    mark_attendance,
    save_site,
    schedule_class,
    take_attendance,
)

pytestmark = pytest.mark.django_db
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def session(village, member):
    site = save_site(
        area=village,
        kind="cultural_house",
        name="Nhà văn hoá thôn Sài Lương",
        computers=1,
        has_printer=True,
        has_wifi=True,
    )
    return schedule_class(
        site=site,
        title="VNeID cho người cao tuổi",
        topic="vneid",
        starts_at=datetime.datetime(2026, 3, 1, 8, tzinfo=HANOI),
        ends_at=datetime.datetime(2026, 3, 1, 10, tzinfo=HANOI),
        created_by=member,
        for_elderly=True,
    )


def test_attendance_submitted_twice_is_taken_once(session, household, member):
    _home, people = household
    assert take_attendance(class_session=session, present=people[:2], marked_by=member) == (2, 0)
    assert take_attendance(class_session=session, present=people[:2], marked_by=member) == (0, 0)
    assert Attendance.objects.count() == 2
    assert take_attendance(class_session=session, present=people[1:], marked_by=member) == (1, 1)
    assert set(Attendance.objects.values_list("resident", flat=True)) == {p.pk for p in people[1:]}


def test_a_replayed_attendance_mark_is_applied_once(session, household, member):
    _home, people = household
    client_id = uuid.uuid4()
    first, created = mark_attendance(
        class_session=session, resident=people[0], marked_by=member, client_id=client_id
    )
    again, created_again = mark_attendance(
        class_session=session, resident=people[0], marked_by=member, client_id=client_id
    )
    assert created and not created_again and first.pk == again.pk
    assert Attendance.objects.count() == 1


def test_a_resident_of_another_commune_cannot_be_marked(
    session, member, make_household, other_village
):
    _home, strangers = make_household(
        other_village, head="Đỗ Văn An", members=(("Đỗ Văn An", 1980),)
    )
    with pytest.raises(ValidationError):
        take_attendance(class_session=session, present=strangers, marked_by=member)
    assert Attendance.objects.count() == 0


def test_a_member_of_another_village_cannot_schedule_here(village, make_user, other_village):
    site = save_site(area=village, kind="library", name="Thư viện")
    with pytest.raises(PermissionDenied):
        schedule_class(
            site=site,
            title="Lớp",
            topic="vneid",
            starts_at=datetime.datetime(2026, 3, 1, 8, tzinfo=HANOI),
            ends_at=datetime.datetime(2026, 3, 1, 10, tzinfo=HANOI),
            created_by=make_user(Role.TEAM_MEMBER, other_village),
        )


def test_a_sponsored_site_names_its_sponsor(village):
    with pytest.raises(ValidationError):
        save_site(area=village, kind="school", name="Trường", funding="sponsor")
    site = save_site(
        area=village, kind="school", name="Trường", funding="sponsor", sponsor="VNPT Lào Cai"
    )
    assert site.sponsor == "VNPT Lào Cai"
