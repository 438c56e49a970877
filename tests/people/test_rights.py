"""A resident's rights: export of all their data, correction, erasure with the counts following,
withdrawal of consent, by an officer or by the resident themself; and the retention command."""

import datetime
import io
import json
import uuid

import pytest
from django.core.management import call_command
from django.db.models.signals import post_delete
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from hocvuso.accounts.models import Role, User
from hocvuso.field.models import Visit
from hocvuso.field.services.visits import record_visit
from hocvuso.learning.services.enrolment import enroll
from hocvuso.people.models import Consent, Household, MilestoneEvent, PersonalDataAccess, Resident
from hocvuso.people.retention import apply_retention
from hocvuso.people.rights import erase_resident
from hocvuso.people.services import PeopleError, record_consent, record_milestone
from tests.learning.factories import make_publisher, sample_course

Action = PersonalDataAccess.Action


@pytest.fixture
def learner(make_user, sai_luong, resident):
    """The resident's own learner account, linked to their record."""
    user = make_user(Role.LEARNER, sai_luong, full_name="Triệu Văn Sơn")
    Resident.objects.filter(pk=resident.pk).update(user=user)
    resident.refresh_from_db()
    return user


@pytest.fixture
def history(resident, member, learner):
    """Consent, a milestone, a door-to-door visit and an enrolment of the resident."""
    record_consent(resident=resident, purpose="support", text_version="2026-01", recorded_by=member)
    record_milestone(
        resident=resident,
        milestone="vneid_installed",
        achieved_on=timezone.localdate(),
        method="visit",
        recorded_by=member,
    )
    visit, _created = record_visit(
        client_id=uuid.uuid4(),
        recorded_by=member,
        visited_on=timezone.localdate(),
        channel=Visit.Channel.DOOR_TO_DOOR,
        household=resident.household,
        residents=[resident],
        activities="Cài VNeID",
    )
    enrollment = enroll(learner=learner, course=sample_course(make_publisher()))
    return visit, enrollment


def _export(client, resident, fmt="json", **params):
    name = "people:resident_export_json" if fmt == "json" else "people:resident_export_xlsx"
    return client.get(reverse(name, args=[resident.pk]), params)


