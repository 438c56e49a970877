"""Pages of skills: frameworks, assessment (self or assisted), results, certificates, verification,
and the editors' mapping and coverage."""

import json
import random
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hocvuso.accounts.authz import Perm, has_role, scope_paths, scope_q
from hocvuso.accounts.models import Role
from hocvuso.learning.models import Choice, Course, Lesson, Question
from hocvuso.people.choices import TargetGroup
from hocvuso.people.models import Resident
from hocvuso.skills import selectors
from hocvuso.skills.models import (
    Assessment,
    Certificate,
    CompetenceMapping,
    Framework,
    FrameworkItem,
    Profile,
)
from hocvuso.skills.pdf import certificate_pdf, qr_data_uri
from hocvuso.skills.services.assessment import (
    can_assist,
    check_rule,
    start_assessment,
    study_next,
    submit_assessment,
)
from hocvuso.skills.services.certificates import (
    Outcome,
    Verification,
    certificate_document,
    normalise_code,
    open_badge_credential,
    qr_payload,
    revoke_certificate,
    verify_code,
    verify_document,
)
from hocvuso.skills.services.mapping import delete_mapping, save_mapping


def _crumbs(*pairs) -> list[dict]:
    return [{"label": label, "url": url} for label, url in pairs]


def frameworks(request):
    """Public: the current frameworks and the target-group profiles."""
    return render(
        request,
        "skills/frameworks.html",
        {
            "frameworks": selectors.current_frameworks(),
            "profiles": selectors.current_profiles(),
            "crumbs": _crumbs((_("Khung năng lực số"), None)),
        },
    )


def framework_detail(request, pk: int):
    """Public: a framework's domains and competences (or tiers and levels), with their status."""
    framework = get_object_or_404(Framework, pk=pk, kind=Framework.Kind.COMPETENCES)
    links = selectors.crosswalk_of(framework)
    tree = selectors.framework_tree(framework)
    for node in tree:
        node["children"] = [{"item": c, "links": links.get(c.pk, [])} for c in node["children"]]
    return render(
        request,
        "skills/framework_detail.html",
        {
            "framework": framework,
            "tree": tree,
            "crumbs": _crumbs(
                (_("Khung năng lực số"), reverse("skills:frameworks")), (str(framework), None)
            ),
        },
    )


def profile_detail(request, pk: int):
    """Public: a target group's profile and its confirmation rule."""
    profile = get_object_or_404(Profile.objects.select_related("framework"), pk=pk)
    slugs = list(profile.courses.values_list("course_slug", flat=True))
    courses = {course.slug: course for course in Course.objects.filter(slug__in=slugs)}
    return render(
        request,
        "skills/profile_detail.html",
        {
            "profile": profile,
            "requirements": profile.requirements.select_related("competence"),
            "courses": [(slug, courses.get(slug)) for slug in slugs],
            "crumbs": _crumbs(
                (_("Khung năng lực số"), reverse("skills:frameworks")), (profile.title, None)
            ),
        },
    )


@login_required
def assessment_home(request):
    """The learner's assessment: their group's profile, where they stand, and a start button."""
    resident = selectors.resident_of(request.user)
    group = resident.target_group if resident else request.GET.get("nhom", "")
    profile = selectors.current_profile(group) if group in TargetGroup.values else None
    confirmation = selectors.active_confirmation(user=request.user, resident=resident)
    check = coverage = None
    if profile is not None:
        check = check_rule(profile=profile, user=request.user, resident=resident)
        coverage = [row for row in selectors.profile_coverage(profile) if row.questions == 0]
    return render(
        request,
        "skills/assessment_home.html",
        {
            "resident": resident,
            "profile": profile,
            "groups": TargetGroup.choices,
            "group": group,
            "check": check,
            "not_ready": coverage,
            "confirmation": confirmation,
            "crumbs": _crumbs((_("Đánh giá kỹ năng số"), None)),
        },
    )


