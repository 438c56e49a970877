"""The starter catalogue shipped with the platform: installing it and keeping it up to date."""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.files import File
from django.db import transaction

from hocvuso.learning.models import Course, Publisher
from hocvuso.learning.services.authoring import publish_course
from hocvuso.learning.services.documents import (
    MEDIA_PREFIX,
    course_from_document,
    document_from_course,
    normalize_document,
    open_stored_media,
    validate_course_document,
)
from hocvuso.places.models import COUNTRY_CODE, Area

CATALOGUE_DIR = Path(__file__).resolve().parent.parent / "catalogue"
PUBLISHER_NAME = "Nền tảng Bình dân học vụ số"


@dataclass(frozen=True)
class CatalogueResult:
    created: int
    updated: int
    unchanged: int
    # Courses whose slug another publisher already uses on this site: left alone.
    skipped: tuple[str, ...]


def catalogue_documents() -> list[dict]:
    """The shipped course documents, in file-name order."""
    return [
        json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(CATALOGUE_DIR.glob("*.json"))
    ]


def open_catalogue_media(name: str) -> File | None:
    """A media opener for the files shipped next to the catalogue documents."""
    path = (CATALOGUE_DIR / name).resolve()
    if not path.is_relative_to(CATALOGUE_DIR / MEDIA_PREFIX) or not path.is_file():
        return None
    return File(path.open("rb"), name=path.name)


def _media_digest(name: str | None, opener: Callable[[str], File | None]) -> str | None:
    if not name:
        return None
    content = opener(name)
    if content is None:
        return f"missing:{name}"
    with content:
        return hashlib.sha256(content.read()).hexdigest()


def _fingerprint(doc: dict, opener: Callable[[str], File | None]) -> dict[str, Any]:
    """The document with each media name replaced by its content's hash, to compare two copies."""
    normal = normalize_document(doc)
    for lesson in normal["lessons"]:
        for key in ("video_file", "poster", "captions", "audio"):
            lesson[key] = _media_digest(lesson[key], opener)
        for step in lesson["steps"]:
            step["image"] = _media_digest(step["image"], opener)
    return normal


def national_publisher() -> Publisher:
    publisher, _created = Publisher.objects.get_or_create(
        name=PUBLISHER_NAME,
        area=Area.objects.get(code=COUNTRY_CODE),
        defaults={"kind": Publisher.Kind.NATIONAL},
    )
    return publisher


@transaction.atomic
def install_starter_catalogue() -> CatalogueResult:
    """Install or update the shipped courses by slug, published; running it again changes nothing."""
    publisher = national_publisher()
    created = updated = unchanged = 0
    skipped: list[str] = []
    for doc in catalogue_documents():
        validate_course_document(doc)
        course = Course.objects.filter(slug=doc["slug"]).first()
        if course is not None and course.publisher_id != publisher.pk:
            skipped.append(doc["slug"])
            continue
        if course is None:
            course = course_from_document(doc=doc, publisher=publisher, media=open_catalogue_media)
            created += 1
        elif _fingerprint(doc, open_catalogue_media) == _fingerprint(
            document_from_course(course), open_stored_media
        ):
            unchanged += 1
            continue
        else:
            course = course_from_document(
                doc=doc, publisher=publisher, media=open_catalogue_media, replace=course
            )
            updated += 1
        publish_course(course=course, published_by=None)
    return CatalogueResult(
        created=created, updated=updated, unchanged=unchanged, skipped=tuple(skipped)
    )
