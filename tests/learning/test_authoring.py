"""The content editor's services: writing a course, checking uploads, publishing, versions, adoption."""

import re
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from hocvuso.accounts.models import Role
from hocvuso.learning.models import (
    Course,
    CourseAdoption,
    CourseVersion,
    Lesson,
    LessonTranslation,
    Publisher,
    StepTranslation,
)
from hocvuso.learning.selectors.authoring import ChoiceInput, editable_courses
from hocvuso.learning.services.authoring import (
    AuthoringError,
    PublishError,
    add_lesson,
    add_question,
    add_step,
    adopt_course,
    archive_course,
    create_course,
    create_publisher,
    delete_lesson,
    move_lesson,
    publish_course,
    restore_course_version,
    save_lesson_translation,
    update_lesson,
    update_step,
    withdraw_adoption,
)
from hocvuso.learning.services.documents import document_from_course

MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
WEBM_HEAD = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm" + b"\x00" * 64


def png_bytes(size=(40, 30), colour=(200, 30, 30)) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def dc_publisher(dong_cuong):
    return create_publisher(name="UBND xã Đông Cuông", kind=Publisher.Kind.COMMUNE, area=dong_cuong)


@pytest.fixture
def tl_publisher(tien_lu):
    return create_publisher(name="UBND xã Tiên Lữ", kind=Publisher.Kind.COMMUNE, area=tien_lu)


def draft_course(publisher, title="Nhận biết lừa đảo qua điện thoại") -> Course:
    course = create_course(
        publisher=publisher,
        title=title,
        summary="Những chiêu lừa thường gặp và cách tránh.",
        topic="scams",
        target_groups=["citizens"],
    )
    reading = add_lesson(course=course, kind=Lesson.Kind.READING, title="Cuộc gọi giả công an")
    update_lesson(
        lesson=reading,
        title=reading.title,
        body="Công an **không bao giờ** gọi điện yêu cầu chuyển tiền.",
        estimated_minutes=5,
    )
    return course


def add_check_with_question(course) -> Lesson:
    check = add_lesson(course=course, kind=Lesson.Kind.CHECK, title="Kiểm tra cuối khoá")
    add_question(
        lesson=check,
        kind="true_false",
        text="Công an có thể yêu cầu bạn chuyển tiền qua điện thoại.",
        explanation="Không bao giờ: đó là lừa đảo.",
        choices=[ChoiceInput("Đúng"), ChoiceInput("Sai", True)],
    )
    return check


@pytest.fixture
def editor(make_user, area):
    return make_user(Role.CONTENT_EDITOR, area("15"), full_name="Biên tập viên Lào Cai")


def test_a_course_slug_is_made_from_the_vietnamese_title_and_kept_unique(dc_publisher):
    first = draft_course(dc_publisher, title="Đăng ký định danh điện tử")
    second = draft_course(dc_publisher, title="Đăng ký định danh điện tử")
    assert first.slug == "dang-ky-dinh-danh-dien-tu"
    assert second.slug == "dang-ky-dinh-danh-dien-tu-2"
    assert first.status == Course.Status.DRAFT


def test_a_course_without_a_target_group_is_refused(dc_publisher):
    with pytest.raises(AuthoringError):
        create_course(publisher=dc_publisher, title="Khoá học", topic="ai", target_groups=[])
    assert not Course.objects.exists()


def test_a_province_publisher_must_sit_on_a_province(dong_cuong):
    with pytest.raises(AuthoringError) as raised:
        create_publisher(name="Sở KH&CN", kind=Publisher.Kind.PROVINCE, area=dong_cuong)
    assert "tỉnh" in str(raised.value)
    assert not Publisher.objects.exists()


def test_a_course_with_a_check_without_questions_is_not_published(dc_publisher, editor):
    course = draft_course(dc_publisher)
    add_lesson(course=course, kind=Lesson.Kind.CHECK, title="Kiểm tra")
    add_lesson(course=course, kind=Lesson.Kind.GUIDE, title="Các bước")
    with pytest.raises(PublishError) as raised:
        publish_course(course=course, published_by=editor)
    reasons = raised.value.reasons
    assert any("Kiểm tra" in r and "chưa có câu hỏi" in r for r in reasons)
    assert any("Các bước" in r and "chưa có bước" in r for r in reasons)
    course.refresh_from_db()
    assert course.status == Course.Status.DRAFT
    assert course.version == 0
    assert not CourseVersion.objects.exists()