@login_required
@require_POST
def assessment_start(request):
    profile = get_object_or_404(Profile, pk=request.POST.get("profile"), framework__is_current=True)
    resident = selectors.resident_of(request.user)
    if resident is not None and resident.target_group != profile.target_group:
        raise Http404
    try:
        assessment = start_assessment(profile=profile, user=request.user, resident=resident)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(reverse("skills:assessment_home") + f"?nhom={profile.target_group}")
    return redirect("skills:assessment", assessment.pk)


@login_required
def assist(request, resident_id: int):
    """A team member starts (or resumes) the assessment of a resident of their village, on the
    member's own phone; the sitting is recorded as assisted, with who assisted."""
    resident = get_object_or_404(
        Resident.objects.filter(scope_q(request.user, Perm.RECORD_FIELD_WORK, "village__path")),
        pk=resident_id,
    )
    profile = selectors.current_profile(resident.target_group)
    if request.method == "POST" and profile is not None:
        try:
            assessment = start_assessment(
                profile=profile, resident=resident, assisted_by=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            return redirect("skills:assessment", assessment.pk)
    return render(
        request,
        "skills/assist.html",
        {
            "resident": resident,
            "profile": profile,
            "confirmation": selectors.active_confirmation(user=resident.user, resident=resident),
            "assessments": selectors.assessments_of(user=resident.user, resident=resident)[:5],
            "crumbs": _crumbs((_("Hỗ trợ đánh giá"), None), (resident.full_name, None)),
        },
    )


def _own_assessment(request, pk: int) -> Assessment:
    """The sitting, if it is the user's own or one they may assist; 404 otherwise."""
    assessment = get_object_or_404(
        Assessment.objects.select_related("profile__framework", "resident__village", "user"),
        pk=pk,
    )
    user = request.user
    if assessment.user_id == user.pk:
        return assessment
    if assessment.resident_id and can_assist(user, assessment.resident):
        return assessment
    raise Http404


def _answers(request, questions: list[Question], choices: dict[int, list[Choice]]):
    answers: dict[int, list[int]] = {}
    for question in questions:
        if question.kind == Question.Kind.ORDER:
            placed = []
            for choice in choices.get(question.pk, []):
                value = request.POST.get(f"q{question.pk}-{choice.pk}", "")
                placed.append((int(value) if value.isdigit() else 999, choice.pk))
            answers[question.pk] = [choice_id for _pos, choice_id in sorted(placed)]
        else:
            values = request.POST.getlist(f"q{question.pk}")
            answers[question.pk] = [int(value) for value in values if value.isdigit()]
    return answers


@login_required
def assessment(request, pk: int):
    """The drawn questions on one page; submitting scores them once."""
    sitting = _own_assessment(request, pk)
    if sitting.submitted_at is not None:
        return redirect("skills:assessment_result", sitting.pk)
    ids = [entry["question"] for entry in sitting.drawn]
    by_id = Question.objects.in_bulk(ids)
    questions = [by_id[i] for i in ids if i in by_id]
    choices: dict[int, list[Choice]] = {}
    for choice in Choice.objects.filter(question_id__in=ids).order_by("position", "id"):
        choices.setdefault(choice.question_id, []).append(choice)
    if request.method == "POST":
        try:
            submit_assessment(assessment=sitting, answers=_answers(request, questions, choices))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            return redirect("skills:assessment_result", sitting.pk)
    shuffler = random.Random(sitting.pk)
    items = []
    for question in questions:
        shown = list(choices.get(question.pk, []))
        if question.kind == Question.Kind.ORDER:
            shuffler.shuffle(shown)
        items.append(
            {"question": question, "choices": shown, "positions": range(1, len(shown) + 1)}
        )
    return render(
        request,
        "skills/assessment.html",
        {
            "sitting": sitting,
            "items": items,
            "crumbs": _crumbs(
                (_("Đánh giá kỹ năng số"), reverse("skills:assessment_home")),
                (sitting.profile.title, None),
            ),
        },
    )


@login_required
def assessment_result(request, pk: int):
    """Per-competence results, the rule, and what to study next."""
    sitting = _own_assessment(request, pk)
    if sitting.submitted_at is None:
        return redirect("skills:assessment", sitting.pk)
    check = check_rule(profile=sitting.profile, user=sitting.user, resident=sitting.resident)
    next_courses = study_next(check)
    return render(
        request,
        "skills/assessment_result.html",
        {
            "sitting": sitting,
            "results": sitting.results.select_related("competence"),
            "check": check,
            "missing": [(req, next_courses.get(req.competence_id, [])) for req in check.missing],
            "confirmation": getattr(sitting, "confirmation", None)
            or selectors.active_confirmation(user=sitting.user, resident=sitting.resident),
            "crumbs": _crumbs(
                (_("Đánh giá kỹ năng số"), reverse("skills:assessment_home")),
                (_("Kết quả"), None),
            ),
        },
    )


@login_required
def my_results(request):
    """The learner's sittings, confirmation and certificate."""
    resident = selectors.resident_of(request.user)
    return render(
        request,
        "skills/my_results.html",
        {
            "assessments": selectors.assessments_of(user=request.user, resident=resident),
            "confirmation": selectors.active_confirmation(user=request.user, resident=resident),
            "crumbs": _crumbs((_("Kết quả kỹ năng số của tôi"), None)),
        },
    )


def _own_certificate(request, code: str) -> Certificate:
    certificate = get_object_or_404(
        Certificate.objects.select_related("confirmation__resident__village"), code=code
    )
    confirmation = certificate.confirmation
    user = request.user
    if confirmation.user_id and confirmation.user_id == user.pk:
        return certificate
    if confirmation.resident_id and can_assist(user, confirmation.resident):
        return certificate
    raise Http404


@login_required
def certificate_download(request, code: str, kind: str):
    """The holder's (or their village team's) certificate: PDF, signed JSON or Open Badge."""
    if kind not in {"pdf", "json", "open-badge"}:
        raise Http404
    certificate = _own_certificate(request, code)
    if kind == "pdf":
        response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="chung-nhan-{code}.pdf"'
        return response
    data = (
        certificate_document(certificate) if kind == "json" else open_badge_credential(certificate)
    )
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 1})
    suffix = "" if kind == "json" else "-open-badge"
    response["Content-Disposition"] = f'attachment; filename="chung-nhan-{code}{suffix}.json"'
    return response


