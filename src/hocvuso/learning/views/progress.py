"""Progress pages for the staff of an area: who of its learners is stuck where, per course and lesson.

These pages show learners' names to the staff of the learners' own area only (Perm.VIEW_PROGRESS
over it). Each viewing of them is to be recorded in the audit log that the personal-data work adds.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from hocvuso.accounts.authz import Perm, authorize, can
from hocvuso.learning.models import Lesson
from hocvuso.learning.selectors.progress import (
    Sort,
    course_progress,
    courses_taken_in_area,
    lesson_drill_down,
)
from hocvuso.people.audit import record_access
from hocvuso.places.models import Area
from hocvuso.places.selectors import areas_above


def _area(request, code: str) -> Area:
    area = get_object_or_404(Area, code=code)
    authorize(request.user, Perm.VIEW_PROGRESS, area)
    return area


def _crumbs(request, area: Area, *, last: str) -> list[dict]:
    crumbs = [
        {
            "label": above.name,
            "url": reverse("learning:team_progress", args=[above.code])
            if can(request.user, Perm.VIEW_PROGRESS, above)
            else None,
        }
        for above in areas_above(area, include_self=True)
    ]
    crumbs.append({"label": last, "url": None})
    return crumbs


def _sort_options() -> list[tuple[str, str]]:
    return [
        (Sort.STUCK_LONGEST, _("Dừng lâu nhất trước")),
        (Sort.LEAST_DONE, _("Học được ít bài nhất trước")),
        (Sort.NAME, _("Theo tên")),
    ]


@login_required
@require_GET
def team_progress(request, code):
    area = _area(request, code)
    courses = courses_taken_in_area(user=request.user, area=area)
    wanted = request.GET.get("khoa", "")
    course = next((c for c in courses if c.slug == wanted), courses[0] if courses else None)
    sort = request.GET.get("sap-xep", Sort.STUCK_LONGEST)
    if sort not in Sort.ALL:
        sort = Sort.STUCK_LONGEST
    report = (
        course_progress(
            user=request.user,
            area=area,
            course=course,
            sort=sort,
            page=request.GET.get("trang", 1),
        )
        if course
        else None
    )
    record_access(
        request=request,
        action="view",
        what="learning:team_progress",
        area=area,
        count=report.enrolled if report else 0,
    )
    context = {
        "area": area,
        "courses": courses,
        "course": course,
        "report": report,
        "sort": sort,
        "sort_options": _sort_options(),
        "crumbs": _crumbs(request, area, last=_("Tiến độ học")),
    }
    return render(request, "learning/progress/team_progress.html", context)


@login_required
@require_GET
def lesson_progress(request, code, lesson_id):
    area = _area(request, code)
    lesson = get_object_or_404(Lesson.objects.select_related("course"), pk=lesson_id)
    report = lesson_drill_down(user=request.user, area=area, lesson=lesson)
    record_access(
        request=request,
        action="view",
        what="learning:lesson_progress",
        area=area,
        count=report.stuck_total + report.completed_total,
    )
    context = {
        "area": area,
        "lesson": lesson,
        "report": report,
        "crumbs": _crumbs(request, area, last=lesson.title),
    }
    return render(request, "learning/progress/lesson_progress.html", context)
