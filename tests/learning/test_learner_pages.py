"""The learner's pages: catalogue, course, lessons, checks and results, all working without JavaScript."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hocvuso.learning.models import (
    AttemptAnswer,
    CourseAdoption,
    Enrollment,
    Lesson,
    LessonProgress,
    LessonTranslation,
    QuizAttempt,
    StepTranslation,
)
from hocvuso.learning.services.enrolment import complete_lesson
from hocvuso.learning.services.quizzes import start_attempt

from .factories import add_lesson, make_course, make_publisher, right_answer, wrong_answer


def lesson_url(lesson, **query):
    url = reverse("learning:lesson", args=[lesson.course.slug, lesson.id])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def signed_in(login, learner):
    return login(learner)


@pytest.fixture
def check(course, lessons, learner):
    for lesson in lessons[:3]:
        complete_lesson(learner=learner, lesson=lesson)
    return lessons[3]


def test_anyone_may_browse_the_catalogue_of_published_courses(client, course, publisher):
    make_course(publisher=publisher, title="Bản nháp chưa xuất bản", published=False)
    LessonTranslation.objects.create(
        lesson=course.lessons.first(), language="hmn", title="VNeID yog dab tsi"
    )
    page = text(client.get(reverse("learning:catalogue")))
    assert "Cài đặt VNeID" in page
    assert "Bản nháp chưa xuất bản" not in page
    assert publisher.name in page
    assert "4 bài" in page
    assert "Tiếng Hmông" in page
    assert "Người dân" in page


def test_the_catalogue_filters_by_topic_and_target_group(client, course, publisher):
    make_course(
        publisher=publisher,
        title="Cảnh giác khi nghe điện thoại lạ",
        topic="scams",
        target_groups=("students",),
    )
    url = reverse("learning:catalogue")
    by_topic = text(client.get(url, {"topic": "scams"}))
    assert "Cảnh giác khi nghe điện thoại lạ" in by_topic and "Cài đặt VNeID" not in by_topic
    by_group = text(client.get(url, {"target_group": "citizens"}))
    assert "Cài đặt VNeID" in by_group and "Cảnh giác khi nghe điện thoại lạ" not in by_group
    unknown = text(client.get(url, {"topic": "khong-co"}))
    assert "Cài đặt VNeID" in unknown and "Cảnh giác khi nghe điện thoại lạ" in unknown


def test_an_adopted_course_shows_who_adopted_it(client, course, area):
    adopter = make_publisher(area("12364"), name="UBND xã Tiên Lữ")
    CourseAdoption.objects.create(course=course, publisher=adopter)
    assert "UBND xã Tiên Lữ" in text(client.get(reverse("learning:catalogue")))


def test_a_signed_in_learner_sees_progress_and_continue(signed_in, course, lessons, learner):
    complete_lesson(learner=learner, lesson=lessons[0])
    page = text(signed_in.get(reverse("learning:catalogue")))
    assert 'max="4" value="1"' in page
    assert "Đã học 1/4 bài" in page
    assert reverse("learning:continue", args=[course.slug]) in page


def test_course_titles_and_names_cannot_inject_script(client, publisher):
    make_course(publisher=publisher, title="<script>alert(1)</script>Khoá độc")
    page = text(client.get(reverse("learning:catalogue")))
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Khoá độc" in page


def test_the_course_page_lists_lessons_with_lock_state(client, course):
    response = client.get(reverse("learning:course", args=[course.slug]))
    page = text(response)
    assert response.status_code == 200
    assert page.count("Chưa mở") == 3
    assert "Đăng nhập để đăng ký học" in page


def test_a_draft_course_page_is_not_found(client, publisher):
    draft = make_course(publisher=publisher, published=False)
    assert client.get(reverse("learning:course", args=[draft.slug])).status_code == 404


def test_enrolling_from_the_course_page_leads_to_the_first_lesson(signed_in, course, lessons):
    assert "Đăng ký học" in text(signed_in.get(reverse("learning:course", args=[course.slug])))
    response = signed_in.post(reverse("learning:enroll", args=[course.slug]), follow=True)
    assert response.redirect_chain[-1][0] == lesson_url(lessons[0])
    assert Enrollment.objects.count() == 1
    assert "Học tiếp" in text(signed_in.get(reverse("learning:course", args=[course.slug])))


def test_a_reading_lesson_renders_sanitised_markdown(signed_in, course, lessons):
    lessons[
        0
    ].body = (
        "## Ghi nhớ\n\n**Không** đưa mã OTP.\n\n<script>alert(1)</script>[x](javascript:alert(1))"
    )
    lessons[0].save()
    page = text(signed_in.get(lesson_url(lessons[0])))
    assert "<strong>Không</strong> đưa mã OTP." in page
    assert "alert(1)" not in page
    assert "Hoàn thành bài học" in page


def test_opening_a_lesson_before_it_unlocks_shows_a_message_and_changes_nothing(
    signed_in, course, lessons
):
    response = signed_in.get(lesson_url(lessons[2]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("learning:course", args=[course.slug])
    assert "Hãy hoàn thành bài “Tải ứng dụng” trước." in text(response)
    assert not LessonProgress.objects.exists()
    assert not Enrollment.objects.exists()


def test_completing_a_lesson_unlocks_and_leads_to_the_next(signed_in, course, lessons):
    signed_in.get(lesson_url(lessons[0]))
    response = signed_in.post(
        reverse("learning:lesson_complete", args=[course.slug, lessons[0].id]), follow=True
    )
    assert response.redirect_chain[-1][0] == lesson_url(lessons[1])
    assert response.status_code == 200
    assert "Bài 2/4" in text(response)


def test_a_completed_course_says_so(signed_in, publisher, learner):
    one = make_course(publisher=publisher)
    lesson = add_lesson(one, Lesson.Kind.READING)
    response = signed_in.post(
        reverse("learning:lesson_complete", args=[one.slug, lesson.id]), follow=True
    )
    assert "Chúc mừng! Bạn đã hoàn thành khoá học" in text(response)


def test_a_guide_shows_one_step_at_a_time_and_every_step_without_javascript(
    signed_in, course, lessons, learner
):
    complete_lesson(learner=learner, lesson=lessons[0])
    guide = lessons[1]
    one = text(signed_in.get(lesson_url(guide)))
    assert "Bước 1:" in one and "Bước 2:" not in one
    assert "Bước tiếp theo" in one
    every = text(signed_in.get(lesson_url(guide, buoc="tat-ca")))
    assert all(f"Bước {n}:" in every for n in (1, 2, 3))


def test_next_step_saves_where_the_learner_is_and_comes_back_there(
    signed_in, course, lessons, learner
):
    complete_lesson(learner=learner, lesson=lessons[0])
    guide = lessons[1]
    signed_in.get(lesson_url(guide))
    response = signed_in.post(
        reverse("learning:lesson_step", args=[course.slug, guide.id]), {"position": "2"}
    )
    assert response.status_code == 302
    assert LessonProgress.objects.get(lesson=guide).last_step == 2
    page = text(signed_in.get(lesson_url(guide)))
    assert "Bước 2:" in page and "Bước 1:" not in page


def test_a_step_picture_is_lazy_and_has_its_alt_text(
    signed_in, course, lessons, learner, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    complete_lesson(learner=learner, lesson=lessons[0])
    step = lessons[1].steps.first()
    step.image = SimpleUploadedFile("buoc1.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")
    step.save()
    page = text(signed_in.get(lesson_url(lessons[1], buoc=1)))
    image = re.search(r'<img class="step-image"[^>]*>', page).group(0)
    assert 'loading="lazy"' in image
    assert 'alt="Màn hình bước 1"' in image


def test_an_uploaded_video_has_poster_and_captions_and_never_autoplays(
    signed_in, course, lessons, learner, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    for lesson in lessons[:2]:
        complete_lesson(learner=learner, lesson=lesson)
    video = lessons[2]
    video.video_file = SimpleUploadedFile("bai.mp4", b"\x00" * 16, content_type="video/mp4")
    video.poster = SimpleUploadedFile("anh.jpg", b"\xff\xd8\xff", content_type="image/jpeg")
    video.captions = SimpleUploadedFile("phu-de.vtt", b"WEBVTT\n", content_type="text/vtt")
    video.save()
    page = text(signed_in.get(lesson_url(video)))
    tag = re.search(r"<video[^>]*>", page).group(0)
    assert 'preload="none"' in tag and "poster=" in tag and "controls" in tag
    assert "autoplay" not in page
    assert '<track kind="captions"' in page
    assert 'type="video/mp4"' in page


def test_a_video_link_is_shown_only_for_a_web_address(signed_in, course, lessons, learner):
    for lesson in lessons[:2]:
        complete_lesson(learner=learner, lesson=lesson)
    video = lessons[2]
    assert 'href="https://example.vn/v"' in text(signed_in.get(lesson_url(video)))
    Lesson.objects.filter(pk=video.pk).update(video_url="javascript:alert(1)")
    assert "javascript:" not in text(signed_in.get(lesson_url(video)))


def test_a_translation_is_shown_side_by_side_and_remembered(signed_in, course, lessons, learner):
    LessonTranslation.objects.create(
        lesson=lessons[0], language="hmn", title="VNeID yog dab tsi", body="Nyeem **qhov no**."
    )
    plain = text(signed_in.get(lesson_url(lessons[0])))
    assert "Tiếng Việt và Tiếng Hmông" in plain and "Nyeem" not in plain
    both = text(signed_in.get(lesson_url(lessons[0], lang="hmn")))
    assert 'lang="hmn"' in both and "Nyeem <strong>qhov no</strong>." in both
    assert "Nội dung bài 1." in both
    assert "Nyeem" in text(signed_in.get(lesson_url(lessons[0])))
    assert "Nyeem" not in text(signed_in.get(lesson_url(lessons[0], lang="vi")))
    assert "Nyeem" not in text(signed_in.get(lesson_url(lessons[0])))


def test_step_translations_show_under_each_step(signed_in, course, lessons, learner):
    complete_lesson(learner=learner, lesson=lessons[0])
    step = lessons[1].steps.first()
    StepTranslation.objects.create(
        step=step, language="tyz", title="Bươc 1", instruction="Nhặp đây."
    )
    page = text(signed_in.get(lesson_url(lessons[1], lang="tyz", buoc=1)))
    assert "Nhặp đây." in page and "Chạm vào nút số 1." in page


def test_a_lesson_page_without_media_stays_under_60_kb(signed_in, course, lessons):
    assert len(signed_in.get(lesson_url(lessons[0])).content) < 60 * 1024


def test_anonymous_visitors_are_sent_to_log_in_for_a_lesson(client, course, lessons):
    response = client.get(lesson_url(lessons[0]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_check_page_answers_with_the_explanation_then_shows_the_results(
    signed_in, course, check
):
    page = text(signed_in.get(lesson_url(check)))
    assert "Bắt đầu làm bài" in page and "75%" in page
    response = signed_in.post(reverse("learning:check_start", args=[course.slug, check.id]))
    attempt = QuizAttempt.objects.get()
    attempt_url = reverse("learning:attempt", args=[course.slug, check.id, attempt.number])
    assert response["Location"] == attempt_url
    answer_url = reverse("learning:attempt_answer", args=[course.slug, check.id, attempt.number])
    for position, question_id in enumerate(attempt.question_ids, start=1):
        question = check.questions.get(pk=question_id)
        page = text(signed_in.get(attempt_url))
        assert question.text in page
        if question.kind == "order":
            data = {f"order-{cid}": str(n) for n, cid in enumerate(right_answer(question), start=1)}
        else:
            data = {"choice": [str(c) for c in right_answer(question)]}
        response = signed_in.post(answer_url, {"question": question_id, **data}, follow=True)
        shown = text(response)
        assert response.redirect_chain[-1][0] == f"{attempt_url}?cau={position}"
        assert "Đúng rồi!" in shown
        assert question.explanation in shown
    response = signed_in.post(
        reverse("learning:attempt_submit", args=[course.slug, check.id, attempt.number]),
        follow=True,
    )
    result = text(response)
    assert "<strong>100%</strong>" in result
    assert "Chúc mừng, bạn đã đạt bài kiểm tra!" in result
    assert result.count("Giải thích:") == 4
    assert Enrollment.objects.get().completed_at is not None


def test_a_wrong_answer_shows_the_right_one_and_the_explanation(signed_in, course, check, learner):
    attempt = start_attempt(learner=learner, lesson=check)
    question = check.questions.get(kind="single")
    response = signed_in.post(
        reverse("learning:attempt_answer", args=[course.slug, check.id, attempt.number]),
        {"question": question.id, "choice": wrong_answer(question)},
        follow=True,
    )
    page = text(response)
    assert "Chưa đúng." in page
    assert "Không cung cấp mã OTP" in page
    assert question.explanation in page


def test_an_order_question_with_a_number_used_twice_is_refused(signed_in, course, check, learner):
    attempt = start_attempt(learner=learner, lesson=check)
    order = check.questions.get(kind="order")
    ids = right_answer(order)
    response = signed_in.post(
        reverse("learning:attempt_answer", args=[course.slug, check.id, attempt.number]),
        {"question": order.id, **{f"order-{cid}": "1" for cid in ids}},
        follow=True,
    )
    assert "Mỗi số thứ tự chỉ dùng cho một mục." in text(response)
    assert not AttemptAnswer.objects.exists()


def test_an_order_question_is_never_shown_in_the_right_order(signed_in, course, check, learner):
    attempt = start_attempt(learner=learner, lesson=check)
    order = check.questions.get(kind="order")
    position = attempt.question_ids.index(order.id) + 1
    page = text(
        signed_in.get(
            reverse("learning:attempt", args=[course.slug, check.id, attempt.number])
            + f"?cau={position}"
        )
    )
    shown = [int(cid) for cid in re.findall(r'<select id="order-(\d+)"', page)]
    assert sorted(shown) == sorted(right_answer(order))
    assert shown != right_answer(order)


def test_an_answer_for_a_question_not_in_the_attempt_is_refused_by_the_page(
    signed_in, course, check, learner, publisher
):
    attempt = start_attempt(learner=learner, lesson=check)
    response = signed_in.post(
        reverse("learning:attempt_answer", args=[course.slug, check.id, attempt.number]),
        {"question": "999999", "choice": "1"},
        follow=True,
    )
    assert "Câu hỏi này không có trong lần làm bài của bạn." in text(response)
    assert not AttemptAnswer.objects.exists()


def test_a_double_submit_of_an_attempt_shows_the_same_result(signed_in, course, check, learner):
    attempt = start_attempt(learner=learner, lesson=check)
    url = reverse("learning:attempt_submit", args=[course.slug, check.id, attempt.number])
    signed_in.post(url)
    first = QuizAttempt.objects.get()
    response = signed_in.post(url)
    assert response.status_code == 302
    assert QuizAttempt.objects.get().submitted_at == first.submitted_at


def test_another_learners_attempt_is_not_found(login, make_user, course, check, learner):
    attempt = start_attempt(learner=learner, lesson=check)
    other = login(make_user())
    url = reverse("learning:attempt", args=[course.slug, check.id, attempt.number])
    assert other.get(url).status_code == 404
    result = reverse("learning:attempt_result", args=[course.slug, check.id, attempt.number])
    assert other.get(result).status_code == 404


def test_my_courses_lists_enrolments_with_progress(signed_in, course, lessons, learner):
    assert "Bạn chưa đăng ký khoá học nào." in text(signed_in.get(reverse("learning:my_courses")))
    complete_lesson(learner=learner, lesson=lessons[0])
    page = text(signed_in.get(reverse("learning:my_courses")))
    assert "Cài đặt VNeID" in page and "Đã học 1/4 bài" in page


def test_continue_leads_to_where_the_learner_left_off(signed_in, course, lessons, learner):
    complete_lesson(learner=learner, lesson=lessons[0])
    response = signed_in.get(reverse("learning:continue", args=[course.slug]))
    assert response["Location"] == lesson_url(lessons[1])


def test_the_navigation_offers_learning_to_everyone_and_my_courses_when_signed_in(
    client, login, learner, db
):
    anonymous = text(client.get(reverse("portal:home")))
    assert "Học kỹ năng số" in anonymous and "Khoá học của tôi" not in anonymous
    assert "Khoá học của tôi" in text(login(learner).get(reverse("portal:home")))


def test_opening_a_lesson_again_writes_nothing(signed_in, course, lessons):
    signed_in.get(lesson_url(lessons[0]))
    with CaptureQueriesContext(connection) as queries:
        assert signed_in.get(lesson_url(lessons[0])).status_code == 200
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and "django_session" not in q["sql"]
    ]
    assert writes == []
