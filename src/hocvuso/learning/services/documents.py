"""The course document (package format v1): validating it, building a course from it, writing it back.

One JSON document describes a whole course; a package is a .zip holding it as `course.json` with the
files it names under `media/`. Media names in a document are "media/" followed by the file's name in
the site's storage without the leading "lessons/" (a step picture stored as "lessons/steps/a.png" is
"media/steps/a.png"), so a document written by `document_from_course` can be restored on the same site
without copying any file.
"""

import posixpath
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.validators import URLValidator, validate_slug
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from hocvuso.learning.models import (
    BASE_LANGUAGE,
    CONTENT_LANGUAGES,
    Choice,
    Course,
    CourseAudience,
    Lesson,
    LessonAudio,
    LessonTranslation,
    Publisher,
    Question,
    Step,
    StepTranslation,
    Topic,
)
from hocvuso.people.choices import TargetGroup

FORMAT = "hocvuso-course"
FORMAT_VERSION = 1
MEDIA_PREFIX = "media/"
STORAGE_PREFIX = "lessons/"

MediaOpener = Callable[[str], File | None]

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp", ".gif")
VIDEO_EXTENSIONS = (".mp4", ".webm")
CAPTION_EXTENSIONS = (".vtt",)
AUDIO_EXTENSIONS = (".mp3", ".ogg", ".oga", ".opus", ".m4a", ".wav")

TRANSLATION_LANGUAGES = [code for code, _label in CONTENT_LANGUAGES if code != BASE_LANGUAGE]


class CourseDocumentError(ValueError):
    """A course document that cannot be used; `path` says where in the document the fault is."""

    def __init__(self, message: str, *, path: str = "") -> None:
        self.message = message
        self.path = path
        super().__init__(
            _("%(message)s (vị trí: %(path)s)") % {"message": message, "path": path}
            if path
            else message
        )


# ---------------------------------------------------------------------------------------------
# Validation: pure, no database, so a broken document is refused before anything is written.

_TOP_KEYS = (
    {"format", "format_version", "slug", "title", "topic", "target_groups", "lessons"},
    {"summary", "is_sequential", "estimated_minutes"},
)
_LESSON_KEYS = (
    {"kind", "title"},
    {
        "body",
        "estimated_minutes",
        "video_url",
        "video_file",
        "poster",
        "captions",
        "audio",
        "translations",
        "steps",
        "pass_mark",
        "max_attempts",
        "shuffle_questions",
        "draw_count",
        "questions",
    },
)
_LESSON_TRANSLATION_KEYS = ({"title"}, {"body"})
_STEP_KEYS = ({"title", "instruction"}, {"image", "image_alt", "translations"})
_STEP_TRANSLATION_KEYS = ({"title", "instruction"}, set())
_QUESTION_KEYS = ({"kind", "text", "choices"}, {"explanation"})
_CHOICE_KEYS = ({"text"}, {"correct"})


def _keys(obj: Any, spec: tuple[set[str], set[str]], path: str) -> dict:
    if not isinstance(obj, dict):
        raise CourseDocumentError(_("Mục này phải là một đối tượng JSON."), path=path)
    required, optional = spec
    for key in sorted(required):
        if key not in obj:
            raise CourseDocumentError(_("Thiếu mục “%(key)s”.") % {"key": key}, path=path)
    for key in sorted(obj):
        if key not in required and key not in optional:
            raise CourseDocumentError(
                _("Mục “%(key)s” không thuộc định dạng khoá học.") % {"key": key}, path=path
            )
    return obj


def _text(obj: dict, key: str, path: str, *, max_length: int | None, required: bool) -> str:
    value = obj.get(key, "")
    where = f"{path}.{key}" if path else key
    if not isinstance(value, str):
        raise CourseDocumentError(_("Mục này phải là một đoạn chữ."), path=where)
    if required and not value.strip():
        raise CourseDocumentError(_("Mục này không được để trống."), path=where)
    if max_length is not None and len(value) > max_length:
        raise CourseDocumentError(
            _("Mục này dài quá %(max)d ký tự.") % {"max": max_length}, path=where
        )
    return value


