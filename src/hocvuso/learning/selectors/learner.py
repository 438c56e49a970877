"""What one learner has done: enrolments, lessons done and locked, where to continue, attempts."""

from collections import defaultdict
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from hocvuso.accounts.models import User
from hocvuso.learning.models import (
    AttemptAnswer,
    Course,
    Enrollment,
    Lesson,
    LessonProgress,
    LessonTranslation,
    QuizAttempt,
    StepTranslation,
)

OUTLINE_CACHE_SECONDS = 24 * 60 * 60
_OUTLINE_ATTR = "_hocvuso_outline"
_PROCESS_OUTLINES_MAX = 256
_process_outlines: dict[str, "Outline"] = {}


@dataclass
class CourseProgress:
    enrollment: Enrollment | None
    done: int
    total: int

    @property
    def percent(self) -> int:
        return self.done * 100 // self.total if self.total else 0

    @property
    def is_complete(self) -> bool:
        return bool(self.enrollment and self.enrollment.completed_at)


def progress_by_course(learner: User, courses) -> dict[int, CourseProgress]:
    """For each course the learner is enrolled in, lessons done out of the course's lessons.

    `courses` carry a `lesson_count` annotation, as `published_courses` gives them.
    """
    if not learner.is_authenticated:
        return {}
    totals = {course.id: course.lesson_count for course in courses}
    enrollments = Enrollment.objects.filter(learner=learner, course_id__in=totals).annotate(
        done=Count("progress", filter=Q(progress__completed_at__isnull=False))
    )
    return {
        enrollment.course_id: CourseProgress(
            enrollment=enrollment, done=enrollment.done, total=totals[enrollment.course_id]
        )
        for enrollment in enrollments
    }


def enrollment_of(learner: User, course: Course) -> Enrollment | None:
    if not learner.is_authenticated:
        return None
    return Enrollment.objects.filter(learner=learner, course=course).first()


@dataclass
class LessonState:
    lesson: Lesson
    number: int
    is_done: bool
    is_locked: bool
    last_step: int = 0


def lesson_states(
    *,
    course: Course,
    enrollment: Enrollment | None,
    lessons: list[Lesson],
    rows: list[LessonProgress] | None = None,
) -> list[LessonState]:
    """Each lesson in order, done or not, and locked while the lesson before it is not done.

    `rows` are the enrolment's progress rows when the caller has read them already.
    """
    progress = {}
    if rows is not None:
        progress = {row.lesson_id: row for row in rows}
    elif enrollment is not None:
        progress = {
            row.lesson_id: row
            for row in LessonProgress.objects.filter(enrollment=enrollment).only(
                "lesson_id", "completed_at", "last_step"
            )
        }
    states = []
    previous_done = True
    for number, lesson in enumerate(lessons, start=1):
        row = progress.get(lesson.id)
        is_done = row is not None and row.completed_at is not None
        states.append(
            LessonState(
                lesson=lesson,
                number=number,
                is_done=is_done,
                is_locked=course.is_sequential and not previous_done,
                last_step=row.last_step if row else 0,
            )
        )
        previous_done = is_done
    return states


@dataclass(frozen=True)
class Outline:
    """A course's lessons without their text, with each lesson's step count and languages."""

    lessons: list[Lesson]
    step_counts: dict[int, int]
    # Languages besides Vietnamese that a lesson (or, for a guide, its steps) is translated into.
    languages: dict[int, frozenset[str]]


def _outline_key(course: Course) -> str:
    # Every edit of a lesson, step, question or translation moves the course's updated_at, and
    # publishing moves its version: an edited course never meets an outline cached before.
    stamp = course.updated_at.isoformat() if course.updated_at else ""
    return f"learning:outline:{course.pk}:{course.version}:{stamp}"


def _remember(course: Course, key: str, outline: Outline) -> None:
    if key not in _process_outlines:
        if len(_process_outlines) >= _PROCESS_OUTLINES_MAX:
            _process_outlines.clear()
        _process_outlines[key] = outline
    setattr(course, _OUTLINE_ATTR, (key, outline))


