import datetime
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from hocvuso.accounts.models import Role
from hocvuso.field.models import Team, Visit
from hocvuso.field.selectors import quota_counts, quota_progress
from hocvuso.field.services.classes import mark_attendance, save_site, schedule_class
from hocvuso.field.services.teams import save_team, set_quota
from hocvuso.field.services.visits import record_visit
from hocvuso.places.services import merge_villages

pytestmark = pytest.mark.django_db
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def _quota(team):
    return set_quota(
        team=team,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 3, 31),
        people_supported_target=4,
        sessions_held_target=2,
        problems_solved_target=10,
    )


def test_quota_progress_counts_people_sessions_and_problems_of_the_period(
    member, team, household, make_household, village
):
    home, people = household
    _other, others = make_household(village, head="Vàng A Dế", members=(("Vàng A Dế", 1960),))
    quota = _quota(team)
    record_visit(
        client_id=uuid.uuid4(),
        recorded_by=member,
        visited_on=datetime.date(2026, 1, 10),
        channel=Visit.Channel.DOOR_TO_DOOR,
        household=home,
        residents=people[:2],
        problems_received=3,
        problems_resolved=3,
    )
    record_visit(
        client_id=uuid.uuid4(),
        recorded_by=member,
        visited_on=datetime.date(2026, 2, 1),
        channel=Visit.Channel.DOOR_TO_DOOR,
        household=home,
        residents=people[:1],
        problems_received=2,
        problems_resolved=1,
        problems_forwarded=1,
    )
    # Outside the period: counts towards nothing.
    record_visit(
        client_id=uuid.uuid4(),
        recorded_by=member,
        visited_on=datetime.date(2025, 12, 30),
        channel=Visit.Channel.DOOR_TO_DOOR,
        household=home,
        residents=people,
        problems_received=5,
        problems_resolved=5,
    )
    site = save_site(area=village, kind="cultural_house", name="Nhà văn hoá thôn")
    session = schedule_class(
        site=site,
        title="Dùng VNeID",
        topic="vneid",
        starts_at=datetime.datetime(2026, 2, 5, 8, tzinfo=HANOI),
        ends_at=datetime.datetime(2026, 2, 5, 10, tzinfo=HANOI),
        created_by=member,
    )
    mark_attendance(class_session=session, resident=people[0], marked_by=member)
    mark_attendance(class_session=session, resident=others[0], marked_by=member)

    assert quota_counts(team, quota.period_start, quota.period_end) == {
        "people_supported": 3,
        "sessions_held": 1,
        "problems_solved": 4,
    }
    bars = quota_progress(quota)
    assert [(bar.done, bar.target, bar.percent) for bar in bars] == [
        (3, 4, 75),
        (1, 2, 50),
        (4, 10, 40),
    ]


def test_a_quota_overlapping_another_period_is_refused(team):
    _quota(team)
    with pytest.raises(ValidationError):
        set_quota(
            team=team,
            period_start=datetime.date(2026, 3, 1),
            period_end=datetime.date(2026, 6, 30),
            people_supported_target=1,
            sessions_held_target=1,
            problems_solved_target=1,
        )


def test_a_village_has_one_team_and_saving_again_updates_it(village):
    first = save_team(village=village, decision_number="1/QĐ-UBND")
    again = save_team(village=village, decision_number="2/QĐ-UBND")
    assert first.pk == again.pk
    assert Team.objects.get().decision_number == "2/QĐ-UBND"
    assert again.name == "Tổ công nghệ số cộng đồng Thôn Sài Lương"


def test_a_merge_moves_the_team_and_its_visits_to_the_surviving_village(
    member, team, household, make_village, dong_cuong, make_user
):
    home, people = household
    target = make_village(dong_cuong, "Thôn Sài Lương 2")
    target_team = save_team(village=target)
    visit, _created = record_visit(
        client_id=uuid.uuid4(),
        recorded_by=member,
        visited_on=datetime.date(2026, 1, 10),
        channel=Visit.Channel.DOOR_TO_DOOR,
        household=home,
        residents=people,
    )
    merge_villages(
        source=team.village, target=target, changed_by=make_user(Role.COMMUNE_OFFICER, dong_cuong)
    )
    visit.refresh_from_db()
    assert visit.area == target
    assert visit.team == target_team
    assert not Team.objects.filter(pk=team.pk).exists()
    assert list(target_team.memberships.values_list("user", flat=True)) == [member.pk]