def _integer(obj: dict, key: str, path: str, *, maximum: int) -> None:
    if key not in obj:
        return
    value = obj[key]
    where = f"{path}.{key}" if path else key
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise CourseDocumentError(
            _("Mục này phải là một số nguyên từ 0 đến %(max)d.") % {"max": maximum}, path=where
        )


def _boolean(obj: dict, key: str, path: str) -> None:
    if key in obj and not isinstance(obj[key], bool):
        where = f"{path}.{key}" if path else key
        raise CourseDocumentError(_("Mục này phải là true hoặc false."), path=where)


def _list(obj: dict, key: str, path: str) -> list:
    value = obj.get(key, [])
    if not isinstance(value, list):
        raise CourseDocumentError(_("Mục này phải là một danh sách."), path=f"{path}.{key}")
    return value


def _media(obj: dict, key: str, path: str, extensions: tuple[str, ...]) -> None:
    name = obj.get(key)
    if name is None or name == "":
        return
    where = f"{path}.{key}"
    if not isinstance(name, str) or not name.startswith(MEDIA_PREFIX):
        raise CourseDocumentError(
            _("Tên tệp phải bắt đầu bằng “%(prefix)s”.") % {"prefix": MEDIA_PREFIX}, path=where
        )
    parts = PurePosixPath(name).parts
    if "\\" in name or ".." in parts or len(parts) < 2 or posixpath.normpath(name) != name:
        raise CourseDocumentError(_("Tên tệp không hợp lệ."), path=where)
    if not name.lower().endswith(extensions):
        raise CourseDocumentError(
            _("Loại tệp không được nhận ở đây; chỉ nhận: %(kinds)s.")
            % {"kinds": ", ".join(extensions)},
            path=where,
        )


def _translations(obj: dict, path: str, spec: tuple[set[str], set[str]]) -> None:
    translations = obj.get("translations", {})
    where = f"{path}.translations"
    if not isinstance(translations, dict):
        raise CourseDocumentError(_("Mục này phải là một đối tượng JSON."), path=where)
    for language, translation in translations.items():
        here = f"{where}.{language}"
        if language not in TRANSLATION_LANGUAGES:
            raise CourseDocumentError(
                _("Ngôn ngữ “%(language)s” không có trong danh sách; chỉ nhận: %(known)s.")
                % {"language": language, "known": ", ".join(TRANSLATION_LANGUAGES)},
                path=here,
            )
        _keys(translation, spec, here)
        _text(translation, "title", here, max_length=200, required=True)
        for key in spec[0] | spec[1]:
            if key != "title":
                _text(translation, key, here, max_length=None, required=key in spec[0])


def _validate_question(question: Any, path: str) -> None:
    _keys(question, _QUESTION_KEYS, path)
    kind = question["kind"]
    if kind not in Question.Kind.values:
        raise CourseDocumentError(
            _("Loại câu hỏi “%(kind)s” không có; chỉ nhận: %(known)s.")
            % {"kind": kind, "known": ", ".join(Question.Kind.values)},
            path=f"{path}.kind",
        )
    _text(question, "text", path, max_length=None, required=True)
    _text(question, "explanation", path, max_length=None, required=False)
    choices = _list(question, "choices", path)
    where = f"{path}.choices"
    for index, choice in enumerate(choices):
        here = f"{where}[{index}]"
        _keys(choice, _CHOICE_KEYS, here)
        _text(choice, "text", here, max_length=500, required=True)
        _boolean(choice, "correct", here)
    correct = sum(1 for choice in choices if choice.get("correct") is True)
    if kind == Question.Kind.TRUE_FALSE and (len(choices) != 2 or correct != 1):
        raise CourseDocumentError(
            _("Câu hỏi đúng hay sai phải có đúng 2 lựa chọn (Đúng, Sai) và 1 lựa chọn đúng."),
            path=where,
        )
    if len(choices) < 2:
        raise CourseDocumentError(_("Câu hỏi cần ít nhất 2 lựa chọn."), path=where)
    if kind == Question.Kind.SINGLE and correct != 1:
        raise CourseDocumentError(
            _("Câu hỏi chọn một đáp án phải có đúng 1 lựa chọn đúng (đang có %(count)d).")
            % {"count": correct},
            path=where,
        )
    if kind == Question.Kind.MULTIPLE and correct < 1:
        raise CourseDocumentError(
            _("Câu hỏi chọn nhiều đáp án phải có ít nhất 1 lựa chọn đúng."), path=where
        )


