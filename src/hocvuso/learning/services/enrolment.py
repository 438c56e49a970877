"""A learner's enrolment in a course and their progress lesson by lesson."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.models import User
from hocvuso.learning.models import Course, Enrollment, Lesson, LessonProgress
from hocvuso.learning.selectors.learner import course_lessons, progress_rows


class EnrolmentError(ValueError):
    """A request about a course that the learner cannot take; the message is for the learner."""


class LessonLocked(EnrolmentError):
    """The course is taken in order and the lesson before this one is not done yet."""


def _enrollment(*, learner: User, course: Course) -> Enrollment:
    """The learner's enrolment, made on first use, for a published course only."""
    if course.status != Course.Status.PUBLISHED:
        raise EnrolmentError(_("Khoá học này chưa được xuất bản nên chưa thể đăng ký học."))
    enrollment = Enrollment.objects.filter(learner=learner, course=course).first()
    if enrollment is not None:
        return enrollment
    try:
        with transaction.atomic():
            return Enrollment.objects.create(learner=learner, course=course)
    except IntegrityError:
        # Two taps on "Đăng ký học" at once: the other request made it.
        return Enrollment.objects.get(learner=learner, course=course)


def previous_lesson(lesson: Lesson) -> Lesson | None:
    """The lesson just before this one in its course, in the order the learner sees."""
    return (
        Lesson.objects.filter(course_id=lesson.course_id)
        .filter(Q(position__lt=lesson.position) | Q(position=lesson.position, id__lt=lesson.id))
        .order_by("-position", "-id")
        .only("id", "title")
        .first()
    )


def _check_unlocked(*, enrollment: Enrollment, lesson: Lesson) -> None:
    if not lesson.course.is_sequential:
        return
    before = previous_lesson(lesson)
    if before is None:
        return
    done = LessonProgress.objects.filter(
        enrollment=enrollment, lesson=before, completed_at__isnull=False
    ).exists()
    if not done:
        raise LessonLocked(
            _("Bài này chưa mở. Hãy hoàn thành bài “%(title)s” trước.") % {"title": before.title}
        )


def _progress(*, enrollment: Enrollment, lesson: Lesson) -> LessonProgress:
    progress = LessonProgress.objects.filter(enrollment=enrollment, lesson=lesson).first()
    if progress is not None:
        return progress
    try:
        with transaction.atomic():
            return LessonProgress.objects.create(enrollment=enrollment, lesson=lesson)
    except IntegrityError:
        return LessonProgress.objects.get(enrollment=enrollment, lesson=lesson)


def unlocked_progress(*, learner: User, lesson: Lesson) -> tuple[Enrollment, LessonProgress]:
    """The enrolment and the lesson's progress row, made if missing; LessonLocked if not yet open."""
    enrollment = _enrollment(learner=learner, course=lesson.course)
    _check_unlocked(enrollment=enrollment, lesson=lesson)
    return enrollment, _progress(enrollment=enrollment, lesson=lesson)


def _next_lesson(lesson: Lesson) -> Lesson | None:
    return (
        Lesson.objects.filter(course_id=lesson.course_id)
        .filter(Q(position__gt=lesson.position) | Q(position=lesson.position, id__gt=lesson.id))
        .order_by("position", "id")
        .only("id")
        .first()
    )


def mark_lesson_done(*, enrollment: Enrollment, progress: LessonProgress) -> LessonProgress:
    """Record a lesson as done and the course as finished once no lesson is left; no checks."""
    if progress.completed_at is not None:
        return progress
    now = timezone.now()
    progress.completed_at = now
    progress.save(update_fields=["completed_at"])
    lesson = progress.lesson
    # "Học tiếp" then leads on to the next lesson, on whichever device the learner comes back.
    following = _next_lesson(lesson)
    updates = {"last_lesson": following or lesson}
    left = (
        Lesson.objects.filter(course_id=lesson.course_id)
        .exclude(
            id__in=LessonProgress.objects.filter(
                enrollment=enrollment, completed_at__isnull=False
            ).values("lesson_id")
        )
        .exists()
    )
    if not left and enrollment.completed_at is None:
        updates["completed_at"] = now
    Enrollment.objects.filter(pk=enrollment.pk).update(**updates)
    for field, value in updates.items():
        setattr(enrollment, field, value)
    return progress


