import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from hocvuso.people.choices import Milestone
from hocvuso.people.models import Consent, MilestoneEvent, Resident
from hocvuso.people.services import IMPORT_COLUMNS, record_milestone


def test_the_village_registry_shows_households_and_the_milestone_matrix(
    login, member, resident, sai_luong
):
    record_milestone(
        resident=resident,
        milestone="has_smartphone",
        achieved_on=resident.created_at.date(),
        method="visit",
        recorded_by=member,
    )
    response = login(member).get(reverse("people:village", args=[sai_luong.code]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Triệu Văn Sơn" in page
    assert "✓" in page and "–" in page
    assert "<strong>1</strong>/1" in page


def test_the_household_page_shows_members_and_what_they_still_need(login, member, resident):
    response = login(member).get(reverse("people:household", args=[resident.household_id]))
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Còn {len(Milestone.values)} mốc cần hỗ trợ" in page
    assert "Chưa có sự đồng ý" in page


def test_the_resident_page_shows_the_citizen_id_masked_only(login, member, resident):
    page = login(member).get(reverse("people:resident", args=[resident.pk])).content.decode()
    assert "*********456" in page
    assert "010068123456" not in page


def test_a_team_member_adds_a_resident_from_the_phone_form(login, member, sai_luong, household):
    response = login(member).post(
        reverse("people:resident_create", args=[sai_luong.code]),
        {
            "full_name": "Bàn Thị Hoa",
            "household": household.pk,
            "year_of_birth": "1972",
            "gender": "female",
            "ethnicity": "Dao",
            "phone": "",
            "citizen_id": "",
            "target_group": "citizens",
            "preferred_language": "vi",
        },
    )
    hoa = Resident.objects.get(full_name="Bàn Thị Hoa")
    assert response.status_code == 302
    assert hoa.household == household


def test_a_bad_year_is_shown_in_the_form_and_nothing_is_saved(login, member, sai_luong):
    response = login(member).post(
        reverse("people:resident_create", args=[sai_luong.code]),
        {
            "full_name": "A",
            "year_of_birth": "1800",
            "gender": "unknown",
            "target_group": "citizens",
            "preferred_language": "vi",
        },
    )
    assert response.status_code == 200
    assert "Năm sinh 1800 không hợp lệ" in response.content.decode()
    assert not Resident.objects.exists()


def test_an_edit_keeps_the_stored_number_when_the_field_is_left_blank(login, member, resident):
    response = login(member).post(
        reverse("people:resident_edit", args=[resident.pk]),
        {
            "version": "1",
            "full_name": "Triệu Văn Sơn",
            "year_of_birth": "1969",
            "gender": "male",
            "citizen_id": "",
            "target_group": "citizens",
            "preferred_language": "vi",
        },
    )
    assert response.status_code == 302
    stored = Resident.objects.get(pk=resident.pk)
    assert (stored.year_of_birth, stored.version) == (1969, 2)
    assert stored.citizen_id_hash == resident.citizen_id_hash


def test_an_edit_from_a_stale_page_is_refused_as_a_conflict(login, member, resident):
    data = {
        "version": "0",
        "full_name": "Tên Mới",
        "gender": "male",
        "target_group": "citizens",
        "preferred_language": "vi",
    }
    response = login(member).post(reverse("people:resident_edit", args=[resident.pk]), data)
    assert response.status_code == 200
    assert "đã được người khác sửa" in response.content.decode()
    assert Resident.objects.get(pk=resident.pk).full_name == "Triệu Văn Sơn"


def test_consent_is_recorded_and_withdrawn_by_post(login, member, resident):
    client = login(member)
    client.post(reverse("people:consent_record", args=[resident.pk]), {"purpose": "support"})
    consent = Consent.objects.get(resident=resident)
    assert consent.text_version == "2026-01"
    client.post(reverse("people:consent_withdraw", args=[consent.pk]))
    consent.refresh_from_db()
    assert consent.withdrawn_by == member


def test_a_milestone_is_recorded_from_its_form(login, member, resident):
    response = login(member).post(
        reverse("people:milestone_record", args=[resident.pk]),
        {"milestone": "vneid_level2", "achieved_on": "2025-10-10", "method": "visit"},
    )
    assert response.status_code == 302
    assert MilestoneEvent.objects.get(resident=resident).milestone == "vneid_level2"


def test_a_team_member_of_another_village_cannot_see_or_touch_a_resident(
    login, outsider, resident, sai_luong
):
    client = login(outsider)
    assert client.get(reverse("people:resident", args=[resident.pk])).status_code == 404
    assert client.get(reverse("people:resident_edit", args=[resident.pk])).status_code == 404
    assert client.get(reverse("people:household", args=[resident.household_id])).status_code == 404
    assert client.get(reverse("people:village", args=[sai_luong.code])).status_code == 403
    response = client.post(
        reverse("people:milestone_record", args=[resident.pk]),
        {"milestone": "vneid_level2", "achieved_on": "2025-10-10", "method": "visit"},
    )
    assert response.status_code == 404
    assert client.post(reverse("people:consent_record", args=[resident.pk])).status_code == 404
    assert not MilestoneEvent.objects.exists()


def test_the_import_page_imports_an_upload_and_reports_bad_rows(
    login, officer, dong_cuong, sai_luong
):
    header = ";".join(IMPORT_COLUMNS.values())
    rows = [f";;;Lý Văn Hùng;1990;Nam;Dao;;;;;;{sai_luong.code};Có", ";;;Không Mã;1990;;;;;;;;;"]
    upload = SimpleUploadedFile("ds.csv", ("\ufeff" + "\r\n".join([header, *rows])).encode())
    response = login(officer).post(
        reverse("people:import", args=[dong_cuong.code]), {"file": upload, "mode": "good_rows"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Thiếu mã thôn" in page
    assert Resident.objects.get().full_name == "Lý Văn Hùng"


def test_the_template_download_is_an_xlsx_with_the_village_code(login, member, sai_luong):
    response = login(member).get(reverse("people:import_template", args=[sai_luong.code]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet["M2"].value == sai_luong.code