def _validate_lesson(lesson: Any, path: str) -> None:
    _keys(lesson, _LESSON_KEYS, path)
    kind = lesson["kind"]
    if kind not in Lesson.Kind.values:
        raise CourseDocumentError(
            _("Loại bài “%(kind)s” không có; chỉ nhận: %(known)s.")
            % {"kind": kind, "known": ", ".join(Lesson.Kind.values)},
            path=f"{path}.kind",
        )
    _text(lesson, "title", path, max_length=200, required=True)
    _text(lesson, "body", path, max_length=None, required=False)
    video_url = _text(lesson, "video_url", path, max_length=200, required=False)
    if video_url:
        try:
            URLValidator(schemes=["http", "https"])(video_url)
        except ValidationError:
            raise CourseDocumentError(
                _("Đường dẫn video không hợp lệ."), path=f"{path}.video_url"
            ) from None
    _integer(lesson, "estimated_minutes", path, maximum=10_000)
    _integer(lesson, "pass_mark", path, maximum=100)
    _integer(lesson, "max_attempts", path, maximum=32767)
    _integer(lesson, "draw_count", path, maximum=32767)
    _boolean(lesson, "shuffle_questions", path)
    _media(lesson, "video_file", path, VIDEO_EXTENSIONS)
    _media(lesson, "poster", path, IMAGE_EXTENSIONS)
    _media(lesson, "captions", path, CAPTION_EXTENSIONS)
    _media(lesson, "audio", path, AUDIO_EXTENSIONS)
    _translations(lesson, path, _LESSON_TRANSLATION_KEYS)
    for index, step in enumerate(_list(lesson, "steps", path)):
        here = f"{path}.steps[{index}]"
        _keys(step, _STEP_KEYS, here)
        _text(step, "title", here, max_length=200, required=True)
        _text(step, "instruction", here, max_length=None, required=True)
        _text(step, "image_alt", here, max_length=300, required=False)
        _media(step, "image", here, IMAGE_EXTENSIONS)
        _translations(step, here, _STEP_TRANSLATION_KEYS)
    questions = _list(lesson, "questions", path)
    if kind == Lesson.Kind.CHECK and not questions:
        raise CourseDocumentError(
            _("Bài kiểm tra cần ít nhất 1 câu hỏi."), path=f"{path}.questions"
        )
    if kind != Lesson.Kind.CHECK and questions:
        raise CourseDocumentError(_("Chỉ bài kiểm tra mới có câu hỏi."), path=f"{path}.questions")
    if lesson.get("draw_count", 0) > len(questions):
        raise CourseDocumentError(
            _("Số câu rút (%(draw)d) nhiều hơn số câu trong ngân hàng (%(count)d).")
            % {"draw": lesson["draw_count"], "count": len(questions)},
            path=f"{path}.draw_count",
        )
    for index, question in enumerate(questions):
        _validate_question(question, f"{path}.questions[{index}]")