@transaction.atomic
def enroll(*, learner: User, course: Course) -> Enrollment:
    """Enrol the learner in a published course; enrolling again returns the same enrolment."""
    return _enrollment(learner=learner, course=course)


@dataclass
class OpenedLesson:
    """A lesson as its page opens it: the enrolment, the lesson's row and all the course's rows."""

    enrollment: Enrollment
    progress: LessonProgress
    rows: list[LessonProgress]


def _lesson_before(lesson: Lesson, lessons: list[Lesson]) -> Lesson | None:
    ids = [entry.id for entry in lessons]
    if lesson.id not in ids:
        return previous_lesson(lesson)
    index = ids.index(lesson.id)
    return lessons[index - 1] if index else None


def open_lesson_page(*, learner: User, lesson: Lesson) -> OpenedLesson:
    """Open a lesson (enrolling on the way) and remember it as where the learner is.

    A lesson opened before costs one read and no write: a page view must not queue behind writers.
    """
    course = lesson.course
    if course.status != Course.Status.PUBLISHED:
        raise EnrolmentError(_("Khoá học này chưa được xuất bản nên chưa thể đăng ký học."))
    rows = progress_rows(learner, course)
    by_lesson = {row.lesson_id: row for row in rows}
    enrollment = rows[0].enrollment if rows else None
    if course.is_sequential:
        before = _lesson_before(lesson, course_lessons(course, lesson_id=lesson.id).lessons)
        if before is not None and (
            before.id not in by_lesson or by_lesson[before.id].completed_at is None
        ):
            raise LessonLocked(
                _("Bài này chưa mở. Hãy hoàn thành bài “%(title)s” trước.")
                % {"title": before.title}
            )
    progress = by_lesson.get(lesson.id)
    if progress is None:
        with transaction.atomic():
            enrollment = enrollment or _enrollment(learner=learner, course=course)
            progress = _progress(enrollment=enrollment, lesson=lesson)
        rows.append(progress)
    if enrollment.last_lesson_id != lesson.id and progress.completed_at is None:
        Enrollment.objects.filter(pk=enrollment.pk).update(last_lesson=lesson)
        enrollment.last_lesson = lesson
    progress.enrollment = enrollment
    return OpenedLesson(enrollment=enrollment, progress=progress, rows=rows)


def open_lesson(*, learner: User, lesson: Lesson) -> LessonProgress:
    """Open a lesson (enrolling on the way) and remember it as where the learner is."""
    return open_lesson_page(learner=learner, lesson=lesson).progress


@transaction.atomic
def complete_lesson(*, learner: User, lesson: Lesson) -> LessonProgress:
    """Mark a reading, video or guide lesson as done; a check is done only by passing it."""
    if lesson.kind == Lesson.Kind.CHECK:
        raise EnrolmentError(_("Bài kiểm tra chỉ hoàn thành khi bạn làm bài và đạt điểm."))
    enrollment, progress = unlocked_progress(learner=learner, lesson=lesson)
    progress.lesson = lesson
    return mark_lesson_done(enrollment=enrollment, progress=progress)


def record_step(*, learner: User, lesson: Lesson, position: int) -> None:
    """Save which step of a guide the learner has reached ("Bước tiếp theo")."""
    if lesson.kind != Lesson.Kind.GUIDE:
        raise EnrolmentError(_("Chỉ bài hướng dẫn từng bước mới có các bước."))
    step_counts = course_lessons(lesson.course, lesson_id=lesson.id).step_counts
    steps = step_counts[lesson.id] if lesson.id in step_counts else lesson.steps.count()
    if not 1 <= position <= steps:
        raise EnrolmentError(_("Bài này không có bước số %(number)s.") % {"number": position})
    # The common case, a lesson already opened (and so unlocked), is one UPDATE on the unique
    # (enrolment, lesson) index, atomic on its own.
    updated = LessonProgress.objects.filter(
        lesson=lesson,
        enrollment=Enrollment.objects.filter(learner=learner, course_id=lesson.course_id).values(
            "pk"
        )[:1],
    ).update(last_step=position)
    if not updated:
        with transaction.atomic():
            _enrollment_row, progress = unlocked_progress(learner=learner, lesson=lesson)
            LessonProgress.objects.filter(pk=progress.pk).update(last_step=position)
