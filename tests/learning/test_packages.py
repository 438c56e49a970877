"""Course packages: exported on one site, imported as is by another province; broken ones change nothing."""

import json
import zipfile
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from hocvuso.accounts.models import Role
from hocvuso.learning.models import Course, Lesson, Publisher
from hocvuso.learning.selectors.authoring import ChoiceInput
from hocvuso.learning.services import packages
from hocvuso.learning.services.authoring import (
    add_lesson,
    add_question,
    add_step,
    create_course,
    create_publisher,
    save_lesson_translation,
    update_lesson,
)
from hocvuso.learning.services.documents import document_from_course
from hocvuso.learning.services.packages import (
    PackageError,
    export_course_package,
    import_course_package,
)

MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(range(256)) * 4


def png_bytes() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (32, 24), (10, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def lao_cai(area):
    return create_publisher(name="Sở KH&CN Lào Cai", kind=Publisher.Kind.PROVINCE, area=area("15"))


@pytest.fixture
def hung_yen(area):
    return create_publisher(name="Sở KH&CN Hưng Yên", kind=Publisher.Kind.PROVINCE, area=area("33"))


@pytest.fixture
def hung_yen_editor(make_user, area):
    return make_user(Role.CONTENT_EDITOR, area("33"))


@pytest.fixture
def course_with_media(lao_cai) -> Course:
    course = create_course(
        publisher=lao_cai,
        title="Thanh toán bằng mã QR",
        topic="cashless",
        target_groups=["citizens", "workers"],
    )
    reading = add_lesson(course=course, kind=Lesson.Kind.READING, title="QR là gì")
    update_lesson(lesson=reading, title="QR là gì", body="Mã **QR** là…", estimated_minutes=4)
    save_lesson_translation(lesson=reading, language="hmn", title="QR yog dab tsi", body="…")
    video = add_lesson(course=course, kind=Lesson.Kind.VIDEO, title="Xem cách quét")
    update_lesson(
        lesson=video,
        title="Xem cách quét",
        estimated_minutes=3,
        video_file=SimpleUploadedFile("quet-qr.mp4", MP4),
        captions=SimpleUploadedFile(
            "quet-qr.vtt", b"WEBVTT\n\n00:00.000 --> 00:01.000\nQu\xc3\xa9t\n"
        ),
    )
    guide = add_lesson(course=course, kind=Lesson.Kind.GUIDE, title="Các bước")
    add_step(
        lesson=guide,
        title="Mở ứng dụng ngân hàng",
        instruction="Bấm vào biểu tượng ngân hàng.",
        image=SimpleUploadedFile("buoc-1.png", png_bytes()),
        image_alt="Màn hình điện thoại",
    )
    check = add_lesson(course=course, kind=Lesson.Kind.CHECK, title="Kiểm tra")
    add_question(
        lesson=check,
        kind="single",
        text="Trước khi xác nhận chuyển tiền, bạn kiểm tra gì?",
        explanation="Tên người nhận phải đúng.",
        choices=[ChoiceInput("Tên người nhận", True), ChoiceInput("Màu mã QR")],
    )
    return course


def without_media_names(document: dict) -> dict:
    document = json.loads(json.dumps(document))
    document.pop("slug")
    for lesson in document["lessons"]:
        for key in ("video_file", "poster", "captions", "audio"):
            lesson[key] = bool(lesson.get(key))
        for step in lesson["steps"]:
            step["image"] = bool(step.get("image"))
    return document


def upload(data: bytes, name: str = "goi.zip") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/zip")


def test_a_package_round_trip_recreates_the_course_with_byte_equal_media(
    course_with_media, hung_yen, hung_yen_editor
):
    package = export_course_package(course_with_media)
    with zipfile.ZipFile(BytesIO(package)) as archive:
        names = set(archive.namelist())
        document = json.loads(archive.read("course.json"))
    assert "course.json" in names
    assert {name for name in names if name.startswith("media/")} == {
        document["lessons"][1]["video_file"],
        document["lessons"][1]["captions"],
        document["lessons"][2]["steps"][0]["image"],
    }

    imported = import_course_package(
        upload=upload(package), publisher=hung_yen, imported_by=hung_yen_editor
    )
    assert imported.pk != course_with_media.pk
    assert imported.publisher == hung_yen
    assert imported.status == Course.Status.DRAFT
    assert imported.slug == "thanh-toan-bang-ma-qr-2"
    assert without_media_names(document_from_course(imported)) == without_media_names(
        document_from_course(course_with_media)
    )
    source = list(course_with_media.lessons.order_by("position"))
    copy = list(imported.lessons.order_by("position"))
    assert copy[1].video_file.read() == source[1].video_file.read() == MP4
    assert copy[1].captions.read() == source[1].captions.read()
    assert copy[1].video_file.name != source[1].video_file.name
    assert copy[2].steps.get().image.read() == source[2].steps.get().image.read()
    assert copy[0].translations.get(language="hmn").title == "QR yog dab tsi"


def test_an_editor_cannot_import_into_a_publisher_outside_their_area(
    course_with_media, lao_cai, hung_yen_editor
):
    with pytest.raises(PermissionDenied):
        import_course_package(
            upload=upload(export_course_package(course_with_media)),
            publisher=lao_cai,
            imported_by=hung_yen_editor,
        )


def zip_of(entries: dict[str, bytes]) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def minimal_document(**changes) -> dict:
    document = {
        "format": "hocvuso-course",
        "format_version": 1,
        "slug": "goi-thu",
        "title": "Gói thử",
        "topic": "ai",
        "target_groups": ["citizens"],
        "lessons": [
            {"kind": "reading", "title": "Bài 1", "body": "Nội dung."},
            {
                "kind": "guide",
                "title": "Bài 2",
                "steps": [{"title": "Bước", "instruction": "Làm", "image": "media/steps/a.png"}],
            },
        ],
    }
    document.update(changes)
    return document


def good_entries() -> dict[str, bytes]:
    return {
        "course.json": json.dumps(minimal_document()).encode(),
        "media/steps/a.png": png_bytes(),
    }


def test_a_minimal_good_package_imports(hung_yen, hung_yen_editor):
    course = import_course_package(
        upload=upload(zip_of(good_entries())), publisher=hung_yen, imported_by=hung_yen_editor
    )
    assert course.slug == "goi-thu"


def _bomb(monkeypatch):
    monkeypatch.setattr(packages, "UNPACKED_MAX_BYTES", 1024 * 1024)
    return zip_of({**good_entries(), "media/steps/big.bin": b"\x00" * (2 * 1024 * 1024)})


def _many(monkeypatch):
    monkeypatch.setattr(packages, "MAX_ENTRIES", 5)
    return zip_of({**good_entries(), **{f"media/x{i}.txt": b"x" for i in range(6)}})


BROKEN = {
    "not a zip": (lambda mp: b"<html>not a zip</html>", "không phải gói khoá học"),
    "zip bomb": (_bomb, "giải nén quá lớn"),
    "too many files": (_many, "quá nhiều tệp"),
    "parent folder": (
        lambda mp: zip_of({**good_entries(), "../evil.txt": b"x"}),
        "không an toàn",
    ),
    "absolute path": (
        lambda mp: zip_of({**good_entries(), "/etc/cron.d/evil": b"x"}),
        "không an toàn",
    ),
    "no course.json": (
        lambda mp: zip_of({"media/steps/a.png": png_bytes()}),
        "không có tệp course.json",
    ),
    "bad json": (
        lambda mp: zip_of({**good_entries(), "course.json": b"{not json"}),
        "không đúng định dạng JSON",
    ),
    "newer format": (
        lambda mp: zip_of(
            {
                **good_entries(),
                "course.json": json.dumps(minimal_document(format_version=2)).encode(),
            }
        ),
        "phiên bản mới hơn",
    ),
    "missing media": (
        lambda mp: zip_of({"course.json": good_entries()["course.json"]}),
        "thiếu tệp media/steps/a.png",
    ),
    "fake video": (
        lambda mp: zip_of(
            {
                "course.json": json.dumps(
                    minimal_document(
                        lessons=[{"kind": "video", "title": "V", "video_file": "media/video/v.mp4"}]
                    )
                ).encode(),
                "media/video/v.mp4": b"<html><script>alert(1)</script></html>",
            }
        ),
        "không phải video",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_package_gets_a_clear_message_and_creates_nothing(
    case, hung_yen, hung_yen_editor, monkeypatch
):
    build, message = BROKEN[case]
    with pytest.raises(PackageError) as raised:
        import_course_package(
            upload=upload(build(monkeypatch)), publisher=hung_yen, imported_by=hung_yen_editor
        )
    assert message.lower() in str(raised.value).lower()
    assert not Course.objects.exists()
    assert not Lesson.objects.exists()