def validate_course_document(doc: dict) -> None:
    """Raise CourseDocumentError, with a Vietnamese message, unless `doc` is a usable course."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise CourseDocumentError(_("Đây không phải là tệp khoá học của hocvuso."))
    version = doc.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise CourseDocumentError(_("Phiên bản định dạng không hợp lệ."), path="format_version")
    if version > FORMAT_VERSION:
        raise CourseDocumentError(
            _(
                "Gói khoá học được tạo bởi phiên bản mới hơn (định dạng %(found)d, "
                "bản này đọc được đến %(known)d); hãy cập nhật hocvuso."
            )
            % {"found": version, "known": FORMAT_VERSION},
            path="format_version",
        )
    _keys(doc, _TOP_KEYS, "")
    slug = _text(doc, "slug", "", max_length=80, required=True)
    try:
        validate_slug(slug)
    except ValidationError:
        raise CourseDocumentError(
            _("Mã khoá học chỉ gồm chữ không dấu, số, gạch ngang và gạch dưới."), path="slug"
        ) from None
    _text(doc, "title", "", max_length=200, required=True)
    _text(doc, "summary", "", max_length=None, required=False)
    if doc["topic"] not in Topic.values:
        raise CourseDocumentError(
            _("Chủ đề “%(topic)s” không có; chỉ nhận: %(known)s.")
            % {"topic": doc["topic"], "known": ", ".join(Topic.values)},
            path="topic",
        )
    groups = doc["target_groups"]
    if not isinstance(groups, list) or not groups:
        raise CourseDocumentError(
            _("Khoá học cần ít nhất một nhóm đối tượng."), path="target_groups"
        )
    for index, group in enumerate(groups):
        if group not in TargetGroup.values:
            raise CourseDocumentError(
                _("Nhóm đối tượng “%(group)s” không có; chỉ nhận: %(known)s.")
                % {"group": group, "known": ", ".join(TargetGroup.values)},
                path=f"target_groups[{index}]",
            )
    _boolean(doc, "is_sequential", "")
    _integer(doc, "estimated_minutes", "", maximum=100_000)
    lessons = doc["lessons"]
    if not isinstance(lessons, list) or not lessons:
        raise CourseDocumentError(_("Khoá học cần ít nhất một bài."), path="lessons")
    for index, lesson in enumerate(lessons):
        _validate_lesson(lesson, f"lessons[{index}]")


_CHECK_DEFAULTS = {"pass_mark": 70, "max_attempts": 0, "shuffle_questions": True, "draw_count": 0}


def normalize_document(doc: dict) -> dict:
    """A valid document with every optional key filled in, shaped as `document_from_course` writes it.

    Two documents that build the same course normalise to equal dicts, e.g. a lesson without
    "translations" and one with "translations": {}.
    """
    lessons = []
    for lesson in doc["lessons"]:
        item = {
            "kind": lesson["kind"],
            "title": lesson["title"],
            "body": lesson.get("body", ""),
            "estimated_minutes": lesson.get("estimated_minutes", 5),
            "video_url": lesson.get("video_url", ""),
            "video_file": lesson.get("video_file") or None,
            "poster": lesson.get("poster") or None,
            "captions": lesson.get("captions") or None,
            "audio": lesson.get("audio") or None,
            "translations": {
                language: {"title": text["title"], "body": text.get("body", "")}
                for language, text in lesson.get("translations", {}).items()
            },
            "steps": [
                {
                    "title": step["title"],
                    "instruction": step["instruction"],
                    "image": step.get("image") or None,
                    "image_alt": step.get("image_alt", ""),
                    "translations": {
                        language: {"title": text["title"], "instruction": text["instruction"]}
                        for language, text in step.get("translations", {}).items()
                    },
                }
                for step in lesson.get("steps", [])
            ],
        }
        if lesson["kind"] == Lesson.Kind.CHECK:
            item.update({key: lesson.get(key, value) for key, value in _CHECK_DEFAULTS.items()})
            item["questions"] = [
                {
                    "kind": question["kind"],
                    "text": question["text"],
                    "explanation": question.get("explanation", ""),
                    "choices": [
                        {"text": choice["text"]}
                        if question["kind"] == Question.Kind.ORDER
                        else {"text": choice["text"], "correct": choice.get("correct", False)}
                        for choice in question["choices"]
                    ],
                }
                for question in lesson["questions"]
            ]
        lessons.append(item)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "slug": doc["slug"],
        "title": doc["title"],
        "summary": doc.get("summary", ""),
        "topic": doc["topic"],
        "target_groups": sorted(set(doc["target_groups"])),
        "is_sequential": doc.get("is_sequential", True),
        "estimated_minutes": doc.get("estimated_minutes", 30),
        "lessons": lessons,
    }


def media_names(doc: dict) -> list[str]:
    """Every media file a (valid) document names, each once, in document order."""
    names: list[str] = []
    for lesson in doc["lessons"]:
        for key in ("video_file", "poster", "captions", "audio"):
            if lesson.get(key):
                names.append(lesson[key])
        names.extend(step["image"] for step in lesson.get("steps", []) if step.get("image"))
    return list(dict.fromkeys(names))


def storage_name(media_name: str) -> str:
    """The name in the site's storage of a media file named by `document_from_course`."""
    return STORAGE_PREFIX + media_name.removeprefix(MEDIA_PREFIX)


