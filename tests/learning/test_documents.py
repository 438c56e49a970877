"""The course document: what it accepts, what it refuses (with a Vietnamese reason), and round trips."""

import copy
import io

import pytest
from django.core.files import File
from PIL import Image

from hocvuso.learning.models import Course, Enrollment, Lesson, LessonProgress, Question, Step
from hocvuso.learning.services.documents import (
    FORMAT_VERSION,
    CourseDocumentError,
    course_from_document,
    document_from_course,
    normalize_document,
    validate_course_document,
)

from .factories import make_publisher


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 80, 10)).save(buffer, format="PNG")
    return buffer.getvalue()


def opener(files: dict[str, bytes]):
    def open_media(name: str) -> File | None:
        return File(io.BytesIO(files[name]), name=name) if name in files else None

    return open_media


def document() -> dict:
    return {
        "format": "hocvuso-course",
        "format_version": 1,
        "slug": "thu-nghiem",
        "title": "Khoá thử nghiệm",
        "summary": "Để kiểm tra định dạng.",
        "topic": "scams",
        "target_groups": ["citizens", "students"],
        "is_sequential": True,
        "estimated_minutes": 20,
        "lessons": [
            {
                "kind": "reading",
                "title": "Bài đọc",
                "body": "Không **đọc** mã OTP cho ai.",
                "translations": {"hmn": {"title": "Zaj nyeem", "body": "Tsis txhob nyeem OTP."}},
            },
            {
                "kind": "guide",
                "title": "Làm theo từng bước",
                "steps": [
                    {
                        "title": "Mở ứng dụng",
                        "instruction": "Chạm vào biểu tượng.",
                        "image": "media/steps/mo.png",
                        "image_alt": "Biểu tượng ứng dụng",
                        "translations": {"hmn": {"title": "Qhib app", "instruction": "Nias."}},
                    }
                ],
            },
            {
                "kind": "check",
                "title": "Kiểm tra",
                "pass_mark": 80,
                "draw_count": 2,
                "questions": [
                    {
                        "kind": "single",
                        "text": "Ai được biết mã OTP?",
                        "explanation": "Chỉ mình bạn.",
                        "choices": [
                            {"text": "Chỉ mình tôi", "correct": True},
                            {"text": "Công an gọi điện", "correct": False},
                        ],
                    },
                    {
                        "kind": "true_false",
                        "text": "Ngân hàng hỏi mật khẩu qua điện thoại.",
                        "explanation": "Không bao giờ.",
                        "choices": [
                            {"text": "Đúng", "correct": False},
                            {"text": "Sai", "correct": True},
                        ],
                    },
                    {
                        "kind": "order",
                        "text": "Sắp xếp.",
                        "choices": [{"text": "Dừng lại"}, {"text": "Kiểm tra"}, {"text": "Hỏi"}],
                    },
                    {
                        "kind": "multiple",
                        "text": "Dấu hiệu lừa đảo?",
                        "choices": [
                            {"text": "Giục gấp", "correct": True},
                            {"text": "Đòi OTP", "correct": True},
                            {"text": "Hẹn đến trụ sở", "correct": False},
                        ],
                    },
                ],
            },
        ],
    }


MEDIA = {"media/steps/mo.png": png_bytes()}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def build(doc: dict | None = None, **kwargs) -> Course:
    kwargs.setdefault("publisher", make_publisher())
    kwargs.setdefault("media", opener(MEDIA))
    return course_from_document(doc=doc or document(), **kwargs)


def test_document_builds_a_draft_course_with_lessons_steps_and_questions(db):
    course = build()
    assert course.status == Course.Status.DRAFT
    assert sorted(course.audiences.values_list("target_group", flat=True)) == [
        "citizens",
        "students",
    ]
    assert list(course.lessons.values_list("kind", flat=True)) == ["reading", "guide", "check"]
    step = Step.objects.get(lesson__course=course)
    assert step.image.name.startswith("lessons/steps/mo")
    assert step.translations.get().language == "hmn"
    check = course.lessons.get(kind=Lesson.Kind.CHECK)
    assert check.pass_mark == 80 and check.draw_count == 2
    order = check.questions.get(kind=Question.Kind.ORDER)
    assert list(order.choices.values_list("text", flat=True)) == ["Dừng lại", "Kiểm tra", "Hỏi"]


def test_course_written_back_as_a_document_rebuilds_the_same_course(db):
    doc = document()
    course = build(doc)
    written = document_from_course(course)
    validate_course_document(written)
    assert written["lessons"][1]["steps"][0]["image"] == "media/" + Step.objects.get(
        lesson__course=course
    ).image.name.removeprefix("lessons/")
    # Restored on the same site without an opener: the files are found in storage.
    again = course_from_document(doc=written, publisher=course.publisher)
    assert again.slug == "thu-nghiem-2"
    assert document_from_course(again) == dict(written, slug="thu-nghiem-2")
    media_free = normalize_document(doc)
    media_free["lessons"][1]["steps"][0]["image"] = written["lessons"][1]["steps"][0]["image"]
    assert normalize_document(written) == media_free


