"""What one learner has done: enrolments, lessons done and locked, where to continue, attempts."""

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from hocvuso.accounts.models import User
from hocvuso.learning.models import (
    AttemptAnswer,
    Course,
    Enrollment,
    Lesson,
    LessonProgress,
    QuizAttempt,
)


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
    *, course: Course, enrollment: Enrollment | None, lessons: list[Lesson]
) -> list[LessonState]:
    """Each lesson in order, done or not, and locked while the lesson before it is not done."""
    progress = {}
    if enrollment is not None:
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


def lessons_in_order(course: Course) -> list[Lesson]:
    """The course's lessons without their text, for outlines and navigation."""
    return list(
        course.lessons.order_by("position", "id").only(
            "id", "course_id", "position", "kind", "title", "estimated_minutes"
        )
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
