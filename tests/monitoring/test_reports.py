"""Periodic reports: made in the background as Excel and PDF, downloadable when ready."""

import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from hocvuso.monitoring.models import Report
from hocvuso.monitoring.services.reports import parse_report_period
from hocvuso.people.services import register_resident


@pytest.fixture
def village(dong_cuong, make_village, admin):
    village = make_village(dong_cuong, "Thôn Sài Lương")
    for name in ("Triệu Văn Sơn", "Bàn Thị Mây", "Lý Văn Quý", "Đặng Thị Hoa", "Vũ Văn An"):
        register_resident(village=village, full_name=name, created_by=admin)
    return village


def test_an_officer_gets_an_excel_and_a_pdf_report(
    village, dong_cuong, officer, login, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client = login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/theo-doi/{dong_cuong.code}/bao-cao/", {"kind": "quarter", "period": "2026-Q1"}
        )
    report = Report.objects.get()
    assert response.url == f"/theo-doi/bao-cao/{report.pk}/"
    # Without Redis the task runs at once, after the request's transaction commits.
    assert report.status == Report.Status.READY, report.error
    status = client.get(response.url).content.decode()
    assert "Tải Excel" in status and "Tải PDF" in status

    xlsx = client.get(f"/theo-doi/bao-cao/{report.pk}/tai/xlsx/")
    book = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    assert book.sheetnames == ["Chỉ số", "Xu hướng", "Đơn vị cấp dưới", "Báo cáo thủ công"]
    codes = [row[0].value for row in book["Chỉ số"].iter_rows(min_row=5)]
    assert "residents_guided" in codes
    assert book["Xu hướng"]._charts

    pdf = b"".join(client.get(f"/theo-doi/bao-cao/{report.pk}/tai/pdf/").streaming_content)
    assert pdf.startswith(b"%PDF")
    assert b"/Image" in pdf or b"/XObject" in pdf


def test_reports_are_scoped(
    village, dong_cuong, officer, make_user, tien_lu, login, tmp_path, settings
):
    from hocvuso.accounts.models import Role

    settings.MEDIA_ROOT = tmp_path
    login(officer).post(f"/theo-doi/{dong_cuong.code}/bao-cao/", {"kind": "year", "period": "2026"})
    report = Report.objects.get()
    other = login(make_user(Role.COMMUNE_OFFICER, tien_lu))
    assert other.get(f"/theo-doi/bao-cao/{report.pk}/").status_code == 403
    assert other.get(f"/theo-doi/bao-cao/{report.pk}/tai/pdf/").status_code == 403
    assert other.post(f"/theo-doi/{dong_cuong.code}/bao-cao/", {"kind": "year"}).status_code == 403


@pytest.mark.parametrize(
    ("kind", "period", "message"),
    [
        ("month", "2026-13", "không tồn tại"),
        ("quarter", "2026-Q5", "không tồn tại"),
        ("year", "2030", "chưa bắt đầu"),
        ("", "", "loại báo cáo"),
    ],
)
def test_a_period_that_does_not_exist_is_refused(kind, period, message):
    with pytest.raises(ValidationError, match=message):
        parse_report_period(kind, period)


def test_midterm_and_final_periods():
    assert [d.isoformat() for d in parse_report_period("midterm", "")] == [
        "2025-01-01",
        "2027-12-31",
    ]
    assert parse_report_period("final", "")[1].year == 2030