def document_media_name(stored_name: str) -> str:
    """The name a document gives a file kept in the site's storage under `stored_name`."""
    return MEDIA_PREFIX + stored_name.removeprefix(STORAGE_PREFIX)


def open_stored_media(media_name: str) -> File | None:
    """A media opener reading the site's own storage (for exporting a course as a package)."""
    name = storage_name(media_name)
    if not default_storage.exists(name):
        return None
    return File(default_storage.open(name, "rb"), name=posixpath.basename(name))


# ---------------------------------------------------------------------------------------------
# Building a course from a document.


def _size_limit(extensions: tuple[str, ...]) -> int:
    if extensions is IMAGE_EXTENSIONS:
        return settings.UPLOAD_MAX_IMAGE_BYTES
    if extensions is VIDEO_EXTENSIONS:
        return settings.UPLOAD_MAX_VIDEO_BYTES
    if extensions is AUDIO_EXTENSIONS:
        return settings.UPLOAD_MAX_AUDIO_BYTES
    return settings.UPLOAD_MAX_IMAGE_BYTES


class _MediaWriter:
    """Puts each media file a document names into a model's file field, checked on the way."""

    def __init__(self, opener: MediaOpener | None) -> None:
        self.opener = opener

    def assign(self, field_file, name: str | None, path: str, extensions: tuple[str, ...]) -> None:
        if not name:
            field_file.name = ""
            return
        if self.opener is None:
            # Restoring on the same site: the file is already in storage; point at it.
            stored = storage_name(name)
            if not default_storage.exists(stored):
                raise self._missing(name, path)
            field_file.name = stored
            return
        content = self.opener(name)
        if content is None:
            raise self._missing(name, path)
        with content:
            limit = _size_limit(extensions)
            if content.size > limit:
                raise CourseDocumentError(
                    _("Tệp %(name)s quá lớn (tối đa %(mb).1f MB).")
                    % {"name": name, "mb": limit / 1024 / 1024},
                    path=path,
                )
            if extensions is IMAGE_EXTENSIONS:
                self._check_image(content, name, path)
            field_file.save(posixpath.basename(name), content, save=False)

    @staticmethod
    def _missing(name: str, path: str) -> CourseDocumentError:
        return CourseDocumentError(
            _("Thiếu tệp %(name)s mà khoá học có nhắc đến.") % {"name": name}, path=path
        )

    @staticmethod
    def _check_image(content: File, name: str, path: str) -> None:
        try:
            content.seek(0)
            with Image.open(content) as image:
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise CourseDocumentError(
                _("Tệp %(name)s không phải là hình ảnh đọc được.") % {"name": name}, path=path
            ) from None
        content.seek(0)


