"""Field pages for a phone: the team, visits, mentees, sites and classes, events, recognitions."""

import uuid

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST

from hocvuso.accounts.authz import Perm, authorize, can, scope_paths, scope_q
from hocvuso.accounts.models import Role
from hocvuso.field import selectors
from hocvuso.field.forms import (
    AttendanceForm,
    ClassForm,
    EventForm,
    MembershipForm,
    MentorshipForm,
    QuotaForm,
    RecognitionRuleForm,
    SiteForm,
    TeamForm,
    VisitForm,
)
from hocvuso.field.models import Class, LearningSite, Mentorship, RecognitionRule, Team, Visit
from hocvuso.field.services.classes import save_site, schedule_class, take_attendance
from hocvuso.field.services.events import create_event
from hocvuso.field.services.mentorships import assign_mentee, end_mentorship
from hocvuso.field.services.recognitions import CRITERIA_KEYS, set_recognition_rule
from hocvuso.field.services.teams import add_team_member, save_team, set_quota
from hocvuso.field.services.visits import record_visit
from hocvuso.people.audit import record_access
from hocvuso.people.choices import Milestone
from hocvuso.people.models import Household, Resident
from hocvuso.places.models import Area
from hocvuso.places.selectors import areas_above

FIELD_ROLES = (Role.AMBASSADOR, Role.TEAM_MEMBER, Role.TEAM_LEADER)
# At the help desk the officer finds the person by name; a page lists at most this many matches.
DESK_MATCH_LIMIT = 30
REPLAYED = _lazy("Lượt hỗ trợ này đã được ghi nhận trước đó; không ghi lại lần nữa.")


def _area(code: str, *levels: int) -> Area:
    return get_object_or_404(
        Area.objects.select_related("parent"), code=code, level__in=levels, is_active=True
    )


def _village(request, code: str, perm: Perm) -> Area:
    village = _area(code, Area.Level.VILLAGE)
    authorize(request.user, perm, village)
    return village


def _crumbs(user, area: Area, *, last: str) -> list[dict]:
    crumbs = [
        {
            "label": above.name,
            "url": reverse("places:area_detail", args=[above.code])
            if can(user, Perm.VIEW_AREA, above)
            else None,
        }
        for above in areas_above(area, include_self=True)
    ]
    crumbs.append({"label": last, "url": None})
    return crumbs


def _field_workers(area: Area):
    """Accounts holding a field role in the area or in the commune above it."""
    paths = [area.path] if area.level == Area.Level.COMMUNE else [area.path, area.parent.path]
    return (
        get_user_model()
        .objects.filter(
            Q(role_assignments__area__path__startswith=area.path)
            | Q(role_assignments__area__path__in=paths),
            role_assignments__role__in=[*FIELD_ROLES, Role.COMMUNE_OFFICER],
            is_active=True,
        )
        .distinct()
        .order_by("full_name", "username")
    )


def _error_messages(error: ValidationError) -> list[str]:
    return list(error.messages)


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


