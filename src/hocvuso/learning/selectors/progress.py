"""Where the learners of an area are in a course, and the lesson each of them is stuck on.

Built for a team of a thousand learners and more: one query gives every enrolment's figures
(correlated aggregate subqueries, no query per learner) and one grouped count gives the completions
per lesson, so the page costs the same round trips for 10 learners as for 10,000. Sorting and
paging the light rows happen in Python, because the summary needs all of them anyway.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    DateTimeField,
    IntegerField,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from hocvuso.accounts.authz import Perm, scope_q
from hocvuso.learning.models import Course, Enrollment, Lesson, LessonProgress, QuizAttempt
from hocvuso.places.models import Area
from hocvuso.places.selectors import name_sort_key

PAGE_SIZE = 100


class Sort:
    STUCK_LONGEST = "lau-nhat"
    LEAST_DONE = "it-nhat"
    NAME = "ten"
    ALL = (STUCK_LONGEST, LEAST_DONE, NAME)


@dataclass(slots=True)
class LearnerRow:
    """One learner's place in the course (a plain slotted class: a thousand are made per page)."""

    enrollment_id: int
    learner_id: int
    name: str
    village: str
    done: int
    stuck_lesson: Lesson | None
    last_activity: datetime
    attempts: int
    best_score: int | None

    @property
    def idle_days(self) -> int:
        """Whole days since the learner last did anything in the course."""
        return (timezone.now() - self.last_activity).days


@dataclass(frozen=True)
class LessonSummary:
    lesson: Lesson
    completed: int
    stuck: int


@dataclass(frozen=True)
class CourseProgress:
    course: Course
    lessons: list[Lesson]
    # A page of LearnerRow.
    page: Page
    summary: list[LessonSummary]
    enrolled: int
    finished: int


def _areas_under(area: Area) -> QuerySet[Area]:
    return Area.objects.filter(path__startswith=area.path).values("pk")


def _enrollments_in_area(*, user, area: Area, course: Course) -> QuerySet[Enrollment]:
    # The area prefix picks the team; scope_q keeps a second guard on the learners' own homes.
    return Enrollment.objects.filter(
        scope_q(user, Perm.VIEW_PROGRESS, "learner__home_area__path"),
        course=course,
        # The areas first, then their learners by the home_area index: a path prefix on the
        # joined row would be tested against every enrolment of the course.
        learner__home_area__in=_areas_under(area),
    )


def courses_taken_in_area(*, user, area: Area) -> list[Course]:
    """Courses the area's learners are enrolled in, most enrolled first, with `learner_count`."""
    return list(
        Course.objects.filter(
            scope_q(user, Perm.VIEW_PROGRESS, "enrollments__learner__home_area__path"),
            enrollments__learner__home_area__in=_areas_under(area),
        )
        .annotate(learner_count=Count("enrollments"))
        .order_by("-learner_count", "title")
        .only("id", "slug", "title")
    )


def _completed(enrollment_ref) -> QuerySet[LessonProgress]:
    return LessonProgress.objects.filter(enrollment=enrollment_ref, completed_at__isnull=False)


def _stuck_lesson_id(course: Course) -> Subquery:
    """The first lesson, in course order, that the enrolment has not completed."""
    return Subquery(
        Lesson.objects.filter(course=course)
        .exclude(pk__in=_completed(OuterRef(OuterRef("pk"))).values("lesson_id"))
        .order_by("position", "id")
        .values("pk")[:1],
        output_field=IntegerField(),
    )


def _per_enrollment(queryset: QuerySet, group: str, value) -> Subquery:
    """One aggregate over the rows of `queryset` that belong to the outer enrolment.

    `queryset` is filtered on an OuterRef through the `group` column, so grouping by it leaves one row.
    """
    return Subquery(queryset.order_by().values(group).annotate(v=value).values("v")[:1])


_ROW_FIELDS = (
    "pk",
    "learner_id",
    "learner__full_name",
    "learner__first_name",
    "learner__last_name",
    "learner__username",
    "learner__home_area__name",
    "done",
    "stuck_lesson_id",
    "last_activity",
    "attempts",
    "best_score",
)


