"""Small builders of courses for tests, until (and beside) the starter catalogue."""

import itertools

from django.utils import timezone

from hocvuso.learning.models import (
    Choice,
    Course,
    CourseAudience,
    Lesson,
    Publisher,
    Question,
    Step,
)
from hocvuso.places.models import Area

_serial = itertools.count(1)


def make_publisher(area: Area | None = None, name: str | None = None) -> Publisher:
    return Publisher.objects.create(
        name=name or f"Sở Khoa học và Công nghệ {next(_serial)}",
        kind=Publisher.Kind.PROVINCE,
        area=area or Area.objects.get(code="15"),
    )


def make_course(
    *,
    publisher: Publisher,
    slug: str | None = None,
    title: str | None = None,
    topic: str = "vneid",
    target_groups: tuple[str, ...] = ("citizens",),
    is_sequential: bool = True,
    published: bool = True,
) -> Course:
    n = next(_serial)
    course = Course.objects.create(
        slug=slug or f"khoa-hoc-{n}",
        title=title or f"Khoá học số {n}",
        summary="Học từng bước trên điện thoại.",
        topic=topic,
        publisher=publisher,
        is_sequential=is_sequential,
        status=Course.Status.PUBLISHED if published else Course.Status.DRAFT,
        version=1 if published else 0,
        published_at=timezone.now() if published else None,
    )
    for group in target_groups:
        CourseAudience.objects.create(course=course, target_group=group)
    return course


def add_lesson(course: Course, kind: str, title: str | None = None, **fields) -> Lesson:
    position = course.lessons.count() + 1
    fields.setdefault("body", f"Nội dung bài {position}.")
    return Lesson.objects.create(
        course=course, kind=kind, position=position, title=title or f"Bài {position}", **fields
    )


def add_steps(lesson: Lesson, count: int) -> list[Step]:
    return [
        Step.objects.create(
            lesson=lesson,
            position=n,
            title=f"Bước làm {n}",
            instruction=f"Chạm vào nút số {n}.",
            image_alt=f"Màn hình bước {n}",
        )
        for n in range(1, count + 1)
    ]


def add_question(
    lesson: Lesson, kind: str, choices: list[tuple[str, bool]], text: str | None = None
) -> Question:
    position = lesson.questions.count() + 1
    question = Question.objects.create(
        lesson=lesson,
        kind=kind,
        position=position,
        text=text or f"Câu hỏi {position}?",
        explanation=f"Giải thích câu {position}.",
    )
    for n, (choice_text, correct) in enumerate(choices, start=1):
        Choice.objects.create(question=question, position=n, text=choice_text, is_correct=correct)
    return question


def add_check(course: Course, **fields) -> Lesson:
    """A check with one question of each kind: single, multiple, true/false and put-in-order."""
    check = add_lesson(course, Lesson.Kind.CHECK, title="Bài kiểm tra cuối khoá", **fields)
    add_question(check, "single", [("Gọi 113", False), ("Không cung cấp mã OTP", True)])
    add_question(check, "multiple", [("Mật khẩu", True), ("Mã OTP", True), ("Tên thôn", False)])
    add_question(check, "true_false", [("Đúng", True), ("Sai", False)])
    add_question(check, "order", [("Mở ứng dụng", False), ("Đăng nhập", False), ("Quét mã", False)])
    return check


def right_answer(question: Question) -> list[int]:
    choices = list(question.choices.order_by("position", "id"))
    if question.kind == Question.Kind.ORDER:
        return [choice.id for choice in choices]
    return [choice.id for choice in choices if choice.is_correct]


def wrong_answer(question: Question) -> list[int]:
    choices = list(question.choices.order_by("position", "id"))
    if question.kind == Question.Kind.ORDER:
        return [choice.id for choice in reversed(choices)]
    return [next(choice.id for choice in choices if not choice.is_correct)]


def sample_course(publisher: Publisher) -> Course:
    """ "Cài đặt VNeID": a reading, a guide of three steps, a video link and a check of four questions."""
    course = make_course(publisher=publisher, slug="cai-dat-vneid", title="Cài đặt VNeID")
    add_lesson(course, Lesson.Kind.READING, title="VNeID là gì")
    guide = add_lesson(course, Lesson.Kind.GUIDE, title="Tải ứng dụng")
    add_steps(guide, 3)
    add_lesson(
        course, Lesson.Kind.VIDEO, title="Xem cách kích hoạt", video_url="https://example.vn/v"
    )
    add_check(course, pass_mark=75, draw_count=0, shuffle_questions=False)
    return course
