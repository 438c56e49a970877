"""Course packages: one .zip with course.json and the media it names, to carry a course to another site."""

import json
import posixpath
import zipfile
from io import BytesIO

from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils.translation import gettext as _

from hocvuso.accounts.authz import Perm, authorize
from hocvuso.learning.models import Course, Publisher
from hocvuso.learning.services.authoring import sniff_video
from hocvuso.learning.services.documents import (
    CAPTION_EXTENSIONS,
    VIDEO_EXTENSIONS,
    CourseDocumentError,
    course_from_document,
    document_from_course,
    media_names,
    open_stored_media,
    validate_course_document,
)

DOCUMENT_NAME = "course.json"
PACKAGE_MAX_BYTES = 500 * 1024 * 1024
# A zip bomb is small on disk and huge unpacked: both the unpacked total and the count are capped.
UNPACKED_MAX_BYTES = 500 * 1024 * 1024
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
MAX_ENTRIES = 2000


class PackageError(ValueError):
    """A package that cannot be exported or imported; the message is in Vietnamese."""


def package_file_name(course: Course) -> str:
    return f"{course.slug}-v{course.version}.zip"


def export_course_package(course: Course) -> bytes:
    """The course as a .zip: course.json and, under media/, every file it names."""
    document = document_from_course(course)
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(DOCUMENT_NAME, json.dumps(document, ensure_ascii=False, indent=2))
        for name in media_names(document):
            stored = open_stored_media(name)
            if stored is None:
                raise PackageError(
                    _("Không tìm thấy tệp %(name)s của khoá học trên máy chủ.") % {"name": name}
                )
            with stored:
                archive.writestr(name, stored.read())
    return buffer.getvalue()


def _unsafe(name: str) -> bool:
    parts = name.split("/")
    return (
        name.startswith("/")
        or "\\" in name
        or ":" in parts[0]
        or ".." in parts
        or posixpath.normpath(name) != name.rstrip("/")
    )


def _open_archive(upload: File) -> zipfile.ZipFile:
    if upload.size > PACKAGE_MAX_BYTES:
        raise PackageError(
            _("Gói khoá học quá lớn: tối đa %(mb)d MB.") % {"mb": PACKAGE_MAX_BYTES // 1024**2}
        )
    upload.seek(0)
    if not zipfile.is_zipfile(upload):
        raise PackageError(_("Tệp này không phải gói khoá học (tệp .zip)."))
    upload.seek(0)
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError):
        raise PackageError(_("Gói khoá học bị hỏng, không mở được.")) from None
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        raise PackageError(
            _("Gói có quá nhiều tệp (%(count)d; tối đa %(max)d).")
            % {"count": len(entries), "max": MAX_ENTRIES}
        )
    if sum(entry.file_size for entry in entries) > UNPACKED_MAX_BYTES:
        raise PackageError(
            _("Gói khi giải nén quá lớn (tối đa %(mb)d MB).")
            % {"mb": UNPACKED_MAX_BYTES // 1024**2}
        )
    for entry in entries:
        if _unsafe(entry.filename):
            raise PackageError(
                _("Gói chứa tên tệp không an toàn: %(name)s.") % {"name": entry.filename}
            )
    return archive


def _read(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
        raise PackageError(_("Tệp %(name)s trong gói bị hỏng.") % {"name": name}) from None


def _read_document(archive: zipfile.ZipFile) -> dict:
    try:
        entry = archive.getinfo(DOCUMENT_NAME)
    except KeyError:
        raise PackageError(_("Gói không có tệp course.json.")) from None
    if entry.file_size > DOCUMENT_MAX_BYTES:
        raise PackageError(_("Tệp course.json quá lớn."))
    try:
        document = json.loads(_read(archive, DOCUMENT_NAME).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PackageError(
            _("Tệp course.json không đúng định dạng JSON: %(error)s.") % {"error": error}
        ) from None
    try:
        validate_course_document(document)
    except CourseDocumentError as error:
        raise PackageError(str(error)) from None
    return document


def _check_media(archive: zipfile.ZipFile, document: dict) -> None:
    present = set(archive.namelist())
    for name in media_names(document):
        if name not in present:
            raise PackageError(
                _("Gói thiếu tệp %(name)s mà khoá học có nhắc đến.") % {"name": name}
            )
        lowered = name.lower()
        if lowered.endswith(VIDEO_EXTENSIONS):
            with archive.open(name) as media:
                if sniff_video(media.read(512)) is None:
                    raise PackageError(
                        _("Tệp %(name)s không phải video MP4 hoặc WebM.") % {"name": name}
                    )
        if lowered.endswith(CAPTION_EXTENSIONS):
            with archive.open(name) as media:
                head = media.read(16).decode("utf-8", "replace").lstrip("\ufeff")
            if not head.startswith("WEBVTT"):
                raise PackageError(
                    _("Tệp %(name)s không đúng định dạng phụ đề WebVTT.") % {"name": name}
                )


@transaction.atomic
def import_course_package(*, upload: File, publisher: Publisher, imported_by) -> Course:
    """Create a draft course under `publisher` from a package, exactly as it was; all or nothing."""
    authorize(imported_by, Perm.EDIT_CONTENT, publisher.area)
    archive = _open_archive(upload)
    with archive:
        document = _read_document(archive)
        _check_media(archive, document)

        def media(name: str) -> File | None:
            if name not in archive.namelist():
                return None
            return ContentFile(_read(archive, name), name=posixpath.basename(name))

        try:
            return course_from_document(doc=document, publisher=publisher, media=media)
        except CourseDocumentError as error:
            raise PackageError(str(error)) from None