def _learner_rows(
    enrollments: QuerySet[Enrollment], course: Course, lessons: dict[int, Lesson]
) -> list[LearnerRow]:
    """Every enrolment's figures in one query: correlated subqueries, no query per learner."""
    attempts = QuizAttempt.objects.filter(
        learner=OuterRef("learner_id"), lesson_id__in=list(lessons), submitted_at__isnull=False
    )
    progress = LessonProgress.objects.filter(enrollment=OuterRef("pk"))
    annotated = enrollments.annotate(
        # Every figure is a subquery run once per enrolment: a join of the progress rows would
        # need a GROUP BY, and PostgreSQL then runs the other subqueries once per joined row.
        done=Coalesce(
            _per_enrollment(
                progress.filter(completed_at__isnull=False), "enrollment_id", Count("pk")
            ),
            0,
        ),
        progress_at=_per_enrollment(
            progress, "enrollment_id", Max(Coalesce("completed_at", "started_at"))
        ),
        attempts=Coalesce(_per_enrollment(attempts, "learner_id", Count("pk")), 0),
        best_score=_per_enrollment(attempts, "learner_id", Max("score_percent")),
        attempt_at=_per_enrollment(attempts, "learner_id", Max("submitted_at")),
        # SQLite's MAX() of several values is NULL when one is NULL, PostgreSQL's GREATEST skips
        # NULLs: filling each with the enrolment date makes both engines agree.
        last_activity=Greatest(
            "enrolled_at",
            Coalesce("progress_at", "enrolled_at"),
            Coalesce("attempt_at", "enrolled_at"),
            output_field=DateTimeField(),
        ),
        stuck_lesson_id=_stuck_lesson_id(course),
    )
    return [
        LearnerRow(
            enrollment_id=pk,
            learner_id=learner_id,
            # As User.display_name, without loading each user.
            name=full_name or f"{first_name} {last_name}".strip() or username,
            village=village or "",
            done=done,
            stuck_lesson=lessons.get(stuck_id),
            last_activity=last_activity,
            attempts=attempt_count,
            best_score=best_score,
        )
        for (
            pk,
            learner_id,
            full_name,
            first_name,
            last_name,
            username,
            village,
            done,
            stuck_id,
            last_activity,
            attempt_count,
            best_score,
        ) in annotated.order_by().values_list(*_ROW_FIELDS)
    ]


def _sorted(rows: list[LearnerRow], sort: str) -> list[LearnerRow]:
    if sort == Sort.NAME:
        return sorted(rows, key=lambda row: (name_sort_key(row.name), row.enrollment_id))
    if sort == Sort.LEAST_DONE:
        return sorted(rows, key=lambda row: (row.done, row.last_activity, row.enrollment_id))
    # Learners who have finished every lesson are not stuck anywhere: they go last.
    return sorted(
        rows, key=lambda row: (row.stuck_lesson is None, row.last_activity, row.enrollment_id)
    )


def _lessons_of(course: Course) -> list[Lesson]:
    return list(
        Lesson.objects.filter(course=course)
        .order_by("position", "id")
        .only("id", "course_id", "position", "kind", "title")
    )


def course_progress(
    *, user, area: Area, course: Course, sort: str = Sort.STUCK_LONGEST, page: int | str = 1
) -> CourseProgress:
    """Each learner of `area` in `course`, a page at a time, and per lesson how many completed it
    and how many are stuck there (over all the area's learners, not only the page)."""
    lessons = _lessons_of(course)
    enrollments = _enrollments_in_area(user=user, area=area, course=course)
    rows = _learner_rows(enrollments, course, {lesson.pk: lesson for lesson in lessons})
    stuck_counts = Counter(row.stuck_lesson.pk if row.stuck_lesson else None for row in rows)
    completed_counts = dict(
        LessonProgress.objects.filter(
            enrollment__in=enrollments.values("pk"), completed_at__isnull=False
        )
        .values("lesson_id")
        .annotate(n=Count("pk"))
        .values_list("lesson_id", "n")
    )
    ordered = _sorted(rows, sort if sort in Sort.ALL else Sort.STUCK_LONGEST)
    return CourseProgress(
        course=course,
        lessons=lessons,
        page=Paginator(ordered, PAGE_SIZE).get_page(page),
        summary=[
            LessonSummary(
                lesson=lesson,
                completed=completed_counts.get(lesson.pk, 0),
                stuck=stuck_counts.get(lesson.pk, 0),
            )
            for lesson in lessons
        ],
        enrolled=len(rows),
        finished=stuck_counts.get(None, 0),
    )


@dataclass(frozen=True)
class LessonDrillDown:
    lesson: Lesson
    lesson_count: int
    # LearnerRow of those stuck on the lesson, stuck longest first.
    stuck: list[LearnerRow]
    stuck_total: int
    # LessonProgress rows, latest completion first, with their enrolment and learner.
    completed: list[LessonProgress]
    completed_total: int


def lesson_drill_down(*, user, area: Area, lesson: Lesson) -> LessonDrillDown:
    """Who of `area` completed `lesson` and who is stuck on it, up to PAGE_SIZE of each."""
    course = lesson.course
    lessons = _lessons_of(course)
    enrollments = _enrollments_in_area(user=user, area=area, course=course)
    stuck = _learner_rows(
        enrollments.alias(stuck=_stuck_lesson_id(course)).filter(stuck=lesson.pk),
        course,
        {lesson.pk: lesson for lesson in lessons},
    )
    completed = LessonProgress.objects.filter(
        lesson=lesson, completed_at__isnull=False, enrollment__in=enrollments.values("pk")
    )
    return LessonDrillDown(
        lesson=lesson,
        lesson_count=len(lessons),
        stuck=_sorted(stuck, Sort.STUCK_LONGEST)[:PAGE_SIZE],
        stuck_total=len(stuck),
        completed=list(
            completed.select_related("enrollment__learner__home_area")
            .only(
                "id",
                "completed_at",
                "enrollment__id",
                "enrollment__learner__id",
                "enrollment__learner__username",
                "enrollment__learner__full_name",
                "enrollment__learner__first_name",
                "enrollment__learner__last_name",
                "enrollment__learner__home_area__name",
            )
            .order_by("-completed_at", "pk")[:PAGE_SIZE]
        ),
        completed_total=completed.count(),
    )