def _apply_course_fields(course: Course, doc: dict) -> None:
    course.title = doc["title"]
    course.summary = doc.get("summary", "")
    course.topic = doc["topic"]
    course.is_sequential = doc.get("is_sequential", True)
    course.estimated_minutes = doc.get("estimated_minutes", 30)


def _available_slug(slug: str) -> str:
    """`slug`, or `slug-2`, `slug-3`… when a course on this site already uses it."""
    if not Course.objects.filter(slug=slug).exists():
        return slug
    number = 2
    while Course.objects.filter(slug=f"{slug[:76]}-{number}").exists():
        number += 1
    return f"{slug[:76]}-{number}"


def _write_lesson(lesson: Lesson, data: dict, path: str, writer: _MediaWriter) -> None:
    lesson.kind = data["kind"]
    lesson.title = data["title"]
    lesson.body = data.get("body", "")
    lesson.estimated_minutes = data.get("estimated_minutes", 5)
    lesson.video_url = data.get("video_url", "")
    lesson.pass_mark = data.get("pass_mark", 70)
    lesson.max_attempts = data.get("max_attempts", 0)
    lesson.shuffle_questions = data.get("shuffle_questions", True)
    lesson.draw_count = data.get("draw_count", 0)
    writer.assign(lesson.video_file, data.get("video_file"), f"{path}.video_file", VIDEO_EXTENSIONS)
    writer.assign(lesson.poster, data.get("poster"), f"{path}.poster", IMAGE_EXTENSIONS)
    writer.assign(lesson.captions, data.get("captions"), f"{path}.captions", CAPTION_EXTENSIONS)
    lesson.save()

    LessonTranslation.objects.bulk_create(
        LessonTranslation(
            lesson=lesson, language=language, title=text["title"], body=text.get("body", "")
        )
        for language, text in data.get("translations", {}).items()
    )
    if data.get("audio"):
        audio = LessonAudio(
            lesson=lesson, language=BASE_LANGUAGE, source=LessonAudio.Source.UPLOADED
        )
        writer.assign(audio.file, data["audio"], f"{path}.audio", AUDIO_EXTENSIONS)
        audio.save()

    for index, step_data in enumerate(data.get("steps", [])):
        step = Step(
            lesson=lesson,
            position=index,
            title=step_data["title"],
            instruction=step_data["instruction"],
            image_alt=step_data.get("image_alt", ""),
        )
        here = f"{path}.steps[{index}].image"
        writer.assign(step.image, step_data.get("image"), here, IMAGE_EXTENSIONS)
        step.save()
        StepTranslation.objects.bulk_create(
            StepTranslation(
                step=step, language=language, title=text["title"], instruction=text["instruction"]
            )
            for language, text in step_data.get("translations", {}).items()
        )

    for index, question_data in enumerate(data.get("questions", [])):
        question = Question.objects.create(
            lesson=lesson,
            position=index,
            kind=question_data["kind"],
            text=question_data["text"],
            explanation=question_data.get("explanation", ""),
        )
        is_order = question.kind == Question.Kind.ORDER
        Choice.objects.bulk_create(
            Choice(
                question=question,
                position=position,
                text=choice["text"],
                is_correct=not is_order and choice.get("correct", False),
            )
            for position, choice in enumerate(question_data["choices"])
        )


