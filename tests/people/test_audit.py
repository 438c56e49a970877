"""The personal-data audit log: every viewing, export and change is recorded once, and a commune
reads its own log (by resident, by user, by date, by action) while the national admin reads all."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from hocvuso.accounts.models import Role
from hocvuso.accounts.tokens import issue_token
from hocvuso.people.audit import record_access
from hocvuso.people.models import PersonalDataAccess
from hocvuso.people.services import record_consent, register_resident
from tests.api.conftest import TokenClient

Action = PersonalDataAccess.Action


def _only_row(**filters) -> PersonalDataAccess:
    rows = list(PersonalDataAccess.objects.filter(**filters))
    assert len(rows) == 1, rows
    return rows[0]


def test_opening_a_resident_records_who_when_what_and_from_where(login, member, resident):
    before = timezone.now()
    response = login(member).get(
        reverse("people:resident", args=[resident.pk]), REMOTE_ADDR="203.0.113.7"
    )
    assert response.status_code == 200
    row = _only_row(resident_id=resident.pk)
    assert row.user == member
    assert row.username == member.username
    assert row.action == Action.VIEW
    assert row.what == "people:resident"
    assert row.area_path == resident.village.path
    assert row.household_id == resident.household_id
    assert row.ip == "203.0.113.7"
    assert row.at >= before


def test_a_village_list_is_one_row_with_the_area_and_the_count(login, member, sai_luong, resident):
    register_resident(village=sai_luong, full_name="Bàn Thị Hoa", created_by=member)
    login(member).get(reverse("people:village", args=[sai_luong.code]))
    row = _only_row(what="people:village")
    assert (row.area_id, row.subject_count, row.resident_id) == (sai_luong.pk, 2, None)


def test_a_household_page_is_recorded_with_its_members(login, member, household, resident):
    login(member).get(reverse("people:household", args=[household.pk]))
    row = _only_row(what="people:household")
    assert (row.household_id, row.subject_count) == (household.pk, 1)


def test_a_refused_page_records_nothing(login, outsider, resident):
    response = login(outsider).get(reverse("people:resident", args=[resident.pk]))
    assert response.status_code == 404
    assert not PersonalDataAccess.objects.exists()


def test_an_edit_is_recorded_as_a_correction_naming_the_fields(login, member, resident):
    url = reverse("people:resident_edit", args=[resident.pk])
    response = login(member).post(
        url,
        {
            "full_name": resident.full_name,
            "household": resident.household_id,
            "year_of_birth": 1969,
            "gender": resident.gender,
            "ethnicity": resident.ethnicity,
            "phone": resident.phone,
            "citizen_id": "",
            "target_group": resident.target_group,
            "preferred_language": resident.preferred_language,
            "version": resident.version,
        },
    )
    assert response.status_code == 302
    row = _only_row(action=Action.CORRECT)
    assert row.resident_id == resident.pk
    assert "year_of_birth" in row.purpose
    assert "1969" not in row.purpose


def test_consent_given_and_withdrawn_are_both_recorded(login, member, resident):
    client = login(member)
    client.post(reverse("people:consent_record", args=[resident.pk]), {"purpose": "support"})
    consent = resident.consents.get()
    client.post(reverse("people:consent_withdraw", args=[consent.pk]))
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    rows = PersonalDataAccess.objects.filter(action=Action.CONSENT).order_by("at", "id")
    assert [r.what for r in rows] == ["people:consent_record", "people:consent_withdraw"]
    assert all(r.resident_id == resident.pk for r in rows)


def test_api_reads_and_changes_of_residents_are_recorded(member, resident, sai_luong):
    api = TokenClient(issue_token(user=member, name="điện thoại")[1])
    base = "/api/v1/people"
    assert api.get(f"{base}/residents", village=sai_luong.code).status_code == 200
    assert api.get(f"{base}/residents").status_code == 200
    assert api.get(f"{base}/residents/{resident.pk}").status_code == 200
    assert api.get(f"{base}/residents/{resident.pk}/milestones").status_code == 200
    assert api.get(f"{base}/households").status_code == 200
    assert api.get(f"{base}/households/{resident.household_id}").status_code == 200
    assert api.patch(f"{base}/residents/{resident.pk}", {"ethnicity": "Kinh"}).status_code == 200
    consent = record_consent(
        resident=resident, purpose="contact", text_version="2026-01", recorded_by=member
    )
    withdraw = f"{base}/residents/{resident.pk}/consents/{consent.pk}/withdraw"
    assert api.post(withdraw).status_code == 200
    whats = list(PersonalDataAccess.objects.order_by("id").values_list("what", "action"))
    assert whats == [
        ("api:people_resident_list", Action.VIEW),
        ("api:people_resident_list", Action.VIEW),
        ("api:people_resident_get", Action.VIEW),
        ("api:people_milestone_list", Action.VIEW),
        ("api:people_household_list", Action.VIEW),
        ("api:people_household_get", Action.VIEW),
        ("api:people_resident_update", Action.CORRECT),
        ("people:consent_withdraw", Action.CONSENT),
    ]
    scoped_list = PersonalDataAccess.objects.filter(what="api:people_resident_list").order_by("id")
    assert [row.area_path for row in scoped_list] == [sai_luong.path, sai_luong.path]


def test_field_pages_listing_residents_are_recorded(login, member, sai_luong, household, resident):
    client = login(member)
    client.get(reverse("field:visit_new", args=[sai_luong.code]))
    client.get(reverse("field:visit_new", args=[sai_luong.code]) + f"?ho={household.pk}")
    client.get(reverse("field:recognitions", args=[sai_luong.code]))
    rows = dict(PersonalDataAccess.objects.values_list("what", "subject_count"))
    assert rows == {"field:visit_household": 1, "field:visit_new": 1, "field:recognitions": 0}


def test_the_help_desk_search_is_recorded_for_the_commune(login, officer, dong_cuong, resident):
    login(officer).get(reverse("field:desk_visit_new", args=[dong_cuong.code]), {"q": "Sơn"})
    row = _only_row(what="field:desk_visit_new")
    assert (row.area_id, row.subject_count) == (dong_cuong.pk, 1)


def test_the_progress_page_of_a_village_is_recorded(login, member, sai_luong):
    login(member).get(reverse("learning:team_progress", args=[sai_luong.code]))
    assert _only_row(what="learning:team_progress").area_id == sai_luong.pk


def test_the_log_cannot_be_changed_or_deleted_through_the_app(member, resident):
    row = record_access(user=member, action=Action.VIEW, what="test", resident=resident)
    row.purpose = "sửa"
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()
    assert PersonalDataAccess.objects.get(pk=row.pk).purpose == ""


# ---- Reading the log ---------------------------------------------------------------------------


@pytest.fixture
def logged(member, officer, resident, quang, make_user):
    """Rows in Đông Cuông (a view by the member, an export by the officer) and one in Tiên Lữ."""
    elsewhere = register_resident(village=quang, full_name="Lê Văn Quý", created_by=None)
    stranger = make_user(Role.TEAM_MEMBER, quang)
    view = record_access(user=member, action=Action.VIEW, what="people:resident", resident=resident)
    export = record_access(
        user=officer, action=Action.EXPORT, what="people:resident_export", resident=resident
    )
    far = record_access(
        user=stranger, action=Action.VIEW, what="people:resident", resident=elsewhere
    )
    return view, export, far


def _log(client, code, **params):
    response = client.get(reverse("people:access_log", args=[code]), params)
    assert response.status_code == 200
    return {row.pk for row in response.context["page"].object_list}


def test_a_commune_officer_reads_the_log_of_the_commune_only(login, officer, dong_cuong, logged):
    view, export, _far = logged
    assert _log(login(officer), dong_cuong.code) == {view.pk, export.pk}


def test_the_log_is_searched_by_resident_user_action_and_date(
    login, officer, member, dong_cuong, resident, logged
):
    view, export, _far = logged
    client = login(officer)
    assert _log(client, dong_cuong.code, nguoi=resident.pk) == {view.pk, export.pk}
    assert _log(client, dong_cuong.code, ten="văn sơn") == {view.pk, export.pk}
    assert _log(client, dong_cuong.code, ten="Quý") == set()
    assert _log(client, dong_cuong.code, tai_khoan=member.username) == {view.pk}
    assert _log(client, dong_cuong.code, thao_tac="export") == {export.pk}
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    assert _log(client, dong_cuong.code, tu_ngay=today.isoformat()) == {view.pk, export.pk}
    assert _log(client, dong_cuong.code, tu_ngay=tomorrow.isoformat()) == set()
    assert _log(client, dong_cuong.code, den_ngay=today.isoformat()) == {view.pk, export.pk}


def test_reversed_dates_are_refused_with_a_message(login, officer, dong_cuong, logged):
    today = timezone.localdate()
    response = login(officer).get(
        reverse("people:access_log", args=[dong_cuong.code]),
        {
            "tu_ngay": today.isoformat(),
            "den_ngay": (today - datetime.timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "phải trước hoặc bằng" in response.content.decode()
    assert list(response.context["page"].object_list) == []


def test_the_national_admin_reads_every_commune(login, make_user, area, logged):
    admin = make_user(Role.NATIONAL_ADMIN, area("VN"))
    assert _log(login(admin), "VN") == {row.pk for row in logged}


def test_the_log_of_another_commune_and_a_team_member_are_refused(
    login, officer, member, tien_lu, sai_luong, logged
):
    assert login(officer).get(reverse("people:access_log", args=[tien_lu.code])).status_code == 403
    assert login(member).get(reverse("people:access_log", args=[sai_luong.code])).status_code == 403
    assert login(officer).get(reverse("people:access_log", args=["99999"])).status_code == 404


def test_the_log_survives_the_erasure_of_its_resident_and_user(member, resident):
    row = record_access(user=member, action=Action.VIEW, what="people:resident", resident=resident)
    resident.delete()
    member.delete()
    kept = PersonalDataAccess.objects.get(pk=row.pk)
    assert (kept.resident_id, kept.username) == (row.resident_id, row.username)


def test_recording_costs_one_insert(member, resident, sai_luong, django_assert_num_queries):
    loaded = type(resident).objects.select_related("village").get(pk=resident.pk)
    with django_assert_num_queries(1):
        record_access(user=member, action=Action.VIEW, what="people:resident", resident=loaded)
    with django_assert_num_queries(1):
        record_access(user=member, action=Action.VIEW, what="x", area=sai_luong, count=500)


def test_field_api_lists_are_recorded_even_for_a_caller_without_field_scope(
    member, sai_luong, make_user
):
    api = TokenClient(issue_token(user=member, name="điện thoại")[1])
    assert api.get("/api/v1/field/visits").status_code == 200
    assert api.get("/api/v1/field/visits", area=sai_luong.code).status_code == 200
    assert api.get("/api/v1/field/recognitions", village=sai_luong.code).status_code == 200
    rows = list(PersonalDataAccess.objects.order_by("id").values_list("what", "area_path"))
    assert rows == [
        ("api:field_visit_list", sai_luong.path),
        ("api:field_visit_list", sai_luong.path),
        ("api:field_recognition_list", sai_luong.path),
    ]
    learner = make_user(Role.LEARNER, sai_luong)
    outsider_api = TokenClient(issue_token(user=learner, name="điện thoại")[1])
    assert outsider_api.get("/api/v1/field/visits").json()["items"] == []
