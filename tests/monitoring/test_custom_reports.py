"""Hand-reported indicators: draft → submitted → approved by someone else; missing is not zero."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from hocvuso.accounts.models import Role
from hocvuso.monitoring.models import CustomIndicator, CustomReport
from hocvuso.monitoring.selectors import custom_completeness, custom_reports
from hocvuso.monitoring.services.custom import (
    approve_custom_report,
    parse_period,
    save_custom_value,
    submit_custom_report,
)


@pytest.fixture
def on_time(db):
    return CustomIndicator.objects.create(
        code="on_time",
        name="Tỷ lệ hồ sơ giải quyết đúng hạn",
        value_type="percent",
        frequency="month",
    )


@pytest.fixture
def records(db):
    return CustomIndicator.objects.create(
        code="records", name="Số hồ sơ được số hoá", value_type="integer", frequency="quarter"
    )


def test_a_value_is_approved_by_another_officer_only_once(
    on_time, officer, make_user, dong_cuong, area
):
    colleague = make_user(Role.COMMUNE_OFFICER, dong_cuong)
    assert custom_reports(dong_cuong, parse_period(on_time, "2026-01")) == [(on_time, None)]
    assert custom_completeness(area("15"), on_time, parse_period(on_time, "2026-01"))[0] == 0

    report = save_custom_value(
        area=dong_cuong, indicator=on_time, period="2026-01", value="97,5", entered_by=officer
    )
    report = submit_custom_report(report=report, submitted_by=officer)
    with pytest.raises(ValidationError, match="khác người đã gửi"):
        approve_custom_report(report=report, approved_by=officer)
    report.refresh_from_db()
    assert report.status == CustomReport.Status.SUBMITTED

    approve_custom_report(report=report, approved_by=colleague)
    with pytest.raises(ValidationError, match="đã được duyệt"):
        approve_custom_report(report=report, approved_by=colleague)
    report.refresh_from_db()
    assert (report.status, float(report.value), report.approved_by) == (
        "approved",
        97.5,
        colleague,
    )
    assert custom_completeness(area("15"), on_time, report.period_start)[0] == 1


@pytest.mark.parametrize(
    ("indicator", "period", "value", "message"),
    [
        ("on_time", "2026-13", "90", "không tồn tại"),
        ("on_time", "2026-Q1", "90", "không tồn tại"),
        ("on_time", "2030-12", "90", "chưa bắt đầu"),
        ("on_time", "2026-01", "", "không phải 0"),
        ("on_time", "2026-01", "105", "từ 0 đến 100"),
        ("on_time", "2026-01", "chín mươi", "phải là một số"),
        ("records", "2026-Q1", "12.5", "số nguyên"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_saved(
    on_time, records, officer, dong_cuong, indicator, period, value, message
):
    chosen = {"on_time": on_time, "records": records}[indicator]
    with pytest.raises(ValidationError, match=message):
        save_custom_value(
            area=dong_cuong, indicator=chosen, period=period, value=value, entered_by=officer
        )
    assert not CustomReport.objects.exists()


def test_another_commune_cannot_report(on_time, officer, tien_lu):
    with pytest.raises(PermissionDenied):
        save_custom_value(
            area=tien_lu, indicator=on_time, period="2026-01", value=90, entered_by=officer
        )


def test_the_page_saves_submits_and_refuses_self_approval(on_time, officer, dong_cuong, login):
    client = login(officer)
    url = f"/theo-doi/{dong_cuong.code}/chi-so-bao-cao/"
    client.post(
        url, {"action": "save", "indicator": on_time.pk, "period": "2026-02", "value": "88"}
    )
    report = CustomReport.objects.get()
    client.post(url, {"action": "submit", "report": report.pk})
    page = client.post(url, {"action": "approve", "report": report.pk}, follow=True)
    assert "Người duyệt phải khác người đã gửi" in page.content.decode()
    report.refresh_from_db()
    assert report.status == "submitted"
