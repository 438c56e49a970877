"""Pages of the registry: a village's households, a household, a resident, and the list import."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hocvuso.accounts.authz import Perm, authorize, can
from hocvuso.people.audit import Action, record_access
from hocvuso.people.choices import Milestone
from hocvuso.people.crypto import CitizenIdError, decrypt_citizen_id, mask_citizen_id
from hocvuso.people.forms import (
    ConsentForm,
    HouseholdForm,
    MilestoneForm,
    ResidentForm,
    ResidentImportForm,
)
from hocvuso.people.importers import (
    XLSX_CONTENT_TYPE,
    ImportFileError,
    read_resident_rows,
    resident_template,
)
from hocvuso.people.models import Consent, Household, MilestoneEvent, Resident
from hocvuso.people.rights import withdraw_consent_audited
from hocvuso.people.selectors import (
    households_in_scope,
    members_by_household,
    milestone_counts,
    milestone_matrix,
    resident_detail,
    residents_in_scope,
    residents_without_household,
    village_households,
)
from hocvuso.people.services import (
    IMPORT_COLUMNS,
    PeopleError,
    import_residents,
    record_consent,
    record_milestone,
    register_household,
    register_resident,
    update_resident,
)
from hocvuso.places.models import Area
from hocvuso.places.selectors import areas_above

HOUSEHOLDS_PER_PAGE = 20
# Import reports longer than this show the first rows and a count; the officer fixes and retries.
REPORT_ROWS_SHOWN = 500


def _crumbs(user, area: Area, *, last: str | None = None) -> list[dict]:
    crumbs = [
        {
            "label": above.name,
            "url": reverse("places:area_detail", args=[above.code])
            if can(user, Perm.VIEW_AREA, above)
            else None,
        }
        for above in areas_above(area, include_self=True)
    ]
    if area.level == Area.Level.VILLAGE and can(user, Perm.VIEW_PEOPLE, area):
        crumbs[-1]["url"] = reverse("people:village", args=[area.code])
    if last:
        crumbs.append({"label": last, "url": None})
    return crumbs


def _village(request, code: str, perm: Perm) -> Area:
    village = get_object_or_404(
        Area.objects.select_related("parent"),
        code=code,
        level=Area.Level.VILLAGE,
        is_active=True,
    )
    authorize(request.user, perm, village)
    return village


def _resident(request, pk: int, perm: Perm = Perm.VIEW_PEOPLE) -> Resident:
    """The resident, or 404 when outside the user's scope: existence must not leak."""
    try:
        return resident_detail(residents_in_scope(request.user, perm), pk)
    except Resident.DoesNotExist:
        raise Http404 from None


def _milestone_columns() -> list[dict]:
    return [
        {"number": index, "value": value, "label": label}
        for index, (value, label) in enumerate(Milestone.choices, start=1)
    ]


def _masked_citizen_id(resident: Resident) -> str:
    if not resident.citizen_id_encrypted:
        return ""
    try:
        return mask_citizen_id(decrypt_citizen_id(resident.citizen_id_encrypted))
    except CitizenIdError:
        return _("(không giải mã được)")