def test_publishing_bumps_the_version_and_keeps_a_snapshot(dc_publisher, editor):
    course = draft_course(dc_publisher)
    add_check_with_question(course)
    version = publish_course(course=course, published_by=editor)
    course.refresh_from_db()
    assert (course.status, course.version, version.number) == (Course.Status.PUBLISHED, 1, 1)
    assert version.published_by == editor
    assert version.snapshot == document_from_course(course)
    assert version.snapshot["lessons"][1]["questions"][0]["choices"][1] == {
        "text": "Sai",
        "correct": True,
    }

    publish_course(course=course, published_by=editor)
    course.refresh_from_db()
    assert course.version == 2
    assert list(course.versions.values_list("number", flat=True)) == [2, 1]


def test_restoring_a_version_brings_its_content_back_until_published_anew(dc_publisher, editor):
    course = draft_course(dc_publisher)
    check = add_check_with_question(course)
    publish_course(course=course, published_by=editor)
    reading = course.lessons.get(kind=Lesson.Kind.READING)
    update_lesson(lesson=reading, title="Bài đã sửa", body="Nội dung mới.", estimated_minutes=3)
    delete_lesson(lesson=check)
    add_check_with_question(course)
    publish_course(course=course, published_by=editor)

    restore_course_version(course=course, number=1)
    course.refresh_from_db()
    titles = list(course.lessons.order_by("position").values_list("title", flat=True))
    assert titles == ["Cuộc gọi giả công an", "Kiểm tra cuối khoá"]
    assert course.lessons.get(position=0).body.startswith("Công an **không bao giờ**")
    assert (course.status, course.version) == (Course.Status.PUBLISHED, 2)

    version = publish_course(course=course, published_by=editor)
    assert version.number == 3
    assert version.snapshot["lessons"] == CourseVersion.objects.get(number=1).snapshot["lessons"]


def test_archiving_takes_a_course_out_and_publishing_brings_it_back(dc_publisher, editor):
    course = draft_course(dc_publisher)
    add_check_with_question(course)
    publish_course(course=course, published_by=editor)
    archive_course(course=course)
    course.refresh_from_db()
    assert course.status == Course.Status.ARCHIVED
    publish_course(course=course, published_by=editor)
    course.refresh_from_db()
    assert course.status == Course.Status.PUBLISHED


def test_lessons_move_and_close_up_after_a_delete(dc_publisher):
    course = draft_course(dc_publisher)
    second = add_lesson(course=course, kind=Lesson.Kind.GUIDE, title="Hai")
    third = add_lesson(course=course, kind=Lesson.Kind.VIDEO, title="Ba")
    move_lesson(lesson=third, direction="up")
    order = list(course.lessons.order_by("position").values_list("title", "position"))
    assert order == [("Cuộc gọi giả công an", 0), ("Ba", 1), ("Hai", 2)]
    delete_lesson(lesson=second)
    move_lesson(lesson=course.lessons.get(position=0), direction="up")
    order = list(course.lessons.order_by("position").values_list("title", "position"))
    assert order == [("Cuộc gọi giả công an", 0), ("Ba", 1)]


@pytest.mark.parametrize(
    ("kind", "choices"),
    [
        ("single", [ChoiceInput("A", True), ChoiceInput("B", True)]),
        ("single", [ChoiceInput("A", True)]),
        ("multiple", [ChoiceInput("A"), ChoiceInput("B")]),
        ("true_false", [ChoiceInput("Đúng", True), ChoiceInput("Sai", True)]),
        ("order", [ChoiceInput("Chỉ một bước")]),
    ],
)
def test_a_question_breaking_the_format_rules_is_refused(dc_publisher, kind, choices):
    check = add_lesson(course=draft_course(dc_publisher), kind=Lesson.Kind.CHECK, title="KT")
    with pytest.raises(AuthoringError):
        add_question(lesson=check, kind=kind, text="Câu hỏi?", choices=choices)
    assert not check.questions.exists()


def test_an_order_question_keeps_its_choices_in_the_given_order(dc_publisher):
    check = add_lesson(course=draft_course(dc_publisher), kind=Lesson.Kind.CHECK, title="KT")
    steps = ["Mở ứng dụng", "Quét mã QR", "Nhập số tiền", "Xác nhận"]
    question = add_question(
        lesson=check,
        kind="order",
        text="Sắp xếp các bước thanh toán QR",
        choices=[ChoiceInput(text, True) for text in steps] + [ChoiceInput("  ")],
    )
    assert list(question.choices.values_list("text", "is_correct")) == [(s, False) for s in steps]


