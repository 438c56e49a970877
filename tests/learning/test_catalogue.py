"""The starter catalogue: what ships, and installing it (twice is once)."""

import io

import pytest
from django.core.management import call_command

from hocvuso.learning.models import Course, CourseVersion, Lesson, Publisher, Step, StepTranslation
from hocvuso.learning.services.catalogue import (
    CATALOGUE_DIR,
    PUBLISHER_NAME,
    catalogue_documents,
    install_starter_catalogue,
)
from hocvuso.learning.services.documents import media_names, validate_course_document

from .factories import make_course, make_publisher

DOCUMENTS = catalogue_documents()


def test_catalogue_ships_at_least_ten_courses_covering_every_topic():
    assert len(DOCUMENTS) >= 10
    assert len({doc["slug"] for doc in DOCUMENTS}) == len(DOCUMENTS)
    assert {doc["topic"] for doc in DOCUMENTS} >= {
        "vneid",
        "public_services",
        "cashless",
        "digital_banking",
        "ecommerce",
        "scams",
        "privacy",
        "smartphone",
        "information",
        "ai",
    }


@pytest.mark.parametrize("doc", DOCUMENTS, ids=[doc["slug"] for doc in DOCUMENTS])
def test_each_course_is_valid_complete_and_tagged(doc):
    validate_course_document(doc)
    assert doc["target_groups"] and doc["topic"]
    assert len(doc["lessons"]) >= 4
    final = doc["lessons"][-1]
    assert final["kind"] == "check"
    assert len(final["questions"]) >= 8
    assert all(question["explanation"].strip() for question in final["questions"])
    kinds = {lesson["kind"] for lesson in doc["lessons"]}
    assert {"guide", "check"} <= kinds


@pytest.mark.parametrize("doc", DOCUMENTS, ids=[doc["slug"] for doc in DOCUMENTS])
def test_each_guide_step_has_a_shipped_picture_with_a_description(doc):
    for lesson in doc["lessons"]:
        for step in lesson.get("steps", []):
            assert step["image"] and step["image_alt"]
    for name in media_names(doc):
        assert (CATALOGUE_DIR / name).is_file(), name


def test_media_folder_stays_small():
    total = sum(path.stat().st_size for path in (CATALOGUE_DIR / "media").iterdir())
    assert total < 2 * 1024 * 1024


def test_at_least_one_course_is_fully_side_by_side_in_hmong():
    def fully_hmong(doc: dict) -> bool:
        return all(
            "hmn" in lesson.get("translations", {})
            and all("hmn" in step.get("translations", {}) for step in lesson.get("steps", []))
            for lesson in doc["lessons"]
        )

    assert any(fully_hmong(doc) for doc in DOCUMENTS)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def snapshot(media_root) -> tuple:
    return (
        sorted(Course.objects.values_list("slug", "status", "version", "updated_at")),
        Lesson.objects.count(),
        Step.objects.count(),
        CourseVersion.objects.count(),
        Publisher.objects.count(),
        sorted(path.name for path in media_root.rglob("*") if path.is_file()),
    )


def test_installing_publishes_every_course_under_the_national_publisher(db, media_root):
    result = install_starter_catalogue()
    assert (result.created, result.updated, result.unchanged) == (len(DOCUMENTS), 0, 0)
    publisher = Publisher.objects.get(name=PUBLISHER_NAME)
    assert publisher.kind == Publisher.Kind.NATIONAL and publisher.area.code == "VN"
    courses = Course.objects.filter(publisher=publisher)
    assert courses.count() == len(DOCUMENTS)
    assert set(courses.values_list("status", "version")) == {(Course.Status.PUBLISHED, 1)}
    assert StepTranslation.objects.filter(language="hmn").exists()
    assert not Step.objects.filter(lesson__course__publisher=publisher, image="").exists()


def test_installing_twice_changes_nothing(db, media_root):
    install_starter_catalogue()
    before = snapshot(media_root)
    result = install_starter_catalogue()
    assert (result.created, result.updated, result.unchanged) == (0, 0, len(DOCUMENTS))
    assert snapshot(media_root) == before


def test_a_changed_shipped_course_is_updated_in_place_as_a_new_version(db, media_root):
    install_starter_catalogue()
    course = Course.objects.get(slug=DOCUMENTS[0]["slug"])
    lesson = course.lessons.order_by("position").first()
    lesson.title = "Tiêu đề do ai đó sửa"
    lesson.save()
    result = install_starter_catalogue()
    assert (result.created, result.updated) == (0, 1)
    lesson.refresh_from_db()
    assert lesson.title == DOCUMENTS[0]["lessons"][0]["title"]
    course.refresh_from_db()
    assert course.version == 2


def test_a_slug_taken_by_another_publisher_is_left_alone(db, media_root):
    other = make_course(publisher=make_publisher(), slug=DOCUMENTS[0]["slug"], title="Của tỉnh")
    result = install_starter_catalogue()
    assert result.skipped == (DOCUMENTS[0]["slug"],)
    other.refresh_from_db()
    assert other.title == "Của tỉnh" and other.lessons.count() == 0
    assert Course.objects.count() == len(DOCUMENTS)


def test_install_catalogue_command_reports_what_it_did(db, media_root):
    out = io.StringIO()
    call_command("install_catalogue", stdout=out)
    call_command("install_catalogue", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines == [
        f"Khoá học có sẵn: tạo mới {len(DOCUMENTS)}, cập nhật 0, giữ nguyên 0.",
        f"Khoá học có sẵn: tạo mới 0, cập nhật 0, giữ nguyên {len(DOCUMENTS)}.",
    ]
