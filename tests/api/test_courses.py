"""GET /api/v1/courses and /api/v1/courses/{id}: the published catalogue, never a check's answers."""

import pytest

from hocvuso.learning.models import LessonTranslation
from tests.learning.factories import add_check, make_course, make_publisher, sample_course


@pytest.fixture
def publisher(db):
    return make_publisher()


@pytest.fixture
def course(publisher):
    return sample_course(publisher)


@pytest.fixture
def lessons(course):
    return list(course.lessons.order_by("position", "id"))


def test_the_list_holds_published_courses_with_their_facts(client, course, publisher):
    make_course(publisher=publisher, title="Bản nháp", published=False)
    LessonTranslation.objects.create(lesson=course.lessons.first(), language="hmn", title="VNeID")
    body = client.get("/api/v1/courses").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["id"] == "cai-dat-vneid"
    assert item["title"] == "Cài đặt VNeID"
    assert item["publisher"] == {"name": publisher.name, "kind": "province"}
    assert item["target_groups"] == ["citizens"]
    assert item["lesson_count"] == 4
    assert item["languages"] == ["vi", "hmn"]
    assert item["url"] == "/hoc/khoa-hoc/cai-dat-vneid/"


def test_the_list_filters_by_topic_and_target_group(client, course, publisher):
    make_course(publisher=publisher, slug="lua-dao", topic="scams", target_groups=("students",))
    ids = lambda **query: [c["id"] for c in client.get("/api/v1/courses", query).json()["items"]]  # noqa: E731
    assert ids(topic="scams") == ["lua-dao"]
    assert ids(target_group="citizens") == ["cai-dat-vneid"]
    assert ids(topic="scams", target_group="citizens") == []


def test_an_unknown_filter_is_a_400_with_a_message(client, db):
    response = client.get("/api/v1/courses", {"topic": "khong-co"})
    assert response.status_code == 400
    assert "Chủ đề không hợp lệ" in response.json()["detail"]
    assert client.get("/api/v1/courses", {"page": 0}).status_code == 400


def test_the_list_is_paginated_by_twenty(client, publisher):
    for n in range(23):
        make_course(publisher=publisher, slug=f"khoa-{n:02d}", title=f"Khoá {n:02d}")
    first = client.get("/api/v1/courses").json()
    second = client.get("/api/v1/courses", {"page": 2}).json()
    assert (first["count"], len(first["items"]), len(second["items"])) == (23, 20, 3)
    assert not {c["id"] for c in first["items"]} & {c["id"] for c in second["items"]}


def test_the_detail_lists_lessons_with_kinds_steps_and_languages(client, course, lessons):
    LessonTranslation.objects.create(lesson=lessons[1], language="tyz", title="Tải")
    body = client.get("/api/v1/courses/cai-dat-vneid").json()
    assert body["is_sequential"] is True
    assert [(lesson["kind"], lesson["step_count"]) for lesson in body["lessons"]] == [
        ("reading", 0),
        ("guide", 3),
        ("video", 0),
        ("check", 0),
    ]
    assert body["lessons"][1]["languages"] == ["vi", "tyz"]
    assert body["lessons"][3]["question_count"] == 4


def test_the_detail_never_tells_the_right_answers(client, course, lessons):
    raw = client.get("/api/v1/courses/cai-dat-vneid").content.decode()
    assert "correct" not in raw
    assert "Không cung cấp mã OTP" not in raw
    assert "Giải thích" not in raw


def test_a_draft_or_unknown_course_is_404(client, publisher):
    draft = make_course(publisher=publisher, published=False)
    add_check(draft)
    assert client.get(f"/api/v1/courses/{draft.slug}").status_code == 404
    assert client.get("/api/v1/courses/khong-co").status_code == 404


def test_the_openapi_document_describes_the_courses(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "get" in paths["/api/v1/courses"]
    assert "get" in paths["/api/v1/courses/{id}"]