def verify(request):
    """Public: type a code, or paste a downloaded certificate JSON, to verify it."""
    result = None
    if request.method == "POST":
        text = request.POST.get("document", "").strip()
        code = request.POST.get("code", "").strip()
        if text:
            try:
                document = json.loads(text)
            except json.JSONDecodeError:
                document = None
            result = verify_document(document)
        elif code:
            code = normalise_code(code)
            if re.fullmatch(r"[A-Z0-9-]{1,20}", code):
                return redirect("skills:verify_code", code)
            result = Verification(Outcome.UNKNOWN)
    return render(
        request,
        "skills/verify.html",
        {"result": result, "crumbs": _crumbs((_("Xác minh chứng nhận"), None))},
    )


def verify_code_page(request, code: str):
    """Public: the verification of one code (the page a scanned QR code opens)."""
    result = verify_code(code, token=request.GET.get("t", ""))
    certificate = result.certificate
    return render(
        request,
        "skills/verify.html",
        {
            "result": result,
            "code": code,
            "qr": qr_data_uri(qr_payload(certificate)) if certificate is not None else "",
            "crumbs": _crumbs((_("Xác minh chứng nhận"), reverse("skills:verify")), (code, None)),
        },
        status=200 if certificate is not None or result.outcome != "unknown" else 404,
    )


def _require_editor(request) -> None:
    if not scope_paths(request.user, Perm.EDIT_CONTENT):
        raise PermissionDenied


@login_required
def coverage(request):
    """Editors: for each profile, which required competences have no course or no question."""
    _require_editor(request)
    rows = [
        (profile, selectors.profile_coverage(profile)) for profile in selectors.current_profiles()
    ]
    return render(
        request,
        "skills/coverage.html",
        {"rows": rows, "crumbs": _crumbs((_("Độ phủ khung năng lực"), None))},
    )