def test_the_export_holds_every_kind_of_record_about_the_resident(
    login, officer, resident, history
):
    visit, enrollment = history
    login(officer).get(reverse("people:resident", args=[resident.pk]))
    response = _export(login(officer), resident, **{"ly-do": "Người dân đề nghị"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["resident"]["full_name"] == "Triệu Văn Sơn"
    assert data["resident"]["citizen_id_masked"] == "*********456"
    assert "citizen_id_hash" not in data["resident"]
    assert "010068123456" not in response.content.decode()
    assert data["household"]["head_name"] == "Triệu Văn Sơn"
    related = data["related"]
    assert [c["purpose"] for c in related["people.consent"]] == ["support"]
    assert [m["milestone"] for m in related["people.milestoneevent"]] == ["vneid_installed"]
    assert [v["id"] for v in related["field.visit"]] == [visit.pk]
    account = data["account"]
    assert [e["id"] for e in account["learning.enrollment"]] == [enrollment.pk]
    assert "password" not in account["accounts.user"][0]
    assert [a["action"] for a in data["accesses"]] == ["view", "export"]
    export = PersonalDataAccess.objects.get(action=Action.EXPORT)
    assert (export.resident_id, export.user, export.purpose) == (
        resident.pk,
        officer,
        "Người dân đề nghị",
    )


def test_the_excel_export_is_a_readable_workbook(login, officer, resident, history):
    response = _export(login(officer), resident, fmt="xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert "Thông tin cá nhân" in book.sheetnames
    assert "Ai đã xem, xử lý" in book.sheetnames
    rows = list(book["Thông tin cá nhân"].iter_rows(values_only=True))
    assert ("full_name", "Triệu Văn Sơn") in rows


def test_rights_pages_are_for_the_residents_officers_only(
    login, officer, member, outsider, make_user, tien_lu, resident
):
    other_officer = make_user(Role.COMMUNE_OFFICER, tien_lu)
    urls = [
        reverse("people:resident_rights", args=[resident.pk]),
        reverse("people:resident_export_json", args=[resident.pk]),
        reverse("people:resident_export_xlsx", args=[resident.pk]),
    ]
    for url in urls:
        assert login(officer).get(url).status_code == 200
        assert login(member).get(url).status_code == 404
        assert login(other_officer).get(url).status_code == 404
    erase = reverse("people:resident_erase", args=[resident.pk])
    assert login(other_officer).post(erase, {"purpose": "x"}).status_code == 404
    assert login(officer).get(reverse("people:resident_rights", args=[999999])).status_code == 404
    assert Resident.objects.filter(pk=resident.pk).exists()


def test_the_rights_page_shows_who_saw_the_resident(login, officer, member, resident):
    login(member).get(reverse("people:resident", args=[resident.pk]))
    response = login(officer).get(reverse("people:resident_rights", args=[resident.pk]))
    assert member.username in response.content.decode()


# ---- Erasure ------------------------------------------------------------------------------------


def _erase(client, resident, **fields):
    data = {"purpose": "Theo đề nghị ngày 05/01/2026", "with_account": "on"}
    data["confirm_name"] = resident.full_name
    data.update(fields)
    return client.post(reverse("people:resident_erase", args=[resident.pk]), data)


def test_erasure_removes_the_resident_and_all_their_records(
    login, officer, resident, learner, history
):
    visit, _enrollment = history
    deleted = []

    def count(sender, instance, **kwargs):
        deleted.append(sender.__name__)

    post_delete.connect(count, dispatch_uid="test-erasure")
    try:
        response = _erase(login(officer), resident)
    finally:
        post_delete.disconnect(dispatch_uid="test-erasure")
    assert response.status_code == 302
    assert response["Location"] == reverse("people:village", args=[resident.village.code])
    assert not Resident.objects.filter(pk=resident.pk).exists()
    assert not Consent.objects.filter(resident_id=resident.pk).exists()
    assert not MilestoneEvent.objects.filter(resident_id=resident.pk).exists()
    # The visit stays counted for the team; only the link to the person goes.
    assert list(Visit.objects.get(pk=visit.pk).residents.all()) == []
    assert not User.objects.filter(pk=learner.pk).exists()
    # Each deleted record said so: the live counters follow.
    assert {"Resident", "Consent", "MilestoneEvent", "Enrollment"} <= set(deleted)
    household = Household.objects.get(pk=resident.household_id)
    assert household.head_name == "Hộ đã xoá thông tin chủ hộ"
    assert household.address == ""
    erased = PersonalDataAccess.objects.get(action=Action.DELETE)
    assert (erased.resident_id, erased.user, erased.purpose) == (
        resident.pk,
        officer,
        "Theo đề nghị ngày 05/01/2026",
    )


def test_a_wrong_confirmation_name_erases_nothing(login, officer, resident, learner):
    response = _erase(login(officer), resident, confirm_name="Người khác")
    assert response.status_code == 422
    assert "không khớp" in response.content.decode()
    assert Resident.objects.filter(pk=resident.pk).exists()
    assert not PersonalDataAccess.objects.filter(action=Action.DELETE).exists()


def test_erasure_needs_a_reason_and_keeps_a_staff_account(
    officer, resident, make_user, sai_luong, spouse_of
):
    with pytest.raises(PeopleError):
        erase_resident(resident=resident, erased_by=officer, purpose="  ")
    assert Resident.objects.filter(pk=resident.pk).exists()
    worker = make_user(Role.TEAM_MEMBER, sai_luong)
    spouse = spouse_of(worker)
    result = erase_resident(resident=spouse, erased_by=officer, purpose="Đề nghị")
    assert User.objects.filter(pk=worker.pk).exists()
    assert "vai trò" in result.account_kept_reason
    # The head of the household is someone else: the household keeps its name.
    assert Household.objects.get(pk=resident.household_id).head_name == "Triệu Văn Sơn"


@pytest.fixture
def spouse_of(sai_luong, household):
    def make(user):
        spouse = Resident.objects.create(
            village=sai_luong, household=household, full_name="Bàn Thị Lan", user=user
        )
        return spouse

    return make


# ---- The resident themself ----------------------------------------------------------------------


def test_a_resident_sees_exports_and_withdraws_their_own_data(login, learner, resident, member):
    consent = record_consent(
        resident=resident, purpose="contact", text_version="2026-01", recorded_by=member
    )
    client = login(learner)
    page = client.get(reverse("people:my_data"))
    assert page.status_code == 200
    assert "Triệu Văn Sơn" in page.content.decode()
    data = json.loads(client.get(reverse("people:my_data_json")).content)
    assert data["resident"]["id"] == resident.pk
    assert client.get(reverse("people:my_data_xlsx")).status_code == 200
    response = client.post(reverse("people:my_consent_withdraw", args=[consent.pk]))
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_by == learner
    actions = list(
        PersonalDataAccess.objects.filter(resident_id=resident.pk)
        .order_by("id")
        .values_list("action", "user")
    )
    assert actions == [
        (Action.EXPORT, learner.pk),
        (Action.EXPORT, learner.pk),
        (Action.CONSENT, learner.pk),
    ]


def test_a_person_cannot_reach_someone_elses_data(login, make_user, sai_luong, resident, member):
    consent = record_consent(
        resident=resident, purpose="contact", text_version="2026-01", recorded_by=member
    )
    stranger = make_user(Role.LEARNER, sai_luong)
    client = login(stranger)
    page = client.get(reverse("people:my_data"))
    assert "chưa gắn với hồ sơ người dân nào" in page.content.decode()
    assert client.get(reverse("people:my_data_json")).status_code == 404
    assert client.post(reverse("people:my_consent_withdraw", args=[consent.pk])).status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


# ---- Retention ----------------------------------------------------------------------------------


def _age(resident, days):
    then = timezone.now() - datetime.timedelta(days=days)
    Resident.objects.filter(pk=resident.pk).update(updated_at=then)


def test_retention_purges_old_log_rows_and_residents_no_longer_served(
    member, sai_luong, resident, capsys
):
    kept = Resident.objects.create(village=sai_luong, full_name="Lò Thị Vui")
    record_consent(resident=kept, purpose="support", text_version="2026-01", recorded_by=member)
    _age(resident, 400)
    _age(kept, 400)
    old = PersonalDataAccess.objects.create(action="view", what="old", area_path=sai_luong.path)
    PersonalDataAccess.objects.filter(pk=old.pk).update(
        at=timezone.now() - datetime.timedelta(days=100)
    )
    recent = PersonalDataAccess.objects.create(action="view", what="new", area_path=sai_luong.path)

    dry = apply_retention(audit_days=30, resident_days=365)
    assert (dry.audit_rows, dry.resident_ids, dry.applied) == (1, [resident.pk], False)
    assert Resident.objects.filter(pk=resident.pk).exists()
    assert PersonalDataAccess.objects.filter(pk=old.pk).exists()

    done = apply_retention(apply=True, audit_days=30, resident_days=365)
    assert (done.audit_rows, done.residents, done.applied) == (1, 1, True)
    assert not Resident.objects.filter(pk=resident.pk).exists()
    assert Resident.objects.filter(pk=kept.pk).exists()
    assert not PersonalDataAccess.objects.filter(pk=old.pk).exists()
    assert PersonalDataAccess.objects.filter(pk=recent.pk).exists()
    erased = PersonalDataAccess.objects.get(action=Action.DELETE)
    assert erased.resident_id == resident.pk and erased.user is None


def test_the_retention_command_is_a_dry_run_unless_told(resident, capsys, settings):
    settings.INACTIVE_RESIDENT_RETENTION_DAYS = 30
    _age(resident, 60)
    call_command("apply_retention")
    out = capsys.readouterr().out
    assert "Sẽ xoá 1 người" in out and "Chạy thử" in out
    assert Resident.objects.filter(pk=resident.pk).exists()
    call_command("apply_retention", "--apply")
    assert "Đã xoá 1 người" in capsys.readouterr().out
    assert not Resident.objects.filter(pk=resident.pk).exists()


def test_text_that_looks_like_a_formula_stays_text_in_the_workbook(login, officer, resident):
    Resident.objects.filter(pk=resident.pk).update(ethnicity='=HYPERLINK("http://x")\x07')
    response = _export(login(officer), resident, fmt="xlsx")
    book = load_workbook(io.BytesIO(response.content))
    cells = {row[0].value: row[1] for row in book["Thông tin cá nhân"].iter_rows() if row[0].value}
    assert cells["ethnicity"].value == '=HYPERLINK("http://x")'
    assert cells["ethnicity"].data_type == "s"
