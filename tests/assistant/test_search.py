"""Search over the material: diacritics, typos and abbreviations, on SQLite and PostgreSQL alike."""

import pytest
from django.urls import reverse

from hocvuso.assistant.answers import rank_lessons
from hocvuso.assistant.index import Kind, search
from hocvuso.learning.models import Lesson, Step
from tests.assistant.conftest import VNEID
from tests.learning.factories import add_lesson, make_course, make_publisher

pytestmark = pytest.mark.django_db


def top_lessons(question: str, count: int = 3) -> list[int]:
    ranked, _faq = rank_lessons(question)
    return [item.lesson_id for item in ranked[:count]]


@pytest.mark.parametrize(
    "question",
    [
        "cach kich hoat vneid muc 2",
        "Cách kích hoạt VNeID mức 2",
        "CÁCH KÍCH HOẠT VNEID MỨC 2",
        "kich hoatt vnied muc 2",
        "kichhoat vneid",
    ],
)
def test_activating_vneid_level_2_is_found_however_it_is_typed(question, lesson_titled):
    activation = lesson_titled(VNEID, "Kích hoạt tài khoản")
    assert top_lessons(question)[0] == activation.id


def test_abbreviations_are_read_as_the_words_they_stand_for(lesson_titled):
    login = lesson_titled("dich-vu-cong-truc-tuyen", "Đăng nhập Cổng")
    assert login.id in top_lessons("dang nhap dvc bang vneid")
    privacy = lesson_titled("bao-ve-du-lieu-ca-nhan", "Chỉnh quyền riêng tư")
    assert privacy.id in top_lessons("an sdt tren zalo")
    fraud = lesson_titled("nhan-biet-lua-dao-truc-tuyen", "Lỡ bị lừa")
    assert fraud.id in top_lessons("lo bi lua ck tien roi phai lam gi")


def test_a_step_hit_links_to_that_step_in_the_lesson(lesson_titled):
    lesson = lesson_titled(VNEID, "Kích hoạt tài khoản")
    hits = search("nhap ma kich hoat vneid", kinds=(Kind.STEP,), limit=3)
    step = hits[0].entry
    assert step.lesson_id == lesson.id
    assert step.title == "Nhập mã kích hoạt"
    url = reverse("learning:lesson", args=[VNEID, lesson.id])
    assert step.url == f"{url}?buoc={step.number}#buoc"
    # The number is the step's place in the guide, as the lesson page counts them.
    ordered = list(Step.objects.filter(lesson=lesson).order_by("position", "id"))
    assert ordered[step.number - 1].title == "Nhập mã kích hoạt"


def test_search_api_ranks_courses_lessons_and_steps(client, lesson_titled):
    response = client.get("/api/v1/search", {"q": "kich hoat vneid muc 2"})
    assert response.status_code == 200
    body = response.json()
    kinds = {item["kind"] for item in body["results"]}
    assert {"lesson", "step"} <= kinds
    activation = lesson_titled(VNEID, "Kích hoạt tài khoản")
    lesson_url = reverse("learning:lesson", args=[VNEID, activation.id])
    assert any(item["url"].startswith(lesson_url) for item in body["results"][:3])
    scores = [item["score"] for item in body["results"]]
    assert scores == sorted(scores, reverse=True)


def test_search_api_reports_the_corrected_words(client, catalogue):
    body = client.get("/api/v1/search", {"q": "vnied"}).json()
    assert body["corrected"] == {"vnied": "vneid"}
    assert body["results"]


def test_search_api_refuses_empty_and_overlong_queries(client, catalogue):
    empty = client.get("/api/v1/search", {"q": "  "})
    assert empty.status_code == 422
    assert "từ khoá" in empty.json()["detail"]
    long = client.get("/api/v1/search", {"q": "vneid " * 200})
    assert long.status_code == 413
    assert "500" in long.json()["detail"]


def test_a_course_published_later_is_found_at_once_and_a_draft_never(catalogue):
    publisher = make_publisher()
    draft = make_course(
        publisher=publisher, title="Nuôi ong lấy mật trên điện thoại", published=False
    )
    add_lesson(draft, Lesson.Kind.READING, title="Chăm sóc đàn ong", body="Tổ ong cần bóng mát.")
    assert draft.id not in {hit.entry.course_id for hit in search("nuoi ong cham soc dan ong")}
    course = make_course(publisher=publisher, title="Bán mật ong qua Zalo")
    add_lesson(course, Lesson.Kind.READING, title="Chụp ảnh hũ mật ong", body="Ánh sáng tự nhiên.")
    hits = search("mat ong")
    assert hits[0].entry.course_id == course.id
    assert draft.id not in {hit.entry.course_id for hit in hits}


def test_an_edited_lesson_is_searched_by_its_new_words(lesson_titled):
    lesson = lesson_titled(VNEID, "Kích hoạt tài khoản")
    assert all("chuối hột" not in hit.entry.text for hit in search("chuoi hot"))
    lesson.body += "\n\nMẹo nhỏ: ghi mã vào sổ tay màu xanh chuối hột."
    lesson.save()
    top = search("chuoi hot")[0].entry
    assert top.lesson_id == lesson.id
    assert "chuối hột" in top.text


def test_search_page_shows_results_escaped(client, catalogue):
    response = client.get(reverse("assistant:search"), {"q": "<script>alert(1)</script> vneid"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert 'class="search-results"' in content
    assert "Tải đúng ứng dụng VNeID" in content


def test_search_page_with_an_overlong_query_says_so(client, catalogue):
    response = client.get(reverse("assistant:search"), {"q": "a" * 600})
    assert response.status_code == 422
    assert "Từ khoá dài quá 500 ký tự" in response.content.decode()


def test_search_page_says_how_it_read_a_typo(client, catalogue):
    content = client.get(reverse("assistant:search"), {"q": "kich hoatt vnied"}).content.decode()
    assert "“vnied” → “vneid”" in content
    assert "Kích hoạt tài khoản trên ứng dụng" in content
