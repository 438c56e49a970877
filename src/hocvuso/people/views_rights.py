"""Pages of a resident's rights and of the personal-data audit log.

An officer (Perm.MANAGE_PERSONAL_DATA) handles a resident's request: export, erasure, and reads
who saw whose data in the area. A resident whose learner account is linked to their record sees,
exports and withdraws consent for themself under "Dữ liệu của tôi".
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hocvuso.accounts.authz import Perm, authorize, can
from hocvuso.people.audit import LogFilter, access_log, accesses_of
from hocvuso.people.forms import AccessLogFilterForm, ErasureForm
from hocvuso.people.importers import XLSX_CONTENT_TYPE
from hocvuso.people.models import Consent, Resident
from hocvuso.people.rights import (
    erase_resident,
    export_resident,
    resident_workbook,
    withdraw_consent_audited,
)
from hocvuso.people.selectors import resident_detail, residents_in_scope
from hocvuso.people.services import PeopleError
from hocvuso.places.models import Area
from hocvuso.places.selectors import areas_above

LOG_ROWS_PER_PAGE = 50
RECENT_ACCESSES_SHOWN = 20
PURPOSE_MAX_LENGTH = 300


def _officer_resident(request, pk: int) -> Resident:
    """The resident in the officer's scope for personal-data requests, else 404."""
    try:
        return resident_detail(residents_in_scope(request.user, Perm.MANAGE_PERSONAL_DATA), pk)
    except Resident.DoesNotExist:
        raise Http404 from None


def _own_resident(request) -> Resident | None:
    return (
        Resident.objects.select_related("village", "household")
        .prefetch_related("consents", "milestones")
        .filter(user=request.user)
        .first()
    )


def _crumbs(user, area: Area, last: str) -> list[dict]:
    crumbs = [
        {
            "label": above.name,
            "url": reverse("people:access_log", args=[above.code])
            if can(user, Perm.MANAGE_PERSONAL_DATA, above)
            else None,
        }
        for above in areas_above(area, include_self=True)
    ]
    crumbs.append({"label": last, "url": None})
    return crumbs


def _download(data: dict, *, fmt: str, name: str) -> HttpResponse:
    if fmt == "xlsx":
        response = HttpResponse(resident_workbook(data), content_type=XLSX_CONTENT_TYPE)
    else:
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


# ---- The audit log ---------------------------------------------------------------------------


@login_required
@require_GET
def access_log_page(request, code):
    area = get_object_or_404(Area.objects.select_related("parent"), code=code)
    authorize(request.user, Perm.MANAGE_PERSONAL_DATA, area)
    form = AccessLogFilterForm(request.GET or None)
    rows = None
    if form.is_bound and not form.is_valid():
        rows = []
    else:
        data = form.cleaned_data if form.is_bound else {}
        filters = LogFilter(
            resident_id=data.get("nguoi"),
            resident_name=(data.get("ten") or "").strip(),
            username=(data.get("tai_khoan") or "").strip(),
            action=data.get("thao_tac") or "",
            since=data.get("tu_ngay"),
            until=data.get("den_ngay"),
        )
        rows = access_log(request.user, filters).filter(area_path__startswith=area.path)
    page = Paginator(rows, LOG_ROWS_PER_PAGE).get_page(request.GET.get("trang"))
    query = request.GET.copy()
    query.pop("trang", None)
    context = {
        "area": area,
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "crumbs": _crumbs(request.user, area, _("Nhật ký truy cập dữ liệu cá nhân")),
    }
    return render(request, "people/access_log.html", context)


# ---- A resident's rights, handled by an officer ----------------------------------------------


def _rights_context(request, resident: Resident, form: ErasureForm) -> dict:
    recent = list(accesses_of(resident.pk).order_by("-at", "-id")[:RECENT_ACCESSES_SHOWN])
    commune = resident.village.parent
    return {
        "resident": resident,
        "village": resident.village,
        "form": form,
        "accesses": recent,
        "log_area": commune if can(request.user, Perm.MANAGE_PERSONAL_DATA, commune) else None,
        "crumbs": _crumbs(request.user, resident.village, resident.full_name),
    }


@login_required
@require_GET
def resident_rights(request, pk):
    resident = _officer_resident(request, pk)
    form = ErasureForm(resident=resident)
    return render(request, "people/rights.html", _rights_context(request, resident, form))


@login_required
@require_GET
def resident_export(request, pk, fmt):
    resident = _officer_resident(request, pk)
    purpose = " ".join(request.GET.get("ly-do", "").split())[:PURPOSE_MAX_LENGTH]
    data = export_resident(
        resident=resident, exported_by=request.user, request=request, purpose=purpose
    )
    return _download(data, fmt=fmt, name=f"du-lieu-nguoi-dan-{resident.pk}")


@login_required
@require_POST
def resident_erase(request, pk):
    resident = _officer_resident(request, pk)
    form = ErasureForm(request.POST, resident=resident)
    if form.is_valid():
        try:
            result = erase_resident(
                resident=resident,
                erased_by=request.user,
                purpose=form.cleaned_data["purpose"],
                request=request,
                with_account=form.cleaned_data["with_account"],
            )
        except PeopleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Đã xoá toàn bộ dữ liệu của người dân (mã %(id)d).") % {"id": result.resident_id},
            )
            if result.account_kept_reason:
                messages.warning(request, result.account_kept_reason)
            if can(request.user, Perm.VIEW_PEOPLE, resident.village):
                return redirect("people:village", resident.village.code)
            return redirect("portal:home")
    context = _rights_context(request, resident, form)
    return render(request, "people/rights.html", context, status=422)


# ---- The resident themself -------------------------------------------------------------------


@login_required
@require_GET
def my_data(request):
    resident = _own_resident(request)
    context = {
        "resident": resident,
        "consents": list(resident.consents.all()) if resident else [],
        "milestones": list(resident.milestones.order_by("achieved_on")) if resident else [],
        "accesses": list(accesses_of(resident.pk).order_by("-at", "-id")[:RECENT_ACCESSES_SHOWN])
        if resident
        else [],
        "crumbs": [{"label": _("Dữ liệu của tôi"), "url": None}],
    }
    return render(request, "people/my_data.html", context)


@login_required
@require_GET
def my_data_export(request, fmt):
    resident = _own_resident(request)
    if resident is None:
        raise Http404(_("Tài khoản của bạn chưa gắn với hồ sơ người dân nào."))
    data = export_resident(
        resident=resident,
        exported_by=request.user,
        request=request,
        purpose=_("Người dân tự tải dữ liệu của mình"),
    )
    return _download(data, fmt=fmt, name="du-lieu-cua-toi")


@login_required
@require_POST
def my_consent_withdraw(request, pk):
    consent = get_object_or_404(Consent, pk=pk, resident__user=request.user)
    try:
        withdraw_consent_audited(consent=consent, resident=consent.resident, request=request)
    except PeopleError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Đã rút lại sự đồng ý của bạn."))
    return redirect("people:my_data")
