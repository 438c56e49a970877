"""Pages of the administrative tree and of the villages a commune manages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from hocvuso.accounts.authz import Perm, authorize, can, scope_q
from hocvuso.places.forms import (
    VillageCreateForm,
    VillageImportForm,
    VillageMergeForm,
    VillageMoveForm,
    VillageRenameForm,
)
from hocvuso.places.importers import (
    XLSX_CONTENT_TYPE,
    ImportFileError,
    read_village_rows,
)
from hocvuso.places.importers import (
    village_template as build_village_template,
)
from hocvuso.places.models import Area
from hocvuso.places.selectors import (
    active_children_with_counts,
    areas_above,
    matching_name,
    merged_villages_of,
    sorted_by_name,
    villages_of,
)
from hocvuso.places.selectors import (
    village_history as history_of,
)
from hocvuso.places.services import (
    COLUMN_COMMUNE,
    COLUMN_KIND,
    COLUMN_NAME,
    VillageError,
    create_village,
    import_villages,
    merge_villages,
    move_village,
    rename_village,
)

# Above this many destination communes the move form offers no list to pick from, only the code.
MOVE_SUGGESTION_LIMIT = 300
_IMPORT_REPORT_KEY = "places_village_import_report"


def _crumbs(user, area: Area, *, last: str | None = None) -> list[dict]:
    """The trail from the country down to `area`, linking only what the user may open."""
    crumbs = [
        {
            "label": above.name,
            "url": reverse("places:area_detail", args=[above.code])
            if can(user, Perm.VIEW_AREA, above)
            else None,
        }
        for above in areas_above(area, include_self=True)
    ]
    if last:
        crumbs.append({"label": last, "url": None})
    return crumbs


def _commune_or_404(code: str) -> Area:
    return get_object_or_404(Area, code=code, level=Area.Level.COMMUNE, is_active=True)


def _managed_commune(request, code: str) -> Area:
    commune = _commune_or_404(code)
    authorize(request.user, Perm.MANAGE_VILLAGES, commune)
    return commune


def _managed_village(request, code: str, *, active: bool = True) -> Area:
    villages = Area.objects.select_related("parent").filter(level=Area.Level.VILLAGE)
    if active:
        villages = villages.filter(is_active=True)
    village = get_object_or_404(villages, code=code)
    authorize(request.user, Perm.MANAGE_VILLAGES, village.parent)
    return village


def _village_crumbs(request, village: Area, last: str) -> list[dict]:
    crumbs = _crumbs(request.user, village.parent)
    crumbs.append(
        {
            "label": _("Thôn, tổ dân phố"),
            "url": reverse("places:villages", args=[village.parent.code]),
        }
    )
    crumbs.append({"label": village.name, "url": None})
    crumbs.append({"label": last, "url": None})
    return crumbs


def _count_label(area: Area) -> str:
    """The heading of the column counting each child's own children, short enough for a phone."""
    if area.level == Area.Level.COUNTRY:
        return _("Số xã, phường")
    if area.level == Area.Level.PROVINCE:
        return _("Số thôn")
    return ""


@login_required
@require_GET
def area_detail(request, code):
    area = get_object_or_404(Area.objects.select_related("parent", "merged_into"), code=code)
    authorize(request.user, Perm.VIEW_AREA, area)
    children = sorted_by_name(active_children_with_counts(area))
    query = request.GET.get("q", "").strip()
    shown = matching_name(children, query) if query else children
    child_level = area.level + 1
    context = {
        "area": area,
        "crumbs": _crumbs(request.user, area),
        "children": shown,
        "children_total": len(children),
        "query": query,
        "child_level_label": Area.Level(child_level).label if child_level <= 3 else "",
        "count_label": _count_label(area),
        "can_manage_villages": area.level == Area.Level.COMMUNE
        and can(request.user, Perm.MANAGE_VILLAGES, area),
    }
    return render(request, "places/area_detail.html", context)