@login_required
@require_GET
def village(request, code):
    village = _village(request, code, Perm.VIEW_PEOPLE)
    page = Paginator(village_households(village), HOUSEHOLDS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    households = list(page.object_list)
    members = members_by_household(households)
    everyone = [resident for household in households for resident in members[household.pk]]
    loose = residents_without_household(village) if page.number == 1 else []
    rows = {row.resident.pk: row for row in milestone_matrix(everyone + loose)}
    counts = milestone_counts(village)
    record_access(
        request=request,
        action=Action.VIEW,
        what="people:village",
        area=village,
        count=len(everyone) + len(loose),
    )
    columns = _milestone_columns()
    for column in columns:
        column["count"] = counts[column["value"]]
    context = {
        "village": village,
        "crumbs": _crumbs(request.user, village),
        "page": page,
        "households": [
            {"household": h, "rows": [rows[m.pk] for m in members[h.pk]]} for h in households
        ],
        "loose_rows": [rows[r.pk] for r in loose],
        "columns": columns,
        "resident_total": Resident.objects.filter(village=village).count(),
        "can_edit": can(request.user, Perm.EDIT_PEOPLE, village),
    }
    return render(request, "people/village.html", context)


@login_required
@require_GET
def household(request, pk):
    household = get_object_or_404(
        households_in_scope(request.user).select_related("village", "village__parent"), pk=pk
    )
    members = list(
        Resident.objects.filter(household=household)
        .prefetch_related("consents")
        .order_by("-year_of_birth", "pk")
    )
    record_access(
        request=request,
        action=Action.VIEW,
        what="people:household",
        household=household,
        count=len(members),
    )
    rows = milestone_matrix(members)
    labels = [label for _value, label in Milestone.choices]
    for row in rows:
        row.consent = next((c for c in row.resident.consents.all() if c.is_active), None)
        row.missing_labels = [
            label for label, done in zip(labels, row.reached, strict=True) if not done
        ]
    context = {
        "household": household,
        "village": household.village,
        "crumbs": _crumbs(request.user, household.village, last=household.head_name),
        "rows": rows,
        "columns": _milestone_columns(),
        "can_edit": can(request.user, Perm.EDIT_PEOPLE, household.village),
    }
    return render(request, "people/household.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def household_create(request, code):
    village = _village(request, code, Perm.EDIT_PEOPLE)
    form = HouseholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            household = register_household(
                village=village, created_by=request.user, **form.cleaned_data
            )
        except PeopleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Đã thêm hộ %(name)s.") % {"name": household.head_name})
            return redirect("people:household", household.pk)
    context = {
        "village": village,
        "form": form,
        "crumbs": _crumbs(request.user, village, last=_("Thêm hộ gia đình")),
    }
    return render(request, "people/household_form.html", context)


@login_required
@require_GET
def resident(request, pk):
    resident = _resident(request, pk)
    record_access(request=request, action=Action.VIEW, what="people:resident", resident=resident)
    reached = {event.milestone: event for event in resident.milestones.all()}
    context = {
        "resident": resident,
        "village": resident.village,
        "crumbs": _crumbs(request.user, resident.village, last=resident.full_name),
        "masked_citizen_id": _masked_citizen_id(resident),
        "milestones": [
            {"value": value, "label": label, "event": reached.get(value)}
            for value, label in Milestone.choices
        ],
        "consents": list(resident.consents.all()),
        "consent_form": ConsentForm(),
        "can_edit": can(request.user, Perm.EDIT_PEOPLE, resident.village),
        "can_manage_data": can(request.user, Perm.MANAGE_PERSONAL_DATA, resident.village),
    }
    return render(request, "people/resident.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def resident_create(request, code):
    village = _village(request, code, Perm.EDIT_PEOPLE)
    initial = {}
    if household_pk := request.GET.get("ho", "").strip():
        initial["household"] = Household.objects.filter(village=village, pk=household_pk).first()
    form = ResidentForm(request.POST or None, village=village, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            resident = register_resident(
                village=village, created_by=request.user, **form.cleaned_data
            )
        except PeopleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Đã thêm %(name)s.") % {"name": resident.full_name})
            return redirect("people:resident", resident.pk)
    context = {
        "village": village,
        "form": form,
        "crumbs": _crumbs(request.user, village, last=_("Thêm người dân")),
        "title": _("Thêm người dân vào %(village)s") % {"village": village.name},
    }
    return render(request, "people/resident_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def resident_edit(request, pk):
    resident = _resident(request, pk, Perm.EDIT_PEOPLE)
    initial = {
        "full_name": resident.full_name,
        "household": resident.household,
        "year_of_birth": resident.year_of_birth,
        "gender": resident.gender,
        "ethnicity": resident.ethnicity,
        "phone": resident.phone,
        "target_group": resident.target_group,
        "has_disability": resident.has_disability,
        "preferred_language": resident.preferred_language,
    }
    form = ResidentForm(
        request.POST or None, village=resident.village, editing=True, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        if not fields["citizen_id"].strip():
            del fields["citizen_id"]
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = None
        try:
            with transaction.atomic():
                update_resident(
                    resident=resident, changed_by=request.user, expected_version=version, **fields
                )
                record_access(
                    request=request,
                    action=Action.CORRECT,
                    what="people:resident_edit",
                    resident=resident,
                    purpose=", ".join(sorted(form.changed_data)),
                )
        except PeopleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Đã lưu thông tin của %(name)s.") % {"name": fields["full_name"]}
            )
            return redirect("people:resident", resident.pk)
    context = {
        "village": resident.village,
        "resident": resident,
        "form": form,
        "masked_citizen_id": _masked_citizen_id(resident),
        "crumbs": _crumbs(request.user, resident.village, last=resident.full_name),
        "title": _("Sửa thông tin của %(name)s") % {"name": resident.full_name},
    }
    return render(request, "people/resident_form.html", context)


@login_required
@require_POST
def consent_record(request, pk):
    resident = _resident(request, pk, Perm.EDIT_PEOPLE)
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                consent = record_consent(
                    resident=resident,
                    purpose=form.cleaned_data["purpose"],
                    text_version=settings.CONSENT_TEXT_VERSION,
                    recorded_by=request.user,
                )
                record_access(
                    request=request,
                    action=Action.CONSENT,
                    what="people:consent_record",
                    resident=resident,
                    purpose=consent.get_purpose_display(),
                )
        except PeopleError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Đã ghi nhận sự đồng ý."))
    else:
        messages.error(request, _("Hãy chọn nội dung đồng ý."))
    return redirect("people:resident", resident.pk)


@login_required
@require_POST
def consent_withdraw(request, pk):
    consent = get_object_or_404(Consent, pk=pk)
    resident = _resident(request, consent.resident_id, Perm.EDIT_PEOPLE)
    try:
        withdraw_consent_audited(consent=consent, resident=resident, request=request)
    except PeopleError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Đã ghi nhận việc rút lại sự đồng ý."))
    return redirect("people:resident", resident.pk)


@login_required
@require_http_methods(["GET", "POST"])
def milestone_record(request, pk):
    resident = _resident(request, pk, Perm.EDIT_PEOPLE)
    initial = {}
    if (wanted := request.GET.get("moc", "")) in Milestone.values:
        initial["milestone"] = wanted
    form = MilestoneForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            event, created = record_milestone(
                resident=resident, recorded_by=request.user, **form.cleaned_data
            )
        except PeopleError as error:
            form.add_error(None, str(error))
        else:
            if created:
                messages.success(
                    request,
                    _("Đã ghi nhận: %(milestone)s.") % {"milestone": event.get_milestone_display()},
                )
            else:
                messages.info(
                    request,
                    _("Mốc “%(milestone)s” đã được ghi nhận từ ngày %(day)s.")
                    % {
                        "milestone": event.get_milestone_display(),
                        "day": event.achieved_on.strftime("%d/%m/%Y"),
                    },
                )
            return redirect("people:resident", resident.pk)
    context = {
        "resident": resident,
        "form": form,
        "crumbs": _crumbs(request.user, resident.village, last=resident.full_name),
        "methods": MilestoneEvent.Method,
    }
    return render(request, "people/milestone_form.html", context)


def _import_area(request, code: str) -> Area:
    area = get_object_or_404(
        Area.objects.select_related("parent"),
        code=code,
        level__in=[Area.Level.COMMUNE, Area.Level.VILLAGE],
        is_active=True,
    )
    authorize(request.user, Perm.EDIT_PEOPLE, area)
    return area


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request, code):
    area = _import_area(request, code)
    form = ResidentImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = import_residents(
                village_or_commune=area,
                rows=read_resident_rows(form.cleaned_data["file"]),
                mode=form.cleaned_data["mode"],
                imported_by=request.user,
            )
        except (ImportFileError, PeopleError) as error:
            form.add_error("file", str(error))
        else:
            if result.residents:
                messages.success(
                    request,
                    ngettext(
                        "Đã nhập %(count)d người dân (%(households)d hộ mới).",
                        "Đã nhập %(count)d người dân (%(households)d hộ mới).",
                        result.residents,
                    )
                    % {"count": result.residents, "households": result.households},
                )
            if result.errors and not result.residents:
                messages.error(
                    request,
                    _("Chưa nhập người nào. Hãy sửa các dòng lỗi dưới đây trong tệp rồi nhập lại."),
                )
            elif result.errors:
                messages.warning(
                    request,
                    ngettext(
                        "%(count)d dòng lỗi không được nhập; xem danh sách bên dưới.",
                        "%(count)d dòng lỗi không được nhập; xem danh sách bên dưới.",
                        result.rejected_rows,
                    )
                    % {"count": result.rejected_rows},
                )
            elif area.level == Area.Level.VILLAGE:
                return redirect("people:village", area.code)
    context = {
        "area": area,
        "form": form,
        "result": result,
        "errors": result.errors[:REPORT_ROWS_SHOWN] if result else [],
        "errors_hidden": max(len(result.errors) - REPORT_ROWS_SHOWN, 0) if result else 0,
        "columns": list(IMPORT_COLUMNS.values()),
        "crumbs": _crumbs(request.user, area, last=_("Nhập danh sách người dân")),
    }
    return render(request, "people/import.html", context)


@login_required
@require_GET
def import_template(request, code):
    area = _import_area(request, code)
    village_code = area.code if area.level == Area.Level.VILLAGE else ""
    response = HttpResponse(
        resident_template(village_code=village_code), content_type=XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = (
        f'attachment; filename="mau-danh-sach-nguoi-dan-{area.code}.xlsx"'
    )
    return response
