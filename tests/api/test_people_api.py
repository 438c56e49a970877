"""The registry API at /api/v1/people: token-authenticated, scoped, replay-safe, conflict-aware."""

import datetime
import uuid

import pytest

from hocvuso.accounts.tokens import issue_token, revoke_token
from hocvuso.people.models import Consent, Household, MilestoneEvent, Resident
from tests.api.conftest import TokenClient

BASE = "/api/v1/people"


def test_residents_are_listed_for_the_members_village_with_masked_phone(
    inside, resident, sai_luong
):
    response = inside.get(f"{BASE}/residents", village=sai_luong.code)
    assert response.status_code == 200
    [item] = response.json()["items"]
    assert item["full_name"] == "Triệu Văn Sơn"
    assert item["has_citizen_id"] is True
    assert item["phone_masked"] != "0912345678"
    assert "010068123456" not in response.content.decode()
    assert response.json()["next_after"] is None


def test_resident_list_pages_by_id(inside, resident, spouse):
    first = inside.get(f"{BASE}/residents", limit=1).json()
    assert [r["id"] for r in first["items"]] == [resident.pk]
    second = inside.get(f"{BASE}/residents", limit=1, after=first["next_after"]).json()
    assert [r["id"] for r in second["items"]] == [spouse.pk]


def test_an_outsider_sees_no_resident_of_sai_luong(outside, resident, sai_luong):
    assert outside.get(f"{BASE}/residents").json()["items"] == []
    assert outside.get(f"{BASE}/residents", village=sai_luong.code).status_code == 404
    assert outside.get(f"{BASE}/residents/{resident.pk}").status_code == 404
    assert (
        outside.patch(f"{BASE}/residents/{resident.pk}", {"ethnicity": "Kinh"}).status_code == 404
    )
    assert outside.get(f"{BASE}/residents/{resident.pk}/milestones").status_code == 404


def test_a_resident_is_read_with_full_phone_and_consents(inside, resident):
    response = inside.get(f"{BASE}/residents/{resident.pk}")
    assert response.status_code == 200
    assert response.json()["phone"] == "0912345678"
    assert response.json()["consents"] == []


