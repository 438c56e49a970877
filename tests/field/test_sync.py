"""The sync API: each queued item applied once, bad items alone rejected, conflicts kept and shown."""

import datetime
import uuid

import pytest

from hocvuso.accounts.models import Role
from hocvuso.accounts.tokens import issue_token
from hocvuso.field.models import SyncConflict, SyncReceipt, Visit
from hocvuso.people.models import MilestoneEvent, Resident
from hocvuso.people.services import update_resident

SYNC_URL = "/api/v1/field/sync"
TODAY = datetime.date.today()


@pytest.fixture
def api(client, member):
    _token, raw = issue_token(user=member, name="Điện thoại thử")
    headers = {"Authorization": f"Bearer {raw}"}

    class Api:
        def sync(self, items):
            response = client.post(
                SYNC_URL, {"items": items}, content_type="application/json", headers=headers
            )
            assert response.status_code == 200, response.content
            return response.json()

        def get(self, url):
            return client.get(url, headers=headers)

        def post(self, url):
            return client.post(url, headers=headers)

    return Api()


def visit_item(people, *, milestones=None, **payload):
    return {
        "client_id": str(uuid.uuid4()),
        "type": "visit",
        "payload": {
            "visited_on": TODAY.isoformat(),
            "household_id": people[0].household_id,
            "resident_ids": [p.pk for p in people],
            "activities": "Hướng dẫn cài VNeID",
            "milestones": milestones or {str(people[0].pk): ["vneid_installed"]},
            **payload,
        },
        "base_version": None,
    }


def statuses(answer):
    return [r["status"] for r in answer["results"]]


def test_visit_replayed_twice_is_recorded_once(api, household, team):
    _household, people = household
    item = visit_item(people)
    first = api.sync([item])
    second = api.sync([item])
    third = api.sync([item, item])
    assert statuses(first) == ["applied"]
    assert statuses(second) == ["duplicate"]
    assert statuses(third) == ["duplicate", "duplicate"]
    assert second["results"][0]["result"] == first["results"][0]["result"]
    assert Visit.objects.filter(client_id=item["client_id"]).count() == 1
    assert MilestoneEvent.objects.filter(resident=people[0]).count() == 1
    assert SyncReceipt.objects.filter(client_id=item["client_id"]).count() == 1


def test_a_milestone_and_a_new_resident_replayed_are_applied_once(api, household, village):
    _household, people = household
    milestone = {
        "client_id": str(uuid.uuid4()),
        "type": "milestone",
        "payload": {
            "resident_id": people[1].pk,
            "milestone": "pays_cashless",
            "achieved_on": TODAY.isoformat(),
        },
    }
    resident = {
        "client_id": str(uuid.uuid4()),
        "type": "resident",
        "payload": {"village": village.code, "full_name": "Đặng Văn Sơn", "year_of_birth": 1990},
    }
    assert statuses(api.sync([milestone, resident])) == ["applied", "applied"]
    assert statuses(api.sync([milestone, resident])) == ["duplicate", "duplicate"]
    assert MilestoneEvent.objects.filter(resident=people[1], milestone="pays_cashless").count() == 1
    assert Resident.objects.filter(full_name="Đặng Văn Sơn").count() == 1


def test_one_bad_item_is_rejected_with_its_reason_and_the_others_are_applied(api, household):
    _household, people = household
    good_before = visit_item(people[:1], milestones={})
    bad_date = visit_item(people[1:2], visited_on="31/02/2026")
    bad_milestone = visit_item(people[1:2], milestones={str(people[1].pk): ["biet_bay"]})
    bad_counts = visit_item(people[2:], milestones={}, problems_received=1, problems_resolved=3)
    not_a_uuid = {**visit_item(people), "client_id": "khong-phai-uuid"}
    unknown_type = {**visit_item(people), "type": "bao_cao"}
    good_after = visit_item(people[2:], milestones={})
    answer = api.sync(
        [good_before, bad_date, bad_milestone, bad_counts, not_a_uuid, unknown_type, good_after]
    )
    assert statuses(answer) == [
        "applied",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "applied",
    ]
    reasons = [r["reason"] for r in answer["results"]]
    assert "ngày hỗ trợ" in reasons[1]
    assert "Mốc không có trong danh mục" in reasons[2]
    assert "không được vượt số tiếp nhận" in reasons[3]
    assert "client_id" in reasons[4]
    assert "bao_cao" in reasons[5]
    assert (answer["applied"], answer["rejected"]) == (2, 5)
    assert Visit.objects.count() == 2
    assert not MilestoneEvent.objects.filter(resident=people[1]).exists()


def test_an_interrupted_batch_sent_again_whole_resumes_where_it_stopped(api, household):
    _household, people = household
    batch = [visit_item([people[i % 3]], milestones={}) for i in range(6)]
    # The connection dropped after the server applied the first half: the phone never heard back.
    api.sync(batch[:3])
    answer = api.sync(batch)
    assert statuses(answer) == ["duplicate"] * 3 + ["applied"] * 3
    assert Visit.objects.count() == 6
    assert set(Visit.objects.values_list("client_id", flat=True)) == {
        uuid.UUID(item["client_id"]) for item in batch
    }


