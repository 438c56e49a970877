"""Hostile input, part three: every import page fed broken files (truncated, zip bombs, wrong
encodings, garbage, huge cells) answers with a message the user can read and imports nothing."""

import io
import json
import os
import struct
import zipfile

import pytest
from django.contrib.messages import constants
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hocvuso.accounts.models import Role
from hocvuso.learning.models import Course
from hocvuso.people.importers import resident_template
from hocvuso.people.models import Household, Resident
from hocvuso.places.importers import village_template
from hocvuso.places.models import Area
from tests.learning.factories import make_publisher

MB = 1024 * 1024


def _zip(entries: dict[str, bytes], *, level: int = 9) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _lying_sizes(data: bytes, *, claimed: int) -> bytes:
    """The archive with every entry's uncompressed size rewritten, in the local headers and the
    central directory: what a hand-made zip bomb does to slip past a size check."""
    out = bytearray(data)
    offset = 0
    while (offset := out.find(b"PK\x03\x04", offset)) != -1:
        struct.pack_into("<I", out, offset + 22, claimed)
        offset += 4
    offset = 0
    while (offset := out.find(b"PK\x01\x02", offset)) != -1:
        struct.pack_into("<I", out, offset + 24, claimed)
        offset += 4
    return bytes(out)


def _xlsx_with(template: bytes, replace: dict[str, bytes]) -> bytes:
    """A copy of a real workbook with some of its parts replaced."""
    source = zipfile.ZipFile(io.BytesIO(template))
    parts = {info.filename: source.read(info.filename) for info in source.infolist()}
    parts.update(replace)
    return _zip(parts)


def _sheet(rows: list[list[str]]) -> bytes:
    cells = "".join(
        "<row>"
        + "".join(f'<c t="inlineStr"><is><t>{value}</t></is></c>' for value in row)
        + "</row>"
        for row in rows
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns='
        '"http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{cells}</sheetData></worksheet>"
    ).encode()


