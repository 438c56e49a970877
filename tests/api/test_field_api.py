"""The field work API at /api/v1/field: teams, visits, sites, classes, attendance, events,
recognitions and mentorships, token-authenticated and scoped to the caller's area."""

import datetime
import uuid

import pytest

from hocvuso.accounts.models import Role
from hocvuso.accounts.tokens import issue_token, revoke_token
from hocvuso.field.models import Attendance, Class, LearningSite, Mentorship, Visit
from hocvuso.field.services.classes import save_site, schedule_class
from hocvuso.field.services.events import create_event
from hocvuso.field.services.recognitions import set_recognition_rule
from hocvuso.field.services.teams import set_quota
from hocvuso.people.models import MilestoneEvent
from hocvuso.people.services import record_milestone
from tests.api.conftest import TokenClient

BASE = "/api/v1/field"
TODAY = datetime.date.today()


@pytest.fixture
def site(sai_luong):
    return save_site(area=sai_luong, kind="cultural_house", name="Nhà văn hoá thôn Sài Lương")


@pytest.fixture
def lesson(site, member):
    start = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=2)
    return schedule_class(
        site=site,
        title="Cài đặt VNeID",
        topic="vneid",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        created_by=member,
    )


@pytest.fixture
def ambassador(make_user, sai_luong):
    return make_user(Role.AMBASSADOR, sai_luong, full_name="Lý Văn Đức")


def _visit_body(household, residents, **extra):
    return {
        "client_id": str(uuid.uuid4()),
        "visited_on": TODAY.isoformat(),
        "household_id": household.pk,
        "resident_ids": [r.pk for r in residents],
        "activities": "Hướng dẫn cài VNeID",
        "milestones": {str(residents[0].pk): ["has_smartphone", "vneid_installed", "vneid_level2"]},
        "problems_received": 2,
        "problems_resolved": 1,
        "problems_forwarded": 1,
        **extra,
    }


def test_a_member_reads_the_team_with_members_and_quota_progress(inside, outside, team, sai_luong):
    set_quota(
        team=team,
        period_start=TODAY.replace(day=1),
        period_end=TODAY.replace(day=1) + datetime.timedelta(days=90),
        people_supported_target=50,
        sessions_held_target=4,
        problems_solved_target=10,
    )
    response = inside.get(f"{BASE}/teams/{sai_luong.code}")
    assert response.status_code == 200
    body = response.json()
    assert body["decision_number"] == "123/QĐ-UBND"
    assert [m["full_name"] for m in body["members"]] == ["Triệu Thị Mai"]
    assert [p["target"] for p in body["quota"]["progress"]] == [50, 4, 10]
    assert outside.get(f"{BASE}/teams/{sai_luong.code}").status_code == 403


def test_a_village_without_team_is_a_404_in_vietnamese(inside, sai_luong):
    response = inside.get(f"{BASE}/teams/{sai_luong.code}")
    assert response.status_code == 404
    assert "chưa có tổ" in response.json()["detail"]