@login_required
def mapping(request):
    """Editors: map a course, lesson or question of the catalogue to a competence at a level."""
    _require_editor(request)
    framework = Framework.objects.filter(
        is_current=True, kind=Framework.Kind.COMPETENCES, code="TT02"
    ).first() or (
        Framework.objects.filter(is_current=True, kind=Framework.Kind.COMPETENCES).first()
    )
    if framework is None:
        return render(
            request,
            "skills/mapping.html",
            {"framework": None, "crumbs": _crumbs((_("Gắn nội dung với năng lực"), None))},
        )
    editable = Course.objects.filter(
        scope_q(request.user, Perm.EDIT_CONTENT, "publisher__area__path")
    )
    course = editable.filter(slug=request.GET.get("khoa-hoc", "")).first()
    if request.method == "POST":
        course = get_object_or_404(editable, slug=request.POST.get("course"))
        competence = get_object_or_404(
            FrameworkItem, pk=request.POST.get("competence"), framework=framework
        )
        target = request.POST.get("target", "")
        kwargs: dict = {"course": course}
        if target.startswith("lesson-"):
            kwargs = {"lesson": get_object_or_404(Lesson, pk=target[7:], course=course)}
        elif target.startswith("question-"):
            kwargs = {"question": get_object_or_404(Question, pk=target[9:], lesson__course=course)}
        level = request.POST.get("level", "")
        try:
            save_mapping(
                competence=competence,
                level=int(level) if level.isdigit() else 0,
                edited_by=request.user,
                **kwargs,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Đã lưu việc gắn nội dung với năng lực."))
        return redirect(reverse("skills:mapping") + f"?khoa-hoc={course.slug}")
    mappings = selectors.mappings_for_framework(framework)
    lessons = []
    if course is not None:
        mappings = mappings.filter(
            Q(course=course) | Q(lesson__course=course) | Q(question__lesson__course=course)
        )
        lessons = course.lessons.prefetch_related("questions").order_by("position")
    return render(
        request,
        "skills/mapping.html",
        {
            "framework": framework,
            "courses": editable.order_by("title"),
            "course": course,
            "lessons": lessons,
            "mappings": mappings if course is not None else mappings.none(),
            "competences": selectors.competences_of(framework),
            "levels": framework.items.filter(kind=FrameworkItem.Kind.LEVEL).order_by("number"),
            "crumbs": _crumbs(
                (_("Độ phủ khung năng lực"), reverse("skills:coverage")),
                (_("Gắn nội dung với năng lực"), None),
            ),
        },
    )


@login_required
@require_POST
def mapping_delete(request, pk: int):
    _require_editor(request)
    item = get_object_or_404(CompetenceMapping, pk=pk)
    slug = (
        item.course or (item.lesson.course if item.lesson_id else item.question.lesson.course)
    ).slug
    delete_mapping(mapping=item, edited_by=request.user)
    messages.success(request, _("Đã bỏ gắn."))
    return redirect(reverse("skills:mapping") + f"?khoa-hoc={slug}")


@login_required
def certificates_admin(request):
    """National administrators: find a certificate by code and revoke it with a reason."""
    if not has_role(request.user, Role.NATIONAL_ADMIN):
        raise PermissionDenied
    code = request.GET.get("ma", "").strip().upper()
    certificate = Certificate.objects.filter(code=code).first() if code else None
    if request.method == "POST":
        certificate = get_object_or_404(Certificate, code=request.POST.get("code", ""))
        try:
            revoke_certificate(
                certificate=certificate,
                reason=request.POST.get("reason", ""),
                revoked_by=request.user,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Đã thu hồi chứng nhận %(code)s.") % {"code": certificate.code}
            )
        return redirect(reverse("skills:certificates_admin") + f"?ma={certificate.code}")
    return render(
        request,
        "skills/certificates_admin.html",
        {
            "code": code,
            "certificate": certificate,
            "recent": Certificate.objects.select_related("confirmation")[:20],
            "crumbs": _crumbs((_("Thu hồi chứng nhận"), None)),
        },
    )