@login_required
@require_GET
def villages(request, code):
    commune = _managed_commune(request, code)
    context = {
        "commune": commune,
        "crumbs": _crumbs(request.user, commune, last=_("Thôn, tổ dân phố")),
        "villages": sorted_by_name(villages_of(commune)),
        "merged": sorted_by_name(merged_villages_of(commune)),
    }
    return render(request, "places/villages.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def village_create(request, code):
    commune = _managed_commune(request, code)
    form = VillageCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            village = create_village(
                commune=commune,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                changed_by=request.user,
            )
        except VillageError as error:
            form.add_error("name", str(error))
        else:
            messages.success(
                request,
                _("Đã thêm %(name)s (mã %(code)s).") % {"name": village.name, "code": village.code},
            )
            return redirect("places:villages", commune.code)
    context = {
        "commune": commune,
        "form": form,
        "crumbs": _crumbs(request.user, commune, last=_("Thêm thôn")),
    }
    return render(request, "places/village_create.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def village_rename(request, code):
    village = _managed_village(request, code)
    form = VillageRenameForm(request.POST or None, initial={"name": village.name})
    if request.method == "POST" and form.is_valid():
        old_name = village.name
        try:
            rename_village(village=village, name=form.cleaned_data["name"], changed_by=request.user)
        except VillageError as error:
            form.add_error("name", str(error))
        else:
            messages.success(
                request,
                _("Đã đổi tên “%(old)s” thành “%(new)s”.") % {"old": old_name, "new": village.name},
            )
            return redirect("places:villages", village.parent.code)
    context = {
        "village": village,
        "form": form,
        "crumbs": _village_crumbs(request, village, _("Đổi tên")),
    }
    return render(request, "places/village_rename.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def village_merge(request, code):
    source = _managed_village(request, code)
    form = VillageMergeForm(request.POST or None, source=source)
    confirming = False
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["target"]
        if request.POST.get("confirm") == "yes":
            try:
                merge_villages(source=source, target=target, changed_by=request.user)
            except VillageError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    _("Đã sáp nhập %(source)s vào %(target)s.")
                    % {"source": source.name, "target": target.name},
                )
            return redirect("places:villages", source.parent.code)
        confirming = True
    context = {
        "village": source,
        "form": form,
        "confirming": confirming,
        "target": form.cleaned_data.get("target") if confirming else None,
        "crumbs": _village_crumbs(request, source, _("Sáp nhập")),
    }
    return render(request, "places/village_merge.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def village_move(request, code):
    village = _managed_village(request, code)
    old_commune = village.parent
    form = VillageMoveForm(
        request.POST or None,
        village=village,
        may_manage=lambda commune: can(request.user, Perm.MANAGE_VILLAGES, commune),
    )
    confirming = False
    if request.method == "POST" and form.is_valid():
        to_commune = form.cleaned_data["commune_code"]
        if request.POST.get("confirm") == "yes":
            try:
                move_village(village=village, to_commune=to_commune, changed_by=request.user)
            except VillageError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    _("Đã chuyển %(village)s từ %(old)s sang %(new)s; mã thôn giữ nguyên %(code)s.")
                    % {
                        "village": village.name,
                        "old": old_commune.name,
                        "new": to_commune.name,
                        "code": village.code,
                    },
                )
            return redirect("places:villages", old_commune.code)
        confirming = True
    destinations = (
        Area.objects.filter(level=Area.Level.COMMUNE, is_active=True)
        .filter(scope_q(request.user, Perm.MANAGE_VILLAGES))
        .exclude(pk=old_commune.pk)
        .select_related("parent")
        .order_by("parent__name", "name")
    )
    suggestions = list(destinations[: MOVE_SUGGESTION_LIMIT + 1])
    if len(suggestions) > MOVE_SUGGESTION_LIMIT:
        suggestions = []
    if suggestions:
        form.fields["commune_code"].widget.attrs["list"] = "commune-options"
    context = {
        "village": village,
        "form": form,
        "confirming": confirming,
        "to_commune": form.cleaned_data.get("commune_code") if confirming else None,
        "suggestions": suggestions,
        "crumbs": _village_crumbs(request, village, _("Chuyển sang xã khác")),
    }
    return render(request, "places/village_move.html", context)


@login_required
@require_GET
def village_history(request, code):
    village = _managed_village(request, code, active=False)
    context = {
        "village": village,
        "changes": history_of(village),
        "crumbs": _village_crumbs(request, village, _("Lịch sử thay đổi")),
    }
    return render(request, "places/village_history.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def village_import(request, code):
    commune = _managed_commune(request, code)
    form = VillageImportForm(request.POST or None, request.FILES or None)
    errors = request.session.pop(_IMPORT_REPORT_KEY, None) if request.method == "GET" else None
    if request.method == "POST" and form.is_valid():
        try:
            rows = read_village_rows(form.cleaned_data["file"])
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            result = import_villages(
                commune=commune,
                rows=rows,
                mode=form.cleaned_data["mode"],
                changed_by=request.user,
            )
            errors = [
                {"row": e.row, "column": e.column, "message": e.message} for e in result.errors
            ]
            if result.created:
                count = len(result.created)
                messages.success(
                    request,
                    ngettext("Đã nhập %(count)d thôn.", "Đã nhập %(count)d thôn.", count)
                    % {"count": count},
                )
                if not errors:
                    return redirect("places:villages", commune.code)
                rejected = len({e["row"] for e in errors})
                messages.warning(
                    request,
                    ngettext(
                        "%(count)d dòng lỗi không được nhập; xem danh sách bên dưới.",
                        "%(count)d dòng lỗi không được nhập; xem danh sách bên dưới.",
                        rejected,
                    )
                    % {"count": rejected},
                )
                request.session[_IMPORT_REPORT_KEY] = errors
                return redirect("places:village_import", commune.code)
            messages.error(
                request,
                _("Chưa nhập thôn nào. Hãy sửa các dòng lỗi dưới đây trong tệp rồi nhập lại."),
            )
    context = {
        "commune": commune,
        "form": form,
        "errors": errors,
        "columns": [COLUMN_NAME, COLUMN_KIND, COLUMN_COMMUNE],
        "crumbs": _crumbs(request.user, commune, last=_("Nhập danh sách thôn")),
    }
    return render(request, "places/village_import.html", context)


@login_required
@require_GET
def village_template(request, code):
    commune = _managed_commune(request, code)
    response = HttpResponse(
        build_village_template(commune_code=commune.code), content_type=XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = (
        f'attachment; filename="mau-danh-sach-thon-{commune.code}.xlsx"'
    )
    return response