def test_a_visit_is_recorded_once_and_a_replay_answers_200(
    inside, team, household, resident, spouse
):
    body = _visit_body(household, [resident, spouse])
    first = inside.post(f"{BASE}/visits", body)
    again = inside.post(f"{BASE}/visits", {**body, "activities": "Khác"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert again.json()["activities"] == "Hướng dẫn cài VNeID"
    assert first.json()["resident_ids"] == sorted([resident.pk, spouse.pk])
    assert Visit.objects.count() == 1
    assert MilestoneEvent.objects.filter(resident=resident).count() == 3


def test_a_bad_visit_is_a_422_and_nothing_is_saved(inside, team, household, resident):
    body = _visit_body(household, [resident], problems_resolved=5)
    response = inside.post(f"{BASE}/visits", body)
    assert response.status_code == 422
    assert "không được vượt" in response.json()["detail"]
    assert not Visit.objects.exists()
    assert not MilestoneEvent.objects.exists()


def test_an_outsider_cannot_record_a_visit_to_sai_luong(outside, household, resident):
    response = outside.post(f"{BASE}/visits", _visit_body(household, [resident]))
    assert response.status_code == 404
    assert not Visit.objects.exists()


def test_visits_are_listed_in_scope_only(inside, outside, team, household, resident, sai_luong):
    inside.post(f"{BASE}/visits", _visit_body(household, [resident]))
    listed = inside.get(f"{BASE}/visits", area=sai_luong.code).json()
    assert [v["household_id"] for v in listed["items"]] == [household.pk]
    assert outside.get(f"{BASE}/visits").json()["items"] == []
    assert outside.get(f"{BASE}/visits", area=sai_luong.code).status_code == 403


def test_sites_are_listed_and_created_by_the_commune(
    inside, outside, as_officer, site, sai_luong, dong_cuong
):
    listed = inside.get(f"{BASE}/sites", area=sai_luong.code)
    assert [s["name"] for s in listed.json()] == ["Nhà văn hoá thôn Sài Lương"]
    assert outside.get(f"{BASE}/sites", area=sai_luong.code).status_code == 403
    body = {"area": dong_cuong.code, "kind": "library", "name": "Thư viện xã", "has_wifi": True}
    assert inside.post(f"{BASE}/sites", body).status_code == 403
    created = as_officer.post(f"{BASE}/sites", body)
    assert created.status_code == 201
    assert created.json()["has_wifi"] is True
    sponsored = as_officer.post(f"{BASE}/sites", {**body, "funding": "sponsor"})
    assert sponsored.status_code == 422
    assert LearningSite.objects.count() == 2


def test_classes_are_scheduled_and_listed(inside, outside, site, member, sai_luong):
    start = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=3)
    body = {
        "site_id": site.pk,
        "title": "Thanh toán bằng mã QR",
        "topic": "cashless",
        "starts_at": start.isoformat(),
        "ends_at": (start + datetime.timedelta(hours=1)).isoformat(),
        "trainer_id": member.pk,
        "for_elderly": True,
    }
    created = inside.post(f"{BASE}/classes", body)
    assert created.status_code == 201
    assert created.json()["trainer"] == "Triệu Thị Mai"
    assert outside.post(f"{BASE}/classes", body).status_code == 403
    backwards = {**body, "ends_at": (start - datetime.timedelta(hours=1)).isoformat()}
    assert inside.post(f"{BASE}/classes", backwards).status_code == 422
    assert Class.objects.count() == 1
    listed = inside.get(f"{BASE}/classes", area=sai_luong.code).json()
    assert [c["title"] for c in listed["items"]] == ["Thanh toán bằng mã QR"]
    assert outside.get(f"{BASE}/classes", area=sai_luong.code).status_code == 403


def test_attendance_is_marked_once_replayed_and_unmarked(inside, lesson, resident):
    url = f"{BASE}/classes/{lesson.pk}/attendance"
    body = {"resident_id": resident.pk, "client_id": str(uuid.uuid4())}
    first = inside.post(url, body)
    again = inside.post(url, body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert [a["resident_name"] for a in inside.get(url).json()] == ["Triệu Văn Sơn"]
    assert inside.delete(f"{url}/{resident.pk}").status_code == 204
    assert inside.delete(f"{url}/{resident.pk}").status_code == 204
    assert not Attendance.objects.exists()


def test_an_outsider_cannot_take_attendance(outside, lesson, resident):
    url = f"{BASE}/classes/{lesson.pk}/attendance"
    assert outside.post(url, {"resident_id": resident.pk}).status_code == 403
    assert outside.get(url).status_code == 403
    assert outside.delete(f"{url}/{resident.pk}").status_code == 403


def test_events_of_the_commune_are_listed_for_the_village(
    inside, outside, officer, dong_cuong, sai_luong
):
    create_event(
        area=dong_cuong,
        kind="learning_day",
        title="Ngày hội toàn dân học tập số",
        date=datetime.date(TODAY.year, 10, 10),
        place="Nhà văn hoá xã",
        created_by=officer,
    )
    listed = inside.get(f"{BASE}/events", area=sai_luong.code)
    assert [e["title"] for e in listed.json()] == ["Ngày hội toàn dân học tập số"]
    assert outside.get(f"{BASE}/events", area=sai_luong.code).status_code == 403


def test_recognitions_of_the_village_are_listed(
    inside, outside, officer, dong_cuong, sai_luong, household, resident, spouse
):
    set_recognition_rule(
        commune=dong_cuong,
        kind="gia_dinh_so",
        criteria={"every_adult": ["vneid_level2"]},
        updated_by=officer,
    )
    for person in (resident, spouse):
        record_milestone(
            resident=person,
            milestone="vneid_level2",
            achieved_on=TODAY,
            method="visit",
            recorded_by=officer,
        )
    listed = inside.get(f"{BASE}/recognitions", village=sai_luong.code)
    assert listed.status_code == 200
    assert [(r["kind"], r["name"]) for r in listed.json()] == [("gia_dinh_so", "Triệu Văn Sơn")]
    assert outside.get(f"{BASE}/recognitions", village=sai_luong.code).status_code == 404


def test_an_ambassador_is_assigned_sees_the_mentee_and_ends(inside, outside, ambassador, resident):
    assigned = inside.post(
        f"{BASE}/mentorships", {"ambassador_id": ambassador.pk, "resident_id": resident.pk}
    )
    assert assigned.status_code == 201
    _token, raw = issue_token(user=ambassador, name="Máy đại sứ")
    mine = TokenClient(raw).get(f"{BASE}/mentorships").json()
    assert [m["resident_name"] for m in mine] == ["Triệu Văn Sơn"]
    assert "vneid_level2" in mine[0]["missing"]
    url = f"{BASE}/mentorships/{assigned.json()['id']}/end"
    assert outside.post(url).status_code == 404
    ended = TokenClient(raw).post(url)
    assert ended.status_code == 200
    assert ended.json()["ended_on"] == TODAY.isoformat()
    assert TokenClient(raw).get(f"{BASE}/mentorships").json() == []


def test_an_outsider_cannot_assign_or_be_assigned(inside, outside, outsider, ambassador, resident):
    body = {"ambassador_id": ambassador.pk, "resident_id": resident.pk}
    assert outside.post(f"{BASE}/mentorships", body).status_code == 404
    wrong = inside.post(f"{BASE}/mentorships", {**body, "ambassador_id": outsider.pk})
    assert wrong.status_code == 422
    assert "không phụ trách" in wrong.json()["detail"]
    assert not Mentorship.objects.exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/sync"),
        ("get", "/conflicts"),
        ("post", "/conflicts/1/dismiss"),
        ("get", "/teams/{v}"),
        ("get", "/visits"),
        ("post", "/visits"),
        ("get", "/sites?area={v}"),
        ("post", "/sites"),
        ("get", "/classes?area={v}"),
        ("post", "/classes"),
        ("get", "/classes/{c}/attendance"),
        ("post", "/classes/{c}/attendance"),
        ("delete", "/classes/{c}/attendance/{r}"),
        ("get", "/events?area={v}"),
        ("get", "/recognitions?village={v}"),
        ("get", "/mentorships"),
        ("post", "/mentorships"),
        ("post", "/mentorships/1/end"),
    ],
)
def test_every_operation_refuses_no_token_and_a_revoked_token(
    method, path, member, sai_luong, lesson, resident
):
    url = BASE + path.format(v=sai_luong.code, c=lesson.pk, r=resident.pk)
    token, raw = issue_token(user=member, name="Máy bị mất")
    revoke_token(token=token)
    for client in (TokenClient(None), TokenClient(raw)):
        call = getattr(client, method)
        response = call(url, {}) if method == "post" else call(url)
        assert response.status_code == 401
        assert "Mã truy cập" in response.json()["detail"]