def spreadsheet_cases(template: bytes, header: list[str]) -> dict[str, tuple[str, bytes]]:
    """Broken resident or village lists: name → (file name, content)."""
    garbage = os.urandom(64 * 1024)
    huge = "Ả" * (2 * MB)
    return {
        "empty file": ("danh-sach.xlsx", b""),
        "truncated xlsx": ("danh-sach.xlsx", template[: len(template) // 2]),
        "xlsx cut after the zip header": ("danh-sach.xlsx", template[:200]),
        "binary garbage as xlsx": ("danh-sach.xlsx", garbage),
        "binary garbage as csv": ("danh-sach.csv", garbage),
        "a pdf": ("danh-sach.pdf", b"%PDF-1.4\n" + garbage),
        "zip with no workbook": ("danh-sach.xlsx", _zip({"readme.txt": b"hello"})),
        "workbook with a broken sheet": (
            "danh-sach.xlsx",
            _xlsx_with(template, {"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row>"}),
        ),
        # 60 MB of blank space inside the sheet, 60 KB on disk.
        "zip bomb sheet": (
            "danh-sach.xlsx",
            _xlsx_with(
                template,
                {
                    "xl/worksheets/sheet1.xml": _sheet([header]).replace(
                        b"<sheetData>", b"<sheetData>" + b" " * (60 * MB)
                    )
                },
            ),
        ),
        "zip entries lying about their size": (
            "danh-sach.xlsx",
            _lying_sizes(template, claimed=10),
        ),
        "huge cell in xlsx": (
            "danh-sach.xlsx",
            _xlsx_with(
                template, {"xl/worksheets/sheet1.xml": _sheet([header, [huge] * len(header)])}
            ),
        ),
        "huge cell in csv": (
            "danh-sach.csv",
            (",".join(header) + "\n" + ",".join([huge] * len(header)) + "\n").encode(),
        ),
        "csv in Windows-1258": (
            "danh-sach.csv",
            (",".join(header) + "\nTriệu Văn Sơn\n").encode("cp1258", "replace"),
        ),
        "csv in UTF-16": (
            "danh-sach.csv",
            (",".join(header) + "\nTriệu Văn Sơn\n").encode("utf-16"),
        ),
        "csv with NUL bytes": ("danh-sach.csv", b"\x00\x01" * 500),
        "csv with only the header": ("danh-sach.csv", (",".join(header) + "\n").encode()),
        "csv with no known column": ("danh-sach.csv", b"a,b,c\n1,2,3\n"),
    }


def _complaint(response) -> list[str]:
    """What the page says is wrong: form errors and error messages."""
    said = []
    form = response.context.get("form") if response.context else None
    if form is not None:
        said += [str(e) for errors in form.errors.values() for e in errors]
    said += [str(m) for m in response.context.get("messages", []) if m.level >= constants.ERROR]
    return said


def _post_each(client, url, field, cases, extra=None) -> list[str]:
    wrong = []
    for case, (name, content) in cases.items():
        upload = SimpleUploadedFile(name, content)
        response = client.post(url, {field: upload, **(extra or {})})
        if response.status_code not in {200, 400} or not _complaint(response):
            wrong.append(f"{case}: {response.status_code} {_complaint(response)}")
    return wrong


@pytest.fixture
def officer(make_user, dong_cuong, login):
    return login(make_user(Role.COMMUNE_OFFICER, dong_cuong))


@pytest.mark.django_db
def test_broken_village_lists_are_refused_with_a_message(officer, dong_cuong):
    template = village_template(commune_code=dong_cuong.code)
    cases = spreadsheet_cases(template, ["Tên thôn", "Loại"])
    before = Area.objects.filter(parent=dong_cuong).count()
    url = reverse("places:village_import", args=[dong_cuong.code])
    assert _post_each(officer, url, "file", cases, {"mode": "all_or_nothing"}) == []
    assert Area.objects.filter(parent=dong_cuong).count() == before


@pytest.mark.django_db
def test_broken_resident_lists_are_refused_with_a_message(officer, dong_cuong, make_village):
    village = make_village(dong_cuong)
    cases = spreadsheet_cases(resident_template(village_code=village.code), ["Họ và tên"])
    url = reverse("people:import", args=[village.code])
    for mode in ("all_or_nothing", "good_rows"):
        assert _post_each(officer, url, "file", cases, {"mode": mode}) == [], mode
    assert Resident.objects.count() == 0
    assert Household.objects.count() == 0


def _package(document: dict, **media: bytes) -> bytes:
    return _zip({"course.json": json.dumps(document).encode(), **media})


@pytest.mark.django_db
def test_broken_course_packages_are_refused_with_a_message(make_user, dong_cuong, login):
    editor = login(make_user(Role.CONTENT_EDITOR, dong_cuong))
    publisher = make_publisher(dong_cuong)
    garbage = os.urandom(64 * 1024)
    good_json = {"format": "hocvuso-course", "version": 1, "course": {"title": "Khoá học"}}
    cases = {
        "empty file": ("goi.zip", b""),
        "binary garbage": ("goi.zip", garbage),
        "truncated zip": ("goi.zip", _package(good_json)[:-30]),
        "zip without course.json": ("goi.zip", _zip({"media/a.png": garbage})),
        "course.json not JSON": ("goi.zip", _zip({"course.json": garbage})),
        "course.json in UTF-16": (
            "goi.zip",
            _zip({"course.json": json.dumps(good_json).encode("utf-16")}),
        ),
        "course.json of the wrong shape": ("goi.zip", _package({"course": [1, 2, 3]})),
        "course.json a list": ("goi.zip", _zip({"course.json": b"[]"})),
        "zip bomb course.json (30 MB of spaces)": (
            "goi.zip",
            _zip({"course.json": b"{" + b" " * (30 * MB) + b"}"}),
        ),
        "zip entries lying about their size": (
            "goi.zip",
            _lying_sizes(_zip({"course.json": b"{" + b" " * (8 * MB) + b"}"}), claimed=100),
        ),
        "3,000 entries": ("goi.zip", _zip({f"media/{n}.txt": b"" for n in range(3000)})),
        "path traversal": ("goi.zip", _zip({"course.json": b"{}", "../../etc/x": b"x"})),
        "huge text in a field": (
            "goi.zip",
            _package({**good_json, "course": {"title": "Ả" * MB}}),
        ),
    }
    before = Course.objects.count()
    url = reverse("learning:course_import")
    assert _post_each(editor, url, "package", cases, {"publisher": publisher.pk}) == []
    assert Course.objects.count() == before