def test_a_fake_mp4_that_is_really_html_is_refused_and_nothing_saved(dc_publisher, media_root):
    video = add_lesson(course=draft_course(dc_publisher), kind=Lesson.Kind.VIDEO, title="Video")
    fake = SimpleUploadedFile(
        "bai-hoc.mp4", b"<html><script>alert(1)</script></html>", content_type="video/mp4"
    )
    with pytest.raises(AuthoringError) as raised:
        update_lesson(lesson=video, title="Tên mới", body="", estimated_minutes=5, video_file=fake)
    assert "MP4 hoặc WebM" in str(raised.value)
    video.refresh_from_db()
    assert video.title == "Video"
    assert not video.video_file
    assert not list(media_root.rglob("*.mp4"))


def test_a_video_larger_than_the_limit_is_refused(dc_publisher, settings):
    settings.UPLOAD_MAX_VIDEO_BYTES = 100
    video = add_lesson(course=draft_course(dc_publisher), kind=Lesson.Kind.VIDEO, title="Video")
    upload = SimpleUploadedFile("v.mp4", MP4_HEAD + b"\x00" * 200)
    with pytest.raises(AuthoringError) as raised:
        update_lesson(lesson=video, title="Video", estimated_minutes=5, video_file=upload)
    assert "quá lớn" in str(raised.value)


def test_a_real_video_with_poster_and_captions_is_stored_under_safe_names(dc_publisher):
    video = add_lesson(course=draft_course(dc_publisher), kind=Lesson.Kind.VIDEO, title="Video")
    update_lesson(
        lesson=video,
        title="Video",
        estimated_minutes=5,
        video_file=SimpleUploadedFile("../../Hướng dẫn.webm", WEBM_HEAD),
        poster=SimpleUploadedFile("bìa.png", png_bytes()),
        captions=SimpleUploadedFile(
            "phu de.vtt", "WEBVTT\n\n00:00.000 --> 00:02.000\nXin chào".encode()
        ),
    )
    video.refresh_from_db()
    assert video.video_file.name.startswith("lessons/video/huong-dan-")
    assert video.video_file.name.endswith(".webm")
    assert video.poster.name.endswith(".png")
    assert video.captions.name.endswith(".vtt")


def test_captions_without_the_webvtt_header_are_refused(dc_publisher):
    video = add_lesson(course=draft_course(dc_publisher), kind=Lesson.Kind.VIDEO, title="Video")
    with pytest.raises(AuthoringError) as raised:
        update_lesson(
            lesson=video,
            title="Video",
            estimated_minutes=5,
            video_url="https://example.vn/video",
            captions=SimpleUploadedFile("a.vtt", b"1\n00:00:00,000 --> 00:00:02,000\nSRT\n"),
        )
    assert "WebVTT" in str(raised.value)
    video.refresh_from_db()
    assert not video.video_url


def test_an_image_with_a_script_name_is_stored_reencoded_under_a_safe_name(dc_publisher):
    guide = add_lesson(course=draft_course(dc_publisher), kind=Lesson.Kind.GUIDE, title="Các bước")
    upload = SimpleUploadedFile(
        '"><script>alert(1)</script>.png', png_bytes() + b"<script>alert(2)</script>"
    )
    step = add_step(lesson=guide, title="Mở ứng dụng", instruction="Bấm biểu tượng.", image=upload)
    name = step.image.name
    assert re.fullmatch(r"lessons/steps/[a-z0-9-]+\.png", name), name
    stored = step.image.read()
    assert b"<script>" not in stored
    with Image.open(BytesIO(stored)) as image:
        assert image.size == (40, 30)


def test_a_file_that_is_not_an_image_is_refused_as_a_step_picture(dc_publisher):
    guide = add_lesson(course=draft_course(dc_publisher), kind=Lesson.Kind.GUIDE, title="Các bước")
    step = add_step(lesson=guide, title="Bước", instruction="Làm.")
    with pytest.raises(AuthoringError):
        update_step(
            step=step,
            title="Bước",
            instruction="Làm.",
            image=SimpleUploadedFile("anh.png", b"<svg onload=alert(1)></svg>"),
        )
    step.refresh_from_db()
    assert not step.image


def test_an_image_above_the_size_limit_is_refused(dc_publisher, settings):
    settings.UPLOAD_MAX_IMAGE_BYTES = 50
    guide = add_lesson(course=draft_course(dc_publisher), kind=Lesson.Kind.GUIDE, title="Các bước")
    with pytest.raises(AuthoringError) as raised:
        add_step(
            lesson=guide,
            title="Bước",
            instruction="Làm.",
            image=SimpleUploadedFile("a.png", png_bytes()),
        )
    assert "quá lớn" in str(raised.value)
    assert not guide.steps.exists()


