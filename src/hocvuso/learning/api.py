"""Public API of the published catalogue: courses and their outlines, never the answers of a check."""

from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from hocvuso.learning.models import Course, Topic
from hocvuso.learning.selectors.catalogue import (
    course_outline,
    languages_by_course,
    published_course,
    published_courses,
)
from hocvuso.people.choices import TargetGroup

router = Router(tags=["courses"])

PAGE_SIZE = 20


class PublisherOut(Schema):
    name: str
    kind: str


class CourseOut(Schema):
    id: str
    title: str
    summary: str
    topic: str
    topic_name: str
    publisher: PublisherOut
    # Publishers that offer the course in their own catalogue as it is.
    adopted_by: list[str]
    target_groups: list[str]
    lesson_count: int
    estimated_minutes: int
    languages: list[str]
    version: int
    published_at: datetime | None
    url: str


class CoursePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[CourseOut]


class LessonOut(Schema):
    id: int
    position: int
    kind: str
    title: str
    estimated_minutes: int
    step_count: int
    question_count: int
    languages: list[str]


class CourseDetailOut(CourseOut):
    is_sequential: bool
    lessons: list[LessonOut]


def _course(course: Course, languages: list[tuple[str, str]], lesson_count: int) -> dict:
    return {
        "id": course.slug,
        "title": course.title,
        "summary": course.summary,
        "topic": course.topic,
        "topic_name": course.get_topic_display(),
        "publisher": {"name": course.publisher.name, "kind": course.publisher.kind},
        "adopted_by": [adoption.publisher.name for adoption in course.adoptions.all()],
        "target_groups": [audience.target_group for audience in course.audiences.all()],
        "lesson_count": lesson_count,
        "estimated_minutes": course.estimated_minutes,
        "languages": [code for code, _name in languages],
        "version": course.version,
        "published_at": course.published_at,
        "url": reverse("learning:course", args=[course.slug]),
    }


@router.get("", response=CoursePage)
def course_list(request, topic: str = "", target_group: str = "", page: int = 1):
    """Published courses of every publisher, 20 a page; filter by topic and by target group."""
    if topic and topic not in Topic.values:
        raise HttpError(400, _("Chủ đề không hợp lệ: %(value)s.") % {"value": topic})
    if target_group and target_group not in TargetGroup.values:
        raise HttpError(400, _("Đối tượng không hợp lệ: %(value)s.") % {"value": target_group})
    if page < 1:
        raise HttpError(400, _("Số trang phải từ 1 trở lên."))
    courses = published_courses(topic=topic, target_group=target_group)
    start = (page - 1) * PAGE_SIZE
    shown = list(courses[start : start + PAGE_SIZE])
    languages = languages_by_course([course.id for course in shown])
    return {
        "count": courses.count(),
        "page": page,
        "page_size": PAGE_SIZE,
        "items": [_course(course, languages[course.id], course.lesson_count) for course in shown],
    }


@router.get("/{id}", response=CourseDetailOut)
def course_detail(request, id: str):
    """A published course by its slug, with its lessons in order (no questions, no answers)."""
    course = published_course(id)
    if course is None:
        raise HttpError(404, _("Không tìm thấy khoá học."))
    outline = course_outline(course)
    return {
        **_course(course, languages_by_course([course.id])[course.id], len(outline)),
        "is_sequential": course.is_sequential,
        "lessons": [
            {
                "id": entry.lesson.id,
                "position": entry.number,
                "kind": entry.lesson.kind,
                "title": entry.lesson.title,
                "estimated_minutes": entry.lesson.estimated_minutes,
                "step_count": entry.step_count,
                "question_count": entry.question_count,
                "languages": entry.languages,
            }
            for entry in outline
        ],
    }