def test_an_edit_of_an_older_copy_is_a_conflict_that_keeps_both_versions(api, household, officer):
    _household, people = household
    resident = people[1]
    # The phone took version 1 offline; meanwhile the commune corrected the name on the server.
    update_resident(resident=resident, changed_by=officer, full_name="Lý Thị Dung (Dụng)")
    item = {
        "client_id": str(uuid.uuid4()),
        "type": "resident_update",
        "payload": {"resident_id": resident.pk, "full_name": "Lý Thị Dùng", "phone": "0987654321"},
        "base_version": 1,
    }
    answer = api.sync([item])
    (result,) = answer["results"]
    assert result["status"] == "conflict"
    assert result["conflict"]["device_values"] == {
        "full_name": "Lý Thị Dùng",
        "phone": "0987654321",
    }
    assert result["conflict"]["server_values"]["full_name"] == "Lý Thị Dung (Dụng)"
    assert result["conflict"]["server_version"] == 2
    resident.refresh_from_db()
    assert (resident.full_name, resident.phone, resident.version) == ("Lý Thị Dung (Dụng)", "", 2)

    again = api.sync([item])
    assert statuses(again) == ["conflict"]
    assert SyncConflict.objects.count() == 1

    listed = api.get("/api/v1/field/conflicts").json()
    assert [c["device_values"]["full_name"] for c in listed] == ["Lý Thị Dùng"]
    assert api.post(f"/api/v1/field/conflicts/{listed[0]['id']}/dismiss").status_code == 204
    assert api.get("/api/v1/field/conflicts").json() == []


def test_an_edit_of_the_current_version_is_applied(api, household):
    _household, people = household
    item = {
        "client_id": str(uuid.uuid4()),
        "type": "resident_update",
        "payload": {"resident_id": people[0].pk, "phone": "0912 345 678"},
        "base_version": 1,
    }
    assert statuses(api.sync([item])) == ["applied"]
    people[0].refresh_from_db()
    assert (people[0].phone, people[0].version) == ("0912345678", 2)


def test_a_resident_of_another_village_is_rejected_as_unknown(
    api, household, make_household, other_village
):
    _household, people = household
    _far, strangers = make_household(other_village, head="Nguyễn Văn Hải", members=(("An", 1980),))
    outside = visit_item(strangers, milestones={}, household_id=None)
    missing = visit_item(people[:1], milestones={})
    missing["payload"]["resident_ids"] = [999_999]
    edit = {
        "client_id": str(uuid.uuid4()),
        "type": "resident_update",
        "payload": {"resident_id": strangers[0].pk, "full_name": "Bị sửa"},
        "base_version": 1,
    }
    new_there = {
        "client_id": str(uuid.uuid4()),
        "type": "resident",
        "payload": {"village": other_village.code, "full_name": "Người lạ"},
    }
    answer = api.sync([outside, missing, edit, new_there])
    assert statuses(answer) == ["rejected"] * 4
    reasons = [r["reason"] for r in answer["results"]]
    # Outside the scope reads exactly like not existing: nothing leaks about the other village.
    assert reasons[0].replace(str(strangers[0].pk), "X") == reasons[1].replace("999999", "X")
    assert "không thuộc địa bàn bạn phụ trách" in reasons[3]
    strangers[0].refresh_from_db()
    assert strangers[0].full_name == "An"
    assert not Visit.objects.exists()
    assert not Resident.objects.filter(full_name="Người lạ").exists()


def test_a_client_id_used_by_someone_else_is_not_answered_as_theirs(
    api, household, make_user, village, client
):
    _household, people = household
    item = visit_item(people[:1], milestones={})
    api.sync([item])
    other = make_user(Role.TEAM_MEMBER, village)
    _token, raw = issue_token(user=other, name="Máy khác")
    response = client.post(
        SYNC_URL,
        {"items": [item]},
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    (result,) = response.json()["results"]
    assert result["status"] == "rejected"
    assert result["result"] == {}
    assert Visit.objects.count() == 1


def test_an_account_without_field_work_cannot_sync(client, make_user, village):
    learner = make_user(Role.LEARNER, village)
    _token, raw = issue_token(user=learner, name="Máy học viên")
    response = client.post(
        SYNC_URL,
        {"items": []},
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 403


def test_the_app_downloads_only_its_own_villages_residents(
    api, household, make_household, other_village
):
    _household, people = household
    make_household(other_village, head="Nguyễn Văn Hải", members=(("An", 1980),))
    residents = api.get("/api/v1/people/residents").json()
    assert sorted(r["id"] for r in residents["items"]) == sorted(p.pk for p in people)
    assert {"version", "milestones", "phone_masked"} <= set(residents["items"][0])
    assert "citizen_id_hash" not in residents["items"][0]
    households = api.get("/api/v1/people/households").json()
    assert [h["head_name"] for h in households["items"]] == ["Hoàng Văn Páo"]