def test_replacing_a_course_keeps_its_lessons_and_learners_progress(db, make_user):
    course = build()
    learner = make_user()
    enrollment = Enrollment.objects.create(learner=learner, course=course)
    reading = course.lessons.get(kind=Lesson.Kind.READING)
    LessonProgress.objects.create(enrollment=enrollment, lesson=reading)
    doc = document()
    doc["lessons"][0]["title"] = "Bài đọc đã sửa"
    del doc["lessons"][1]
    course_from_document(doc=doc, publisher=course.publisher, replace=course)
    reading.refresh_from_db()
    assert reading.title == "Bài đọc đã sửa"
    assert LessonProgress.objects.filter(lesson=reading).exists()
    assert list(course.lessons.values_list("kind", flat=True)) == ["reading", "check"]


def refuse(doc: dict, message: str, *, media=None) -> CourseDocumentError:
    before = (Course.objects.count(), Lesson.objects.count(), Step.objects.count())
    with pytest.raises(CourseDocumentError) as caught:
        build(doc, media=media or opener(MEDIA))
    assert message in str(caught.value)
    assert (Course.objects.count(), Lesson.objects.count(), Step.objects.count()) == before
    return caught.value


def test_missing_key_is_refused_and_nothing_is_created(db):
    doc = document()
    del doc["lessons"][2]["questions"][0]["choices"]
    error = refuse(doc, "Thiếu mục “choices”.")
    assert error.path == "lessons[2].questions[0]"


def test_unknown_key_is_refused_so_typos_do_not_pass(db):
    doc = document()
    doc["lessons"][0]["tittle"] = "Gõ nhầm"
    error = refuse(doc, "Mục “tittle” không thuộc định dạng khoá học.")
    assert error.path == "lessons[0]"


@pytest.mark.parametrize(
    ("index", "choices", "message"),
    [
        (
            0,
            [{"text": "A", "correct": True}, {"text": "B", "correct": True}],
            "đúng 1 lựa chọn đúng",
        ),
        (1, [{"text": "Đúng", "correct": True}], "đúng 2 lựa chọn (Đúng, Sai)"),
        (3, [{"text": "A"}, {"text": "B"}], "ít nhất 1 lựa chọn đúng"),
        (2, [{"text": "Chỉ một"}], "ít nhất 2 lựa chọn"),
    ],
)
def test_wrong_choice_counts_are_refused(db, index, choices, message):
    doc = document()
    doc["lessons"][2]["questions"][index]["choices"] = choices
    error = refuse(doc, message)
    assert error.path == f"lessons[2].questions[{index}].choices"


def test_document_from_a_newer_version_asks_to_update(db):
    doc = document()
    doc["format_version"] = FORMAT_VERSION + 1
    error = refuse(doc, "Gói khoá học được tạo bởi phiên bản mới hơn")
    assert str(error.message).endswith("hãy cập nhật hocvuso.")


def test_missing_media_file_is_refused_and_nothing_is_created(db):
    error = refuse(document(), "Thiếu tệp media/steps/mo.png", media=opener({}))
    assert error.path == "lessons[1].steps[0].image"


def test_a_file_that_is_not_a_picture_is_refused(db):
    refuse(
        document(),
        "không phải là hình ảnh đọc được",
        media=opener({"media/steps/mo.png": b"<script>alert(1)</script>"}),
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format="khac"), "Đây không phải là tệp khoá học của hocvuso."),
        (lambda d: d.update(topic="nau-an"), "Chủ đề “nau-an” không có"),
        (lambda d: d.update(target_groups=[]), "ít nhất một nhóm đối tượng"),
        (lambda d: d["lessons"][2].update(questions=[]), "Bài kiểm tra cần ít nhất 1 câu hỏi."),
        (
            lambda d: d["lessons"][0]["translations"].update(xx={"title": "?"}),
            "Ngôn ngữ “xx” không có",
        ),
        (
            lambda d: d["lessons"][1]["steps"][0].update(image="media/../../etc/passwd.png"),
            "Tên tệp không hợp lệ.",
        ),
        (lambda d: d["lessons"][0].update(video_url="javascript:alert(1)"), "video không hợp lệ"),
        (lambda d: d["lessons"][2].update(draw_count=9), "Số câu rút (9)"),
    ],
)
def test_other_broken_documents_are_refused(db, change, message):
    doc = copy.deepcopy(document())
    change(doc)
    refuse(doc, message)