# ---- Team ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def team(request, code):
    village = _village(request, code, Perm.RECORD_FIELD_WORK)
    team = Team.objects.filter(village=village).first()
    quota = selectors.current_quota(team) if team else None
    context = {
        "village": village,
        "team": team,
        "members": team.memberships.select_related("user") if team else [],
        "quota": quota,
        "progress": selectors.quota_progress(quota) if quota else [],
        "visits": selectors.recent_visits(village),
        "can_manage": can(request.user, Perm.MANAGE_VILLAGES, village),
        "can_view_people": can(request.user, Perm.VIEW_PEOPLE, village),
        "can_assign": can(request.user, Perm.EDIT_PEOPLE, village),
        "crumbs": _crumbs(request.user, village, last=_("Tổ công nghệ số cộng đồng")),
    }
    return render(request, "field/team.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def team_edit(request, code):
    village = _village(request, code, Perm.MANAGE_VILLAGES)
    team = Team.objects.filter(village=village).first()
    users = _field_workers(village)
    action = request.POST.get("action") if request.method == "POST" else None
    team_form = TeamForm(request.POST if action == "team" else None, instance=team)
    member_form = MembershipForm(
        request.POST if action == "member" else None, users=users, prefix="member"
    )
    quota_form = QuotaForm(request.POST if action == "quota" else None, prefix="quota")
    bound = {"team": team_form, "member": member_form, "quota": quota_form}.get(action)
    if bound is not None and bound.is_valid():
        data = bound.cleaned_data
        try:
            if action == "team":
                team = save_team(village=village, **data)
                messages.success(request, _("Đã lưu thông tin tổ."))
            elif team is None:
                raise ValidationError(_("Hãy lập tổ trước khi thêm thành viên hoặc chỉ tiêu."))
            elif action == "member":
                add_team_member(team=team, **data)
                messages.success(request, _("Đã cập nhật thành viên tổ."))
            else:
                set_quota(team=team, **data)
                messages.success(request, _("Đã đặt chỉ tiêu."))
        except ValidationError as error:
            for message in _error_messages(error):
                bound.add_error(None, message)
        else:
            return redirect("field:team_edit", village.code)
    context = {
        "village": village,
        "team": team,
        "team_form": team_form,
        "member_form": member_form,
        "quota_form": quota_form,
        "crumbs": _crumbs(request.user, village, last=_("Cập nhật tổ")),
    }
    return render(request, "field/team_edit.html", context)


# ---- Visits ----------------------------------------------------------------------------------


def _already_recorded(request) -> bool:
    """True when the posted client_id was recorded before: a double tap or a resent page."""
    try:
        client_id = uuid.UUID(request.POST.get("client_id", ""))
    except ValueError:
        return False
    return Visit.objects.filter(client_id=client_id).exists()


def _visit_page(request, *, area: Area, channel: str, residents, household, context: dict):
    if request.method == "POST" and _already_recorded(request):
        messages.info(request, REPLAYED)
        return redirect(request.get_full_path())
    reached = {
        resident.pk: codes for resident, codes in selectors.residents_with_milestones(residents)
    }
    form = VisitForm(
        request.POST if request.method == "POST" else None,
        residents=residents,
        reached=reached,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit, created = record_visit(
                client_id=data["client_id"],
                recorded_by=request.user,
                visited_on=data["visited_on"],
                channel=channel,
                household=household,
                residents=list(data["residents"]),
                activities=data["activities"],
                milestones=data["milestones"],
                problems_received=data["problems_received"],
                problems_resolved=data["problems_resolved"],
                problems_forwarded=data["problems_forwarded"],
                note=data["note"],
            )
        except ValidationError as error:
            for message in _error_messages(error):
                form.add_error(None, message)
        else:
            if created:
                messages.success(request, _("Đã ghi nhận lượt hỗ trợ."))
            else:
                messages.info(request, REPLAYED)
            if visit.channel == Visit.Channel.HELP_DESK:
                return redirect("field:desk_visit_new", area.code)
            return redirect("field:team", area.code)
    context.update({"form": form, "area": area, "household": household})
    return render(request, "field/visit_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request, code):
    village = _village(request, code, Perm.RECORD_FIELD_WORK)
    household_id = request.GET.get("ho", "")
    context = {
        "crumbs": _crumbs(request.user, village, last=_("Ghi nhận thăm hộ")),
        "channel": Visit.Channel.DOOR_TO_DOOR,
    }
    if not household_id.isdigit():
        query = request.GET.get("q", "").strip()
        households = selectors.households_of(village)
        if query:
            households = [h for h in households if query.casefold() in h.head_name.casefold()]
        context.update({"village": village, "households": households, "query": query})
        record_access(
            request=request,
            action="view",
            what="field:visit_household",
            area=village,
            count=len(households),
        )
        return render(request, "field/visit_household.html", context)
    household = get_object_or_404(Household, pk=household_id, village=village)
    residents = Resident.objects.filter(household=household).order_by("id")
    record_access(
        request=request,
        action="view",
        what="field:visit_new",
        area=village,
        household=household,
        count=residents.count(),
    )
    return _visit_page(
        request,
        area=village,
        channel=Visit.Channel.DOOR_TO_DOOR,
        residents=residents,
        household=household,
        context=context,
    )


@login_required
@require_http_methods(["GET", "POST"])
def desk_visit_new(request, code):
    commune = _area(code, Area.Level.COMMUNE)
    authorize(request.user, Perm.RECORD_FIELD_WORK, commune)
    in_commune = Resident.objects.filter(village__parent=commune).filter(
        scope_q(request.user, Perm.RECORD_FIELD_WORK, "village__path")
    )
    query = request.GET.get("q", "").strip()
    if request.method == "POST":
        shown = [pk for pk in request.POST.getlist("shown") if pk.isdigit()]
        residents = in_commune.filter(pk__in=shown)
    elif query:
        residents = in_commune.filter(full_name__icontains=query)
        residents = in_commune.filter(pk__in=[r.pk for r in residents[:DESK_MATCH_LIMIT]])
    else:
        residents = in_commune.none()
    residents = residents.select_related("village").order_by("full_name", "id")
    record_access(
        request=request,
        action="view",
        what="field:desk_visit_new",
        area=commune,
        count=residents.count(),
    )
    context = {
        "crumbs": _crumbs(request.user, commune, last=_("Hỗ trợ tại bộ phận một cửa")),
        "channel": Visit.Channel.HELP_DESK,
        "query": query,
        "shown": residents,
        "recent": selectors.recent_visits(commune),
    }
    return _visit_page(
        request,
        area=commune,
        channel=Visit.Channel.HELP_DESK,
        residents=residents,
        household=None,
        context=context,
    )


# ---- Ambassadors -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def mentees(request):
    if not scope_paths(request.user, Perm.RECORD_FIELD_WORK):
        raise PermissionDenied
    record_access(
        request=request,
        action="view",
        what="field:mentees",
        area_path=scope_paths(request.user, Perm.RECORD_FIELD_WORK)[0],
    )
    context = {
        "rows": selectors.mentees_of(request.user),
        "crumbs": [{"label": _("Người tôi kèm cặp"), "url": None}],
    }
    return render(request, "field/mentees.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def mentorship_assign(request, code):
    village = _village(request, code, Perm.EDIT_PEOPLE)
    ambassadors = _field_workers(village)
    unassigned = (
        Resident.objects.filter(village=village)
        .exclude(mentorships__ended_on__isnull=True)
        .order_by("full_name", "id")
    )
    form = MentorshipForm(
        request.POST or None,
        ambassadors=ambassadors,
        residents=unassigned
        if request.method == "GET"
        else Resident.objects.filter(village=village),
    )
    if request.method == "POST" and form.is_valid():
        try:
            assign_mentee(
                ambassador=form.cleaned_data["ambassador"],
                resident=form.cleaned_data["resident"],
                assigned_by=request.user,
            )
        except ValidationError as error:
            for message in _error_messages(error):
                form.add_error(None, message)
        else:
            messages.success(request, _("Đã phân công kèm cặp."))
            return redirect("field:mentorship_assign", village.code)
    current = (
        Mentorship.objects.filter(resident__village=village, ended_on__isnull=True)
        .select_related("ambassador", "resident")
        .order_by("ambassador__full_name", "resident__full_name")
    )
    context = {
        "village": village,
        "form": form,
        "current": current,
        "crumbs": _crumbs(request.user, village, last=_("Phân công kèm cặp")),
    }
    return render(request, "field/mentorship_assign.html", context)


@login_required
@require_POST
def mentorship_end(request, pk):
    mentorship = get_object_or_404(
        Mentorship.objects.select_related("resident__village"), pk=pk, ended_on__isnull=True
    )
    is_own = mentorship.ambassador_id == request.user.pk
    if not is_own and not can(request.user, Perm.EDIT_PEOPLE, mentorship.resident.village):
        raise Http404
    end_mentorship(mentorship=mentorship, ended_by=request.user)
    messages.success(request, _("Đã kết thúc kèm cặp."))
    return redirect(_safe_next(request, reverse("field:mentees")))


# ---- Sites and classes -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def sites(request, code):
    area = _area(code, Area.Level.COMMUNE, Area.Level.VILLAGE)
    authorize(request.user, Perm.VIEW_AREA, area)
    found = selectors.sites_under(area)
    for site in found:
        site.can_schedule = can(request.user, Perm.RECORD_FIELD_WORK, site.area)
    context = {
        "area": area,
        "sites": found,
        "can_manage": can(request.user, Perm.MANAGE_VILLAGES, area),
        "crumbs": _crumbs(request.user, area, last=_("Điểm học tập và lớp học")),
    }
    return render(request, "field/sites.html", context)


def _simple_form_page(request, form, *, save, success, done_url, area, heading, submit, cancel):
    """A one-form page: on a valid POST call `save`, then go to `done_url(result)`; errors stay on
    the form in Vietnamese."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except ValidationError as error:
            for message in _error_messages(error):
                form.add_error(None, message)
        else:
            messages.success(request, success)
            return redirect(done_url(result))
    context = {
        "form": form,
        "heading": heading,
        "submit": submit,
        "cancel": cancel,
        "crumbs": _crumbs(request.user, area, last=submit),
    }
    return render(request, "field/simple_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def site_new(request, code):
    area = _area(code, Area.Level.COMMUNE, Area.Level.VILLAGE)
    authorize(request.user, Perm.MANAGE_VILLAGES, area)
    return _simple_form_page(
        request,
        SiteForm(request.POST or None),
        save=lambda data: save_site(area=area, **data),
        success=_("Đã thêm điểm học tập."),
        done_url=lambda _site: reverse("field:sites", args=[area.code]),
        area=area,
        heading=_("Thêm điểm học tập tại %(area)s") % {"area": area.name},
        submit=_("Thêm điểm học tập"),
        cancel=reverse("field:sites", args=[area.code]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def class_new(request, pk):
    site = get_object_or_404(LearningSite.objects.select_related("area__parent"), pk=pk)
    authorize(request.user, Perm.RECORD_FIELD_WORK, site.area)
    return _simple_form_page(
        request,
        ClassForm(request.POST or None, trainers=_field_workers(site.area)),
        save=lambda data: schedule_class(site=site, created_by=request.user, **data),
        success=_("Đã mở lớp học."),
        done_url=lambda session: reverse("field:class_detail", args=[session.pk]),
        area=site.area,
        heading=_("Mở lớp tại %(site)s") % {"site": site.name},
        submit=_("Mở lớp"),
        cancel=reverse("field:sites", args=[site.area.code]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def class_detail(request, pk):
    session = get_object_or_404(
        Class.objects.select_related("site__area__parent", "trainer", "course"), pk=pk
    )
    authorize(request.user, Perm.RECORD_FIELD_WORK, session.site.area)
    residents = (
        selectors.attendee_choices(session)
        .filter(scope_q(request.user, Perm.RECORD_FIELD_WORK, "village__path"))
        .order_by("village__name", "full_name", "id")
    )
    present = list(session.attendances.values_list("resident_id", flat=True))
    record_access(
        request=request,
        action="view",
        what="field:class_detail",
        area=session.site.area,
        count=residents.count(),
    )
    form = AttendanceForm(
        request.POST if request.method == "POST" else None,
        residents=residents,
        initial={"present": present},
    )
    form.fields["present"].label_from_instance = lambda r: (
        f"{r.full_name} — {r.village.name}"
        if r.year_of_birth is None
        else f"{r.full_name} ({r.year_of_birth}) — {r.village.name}"
    )
    if request.method == "POST" and form.is_valid():
        try:
            added, removed = take_attendance(
                class_session=session,
                present=form.cleaned_data["present"],
                marked_by=request.user,
            )
        except ValidationError as error:
            for message in _error_messages(error):
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("Đã lưu điểm danh: thêm %(added)s, bỏ %(removed)s.")
                % {"added": added, "removed": removed},
            )
            return redirect("field:class_detail", session.pk)
    context = {
        "session": session,
        "form": form,
        "present_count": len(present),
        "crumbs": _crumbs(request.user, session.site.area, last=session.title),
    }
    return render(request, "field/class_detail.html", context)


# ---- Events ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def events(request, code):
    area = _area(code, Area.Level.COMMUNE, Area.Level.VILLAGE)
    authorize(request.user, Perm.VIEW_AREA, area)
    context = {
        "area": area,
        "events": selectors.events_for(area),
        "can_manage": can(request.user, Perm.MANAGE_VILLAGES, area),
        "crumbs": _crumbs(request.user, area, last=_("Sự kiện và hội thi")),
    }
    return render(request, "field/events.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def event_new(request, code):
    area = _area(code, Area.Level.COMMUNE, Area.Level.VILLAGE)
    authorize(request.user, Perm.MANAGE_VILLAGES, area)
    return _simple_form_page(
        request,
        EventForm(request.POST or None),
        save=lambda data: create_event(area=area, created_by=request.user, **data),
        success=_("Đã thêm sự kiện."),
        done_url=lambda _event: reverse("field:events", args=[area.code]),
        area=area,
        heading=_("Thêm sự kiện tại %(area)s") % {"area": area.name},
        submit=_("Thêm sự kiện"),
        cancel=reverse("field:events", args=[area.code]),
    )


# ---- Recognitions ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def recognitions(request, code):
    village = _village(request, code, Perm.VIEW_PEOPLE)
    rules = RecognitionRule.objects.filter(commune_id=village.parent_id, is_active=True)
    record_access(request=request, action="view", what="field:recognitions", area=village)
    context = {
        "village": village,
        "recognitions": selectors.recognitions_in(village),
        "rules": [(rule, _criteria_lines(rule)) for rule in rules],
        "can_set_rules": can(request.user, Perm.MANAGE_VILLAGES, village.parent),
        "crumbs": _crumbs(request.user, village, last=_("Công nhận")),
    }
    return render(request, "field/recognitions.html", context)


def _criteria_lines(rule: RecognitionRule) -> list[tuple[str, list[str]]]:
    return [
        (RecognitionRuleForm.KEY_LABELS[key], [Milestone(code).label for code in codes])
        for key, codes in rule.criteria.items()
        if key in RecognitionRuleForm.KEY_LABELS
    ]


@login_required
@require_http_methods(["GET", "POST"])
def recognition_rules(request, code):
    commune = _area(code, Area.Level.COMMUNE)
    authorize(request.user, Perm.MANAGE_VILLAGES, commune)
    existing = {rule.kind: rule for rule in RecognitionRule.objects.filter(commune=commune)}
    posted = request.POST.get("kind") if request.method == "POST" else None
    forms = []
    for kind in CRITERIA_KEYS:
        rule = existing.get(kind)
        initial = {"is_active": rule.is_active if rule else True, **(rule.criteria if rule else {})}
        forms.append(
            RecognitionRuleForm(
                request.POST if posted == kind else None, kind=kind, prefix=kind, initial=initial
            )
        )
    for form in forms:
        if form.kind == posted and form.is_valid():
            try:
                set_recognition_rule(
                    commune=commune,
                    kind=form.kind,
                    criteria=form.criteria(),
                    is_active=form.cleaned_data["is_active"],
                    updated_by=request.user,
                )
            except ValidationError as error:
                for message in _error_messages(error):
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _("Đã lưu tiêu chí “%(kind)s” và xét lại công nhận trong xã.")
                    % {"kind": form.kind_label},
                )
                return redirect("field:recognition_rules", commune.code)
    context = {
        "commune": commune,
        "forms": forms,
        "crumbs": _crumbs(request.user, commune, last=_("Tiêu chí công nhận")),
    }
    return render(request, "field/recognition_rules.html", context)
