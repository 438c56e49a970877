"""Reads for the content editor: what they may edit, and what stops a course from being published."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from hocvuso.accounts.authz import Perm, scope_q
from hocvuso.learning.models import Course, CourseAdoption, Lesson, Publisher, Question


@dataclass(frozen=True)
class ChoiceInput:
    text: str
    is_correct: bool = False


def editable_courses(user) -> QuerySet[Course]:
    """Every course (draft, published, archived) whose publisher lies in the editor's scope."""
    return (
        Course.objects.filter(scope_q(user, Perm.EDIT_CONTENT, "publisher__area__path"))
        .select_related("publisher")
        .annotate(lesson_count=Count("lessons"))
        .order_by("-updated_at", "title")
    )


def publishers_in_scope(user) -> QuerySet[Publisher]:
    """The publishers the editor may act for."""
    return (
        Publisher.objects.filter(scope_q(user, Perm.EDIT_CONTENT, "area__path"))
        .select_related("area")
        .order_by("area__path", "name")
    )


def course_lessons(course: Course) -> QuerySet[Lesson]:
    """The course's lessons in order, with how many steps and questions each has."""
    return course.lessons.order_by("position", "id").annotate(
        step_count=Count("steps", distinct=True), question_count=Count("questions", distinct=True)
    )


def adoptable_courses(publisher: Publisher) -> QuerySet[Course]:
    """Other publishers' published courses, each marked `is_adopted` by this publisher."""
    adopted = CourseAdoption.objects.filter(course=OuterRef("pk"), publisher=publisher)
    return (
        Course.objects.filter(status=Course.Status.PUBLISHED)
        .exclude(publisher=publisher)
        .select_related("publisher")
        .annotate(is_adopted=Exists(adopted))
        .order_by("title")
    )


def has_unpublished_changes(course: Course) -> bool:
    """True when the course was edited after its last publication."""
    return course.published_at is not None and course.updated_at > course.published_at


def question_problems(kind: str, choices: Sequence[ChoiceInput]) -> list[str]:
    """What breaks the course format's rules for a question of this kind with these choices."""
    correct = sum(1 for choice in choices if choice.is_correct)
    if kind == Question.Kind.TRUE_FALSE:
        if len(choices) != 2 or correct != 1:
            return [_("Câu đúng hay sai cần đúng 2 lựa chọn (Đúng, Sai) và 1 lựa chọn đúng.")]
        return []
    problems = []
    if len(choices) < 2:
        problems.append(_("Câu hỏi cần ít nhất 2 lựa chọn."))
    if kind == Question.Kind.SINGLE and correct != 1:
        problems.append(_("Câu chọn một đáp án cần đúng 1 lựa chọn đúng."))
    if kind == Question.Kind.MULTIPLE and correct < 1:
        problems.append(_("Câu chọn nhiều đáp án cần ít nhất 1 lựa chọn đúng."))
    return problems


def publication_problems(course: Course) -> list[str]:
    """Every reason, in Vietnamese, why the course cannot be published yet; empty when it can."""
    problems = []
    if not course.audiences.exists():
        problems.append(_("Khoá học chưa chọn nhóm đối tượng nào."))
    lessons = list(
        course.lessons.order_by("position", "id").prefetch_related("steps", "questions__choices")
    )
    if not lessons:
        problems.append(_("Khoá học chưa có bài nào."))
    for number, lesson in enumerate(lessons, start=1):
        where = _("Bài %(number)d “%(title)s”") % {"number": number, "title": lesson.title}
        found = []
        if lesson.kind == Lesson.Kind.READING and not lesson.body.strip():
            found.append(_("chưa có nội dung."))
        if lesson.kind == Lesson.Kind.VIDEO and not (lesson.video_file or lesson.video_url):
            found.append(_("chưa có tệp video hay đường dẫn video."))
        if lesson.kind == Lesson.Kind.GUIDE and not lesson.steps.all():
            found.append(_("chưa có bước nào."))
        if lesson.kind == Lesson.Kind.CHECK:
            questions = lesson.questions.all()
            if not questions:
                found.append(_("bài kiểm tra chưa có câu hỏi nào."))
            if lesson.draw_count > len(questions):
                found.append(
                    _("số câu rút (%(draw)d) nhiều hơn số câu trong ngân hàng (%(count)d).")
                    % {"draw": lesson.draw_count, "count": len(questions)}
                )
            for index, question in enumerate(questions, start=1):
                choices = [ChoiceInput(c.text, c.is_correct) for c in question.choices.all()]
                if question.kind == Question.Kind.ORDER:
                    choices = [ChoiceInput(c.text) for c in choices]
                found.extend(
                    _("câu %(index)d: %(problem)s") % {"index": index, "problem": problem}
                    for problem in question_problems(question.kind, choices)
                )
        problems.extend(f"{where}: {problem}" for problem in found)
    return problems


def search_courses(queryset: QuerySet[Course], query: str) -> QuerySet[Course]:
    """Courses whose title or slug contains the query."""
    if not query:
        return queryset
    return queryset.filter(Q(title__icontains=query) | Q(slug__icontains=query))
