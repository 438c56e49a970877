"""Hand-reported indicators: a commune enters a value, submits it, another officer approves it."""

import datetime
import re
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.authz import Perm, can
from hocvuso.monitoring.models import CustomIndicator, CustomReport
from hocvuso.monitoring.services.targets import FIRST_YEAR, LAST_YEAR, parse_number
from hocvuso.places.models import Area

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq](\d)$")
_YEAR = re.compile(r"^(\d{4})$")


def parse_period(indicator: CustomIndicator, text: str) -> datetime.date:
    """The first day of a period written "2025-11" (month), "2025-Q4" (quarter) or "2025" (year).

    A period that does not exist for the indicator's frequency, or has not begun, is refused.
    """
    text = (text or "").strip()
    patterns = {
        CustomIndicator.Frequency.MONTH: (_MONTH, 12, lambda y, n: datetime.date(y, n, 1)),
        CustomIndicator.Frequency.QUARTER: (
            _QUARTER,
            4,
            lambda y, n: datetime.date(y, 3 * n - 2, 1),
        ),
        CustomIndicator.Frequency.YEAR: (_YEAR, None, lambda y, n: datetime.date(y, 1, 1)),
    }
    pattern, most, first_day = patterns[indicator.frequency]
    match = pattern.match(text)
    examples = {"month": "2025-11", "quarter": "2025-Q4", "year": "2025"}
    if not match:
        raise ValidationError(
            _("Kỳ báo cáo “%(text)s” không tồn tại; chỉ số này báo cáo theo dạng %(example)s.")
            % {"text": text, "example": examples[indicator.frequency]}
        )
    year = int(match.group(1))
    number = int(match.group(2)) if most else 1
    if not FIRST_YEAR <= year <= LAST_YEAR or (most and not 1 <= number <= most):
        raise ValidationError(_("Kỳ báo cáo “%(text)s” không tồn tại.") % {"text": text})
    start = first_day(year, number)
    if start > timezone.localdate():
        raise ValidationError(_("Kỳ báo cáo “%(text)s” chưa bắt đầu.") % {"text": text})
    return start


def period_label(indicator: CustomIndicator, start: datetime.date) -> str:
    if indicator.frequency == CustomIndicator.Frequency.MONTH:
        return f"{start.year}-{start.month:02d}"
    if indicator.frequency == CustomIndicator.Frequency.QUARTER:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return str(start.year)


def clean_value(indicator: CustomIndicator, value) -> Decimal:
    """The value in the indicator's type, or a clear refusal (a missing value is not a zero)."""
    if value is None or str(value).strip() == "":
        raise ValidationError(
            _("Chưa nhập giá trị (để trống nghĩa là chưa báo cáo, không phải 0).")
        )
    number = parse_number(value, label=_("Giá trị"))
    is_integer = number == number.to_integral_value()
    if indicator.value_type == CustomIndicator.ValueType.INTEGER and not is_integer:
        raise ValidationError(_("Giá trị của chỉ số này phải là số nguyên."))
    if indicator.value_type == CustomIndicator.ValueType.PERCENT and not 0 <= number <= 100:
        raise ValidationError(_("Tỷ lệ phải từ 0 đến 100%."))
    if number < 0:
        raise ValidationError(_("Giá trị không được âm."))
    return number


def _require(user, area: Area) -> None:
    if area.level != Area.Level.COMMUNE:
        raise ValidationError(_("Chỉ số báo cáo thủ công do cấp xã báo cáo."))
    if not can(user, Perm.MANAGE_MONITORING, area):
        raise PermissionDenied(
            _("Bạn không có quyền báo cáo chỉ số của %(area)s.") % {"area": area.name}
        )


@transaction.atomic
def save_custom_value(
    *, area: Area, indicator: CustomIndicator, period: str, value, note: str = "", entered_by
) -> CustomReport:
    """Enter (or correct) the draft value of a commune's indicator for a period."""
    _require(entered_by, area)
    start = parse_period(indicator, period)
    number = clean_value(indicator, value)
    report = (
        CustomReport.objects.select_for_update()
        .filter(area=area, indicator=indicator, period_start=start)
        .first()
    )
    if report is not None and report.status != CustomReport.Status.DRAFT:
        raise ValidationError(_("Báo cáo kỳ này đã gửi đi, không sửa được nữa."))
    if report is None:
        report = CustomReport(area=area, indicator=indicator, period_start=start)
    report.value = number
    report.note = (note or "").strip()[:300]
    report.entered_by = entered_by
    report.save()
    return report


@transaction.atomic
def submit_custom_report(*, report: CustomReport, submitted_by) -> CustomReport:
    """Send a draft for approval."""
    _require(submitted_by, report.area)
    report = CustomReport.objects.select_for_update().get(pk=report.pk)
    if report.status != CustomReport.Status.DRAFT:
        raise ValidationError(_("Chỉ gửi được báo cáo đang ở dạng nháp."))
    report.status = CustomReport.Status.SUBMITTED
    report.submitted_by = submitted_by
    report.submitted_at = timezone.now()
    report.save(update_fields=["status", "submitted_by", "submitted_at"])
    return report


@transaction.atomic
def approve_custom_report(*, report: CustomReport, approved_by) -> CustomReport:
    """Approve a submitted value: by an officer other than the one who submitted it, once."""
    _require(approved_by, report.area)
    report = CustomReport.objects.select_for_update().get(pk=report.pk)
    if report.status == CustomReport.Status.APPROVED:
        raise ValidationError(_("Báo cáo này đã được duyệt."))
    if report.status != CustomReport.Status.SUBMITTED:
        raise ValidationError(_("Báo cáo chưa được gửi để duyệt."))
    if report.submitted_by_id == approved_by.pk:
        raise ValidationError(_("Người duyệt phải khác người đã gửi báo cáo."))
    report.status = CustomReport.Status.APPROVED
    report.approved_by = approved_by
    report.approved_at = timezone.now()
    report.save(update_fields=["status", "approved_by", "approved_at"])
    return report


@transaction.atomic
def return_custom_report(*, report: CustomReport, returned_by) -> CustomReport:
    """Send a submitted value back to draft, for correction."""
    _require(returned_by, report.area)
    report = CustomReport.objects.select_for_update().get(pk=report.pk)
    if report.status != CustomReport.Status.SUBMITTED:
        raise ValidationError(_("Chỉ trả lại được báo cáo đang chờ duyệt."))
    report.status = CustomReport.Status.DRAFT
    report.save(update_fields=["status"])
    return report