def test_a_translation_is_kept_side_by_side_and_removed_when_blanked(dc_publisher):
    guide = add_lesson(course=draft_course(dc_publisher), kind=Lesson.Kind.GUIDE, title="Cài app")
    step = add_step(lesson=guide, title="Mở CH Play", instruction="Bấm vào CH Play.")
    save_lesson_translation(
        lesson=guide,
        language="hmn",
        title="Nruab app",
        body="Kawm nruab app.",
        steps={step.pk: ("Qhib CH Play", "Nias CH Play.")},
    )
    assert LessonTranslation.objects.get(lesson=guide, language="hmn").title == "Nruab app"
    assert StepTranslation.objects.get(step=step, language="hmn").instruction == "Nias CH Play."

    save_lesson_translation(lesson=guide, language="hmn", title="", body="", steps={})
    assert not LessonTranslation.objects.exists()
    assert not StepTranslation.objects.exists()


def test_a_half_translated_step_is_refused(dc_publisher):
    guide = add_lesson(course=draft_course(dc_publisher), kind=Lesson.Kind.GUIDE, title="Cài app")
    step = add_step(lesson=guide, title="Mở CH Play", instruction="Bấm vào CH Play.")
    with pytest.raises(AuthoringError):
        save_lesson_translation(
            lesson=guide, language="tyz", title="Tên", steps={step.pk: ("Chỉ tiêu đề", "")}
        )
    assert not LessonTranslation.objects.exists()


def test_a_province_adopts_a_published_course_once_and_can_withdraw(
    dc_publisher, tl_publisher, make_user, area, editor
):
    course = draft_course(tl_publisher)
    add_check_with_question(course)
    hung_yen_editor = make_user(Role.CONTENT_EDITOR, area("33"))
    publish_course(course=course, published_by=hung_yen_editor)
    lao_cai = create_publisher(
        name="Sở KH&CN Lào Cai", kind=Publisher.Kind.PROVINCE, area=area("15")
    )

    adopt_course(course=course, publisher=lao_cai, adopted_by=editor)
    adopt_course(course=course, publisher=lao_cai, adopted_by=editor)
    assert CourseAdoption.objects.filter(course=course, publisher=lao_cai).count() == 1

    withdraw_adoption(course=course, publisher=lao_cai)
    assert not CourseAdoption.objects.exists()


def test_an_editor_cannot_adopt_for_a_publisher_outside_their_area(
    tl_publisher, dc_publisher, editor
):
    course = draft_course(dc_publisher)
    add_check_with_question(course)
    publish_course(course=course, published_by=editor)
    with pytest.raises(PermissionDenied):
        adopt_course(course=course, publisher=tl_publisher, adopted_by=editor)
    assert not CourseAdoption.objects.exists()


def test_a_draft_course_cannot_be_adopted(dc_publisher, editor, area):
    lao_cai = create_publisher(name="Sở Lào Cai", kind=Publisher.Kind.PROVINCE, area=area("15"))
    course = draft_course(create_publisher(name="Hà Nội", kind="province", area=area("01")))
    with pytest.raises(AuthoringError):
        adopt_course(course=course, publisher=lao_cai, adopted_by=editor)


def test_an_editor_sees_only_the_courses_of_publishers_in_their_area(
    dc_publisher, tl_publisher, editor
):
    inside = draft_course(dc_publisher, title="Trong tỉnh")
    draft_course(tl_publisher, title="Ngoài tỉnh")
    assert list(editable_courses(editor)) == [inside]


def test_restoring_a_version_whose_picture_is_gone_says_so_and_changes_nothing(
    dc_publisher, editor
):
    course = draft_course(dc_publisher)
    guide = add_lesson(course=course, kind=Lesson.Kind.GUIDE, title="Các bước")
    step = add_step(
        lesson=guide,
        title="Mở ứng dụng",
        instruction="Bấm.",
        image=SimpleUploadedFile("a.png", png_bytes()),
    )
    add_check_with_question(course)
    publish_course(course=course, published_by=editor)
    update_lesson(lesson=guide, title="Đã sửa", estimated_minutes=5)
    step.image.storage.delete(step.image.name)

    with pytest.raises(AuthoringError) as raised:
        restore_course_version(course=course, number=1)
    assert "Thiếu tệp" in str(raised.value)
    guide.refresh_from_db()
    assert guide.title == "Đã sửa"
