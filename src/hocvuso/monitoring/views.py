"""Monitoring pages: dashboards at every level, rankings, targets, reports; a public board."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hocvuso.accounts.authz import Perm, authorize, can
from hocvuso.field.models import Team
from hocvuso.field.selectors import current_quota, quota_progress
from hocvuso.monitoring import selectors
from hocvuso.monitoring.indicators import BY_CODE, HEADLINE, INDICATORS
from hocvuso.monitoring.models import (
    Commendation,
    CustomIndicator,
    CustomReport,
    PeerGroup,
    Report,
    SpotCheck,
    Target,
)
from hocvuso.monitoring.services.commendations import record_commendation
from hocvuso.monitoring.services.custom import (
    approve_custom_report,
    parse_period,
    period_label,
    return_custom_report,
    save_custom_value,
    submit_custom_report,
)
from hocvuso.monitoring.services.quality import draw_spot_checks, quality_flags, record_spot_check
from hocvuso.monitoring.services.reports import (
    parse_report_period,
    recover_stale_reports,
    request_report,
)
from hocvuso.monitoring.services.targets import set_peer_group, set_target
from hocvuso.places.models import Area
from hocvuso.places.selectors import areas_above


def _area(request, code: str, perm: Perm) -> Area:
    area = get_object_or_404(Area, code=code)
    authorize(request.user, perm, area)
    return area


def _crumbs(user, area: Area, *, last: str | None = None, view: str = "monitoring:dashboard"):
    crumbs = [
        {
            "label": above.name,
            "url": reverse(view, args=[above.code])
            if can(user, Perm.VIEW_REPORTS, above)
            else None,
        }
        for above in areas_above(area, include_self=True)
    ]
    if last:
        crumbs.append({"label": last, "url": None})
    return crumbs


def _date(text: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@login_required
def dashboard(request, code):
    area = _area(request, code, Perm.VIEW_REPORTS)
    values = selectors.indicator_values(area)
    children = selectors.children_rows(area)
    context = {
        "area": area,
        "values": values,
        "children": children,
        "headline": [BY_CODE[c] for c in HEADLINE],
        "completeness": selectors.completeness(area, rows=children),
        "as_of": timezone.localtime(),
        "team": Team.objects.filter(village=area).first()
        if area.level == Area.Level.VILLAGE
        else None,
        "can_manage": can(request.user, Perm.MANAGE_MONITORING, area),
        "crumbs": _crumbs(request.user, area),
    }
    return render(request, "monitoring/dashboard.html", context)


@login_required
def team_dashboard(request, code):
    village = _area(request, code, Perm.VIEW_PROGRESS)
    if village.level != Area.Level.VILLAGE:
        raise Http404
    team = Team.objects.filter(village=village).first()
    quota = current_quota(team) if team else None
    context = {
        "area": village,
        "team": team,
        "quota": quota,
        "progress": quota_progress(quota) if quota else [],
        "values": selectors.indicator_values(village),
        "as_of": timezone.localtime(),
        "crumbs": _crumbs(request.user, village, last=_("Tổ công nghệ số cộng đồng")),
    }
    return render(request, "monitoring/team.html", context)


def _ranking_request(request, area: Area) -> dict:
    indicator = request.GET.get("chi_tieu") or request.GET.get("indicator") or HEADLINE[0]
    if indicator == "tong_hop":
        weights = {code: 1.0 for code in HEADLINE}
    elif indicator in BY_CODE:
        weights = {indicator: 1.0}
    else:
        raise ValidationError(_("Chỉ tiêu “%(code)s” không tồn tại.") % {"code": indicator})
    peer = request.GET.get("nhom") or None
    if peer and peer not in PeerGroup.values:
        peer = None
    return {
        "indicator": indicator,
        "weights": weights,
        "start": _date(request.GET.get("tu")),
        "end": _date(request.GET.get("den")),
        "peer_group": peer,
        "progress": request.GET.get("cach") == "tien_bo",
    }


@login_required
@require_http_methods(["GET", "POST"])
def ranking(request, code):
    area = _area(request, code, Perm.VIEW_REPORTS)
    if request.method == "POST":
        child = get_object_or_404(Area, code=request.POST.get("area"), parent=area)
        try:
            set_peer_group(
                area=child, peer_group=request.POST.get("peer_group", ""), set_by=request.user
            )
            messages.success(request, _("Đã xếp %(area)s vào nhóm so sánh.") % {"area": child.name})
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect(request.get_full_path())
    try:
        options = _ranking_request(request, area)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        options = _ranking_request_default()
    rows = selectors.ranking(
        area,
        weights=options["weights"],
        start=options["start"],
        end=options["end"],
        peer_group=options["peer_group"],
        progress=options["progress"],
    )
    context = {
        "area": area,
        "rows": rows,
        "options": options,
        "indicators": INDICATORS,
        "peer_groups": PeerGroup.choices,
        "can_set_peer": can(request.user, Perm.MANAGE_MONITORING, area),
        "as_of": timezone.localtime(),
        "crumbs": _crumbs(request.user, area, last=_("Xếp hạng")),
    }
    return render(request, "monitoring/ranking.html", context)


def _ranking_request_default() -> dict:
    return {
        "indicator": HEADLINE[0],
        "weights": {HEADLINE[0]: 1.0},
        "start": None,
        "end": None,
        "peer_group": None,
        "progress": False,
    }


@login_required
@require_http_methods(["GET", "POST"])
def targets(request, code):
    area = _area(request, code, Perm.VIEW_REPORTS)
    try:
        year = int(request.GET.get("nam") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    if request.method == "POST":
        deadline = _date(request.POST.get("deadline"))
        try:
            set_target(
                area=area,
                indicator=request.POST.get("indicator", ""),
                year=request.POST.get("year", ""),
                kind=request.POST.get("kind", ""),
                value=request.POST.get("value", ""),
                deadline=deadline,
                set_by=request.user,
            )
            messages.success(request, _("Đã lưu chỉ tiêu."))
            return redirect(f"{request.path}?nam={request.POST.get('year')}")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except PermissionDenied as error:
            messages.error(request, str(error))
    effective = selectors.effective_targets(area, year)
    context = {
        "area": area,
        "year": year,
        "rows": [(indicator, effective.get(indicator.code)) for indicator in INDICATORS],
        "kinds": Target.Kind.choices,
        "can_manage": can(request.user, Perm.MANAGE_MONITORING, area),
        "crumbs": _crumbs(request.user, area, last=_("Chỉ tiêu")),
        "posted": request.POST if request.method == "POST" else {},
    }
    return render(request, "monitoring/targets.html", context)


def _custom_post(request, area: Area) -> None:
    action = request.POST.get("action")
    if action == "save":
        indicator = get_object_or_404(CustomIndicator, pk=request.POST.get("indicator"))
        save_custom_value(
            area=area,
            indicator=indicator,
            period=request.POST.get("period", ""),
            value=request.POST.get("value"),
            note=request.POST.get("note", ""),
            entered_by=request.user,
        )
        messages.success(request, _("Đã lưu bản nháp."))
        return
    report = get_object_or_404(CustomReport, pk=request.POST.get("report"), area=area)
    if action == "submit":
        submit_custom_report(report=report, submitted_by=request.user)
        messages.success(request, _("Đã gửi báo cáo để duyệt."))
    elif action == "approve":
        approve_custom_report(report=report, approved_by=request.user)
        messages.success(request, _("Đã duyệt báo cáo."))
    elif action == "return":
        return_custom_report(report=report, returned_by=request.user)
        messages.success(request, _("Đã trả lại báo cáo để sửa."))


@login_required
@require_http_methods(["GET", "POST"])
def custom_reports(request, code):
    area = _area(request, code, Perm.MANAGE_MONITORING)
    if area.level != Area.Level.COMMUNE:
        raise Http404
    if request.method == "POST":
        try:
            _custom_post(request, area)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except PermissionDenied as error:
            messages.error(request, str(error))
        return redirect(request.get_full_path())
    rows = []
    today = timezone.localdate()
    for indicator in CustomIndicator.objects.filter(is_active=True):
        asked = request.GET.get("ky")
        try:
            start = parse_period(indicator, asked) if asked else None
        except ValidationError:
            start = None
        if start is None:
            start = _current_period(indicator, today)
        report = CustomReport.objects.filter(
            area=area, indicator=indicator, period_start=start
        ).first()
        rows.append((indicator, period_label(indicator, start), report))
    context = {
        "area": area,
        "rows": rows,
        "history": CustomReport.objects.filter(area=area).select_related(
            "indicator", "submitted_by", "approved_by"
        )[:40],
        "crumbs": _crumbs(request.user, area, last=_("Chỉ số báo cáo thủ công")),
    }
    return render(request, "monitoring/custom_reports.html", context)


def _current_period(indicator: CustomIndicator, today: datetime.date) -> datetime.date:
    if indicator.frequency == CustomIndicator.Frequency.MONTH:
        return today.replace(day=1)
    if indicator.frequency == CustomIndicator.Frequency.QUARTER:
        return datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return datetime.date(today.year, 1, 1)


@login_required
@require_http_methods(["GET", "POST"])
def quality(request, code):
    area = _area(request, code, Perm.MANAGE_MONITORING)
    if area.level != Area.Level.COMMUNE:
        raise Http404
    if request.method == "POST":
        try:
            if request.POST.get("action") == "draw":
                checks = draw_spot_checks(commune=area, drawn_by=request.user)
                messages.success(
                    request, _("Đã chọn ngẫu nhiên %(n)s mốc để kiểm tra.") % {"n": len(checks)}
                )
            else:
                check = get_object_or_404(SpotCheck, pk=request.POST.get("check"), commune=area)
                record_spot_check(
                    check=check,
                    result=request.POST.get("result", ""),
                    note=request.POST.get("note", ""),
                    checked_by=request.user,
                )
                messages.success(request, _("Đã lưu kết quả kiểm tra."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(request.path)
    checks = SpotCheck.objects.filter(commune=area).select_related("checked_by")[:50]
    context = {
        "area": area,
        "flags": quality_flags(area),
        "checks": checks,
        "results": [c for c in SpotCheck.Result.choices if c[0] != SpotCheck.Result.PENDING],
        "crumbs": _crumbs(request.user, area, last=_("Chất lượng số liệu")),
    }
    return render(request, "monitoring/quality.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def reports(request, code):
    area = _area(request, code, Perm.VIEW_REPORTS)
    if request.method == "POST":
        try:
            kind = request.POST.get("kind", "")
            start, end = parse_report_period(kind, request.POST.get("period", ""))
            report = request_report(
                area=area, kind=kind, start=start, end=end, requested_by=request.user
            )
            messages.success(request, _("Đang tạo báo cáo; trang này cho biết khi nào xong."))
            return redirect("monitoring:report_status", pk=report.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    context = {
        "area": area,
        "reports": Report.objects.filter(area=area)[:30],
        "kinds": Report.Kind.choices,
        "crumbs": _crumbs(request.user, area, last=_("Báo cáo định kỳ")),
    }
    return render(request, "monitoring/reports.html", context)


def _report(request, pk: int) -> Report:
    report = get_object_or_404(Report.objects.select_related("area"), pk=pk)
    authorize(request.user, Perm.VIEW_REPORTS, report.area)
    return report


@login_required
@require_http_methods(["GET", "POST"])
def report_status(request, pk):
    report = _report(request, pk)
    if request.method == "POST":
        # Asked again (after a failure): a new request for the same area and period.
        again = request_report(
            area=report.area,
            kind=report.kind,
            start=report.period_start,
            end=report.period_end,
            requested_by=request.user,
        )
        messages.success(request, _("Đang tạo báo cáo; trang này cho biết khi nào xong."))
        return redirect("monitoring:report_status", pk=again.pk)
    # A report whose worker died would otherwise show "being made" for ever.
    waiting = report.status in (Report.Status.PENDING, Report.Status.RUNNING)
    if waiting and recover_stale_reports(reports=Report.objects.filter(pk=report.pk)):
        report.refresh_from_db()
    context = {
        "report": report,
        "area": report.area,
        "crumbs": _crumbs(request.user, report.area, last=report.get_kind_display()),
    }
    return render(request, "monitoring/report_status.html", context)


@login_required
def report_download(request, pk, fmt):
    report = _report(request, pk)
    file = {"xlsx": report.xlsx, "pdf": report.pdf}.get(fmt)
    if report.status != Report.Status.READY or not file:
        raise Http404
    return FileResponse(file.open("rb"), as_attachment=True, filename=file.name.rsplit("/", 1)[-1])


@login_required
@require_http_methods(["GET", "POST"])
def commendations(request, code):
    area = _area(request, code, Perm.VIEW_REPORTS)
    if request.method == "POST":
        target = get_object_or_404(Area, code=request.POST.get("area") or area.code)
        if not target.is_within(area):
            raise PermissionDenied
        try:
            record_commendation(
                area=target,
                kind=request.POST.get("kind", ""),
                recipient_type=request.POST.get("recipient_type", ""),
                recipient_name=request.POST.get("recipient_name", ""),
                reason=request.POST.get("reason", ""),
                decision_number=request.POST.get("decision_number", ""),
                awarded_on=_date(request.POST.get("awarded_on")) or timezone.localdate(),
                recorded_by=request.user,
            )
            messages.success(request, _("Đã ghi nhận khen thưởng."))
            return redirect(request.path)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except PermissionDenied as error:
            messages.error(request, str(error))
    context = {
        "area": area,
        "items": selectors.commendations_under(area, limit=50),
        "places": [area, *selectors.active_children(area)],
        "kinds": Commendation.Kind.choices,
        "recipients": Commendation.Recipient.choices,
        "crumbs": _crumbs(request.user, area, last=_("Biểu dương, khen thưởng")),
    }
    return render(request, "monitoring/commendations.html", context)


def public_board(request, code="VN"):
    """The public board: headline figures, rankings of the children, commendations."""
    area = get_object_or_404(Area, code=code, is_active=True)
    if area.level >= Area.Level.VILLAGE:
        raise Http404
    try:
        options = _ranking_request(request, area)
    except ValidationError:
        options = _ranking_request_default()
    rows = selectors.ranking(
        area,
        weights=options["weights"],
        peer_group=options["peer_group"],
        start=options["start"],
        end=options["end"],
        progress=options["progress"],
    )
    values = selectors.indicator_values(area, codes=HEADLINE)
    context = {
        "area": area,
        "values": values,
        "rows": rows,
        "options": options,
        "indicators": INDICATORS,
        "peer_groups": PeerGroup.choices,
        "commendations": selectors.commendations_under(area, limit=10),
        "parents": list(areas_above(area, include_self=False)),
        "as_of": timezone.localtime(),
        "small": selectors.SMALL_COUNT,
    }
    return render(request, "monitoring/public.html", context)
