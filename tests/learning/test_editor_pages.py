"""The content editor's pages: who may open them, and an editor's work through them."""

import zipfile
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hocvuso.accounts.models import Role
from hocvuso.learning.models import (
    Course,
    CourseAdoption,
    Enrollment,
    Lesson,
    LessonProgress,
    Publisher,
    Question,
    Step,
)
from hocvuso.learning.selectors.authoring import ChoiceInput
from hocvuso.learning.services.authoring import (
    add_lesson,
    add_question,
    add_step,
    create_course,
    create_publisher,
    publish_course,
    update_lesson,
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def build_course(publisher, title) -> Course:
    course = create_course(
        publisher=publisher, title=title, topic="privacy", target_groups=["citizens"]
    )
    reading = add_lesson(course=course, kind=Lesson.Kind.READING, title="Dữ liệu cá nhân là gì")
    update_lesson(
        lesson=reading,
        title=reading.title,
        body="Số **CCCD** là dữ liệu cá nhân.<script>alert(1)</script>",
        estimated_minutes=5,
    )
    guide = add_lesson(course=course, kind=Lesson.Kind.GUIDE, title="Cài mật khẩu")
    add_step(lesson=guide, title="Mở Cài đặt", instruction="Bấm biểu tượng bánh răng.")
    check = add_lesson(course=course, kind=Lesson.Kind.CHECK, title="Kiểm tra")
    add_question(
        lesson=check,
        kind="true_false",
        text="Được đưa mã OTP cho người lạ.",
        choices=[ChoiceInput("Đúng"), ChoiceInput("Sai", True)],
    )
    return course


@pytest.fixture
def world(dong_cuong, tien_lu, make_user, make_village, area):
    inside = create_publisher(name="UBND xã Đông Cuông", kind="commune", area=dong_cuong)
    outside = create_publisher(name="UBND xã Tiên Lữ", kind="commune", area=tien_lu)
    return {
        "inside": build_course(inside, "Bảo vệ dữ liệu cá nhân"),
        "outside": build_course(outside, "Bảo vệ dữ liệu ở Tiên Lữ"),
        "lao_cai_editor": make_user(Role.CONTENT_EDITOR, area("15")),
        "national_editor": make_user(Role.CONTENT_EDITOR, area("VN")),
        "learner": make_user(Role.LEARNER, make_village(dong_cuong)),
        "officer": make_user(Role.COMMUNE_OFFICER, dong_cuong),
    }


def course_urls(course: Course) -> tuple[list[str], list[str]]:
    """(GET pages, POST actions) of one course."""
    guide = course.lessons.get(kind=Lesson.Kind.GUIDE)
    check = course.lessons.get(kind=Lesson.Kind.CHECK)
    step, question = guide.steps.get(), check.questions.get()
    get = [
        reverse("learning:course_edit", args=[course.slug]),
        reverse("learning:lesson_create", args=[course.slug]),
        reverse("learning:editor_preview", args=[course.slug]),
        reverse("learning:course_publish", args=[course.slug]),
        reverse("learning:course_versions", args=[course.slug]),
        reverse("learning:course_export", args=[course.slug]),
        reverse("learning:lesson_edit", args=[guide.pk]),
        reverse("learning:lesson_delete", args=[guide.pk]),
        reverse("learning:lesson_translation", args=[guide.pk]),
        reverse("learning:editor_preview_lesson", args=[check.pk]),
        reverse("learning:step_create", args=[guide.pk]),
        reverse("learning:step_edit", args=[step.pk]),
        reverse("learning:question_create", args=[check.pk]),
        reverse("learning:question_edit", args=[question.pk]),
    ]
    post = [
        reverse("learning:course_archive", args=[course.slug]),
        reverse("learning:course_version_restore", args=[course.slug, 1]),
        reverse("learning:lesson_move", args=[guide.pk]),
        reverse("learning:lesson_audio_upload", args=[guide.pk]),
        reverse("learning:step_delete", args=[step.pk]),
        reverse("learning:step_move", args=[step.pk]),
        reverse("learning:question_delete", args=[question.pk]),
        reverse("learning:question_move", args=[question.pk]),
        reverse("learning:lesson_delete", args=[guide.pk]),
    ]
    return get, post


def test_a_lao_cai_editor_is_refused_every_page_of_a_hung_yen_course(world, client):
    client.force_login(world["lao_cai_editor"])
    get, post = course_urls(world["outside"])
    assert {url: client.get(url).status_code for url in get} == {url: 403 for url in get}
    answers = {url: client.post(url, {"direction": "up"}).status_code for url in post}
    assert answers == {url: 403 for url in post}
    assert Lesson.objects.filter(course=world["outside"]).count() == 3


def test_a_lao_cai_editor_opens_every_page_of_a_dong_cuong_course(world, client):
    client.force_login(world["lao_cai_editor"])
    get, _post = course_urls(world["inside"])
    assert {url: client.get(url).status_code for url in get} == {url: 200 for url in get}


def test_a_national_editor_opens_both_courses(world, client):
    client.force_login(world["national_editor"])
    for side in ("inside", "outside"):
        get, _post = course_urls(world[side])
        assert {url: client.get(url).status_code for url in get} == {url: 200 for url in get}


@pytest.mark.parametrize("who", ["learner", "officer"])
def test_learners_and_officers_are_refused_the_editor(world, client, who):
    client.force_login(world[who])
    get, post = course_urls(world["inside"])
    get += [reverse("learning:editor_home"), reverse("learning:course_import")]
    assert {url: client.get(url).status_code for url in get} == {url: 403 for url in get}
    answers = {url: client.post(url, {"direction": "up"}).status_code for url in post}
    assert answers == {url: 403 for url in post}


def test_an_anonymous_visitor_is_sent_to_login(world, client):
    get, post = course_urls(world["inside"])
    for url in get + post:
        response = client.post(url) if url in post else client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login"))


def test_the_editor_home_lists_only_courses_in_scope_and_the_menu_links_to_it(world, client):
    client.force_login(world["lao_cai_editor"])
    page = client.get(reverse("learning:editor_home")).content.decode()
    assert "Bảo vệ dữ liệu cá nhân" in page
    assert "Tiên Lữ" not in page
    assert "Tạo khoá học" in page
    assert "Biên tập nội dung" in page
    client.force_login(world["learner"])
    assert "Biên tập nội dung" not in client.get(reverse("portal:home")).content.decode()


def test_an_editor_creates_a_course_adds_lessons_and_publishes_it(world, client, dong_cuong):
    client.force_login(world["lao_cai_editor"])
    publisher = Publisher.objects.get(area=dong_cuong)
    response = client.post(
        reverse("learning:course_create"),
        {
            "title": "Dùng Zalo an toàn",
            "summary": "Nhắn tin, gọi video, chặn người lạ.",
            "topic": "smartphone",
            "target_groups": ["citizens", "students"],
            "is_sequential": "on",
            "estimated_minutes": "20",
            "publisher": publisher.pk,
        },
    )
    course = Course.objects.get(title="Dùng Zalo an toàn")
    assert response.status_code == 302
    assert set(course.audiences.values_list("target_group", flat=True)) == {"citizens", "students"}

    client.post(
        reverse("learning:lesson_create", args=[course.slug]), {"kind": "reading", "title": "Zalo"}
    )
    reading = course.lessons.get()
    client.post(
        reverse("learning:lesson_edit", args=[reading.pk]),
        {"title": "Zalo là gì", "body": "Zalo là ứng dụng nhắn tin.", "estimated_minutes": "4"},
    )
    client.post(
        reverse("learning:lesson_create", args=[course.slug]), {"kind": "check", "title": "KT"}
    )
    check = course.lessons.get(kind="check")

    refused = client.post(reverse("learning:course_publish", args=[course.slug]))
    assert refused.status_code == 400
    assert "chưa có câu hỏi" in refused.content.decode()

    client.post(
        reverse("learning:question_create", args=[check.pk]),
        {
            "kind": "single",
            "text": "Người lạ xin mã OTP qua Zalo, bạn làm gì?",
            "explanation": "Không bao giờ đưa mã OTP.",
            "choice_0": "Gửi ngay",
            "choice_1": "Không gửi và chặn",
            "correct_1": "on",
        },
    )
    assert check.questions.get().choices.count() == 2
    response = client.post(reverse("learning:course_publish", args=[course.slug]))
    assert response.status_code == 302
    course.refresh_from_db()
    assert (course.status, course.version) == (Course.Status.PUBLISHED, 1)
    versions = client.get(reverse("learning:course_versions", args=[course.slug])).content
    assert "Khôi phục bản này" in versions.decode()


def test_the_markdown_preview_is_sanitised_and_saves_nothing(world, client):
    client.force_login(world["lao_cai_editor"])
    reading = world["inside"].lessons.get(kind="reading")
    response = client.post(
        reverse("learning:lesson_edit", args=[reading.pk]),
        {
            "title": "Tên khác",
            "body": "## Mục\n\n<script>alert(1)</script><a href='javascript:x'>bấm</a>",
            "estimated_minutes": "5",
            "preview": "1",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h2" in page and "Mục" in page
    assert "<script>alert(1)" not in page
    assert "javascript:x" not in page.split("Xem trước nội dung")[1].split("</section>")[0]
    reading.refresh_from_db()
    assert reading.title == "Dữ liệu cá nhân là gì"


def test_a_fake_mp4_upload_is_refused_with_a_message_and_nothing_saved(world, client):
    client.force_login(world["lao_cai_editor"])
    video = add_lesson(course=world["inside"], kind=Lesson.Kind.VIDEO, title="Video")
    response = client.post(
        reverse("learning:lesson_edit", args=[video.pk]),
        {
            "title": "Video mới",
            "body": "",
            "estimated_minutes": "5",
            "video_file": SimpleUploadedFile("a.mp4", b"<!doctype html><script>x</script>"),
        },
    )
    assert response.status_code == 400
    assert "Tệp không phải video MP4 hoặc WebM" in response.content.decode()
    video.refresh_from_db()
    assert (video.title, video.video_file.name) == ("Video", "")


def test_the_preview_shows_drafts_and_records_no_progress(world, client):
    editor = world["lao_cai_editor"]
    client.force_login(editor)
    course = world["inside"]
    assert course.status == Course.Status.DRAFT
    for lesson in course.lessons.all():
        response = client.get(reverse("learning:editor_preview_lesson", args=[lesson.pk]))
        assert response.status_code == 200
        assert "tiến độ không được ghi" in response.content.decode()
    page = client.get(
        reverse("learning:editor_preview_lesson", args=[course.lessons.get(kind="reading").pk])
    ).content.decode()
    assert "<strong>CCCD</strong>" in page
    assert "<script>alert(1)" not in page
    assert not Enrollment.objects.exists()
    assert not LessonProgress.objects.exists()


def test_steps_and_questions_are_reordered_and_deleted_through_the_page(world, client):
    client.force_login(world["lao_cai_editor"])
    guide = world["inside"].lessons.get(kind="guide")
    second = add_step(lesson=guide, title="Chọn Bảo mật", instruction="Kéo xuống.")
    client.post(reverse("learning:step_move", args=[second.pk]), {"direction": "up"})
    assert list(guide.steps.order_by("position").values_list("title", flat=True)) == [
        "Chọn Bảo mật",
        "Mở Cài đặt",
    ]
    client.post(reverse("learning:step_delete", args=[second.pk]))
    assert list(Step.objects.filter(lesson=guide).values_list("position", flat=True)) == [0]
    question = Question.objects.get(lesson__course=world["inside"])
    client.post(reverse("learning:question_delete", args=[question.pk]))
    assert not Question.objects.filter(lesson__course=world["inside"]).exists()


def test_a_package_is_exported_and_imported_through_the_pages(world, client, area):
    client.force_login(world["national_editor"])
    response = client.get(reverse("learning:course_export", args=[world["inside"].slug]))
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    package = b"".join(response.streaming_content) if response.streaming else response.content
    with zipfile.ZipFile(BytesIO(package)) as archive:
        assert "course.json" in archive.namelist()

    hung_yen = create_publisher(name="Sở Hưng Yên", kind="province", area=area("33"))
    response = client.post(
        reverse("learning:course_import"),
        {"publisher": hung_yen.pk, "package": SimpleUploadedFile("goi.zip", package)},
    )
    imported = Course.objects.get(publisher=hung_yen)
    assert response.status_code == 302
    assert response["Location"] == reverse("learning:course_edit", args=[imported.slug])

    broken = client.post(
        reverse("learning:course_import"),
        {"publisher": hung_yen.pk, "package": SimpleUploadedFile("goi.zip", b"PK-not-really")},
    )
    assert broken.status_code == 400
    assert "không phải gói khoá học" in broken.content.decode()
    assert Course.objects.filter(publisher=hung_yen).count() == 1


def test_a_province_adopts_and_withdraws_a_course_through_the_page(world, client, area):
    lao_cai = create_publisher(name="Sở KH&CN Lào Cai", kind="province", area=area("15"))
    outside = world["outside"]
    publish_course(course=outside, published_by=world["national_editor"])
    client.force_login(world["lao_cai_editor"])
    listing = client.get(reverse("learning:adoptions"), {"publisher": lao_cai.pk})
    assert outside.title in listing.content.decode()

    url = reverse("learning:course_adopt", args=[outside.slug])
    client.post(url, {"publisher": lao_cai.pk, "action": "adopt"})
    client.post(url, {"publisher": lao_cai.pk, "action": "adopt"})
    assert CourseAdoption.objects.filter(course=outside, publisher=lao_cai).count() == 1
    client.post(url, {"publisher": lao_cai.pk, "action": "withdraw"})
    assert not CourseAdoption.objects.exists()

    tien_lu_publisher = outside.publisher
    refused = client.post(url, {"publisher": tien_lu_publisher.pk, "action": "adopt"})
    assert refused.status_code == 403
