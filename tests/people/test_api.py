import uuid

from ninja.testing import TestClient

from hocvuso.people.api import router
from hocvuso.people.models import MilestoneEvent, Resident

api = TestClient(router)


def test_residents_of_a_village_are_listed_within_scope(member, outsider, resident, sai_luong):
    response = api.get(f"/residents?village={sai_luong.code}", user=member)
    assert response.status_code == 200
    [item] = response.json()
    assert item["full_name"] == "Triệu Văn Sơn"
    assert item["has_citizen_id"] is True
    assert "010068123456" not in response.content.decode()
    assert api.get(f"/residents?village={sai_luong.code}", user=outsider).status_code == 404
    assert api.get(f"/residents/{resident.pk}", user=outsider).status_code == 404


def test_a_replayed_resident_creation_creates_one(member, sai_luong):
    body = {"village": sai_luong.code, "full_name": "Bàn Thị Hoa", "client_id": str(uuid.uuid4())}
    first = api.post("/residents", json=body, user=member)
    again = api.post("/residents", json=body, user=member)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Resident.objects.filter(full_name="Bàn Thị Hoa").count() == 1


def test_a_bad_resident_gets_a_vietnamese_reason(member, sai_luong):
    body = {"village": sai_luong.code, "full_name": "A", "citizen_id": "123"}
    response = api.post("/residents", json=body, user=member)
    assert response.status_code == 422
    assert "12 chữ số" in response.json()["detail"]


def test_a_stale_patch_is_a_409_with_the_server_values(member, resident):
    ok = api.patch(
        f"/residents/{resident.pk}", json={"expected_version": 1, "ethnicity": "Tày"}, user=member
    )
    assert ok.status_code == 200
    assert ok.json()["version"] == 2
    stale = api.patch(
        f"/residents/{resident.pk}", json={"expected_version": 1, "ethnicity": "Kinh"}, user=member
    )
    assert stale.status_code == 409
    assert stale.json()["current"]["ethnicity"] == "Tày"
    assert stale.json()["version"] == 2


def test_a_milestone_replay_answers_200_with_the_same_event(member, resident):
    body = {
        "milestone": "vneid_installed",
        "achieved_on": "2025-10-10",
        "method": "visit",
        "client_id": str(uuid.uuid4()),
    }
    first = api.post(f"/residents/{resident.pk}/milestones", json=body, user=member)
    again = api.post(f"/residents/{resident.pk}/milestones", json=body, user=member)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert MilestoneEvent.objects.count() == 1


def test_an_anonymous_request_is_refused(resident):
    assert api.get(f"/residents/{resident.pk}").status_code == 401


def test_households_are_created_and_listed(member, sai_luong):
    body = {"village": sai_luong.code, "head_name": "Nông Văn Hải", "number": "07"}
    assert api.post("/households", json=body, user=member).status_code == 201
    listed = api.get(f"/households?village={sai_luong.code}", user=member).json()
    assert [h["head_name"] for h in listed] == ["Nông Văn Hải"]