@transaction.atomic
def course_from_document(
    *,
    doc: dict,
    publisher: Publisher,
    media: MediaOpener | None = None,
    replace: Course | None = None,
) -> Course:
    """Create a draft course from a document, or rewrite `replace` in place; all or nothing.

    `media(name)` gives the file a document names ("media/steps/a.png"), or None when the package
    lacks it. Without `media`, names are looked up in the site's own storage (restoring a version).
    With `replace`, lessons are kept by position, so learners' progress survives; their content,
    steps, questions and translations are rewritten, and lessons beyond the new count are deleted.
    A new course whose slug is taken gets the first free `slug-N`.
    """
    validate_course_document(doc)
    writer = _MediaWriter(media)

    if replace is None:
        course = Course(slug=_available_slug(doc["slug"]), publisher=publisher)
        existing: list[Lesson] = []
    else:
        course = replace
        existing = list(course.lessons.order_by("position", "id"))
    _apply_course_fields(course, doc)
    course.save()

    course.audiences.exclude(target_group__in=doc["target_groups"]).delete()
    present = set(course.audiences.values_list("target_group", flat=True))
    CourseAudience.objects.bulk_create(
        CourseAudience(course=course, target_group=group)
        for group in dict.fromkeys(doc["target_groups"])
        if group not in present
    )

    lessons_data = doc["lessons"]
    for extra in existing[len(lessons_data) :]:
        extra.delete()
    for index, data in enumerate(lessons_data):
        if index < len(existing):
            lesson = existing[index]
            lesson.translations.all().delete()
            lesson.steps.all().delete()
            lesson.questions.all().delete()
            # A generated recording is also dropped: it spoke the old text.
            lesson.audio.filter(language=BASE_LANGUAGE).delete()
            lesson.position = index
        else:
            lesson = Lesson(course=course, position=index)
        _write_lesson(lesson, data, f"lessons[{index}]", writer)
    return course


# ---------------------------------------------------------------------------------------------
# Writing a course back as a document.


def _file_name(field_file) -> str | None:
    return document_media_name(field_file.name) if field_file else None


def _translations_of(rows, *fields: str) -> dict:
    return {row.language: {field: getattr(row, field) for field in fields} for row in rows}


def document_from_course(course: Course) -> dict:
    """The course as a document of the current format, media named by their place under media/."""
    lessons = (
        course.lessons.order_by("position", "id")
        .prefetch_related("translations", "steps__translations", "questions__choices", "audio")
        .all()
    )
    lesson_docs = []
    for lesson in lessons:
        uploaded = [
            audio
            for audio in lesson.audio.all()
            if audio.language == BASE_LANGUAGE and audio.source == LessonAudio.Source.UPLOADED
        ]
        lesson_doc: dict[str, Any] = {
            "kind": lesson.kind,
            "title": lesson.title,
            "body": lesson.body,
            "estimated_minutes": lesson.estimated_minutes,
            "video_url": lesson.video_url,
            "video_file": _file_name(lesson.video_file),
            "poster": _file_name(lesson.poster),
            "captions": _file_name(lesson.captions),
            "audio": _file_name(uploaded[0].file) if uploaded else None,
            "translations": _translations_of(lesson.translations.all(), "title", "body"),
            "steps": [
                {
                    "title": step.title,
                    "instruction": step.instruction,
                    "image": _file_name(step.image),
                    "image_alt": step.image_alt,
                    "translations": _translations_of(
                        step.translations.all(), "title", "instruction"
                    ),
                }
                for step in lesson.steps.all()
            ],
        }
        if lesson.kind == Lesson.Kind.CHECK:
            lesson_doc.update(
                pass_mark=lesson.pass_mark,
                max_attempts=lesson.max_attempts,
                shuffle_questions=lesson.shuffle_questions,
                draw_count=lesson.draw_count,
                questions=[_question_doc(question) for question in lesson.questions.all()],
            )
        lesson_docs.append(lesson_doc)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "slug": course.slug,
        "title": course.title,
        "summary": course.summary,
        "topic": course.topic,
        "target_groups": sorted(course.audiences.values_list("target_group", flat=True)),
        "is_sequential": course.is_sequential,
        "estimated_minutes": course.estimated_minutes,
        "lessons": lesson_docs,
    }


def _question_doc(question: Question) -> dict:
    if question.kind == Question.Kind.ORDER:
        choices = [{"text": choice.text} for choice in question.choices.all()]
    else:
        choices = [
            {"text": choice.text, "correct": choice.is_correct} for choice in question.choices.all()
        ]
    return {
        "kind": question.kind,
        "text": question.text,
        "explanation": question.explanation,
        "choices": choices,
    }