def test_a_replayed_resident_creation_creates_one_and_answers_200(inside, sai_luong, household):
    body = {
        "village": sai_luong.code,
        "full_name": "Bàn Thị Hoa",
        "household_id": household.pk,
        "client_id": str(uuid.uuid4()),
    }
    first = inside.post(f"{BASE}/residents", body)
    again = inside.post(f"{BASE}/residents", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Resident.objects.filter(full_name="Bàn Thị Hoa").count() == 1


def test_a_bad_resident_gets_a_vietnamese_reason_and_nothing_is_saved(inside, sai_luong):
    body = {"village": sai_luong.code, "full_name": "A", "citizen_id": "123"}
    response = inside.post(f"{BASE}/residents", body)
    assert response.status_code == 422
    assert "12 chữ số" in response.json()["detail"]
    assert not Resident.objects.exists()


def test_an_outsider_cannot_register_in_sai_luong(outside, sai_luong):
    response = outside.post(f"{BASE}/residents", {"village": sai_luong.code, "full_name": "X"})
    assert response.status_code == 404
    assert not Resident.objects.exists()


def test_a_stale_patch_is_a_409_with_the_server_values(inside, resident):
    ok = inside.patch(
        f"{BASE}/residents/{resident.pk}", {"expected_version": 1, "ethnicity": "Tày"}
    )
    assert ok.status_code == 200
    assert ok.json()["version"] == 2
    stale = inside.patch(
        f"{BASE}/residents/{resident.pk}", {"expected_version": 1, "ethnicity": "Kinh"}
    )
    assert stale.status_code == 409
    assert stale.json()["current"]["ethnicity"] == "Tày"
    assert stale.json()["version"] == 2
    resident.refresh_from_db()
    assert (resident.ethnicity, resident.version) == ("Tày", 2)


def test_consent_is_recorded_then_withdrawn_once(inside, resident):
    recorded = inside.post(f"{BASE}/residents/{resident.pk}/consents", {"purpose": "support"})
    assert recorded.status_code == 201
    assert recorded.json()["is_active"] is True
    consent_id = recorded.json()["id"]
    url = f"{BASE}/residents/{resident.pk}/consents/{consent_id}/withdraw"
    withdrawn = inside.post(url)
    assert withdrawn.status_code == 200
    assert withdrawn.json()["withdrawn_at"] is not None
    again = inside.post(url)
    assert again.status_code == 422
    assert "đã được rút" in again.json()["detail"]
    assert Consent.objects.get().withdrawn_at is not None


def test_an_outsider_cannot_record_or_withdraw_consent(outside, inside, resident):
    assert (
        outside.post(f"{BASE}/residents/{resident.pk}/consents", {"purpose": "support"}).status_code
        == 404
    )
    consent_id = inside.post(
        f"{BASE}/residents/{resident.pk}/consents", {"purpose": "support"}
    ).json()["id"]
    url = f"{BASE}/residents/{resident.pk}/consents/{consent_id}/withdraw"
    assert outside.post(url).status_code == 404
    assert Consent.objects.get().withdrawn_at is None


def test_a_milestone_replay_answers_200_with_the_same_event(inside, outside, resident):
    body = {
        "milestone": "vneid_installed",
        "achieved_on": "2025-10-10",
        "method": "visit",
        "client_id": str(uuid.uuid4()),
    }
    url = f"{BASE}/residents/{resident.pk}/milestones"
    first = inside.post(url, body)
    again = inside.post(url, body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert MilestoneEvent.objects.count() == 1
    assert [m["milestone"] for m in inside.get(url).json()] == ["vneid_installed"]
    assert outside.post(url, {**body, "client_id": str(uuid.uuid4())}).status_code == 404


def test_a_milestone_in_the_future_is_refused(inside, resident):
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    body = {"milestone": "vneid_installed", "achieved_on": tomorrow}
    response = inside.post(f"{BASE}/residents/{resident.pk}/milestones", body)
    assert response.status_code == 422
    assert not MilestoneEvent.objects.exists()


def test_households_are_created_replayed_listed_and_read_with_members(
    inside, outside, sai_luong, resident
):
    body = {
        "village": sai_luong.code,
        "head_name": "Nông Văn Hải",
        "number": "07",
        "client_id": str(uuid.uuid4()),
    }
    first = inside.post(f"{BASE}/households", body)
    again = inside.post(f"{BASE}/households", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert Household.objects.filter(head_name="Nông Văn Hải").count() == 1
    listed = inside.get(f"{BASE}/households", village=sai_luong.code).json()["items"]
    assert [h["head_name"] for h in listed] == ["Triệu Văn Sơn", "Nông Văn Hải"]
    detail = inside.get(f"{BASE}/households/{resident.household_id}").json()
    assert [m["full_name"] for m in detail["members"]] == ["Triệu Văn Sơn"]
    assert outside.get(f"{BASE}/households/{resident.household_id}").status_code == 404
    assert outside.get(f"{BASE}/households").json()["items"] == []
    assert outside.post(f"{BASE}/households", {**body, "client_id": None}).status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/residents"),
        ("post", "/residents"),
        ("get", "/residents/{r}"),
        ("patch", "/residents/{r}"),
        ("post", "/residents/{r}/consents"),
        ("post", "/residents/{r}/consents/1/withdraw"),
        ("get", "/residents/{r}/milestones"),
        ("post", "/residents/{r}/milestones"),
        ("get", "/households"),
        ("post", "/households"),
        ("get", "/households/{h}"),
    ],
)
def test_every_operation_refuses_no_token_and_a_revoked_token(method, path, member, resident):
    url = BASE + path.format(r=resident.pk, h=resident.household_id)
    token, raw = issue_token(user=member, name="Máy bị mất")
    revoke_token(token=token)
    for client in (TokenClient(None), TokenClient(raw)):
        call = getattr(client, method)
        response = call(url, {}) if method in ("post", "patch") else call(url)
        assert response.status_code == 401
        assert "Mã truy cập" in response.json()["detail"]
