"""Periodic reports: made in the background as Excel and PDF, downloadable when ready."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from hocvuso.monitoring.models import Report
from hocvuso.monitoring.services.reports import generate, parse_report_period, recover_stale_reports
from hocvuso.monitoring.tasks import generate_report, requeue_stale_reports
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
    assert other.post(f"/theo-doi/bao-cao/{report.pk}/").status_code == 403
    assert Report.objects.count() == 1
    assert other.get(f"/theo-doi/bao-cao/{report.pk}/tai/pdf/").status_code == 403
    assert other.post(f"/theo-doi/{dong_cuong.code}/bao-cao/", {"kind": "year"}).status_code == 403


def _left_by_a_dead_worker(area, user, *, status=Report.Status.RUNNING, attempts=1, minutes=10):
    """A report as a worker killed mid-way leaves it: claimed, no files, no sign of life since."""
    then = timezone.now() - datetime.timedelta(minutes=minutes)
    report = Report.objects.create(
        area=area,
        kind=Report.Kind.YEAR,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
        requested_by=user,
        status=status,
        attempts=attempts,
        started_at=then if status == Report.Status.RUNNING else None,
        progress_at=then,
    )
    Report.objects.filter(pk=report.pk).update(requested_at=then)
    return report


def test_a_report_whose_worker_died_is_made_again_when_its_page_is_read(
    village, dong_cuong, officer, login, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    report = _left_by_a_dead_worker(dong_cuong, officer)

    client = login(officer)
    # Without Redis the page is what notices, and the task runs again in-process once the
    # recovery commits (here, where the test's transaction ends).
    with django_capture_on_commit_callbacks(execute=True):
        client.get(f"/theo-doi/bao-cao/{report.pk}/")

    report.refresh_from_db()
    assert report.status == Report.Status.READY, report.error
    assert report.attempts == 2
    assert report.xlsx and report.pdf
    page = client.get(f"/theo-doi/bao-cao/{report.pk}/").content.decode()
    assert "Tải Excel" in page and "Tải PDF" in page


def test_a_report_that_keeps_losing_its_worker_fails_and_can_be_requested_again(
    village, dong_cuong, officer, login, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    report = _left_by_a_dead_worker(dong_cuong, officer, attempts=settings.REPORT_MAX_ATTEMPTS)
    client = login(officer)

    page = client.get(f"/theo-doi/bao-cao/{report.pk}/").content.decode()

    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert report.finished_at is not None
    assert "sau 3 lần thử" in report.error and "Yêu cầu tạo lại" in report.error
    assert "Không tạo được báo cáo" in page
    assert "Yêu cầu tạo lại</button>" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/theo-doi/bao-cao/{report.pk}/")
    again = Report.objects.exclude(pk=report.pk).get()
    assert response.url == f"/theo-doi/bao-cao/{again.pk}/"
    assert (again.kind, again.period_start, again.period_end, again.area) == (
        report.kind,
        report.period_start,
        report.period_end,
        report.area,
    )
    assert again.status == Report.Status.READY, again.error


def test_a_report_lost_before_it_started_is_queued_again_by_the_periodic_task(
    village, dong_cuong, officer, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    lost = _left_by_a_dead_worker(dong_cuong, officer, status=Report.Status.PENDING)
    busy = _left_by_a_dead_worker(dong_cuong, officer, minutes=1)

    with django_capture_on_commit_callbacks(execute=True):
        requeue_stale_reports()

    lost.refresh_from_db()
    busy.refresh_from_db()
    assert (lost.status, lost.attempts) == (Report.Status.READY, 2)
    # Its last sign of life is recent: its worker is still at it.
    assert (busy.status, busy.attempts) == (Report.Status.RUNNING, 1)
    assert recover_stale_reports() == 0


def test_a_second_copy_of_the_task_leaves_a_made_report_alone(
    village, dong_cuong, officer, login, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        login(officer).post(
            f"/theo-doi/{dong_cuong.code}/bao-cao/", {"kind": "year", "period": "2026"}
        )
    report = Report.objects.get()
    files = (report.xlsx.name, report.pdf.name, report.finished_at)

    generate_report(report.pk)

    report.refresh_from_db()
    assert report.status == Report.Status.READY
    assert (report.xlsx.name, report.pdf.name, report.finished_at) == files
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == sorted(
        name.rsplit("/", 1)[-1] for name in files[:2]
    )


def test_a_run_that_was_replaced_does_nothing(village, dong_cuong, officer, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    report = _left_by_a_dead_worker(dong_cuong, officer, status=Report.Status.PENDING)
    seen_before = Report.objects.get(pk=report.pk)
    # Queued again meanwhile (attempt 2): the task that read attempt 1 must not claim it.
    Report.objects.filter(pk=report.pk).update(attempts=2, progress_at=timezone.now())

    generate(seen_before)

    report.refresh_from_db()
    assert (report.status, report.attempts) == (Report.Status.PENDING, 2)
    assert not report.xlsx and not (tmp_path / "reports").exists()


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