def course_lessons(course: Course, *, lesson_id: int | None = None) -> Outline:
    """The course's outline, read once per change of the course and then kept in the cache.

    An outline cached without `lesson_id` (a lesson added behind the editor's back) is read anew.
    """
    key = _outline_key(course)
    # A page asks several times: the course object keeps what the cache gave it the first time.
    remembered = getattr(course, _OUTLINE_ATTR, None)
    if remembered and remembered[0] == key:
        outline = remembered[1]
    else:
        # The process keeps the outlines it has met too: reading the shared cache costs a file
        # read and unpickling on every request, and the key changes with every edit anyway.
        outline = _process_outlines.get(key) or cache.get(key)
    if outline is not None and (lesson_id is None or lesson_id in outline.step_counts):
        _remember(course, key, outline)
        return outline
    lessons = list(
        course.lessons.order_by("position", "id")
        .only("id", "course_id", "position", "kind", "title", "estimated_minutes")
        .annotate(step_total=Count("steps"))
    )
    guides = [lesson.id for lesson in lessons if lesson.kind == Lesson.Kind.GUIDE]
    languages: dict[int, set[str]] = defaultdict(set)
    for owner_id, language in LessonTranslation.objects.filter(lesson__course=course).values_list(
        "lesson_id", "language"
    ):
        languages[owner_id].add(language)
    for owner_id, language in (
        StepTranslation.objects.filter(step__lesson_id__in=guides)
        .values_list("step__lesson_id", "language")
        .distinct()
    ):
        languages[owner_id].add(language)
    step_counts = {}
    for lesson in lessons:
        step_counts[lesson.id] = lesson.step_total
        del lesson.step_total
    outline = Outline(
        lessons=lessons,
        step_counts=step_counts,
        languages={lesson_id: frozenset(codes) for lesson_id, codes in languages.items()},
    )
    cache.set(key, outline, OUTLINE_CACHE_SECONDS)
    _remember(course, key, outline)
    return outline


def lessons_in_order(course: Course, *, lesson_id: int | None = None) -> list[Lesson]:
    """The course's lessons without their text, for outlines and navigation."""
    return course_lessons(course, lesson_id=lesson_id).lessons


def progress_rows(learner: User, course: Course) -> list[LessonProgress]:
    """The learner's progress rows in the course, each with its enrolment, in one query."""
    if not learner.is_authenticated:
        return []
    return list(
        LessonProgress.objects.filter(
            enrollment__learner=learner, enrollment__course=course
        ).select_related("enrollment")
    )


def continue_lesson(enrollment: Enrollment | None, states: list[LessonState]) -> Lesson | None:
    """Where "Học tiếp" leads: the last lesson opened, else the first one not done and open."""
    if not states:
        return None
    if enrollment is not None and enrollment.last_lesson_id:
        for state in states:
            if state.lesson.id == enrollment.last_lesson_id and not state.is_locked:
                return state.lesson
    for state in states:
        if not state.is_done and not state.is_locked:
            return state.lesson
    return states[0].lesson


def my_enrollments(learner: User) -> list[tuple[Enrollment, CourseProgress]]:
    """The learner's courses, the most recently enrolled first, each with lessons done."""
    lesson_total = (
        Lesson.objects.filter(course_id=OuterRef("course_id"))
        .order_by()
        .values("course_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    enrollments = (
        Enrollment.objects.filter(learner=learner)
        .select_related("course", "course__publisher", "last_lesson")
        .annotate(
            done=Count("progress", filter=Q(progress__completed_at__isnull=False)),
            total=Coalesce(Subquery(lesson_total), 0),
        )
        .order_by("-enrolled_at", "-id")
    )
    return [
        (
            enrollment,
            CourseProgress(enrollment=enrollment, done=enrollment.done, total=enrollment.total),
        )
        for enrollment in enrollments
    ]


def attempts_of(learner: User, lesson: Lesson) -> list[QuizAttempt]:
    return list(QuizAttempt.objects.filter(learner=learner, lesson=lesson).order_by("number"))


def answers_by_question(attempt: QuizAttempt) -> dict[int, AttemptAnswer]:
    return {answer.question_id: answer for answer in AttemptAnswer.objects.filter(attempt=attempt)}
