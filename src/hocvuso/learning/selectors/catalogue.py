"""The published catalogue as anyone sees it: courses, their lessons and the languages they carry."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet

from hocvuso.learning.models import (
    BASE_LANGUAGE,
    CONTENT_LANGUAGES,
    Course,
    CourseAdoption,
    Lesson,
    LessonTranslation,
    StepTranslation,
)
from hocvuso.learning.selectors.learner import course_lessons

LANGUAGE_NAMES = dict(CONTENT_LANGUAGES)


def language_choices(codes) -> list[tuple[str, str]]:
    """(code, name) pairs in the platform's order of languages, Vietnamese first."""
    wanted = set(codes)
    return [(code, str(name)) for code, name in CONTENT_LANGUAGES if code in wanted]


def published_courses(*, topic: str = "", target_group: str = "") -> QuerySet[Course]:
    """Published courses of every publisher, optionally of one topic and one target group."""
    courses = Course.objects.filter(status=Course.Status.PUBLISHED)
    if topic:
        courses = courses.filter(topic=topic)
    if target_group:
        courses = courses.filter(audiences__target_group=target_group)
    return (
        courses.select_related("publisher")
        .prefetch_related(
            "audiences",
            Prefetch("adoptions", queryset=CourseAdoption.objects.select_related("publisher")),
        )
        .annotate(lesson_count=Count("lessons", distinct=True))
        .order_by("title")
    )


def published_course(slug: str) -> Course | None:
    return (
        Course.objects.filter(status=Course.Status.PUBLISHED, slug=slug)
        .select_related("publisher")
        .first()
    )


def languages_by_course(course_ids) -> dict[int, list[tuple[str, str]]]:
    """For each course, the languages its lessons are available in (Vietnamese always)."""
    found: dict[int, set[str]] = defaultdict(lambda: {BASE_LANGUAGE})
    rows = (
        LessonTranslation.objects.filter(lesson__course_id__in=list(course_ids))
        .values_list("lesson__course_id", "language")
        .distinct()
    )
    for course_id, language in rows:
        found[course_id].add(language)
    return {course_id: language_choices(found[course_id]) for course_id in course_ids}


@dataclass
class LessonEntry:
    """One line of a course outline."""

    lesson: Lesson
    number: int
    step_count: int = 0
    question_count: int = 0
    languages: list[str] = field(default_factory=list)


def course_outline(course: Course) -> list[LessonEntry]:
    """The course's lessons in order with their step and question counts and languages."""
    lessons = (
        course.lessons.order_by("position", "id")
        .defer("body")
        .annotate(
            step_count=Count("steps", distinct=True),
            question_count=Count("questions", distinct=True),
        )
    )
    languages: dict[int, set[str]] = defaultdict(lambda: {BASE_LANGUAGE})
    for lesson_id, language in LessonTranslation.objects.filter(lesson__course=course).values_list(
        "lesson_id", "language"
    ):
        languages[lesson_id].add(language)
    return [
        LessonEntry(
            lesson=lesson,
            number=number,
            step_count=lesson.step_count,
            question_count=lesson.question_count,
            languages=[code for code, _name in language_choices(languages[lesson.id])],
        )
        for number, lesson in enumerate(lessons, start=1)
    ]


def lesson_languages(lesson: Lesson) -> list[tuple[str, str]]:
    """Languages this lesson can be shown in beside Vietnamese (its own or its steps' translations)."""
    outline = course_lessons(lesson.course, lesson_id=lesson.id)
    if lesson.id in outline.step_counts:
        codes = set(outline.languages.get(lesson.id, ()))
    else:
        codes = set(lesson.translations.values_list("language", flat=True))
        if lesson.kind == Lesson.Kind.GUIDE:
            codes |= set(
                StepTranslation.objects.filter(step__lesson=lesson)
                .values_list("language", flat=True)
                .distinct()
            )
    codes.discard(BASE_LANGUAGE)
    return language_choices(codes)
