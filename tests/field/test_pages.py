import datetime
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from hocvuso.accounts.models import Role
from hocvuso.field.models import Attendance, Mentorship, Recognition, RecognitionRule, Visit
from hocvuso.field.services.classes import save_site, schedule_class
from hocvuso.field.services.events import create_event, record_contest_score
from hocvuso.field.services.mentorships import assign_mentee
from hocvuso.field.services.teams import set_quota
from hocvuso.people.models import MilestoneEvent

pytestmark = pytest.mark.django_db
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def _visit_post(people, client_id, **extra):
    data = {
        "client_id": str(client_id),
        "visited_on": "2026-01-10",
        "residents": [p.pk for p in people[:2]],
        "activities": "Cài VNeID",
        f"milestones_{people[0].pk}": ["vneid_installed", "has_smartphone"],
        "problems_received": "1",
        "problems_resolved": "1",
        "problems_forwarded": "0",
        "note": "",
    }
    data.update(extra)
    return data


def test_the_team_page_shows_members_and_quota_progress(login, member, team, village):
    set_quota(
        team=team,
        period_start=datetime.date.today().replace(day=1),
        period_end=datetime.date.today().replace(day=1) + datetime.timedelta(days=90),
        people_supported_target=50,
        sessions_held_target=4,
        problems_solved_target=20,
    )
    response = login(member).get(reverse("field:team", args=[village.code]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Triệu Thị Mai" in page
    assert "123/QĐ-UBND" in page
    assert "<progress" in page and "0 / 50" in page


def test_a_member_of_another_village_is_refused_the_team_page(
    login, make_user, other_village, village
):
    stranger = make_user(Role.TEAM_MEMBER, other_village)
    assert login(stranger).get(reverse("field:team", args=[village.code])).status_code == 403


def test_a_visit_posted_twice_from_the_form_is_recorded_once(
    login, member, team, household, village
):
    home, people = household
    client = login(member)
    url = reverse("field:visit_new", args=[village.code]) + f"?ho={home.pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="client_id"' in page.content.decode()
    assert "Lý Thị Dung" in page.content.decode()
    client_id = uuid.uuid4()
    first = client.post(url, _visit_post(people, client_id))
    assert first.status_code == 302
    assert first["Location"] == reverse("field:team", args=[village.code])
    second = client.post(url, _visit_post(people, client_id), follow=True)
    assert "đã được ghi nhận trước đó" in second.content.decode()
    visit = Visit.objects.get()
    assert visit.household == home and visit.residents.count() == 2
    assert set(
        MilestoneEvent.objects.filter(resident=people[0]).values_list("milestone", flat=True)
    ) == {"vneid_installed", "has_smartphone"}


def test_the_visit_form_lists_only_milestones_still_needed(login, member, team, household, village):
    home, people = household
    client = login(member)
    url = reverse("field:visit_new", args=[village.code]) + f"?ho={home.pk}"
    client.post(url, _visit_post(people, uuid.uuid4()))
    page = client.get(url).content.decode()
    assert f'name="milestones_{people[0].pk}" value="vneid_installed"' not in page
    assert f'name="milestones_{people[1].pk}" value="vneid_installed"' in page


def test_a_bad_visit_is_shown_again_with_a_vietnamese_message(
    login, member, team, household, village
):
    home, people = household
    url = reverse("field:visit_new", args=[village.code]) + f"?ho={home.pk}"
    response = login(member).post(url, _visit_post(people, uuid.uuid4(), problems_resolved="3"))
    assert response.status_code == 200
    assert "không được vượt số tiếp nhận" in response.content.decode()
    assert not Visit.objects.exists()


def test_a_household_of_another_village_is_not_found(
    login, member, team, make_household, other_village, village
):
    home, _people = make_household(other_village, head="Đỗ Văn An", members=(("Đỗ Văn An", 1980),))
    url = reverse("field:visit_new", args=[village.code]) + f"?ho={home.pk}"
    assert login(member).get(url).status_code == 404


def test_the_help_desk_finds_a_resident_and_records_the_visit(
    login, officer, household, dong_cuong
):
    _home, people = household
    client = login(officer)
    url = reverse("field:desk_visit_new", args=[dong_cuong.code])
    page = client.get(url, {"q": "Dung"}).content.decode()
    assert "Lý Thị Dung" in page and "Hoàng Văn Páo" not in page
    response = client.post(
        url,
        {
            "client_id": str(uuid.uuid4()),
            "visited_on": "2026-01-12",
            "shown": [people[1].pk],
            "residents": [people[1].pk],
            f"milestones_{people[1].pk}": ["used_public_service"],
            "problems_received": "1",
            "problems_resolved": "1",
            "problems_forwarded": "0",
        },
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.channel == Visit.Channel.HELP_DESK and visit.area == dong_cuong


def test_the_ambassador_sees_their_mentees_and_may_end_only_their_own(
    login, make_user, village, officer, household
):
    _home, people = household
    ambassador = make_user(Role.AMBASSADOR, village)
    other = make_user(Role.AMBASSADOR, village)
    mentorship = assign_mentee(ambassador=ambassador, resident=people[0], assigned_by=officer)
    page = login(ambassador).get(reverse("field:mentees")).content.decode()
    assert "Hoàng Văn Páo" in page and "Còn cần" in page
    end_url = reverse("field:mentorship_end", args=[mentorship.pk])
    assert login(other).post(end_url).status_code == 404
    assert login(ambassador).post(end_url).status_code == 302
    mentorship.refresh_from_db()
    assert mentorship.ended_on is not None


def test_a_leader_assigns_a_mentee_from_the_village_page(login, make_user, village, household):
    _home, people = household
    leader = make_user(Role.TEAM_LEADER, village)
    ambassador = make_user(Role.AMBASSADOR, village, full_name="Lý Văn Hùng")
    url = reverse("field:mentorship_assign", args=[village.code])
    response = login(leader).post(url, {"ambassador": ambassador.pk, "resident": people[0].pk})
    assert response.status_code == 302
    assert Mentorship.objects.get().ambassador == ambassador


def test_attendance_is_taken_from_the_registry_on_the_class_page(login, member, village, household):
    _home, people = household
    site = save_site(area=village, kind="cultural_house", name="Nhà văn hoá thôn Sài Lương")
    session = schedule_class(
        site=site,
        title="VNeID cho người cao tuổi",
        topic="vneid",
        starts_at=datetime.datetime(2026, 3, 1, 8, tzinfo=HANOI),
        ends_at=datetime.datetime(2026, 3, 1, 10, tzinfo=HANOI),
        created_by=member,
        for_elderly=True,
    )
    client = login(member)
    url = reverse("field:class_detail", args=[session.pk])
    assert "Lý Thị Dung" in client.get(url).content.decode()
    for _twice in range(2):
        assert client.post(url, {"present": [people[0].pk, people[1].pk]}).status_code == 302
    assert Attendance.objects.count() == 2


def test_sites_and_events_pages_show_equipment_and_the_leaderboard(
    login, member, village, dong_cuong, officer, household
):
    _home, people = household
    save_site(
        area=village, kind="cultural_house", name="Nhà văn hoá thôn", computers=1, has_wifi=True
    )
    contest = create_event(
        area=village,
        kind="contest",
        title="Hội thi kỹ năng số",
        date=datetime.date(2026, 1, 5),
        created_by=officer,
    )
    create_event(
        area=dong_cuong,
        kind="learning_day",
        title="Ngày hội 10/10",
        date=datetime.date(2026, 10, 10),
        created_by=officer,
    )
    record_contest_score(event=contest, resident=people[1], score=Decimal("90"))
    record_contest_score(event=contest, resident=people[0], score=Decimal("75.5"))
    client = login(member)
    sites = client.get(reverse("field:sites", args=[village.code])).content.decode()
    assert "Nhà văn hoá thôn" in sites and "wifi" in sites
    events = client.get(reverse("field:events", args=[village.code])).content.decode()
    assert "Ngày hội 10/10" in events
    assert events.index("Lý Thị Dung") < events.index("Hoàng Văn Páo")


def test_an_officer_sets_criteria_and_the_village_sees_its_recognitions(
    login, officer, member, team, household, dong_cuong, village
):
    home, people = household
    client = login(officer)
    url = reverse("field:recognition_rules", args=[dong_cuong.code])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "kind": "gia_dinh_so",
            "gia_dinh_so-is_active": "on",
            "gia_dinh_so-at_least_one": ["has_smartphone"],
        },
    )
    assert response.status_code == 302
    assert RecognitionRule.objects.get().criteria == {"at_least_one": ["has_smartphone"]}
    visit_url = reverse("field:visit_new", args=[village.code]) + f"?ho={home.pk}"
    login(member).post(visit_url, _visit_post(people, uuid.uuid4()))
    assert Recognition.objects.filter(household=home).exists()
    page = login(member).get(reverse("field:recognitions", args=[village.code])).content.decode()
    assert "Gia đình số" in page and "Hoàng Văn Páo" in page


@pytest.mark.parametrize(
    "model",
    [
        "team",
        "mentorship",
        "visit",
        "learningsite",
        "class",
        "attendance",
        "event",
        "recognitionrule",
        "recognition",
    ],
)
def test_national_admins_open_the_field_records_in_django_admin(
    login, make_user, area, model, team
):
    admin_user = make_user(Role.NATIONAL_ADMIN, area("VN"))
    response = login(admin_user).get(reverse(f"admin:field_{model}_changelist"))
    assert response.status_code == 200
