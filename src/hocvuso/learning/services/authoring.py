"""The content editor's writes: publishers, courses, lessons, steps, questions, versions, adoption."""

import re
import secrets
import unicodedata
from collections.abc import Iterable, Sequence
from io import BytesIO
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from hocvuso.accounts.authz import Perm, authorize
from hocvuso.learning.models import (
    BASE_LANGUAGE,
    CONTENT_LANGUAGES,
    Choice,
    Course,
    CourseAdoption,
    CourseAudience,
    CourseVersion,
    Lesson,
    LessonTranslation,
    Publisher,
    Question,
    Step,
    StepTranslation,
)
from hocvuso.learning.selectors.authoring import (
    ChoiceInput,
    publication_problems,
    question_problems,
)
from hocvuso.learning.services.documents import (
    CourseDocumentError,
    course_from_document,
    document_from_course,
    validate_course_document,
)
from hocvuso.places.models import Area

SLUG_MAX_LENGTH = 80
CAPTIONS_MAX_BYTES = 512 * 1024
# Far beyond any phone screenshot; stops a small file that decompresses into a huge bitmap.
IMAGE_MAX_PIXELS = 40_000_000
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "png"}
_WEBVTT_HEADER = re.compile(r"^WEBVTT(?:[ \t][^\r\n]*)?(?:\r\n|\r|\n|$)")
_PUBLISHER_LEVELS = {
    Publisher.Kind.NATIONAL: Area.Level.COUNTRY,
    Publisher.Kind.PROVINCE: Area.Level.PROVINCE,
    Publisher.Kind.COMMUNE: Area.Level.COMMUNE,
}


class AuthoringError(ValueError):
    """An edit that cannot be made; the message is for the editor, in Vietnamese.

    `field` names the form field the message belongs to, when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class PublishError(ValueError):
    """The course cannot be published; `reasons` lists every problem, in Vietnamese."""

    def __init__(self, reasons: Sequence[str]):
        super().__init__("; ".join(reasons))
        self.reasons = list(reasons)


def ascii_slug(text: str, *, max_length: int = SLUG_MAX_LENGTH) -> str:
    """'Kích hoạt VNeID mức độ 2' → 'kich-hoat-vneid-muc-do-2' (đ has no decomposition of its own)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return slugify(text)[:max_length].strip("-")


def unique_course_slug(base: str, *, exclude: Course | None = None) -> str:
    """The slug itself when free, else the first free of 'slug-2', 'slug-3', …"""
    base = ascii_slug(base) or "khoa-hoc"
    taken = Course.objects.filter(slug__startswith=base)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    used = set(taken.values_list("slug", flat=True))
    if base not in used:
        return base
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = base[: SLUG_MAX_LENGTH - len(suffix)].rstrip("-") + suffix
        if candidate not in used:
            return candidate
        number += 1


def safe_file_name(name: str, extension: str) -> str:
    """A stored name from an uploaded one: no folders, no markup, only [a-z0-9-] and our extension."""
    leaf = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = ascii_slug(PurePosixPath(leaf).stem, max_length=60) or "tep"
    return f"{stem}-{secrets.token_hex(4)}.{extension}"


def _too_large(limit: int) -> str:
    megabytes = limit / (1024 * 1024)
    return _("Tệp quá lớn: tối đa %(size)s MB.") % {"size": f"{megabytes:g}"}


def sniff_video(head: bytes) -> str | None:
    """The container of a video from its first bytes: 'mp4', 'webm' or None."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return "mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3" and b"webm" in head[:256]:
        return "webm"
    return None


def clean_video(upload: File) -> File:
    """Accept an MP4 or WebM file by its content and size; rename it safely."""
    if upload.size > settings.UPLOAD_MAX_VIDEO_BYTES:
        raise AuthoringError(_too_large(settings.UPLOAD_MAX_VIDEO_BYTES), field="video_file")
    upload.seek(0)
    kind = sniff_video(upload.read(512))
    upload.seek(0)
    if kind is None:
        raise AuthoringError(
            _("Tệp không phải video MP4 hoặc WebM. Hãy chọn đúng tệp video."), field="video_file"
        )
    upload.name = safe_file_name(upload.name, kind)
    return upload


def clean_image(upload: File, *, field: str = "image") -> ContentFile:
    """Accept a JPEG, PNG, WebP or GIF picture, and store it re-encoded (nothing else rides along)."""
    if upload.size > settings.UPLOAD_MAX_IMAGE_BYTES:
        raise AuthoringError(_too_large(settings.UPLOAD_MAX_IMAGE_BYTES), field=field)
    not_an_image = AuthoringError(
        _("Tệp không phải hình ảnh JPEG, PNG, WebP hoặc GIF, hoặc tệp bị hỏng."), field=field
    )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            if image.format not in IMAGE_FORMATS:
                raise not_an_image
            if image.width * image.height > IMAGE_MAX_PIXELS:
                raise AuthoringError(_("Hình quá lớn (quá nhiều điểm ảnh)."), field=field)
            image.load()
            extension = IMAGE_FORMATS[image.format]
            output = BytesIO()
            if extension == "jpg":
                image.convert("RGB").save(output, "JPEG", quality=85, optimize=True)
            elif extension == "webp":
                image.save(output, "WEBP", quality=85)
            else:
                if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                    image = image.convert("RGBA")
                image.save(output, "PNG", optimize=True)
    except AuthoringError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise not_an_image from None
    finally:
        upload.seek(0)
    return ContentFile(output.getvalue(), name=safe_file_name(upload.name, extension))


def clean_captions(upload: File) -> ContentFile:
    """Accept a WebVTT file: UTF-8 text whose first line is the WEBVTT header."""
    if upload.size > CAPTIONS_MAX_BYTES:
        raise AuthoringError(_too_large(CAPTIONS_MAX_BYTES), field="captions")
    upload.seek(0)
    raw = upload.read()
    upload.seek(0)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = ""
    if not _WEBVTT_HEADER.match(text):
        raise AuthoringError(
            _("Tệp phụ đề không đúng định dạng WebVTT (dòng đầu phải là WEBVTT)."),
            field="captions",
        )
    return ContentFile(text.encode("utf-8"), name=safe_file_name(upload.name, "vtt"))


def _touch(course: Course) -> None:
    """Mark the course changed, so 'last change' and 'changes not yet published' tell the truth."""
    now = timezone.now()
    Course.objects.filter(pk=course.pk).update(updated_at=now)
    course.updated_at = now


@transaction.atomic
def create_publisher(*, name: str, kind: str, area: Area) -> Publisher:
    """Create a publisher for an area; a national, province or commune one must sit at that level."""
    name = name.strip()
    expected = _PUBLISHER_LEVELS.get(kind)
    if expected is not None and area.level != expected:
        raise AuthoringError(
            _("Đơn vị loại “%(kind)s” phải gắn với địa bàn cấp %(level)s.")
            % {"kind": Publisher.Kind(kind).label, "level": Area.Level(expected).label.lower()},
            field="area_code",
        )
    if Publisher.objects.filter(name__iexact=name, area=area).exists():
        raise AuthoringError(_("Địa bàn này đã có đơn vị cùng tên."), field="name")
    publisher = Publisher(name=name, kind=kind, area=area)
    publisher.full_clean()
    publisher.save()
    return publisher


def _set_audiences(course: Course, target_groups: Iterable[str]) -> None:
    groups = sorted(set(target_groups))
    if not groups:
        raise AuthoringError(_("Hãy chọn ít nhất một nhóm đối tượng."), field="target_groups")
    course.audiences.exclude(target_group__in=groups).delete()
    have = set(course.audiences.values_list("target_group", flat=True))
    CourseAudience.objects.bulk_create(
        [CourseAudience(course=course, target_group=g) for g in groups if g not in have]
    )


@transaction.atomic
def create_course(
    *,
    publisher: Publisher,
    title: str,
    summary: str = "",
    topic: str,
    target_groups: Iterable[str],
    is_sequential: bool = True,
    estimated_minutes: int = 30,
) -> Course:
    """Create a draft course under a publisher, its slug made from the title."""
    course = Course(
        slug=unique_course_slug(title),
        title=title.strip(),
        summary=summary.strip(),
        topic=topic,
        publisher=publisher,
        is_sequential=is_sequential,
        estimated_minutes=estimated_minutes,
    )
    course.full_clean()
    course.save()
    _set_audiences(course, target_groups)
    return course


@transaction.atomic
def update_course(
    *,
    course: Course,
    publisher: Publisher,
    title: str,
    summary: str = "",
    topic: str,
    target_groups: Iterable[str],
    is_sequential: bool,
    estimated_minutes: int,
) -> Course:
    """Change a course's description; its lessons and status stay as they are."""
    course.publisher = publisher
    course.title = title.strip()
    course.summary = summary.strip()
    course.topic = topic
    course.is_sequential = is_sequential
    course.estimated_minutes = estimated_minutes
    course.full_clean()
    course.save()
    _set_audiences(course, target_groups)
    return course


def _next_position(queryset) -> int:
    top = queryset.aggregate(top=Max("position"))["top"]
    return 0 if top is None else top + 1


def _renumber(items: Sequence) -> None:
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])


def _move(items: list, item, direction: str) -> None:
    """Swap `item` with its neighbour above ('up') or below ('down'); positions become 0..n-1."""
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
    _renumber(items)


@transaction.atomic
def add_lesson(*, course: Course, kind: str, title: str, estimated_minutes: int = 5) -> Lesson:
    """Add a lesson of a kind at the end of the course."""
    lesson = Lesson(
        course=course,
        kind=kind,
        title=title.strip(),
        estimated_minutes=estimated_minutes,
        position=_next_position(course.lessons.all()),
    )
    lesson.full_clean()
    lesson.save()
    _touch(course)
    return lesson


@transaction.atomic
def update_lesson(
    *,
    lesson: Lesson,
    title: str,
    body: str = "",
    estimated_minutes: int,
    pass_mark: int | None = None,
    max_attempts: int | None = None,
    shuffle_questions: bool | None = None,
    draw_count: int | None = None,
    video_url: str = "",
    video_file: File | None = None,
    remove_video_file: bool = False,
    poster: File | None = None,
    remove_poster: bool = False,
    captions: File | None = None,
    remove_captions: bool = False,
) -> Lesson:
    """Change a lesson's text and, by its kind, a check's rules or a video's file, poster, captions.

    Every upload is checked before anything is written; a bad one changes nothing.
    """
    lesson.title = title.strip()
    lesson.body = body
    lesson.estimated_minutes = estimated_minutes
    if lesson.kind == Lesson.Kind.CHECK:
        if pass_mark is None or not 1 <= pass_mark <= 100:
            raise AuthoringError(_("Điểm đạt phải từ 1 đến 100."), field="pass_mark")
        lesson.pass_mark = pass_mark
        lesson.max_attempts = max_attempts or 0
        lesson.shuffle_questions = bool(shuffle_questions)
        lesson.draw_count = draw_count or 0
    if lesson.kind == Lesson.Kind.VIDEO:
        video = clean_video(video_file) if video_file else None
        poster_file = clean_image(poster, field="poster") if poster else None
        captions_file = clean_captions(captions) if captions else None
        lesson.video_url = video_url.strip()
        if video is not None:
            lesson.video_file = video
        elif remove_video_file:
            lesson.video_file = ""
        if poster_file is not None:
            lesson.poster = poster_file
        elif remove_poster:
            lesson.poster = ""
        if captions_file is not None:
            lesson.captions = captions_file
        elif remove_captions:
            lesson.captions = ""
        if not lesson.video_url and not lesson.video_file:
            raise AuthoringError(
                _("Hãy tải lên tệp video hoặc nhập đường dẫn video."), field="video_file"
            )
    lesson.full_clean()
    lesson.save()
    _touch(lesson.course)
    return lesson


@transaction.atomic
def delete_lesson(*, lesson: Lesson) -> None:
    """Delete a lesson with its steps and questions; the rest close up."""
    course = lesson.course
    lesson.delete()
    _renumber(list(course.lessons.order_by("position", "id")))
    _touch(course)


@transaction.atomic
def move_lesson(*, lesson: Lesson, direction: str) -> None:
    """Move a lesson one place up or down in its course."""
    _move(list(lesson.course.lessons.order_by("position", "id")), lesson, direction)
    _touch(lesson.course)


def _require_guide(lesson: Lesson) -> None:
    if lesson.kind != Lesson.Kind.GUIDE:
        raise AuthoringError(_("Chỉ bài hướng dẫn từng bước mới có các bước."))


@transaction.atomic
def add_step(
    *, lesson: Lesson, title: str, instruction: str, image: File | None = None, image_alt: str = ""
) -> Step:
    """Add a numbered step at the end of a guide."""
    _require_guide(lesson)
    step = Step(
        lesson=lesson,
        title=title.strip(),
        instruction=instruction.strip(),
        image_alt=image_alt.strip(),
        position=_next_position(lesson.steps.all()),
    )
    if image:
        step.image = clean_image(image)
    step.full_clean()
    step.save()
    _touch(lesson.course)
    return step


@transaction.atomic
def update_step(
    *,
    step: Step,
    title: str,
    instruction: str,
    image: File | None = None,
    remove_image: bool = False,
    image_alt: str = "",
) -> Step:
    """Change a step's text and picture."""
    step.title = title.strip()
    step.instruction = instruction.strip()
    step.image_alt = image_alt.strip()
    if image:
        step.image = clean_image(image)
    elif remove_image:
        step.image = ""
    step.full_clean()
    step.save()
    _touch(step.lesson.course)
    return step


@transaction.atomic
def delete_step(*, step: Step) -> None:
    """Delete a step; the rest are renumbered."""
    lesson = step.lesson
    step.delete()
    _renumber(list(lesson.steps.order_by("position", "id")))
    _touch(lesson.course)


@transaction.atomic
def move_step(*, step: Step, direction: str) -> None:
    """Move a step one place up or down in its guide."""
    _move(list(step.lesson.steps.order_by("position", "id")), step, direction)
    _touch(step.lesson.course)


def _save_question(question: Question, choices: Sequence[ChoiceInput]) -> Question:
    choices = [ChoiceInput(c.text.strip(), c.is_correct) for c in choices if c.text.strip()]
    if question.kind == Question.Kind.ORDER:
        choices = [ChoiceInput(c.text, False) for c in choices]
    problems = question_problems(question.kind, choices)
    if problems:
        raise AuthoringError(" ".join(problems), field="choices")
    question.full_clean()
    question.save()
    question.choices.all().delete()
    Choice.objects.bulk_create(
        [
            Choice(question=question, position=i, text=c.text, is_correct=c.is_correct)
            for i, c in enumerate(choices)
        ]
    )
    _touch(question.lesson.course)
    return question


@transaction.atomic
def add_question(
    *, lesson: Lesson, kind: str, text: str, explanation: str = "", choices: Sequence[ChoiceInput]
) -> Question:
    """Add a question to a check's bank; for 'order', choices come in the right order."""
    if lesson.kind != Lesson.Kind.CHECK:
        raise AuthoringError(_("Chỉ bài kiểm tra mới có câu hỏi."))
    question = Question(
        lesson=lesson,
        kind=kind,
        text=text.strip(),
        explanation=explanation.strip(),
        position=_next_position(lesson.questions.all()),
    )
    return _save_question(question, choices)


@transaction.atomic
def update_question(
    *,
    question: Question,
    kind: str,
    text: str,
    explanation: str = "",
    choices: Sequence[ChoiceInput],
) -> Question:
    """Change a question and replace its choices."""
    question.kind = kind
    question.text = text.strip()
    question.explanation = explanation.strip()
    return _save_question(question, choices)


@transaction.atomic
def delete_question(*, question: Question) -> None:
    """Delete a question from the bank."""
    lesson = question.lesson
    question.delete()
    _renumber(list(lesson.questions.order_by("position", "id")))
    _touch(lesson.course)


@transaction.atomic
def move_question(*, question: Question, direction: str) -> None:
    """Move a question one place up or down in its bank."""
    _move(list(question.lesson.questions.order_by("position", "id")), question, direction)
    _touch(question.lesson.course)


@transaction.atomic
def save_lesson_translation(
    *,
    lesson: Lesson,
    language: str,
    title: str,
    body: str = "",
    steps: dict[int, tuple[str, str]] | None = None,
) -> None:
    """Keep the lesson (and its steps) in a further language; a blank title removes the translation."""
    if language == BASE_LANGUAGE or language not in dict(CONTENT_LANGUAGES):
        raise AuthoringError(_("Hãy chọn một ngôn ngữ khác tiếng Việt."), field="language")
    title = title.strip()
    if title:
        LessonTranslation.objects.update_or_create(
            lesson=lesson, language=language, defaults={"title": title, "body": body}
        )
    elif body.strip():
        raise AuthoringError(_("Bản dịch cần có tên bài."), field="title")
    else:
        LessonTranslation.objects.filter(lesson=lesson, language=language).delete()
    for step in lesson.steps.all():
        step_title, instruction = (steps or {}).get(step.pk, ("", ""))
        step_title, instruction = step_title.strip(), instruction.strip()
        if step_title and instruction:
            StepTranslation.objects.update_or_create(
                step=step,
                language=language,
                defaults={"title": step_title, "instruction": instruction},
            )
        elif step_title or instruction:
            raise AuthoringError(
                _("Bước “%(step)s”: hãy dịch cả tiêu đề và hướng dẫn.") % {"step": step.title},
                field="steps",
            )
        else:
            StepTranslation.objects.filter(step=step, language=language).delete()
    _touch(lesson.course)


@transaction.atomic
def publish_course(*, course: Course, published_by) -> CourseVersion:
    """Check the whole course, then publish it as a new version with a snapshot of its content."""
    published = course
    course = Course.objects.select_for_update().get(pk=course.pk)
    problems = publication_problems(course)
    if problems:
        raise PublishError(problems)
    document = document_from_course(course)
    try:
        validate_course_document(document)
    except CourseDocumentError as error:
        raise PublishError([str(error)]) from None
    now = timezone.now()
    course.version += 1
    course.status = Course.Status.PUBLISHED
    course.published_at = now
    course.save(update_fields=["version", "status", "published_at", "updated_at"])
    # Same instant as published_at, so an untouched course shows no unpublished changes.
    Course.objects.filter(pk=course.pk).update(updated_at=now)
    published.version, published.status, published.published_at = course.version, course.status, now
    published.updated_at = now
    return CourseVersion.objects.create(
        course=course, number=course.version, snapshot=document, published_by=published_by
    )


@transaction.atomic
def archive_course(*, course: Course) -> Course:
    """Take a course out of the catalogue; its learners' records stay, publishing brings it back."""
    course.status = Course.Status.ARCHIVED
    course.save(update_fields=["status", "updated_at"])
    return course


@transaction.atomic
def restore_course_version(*, course: Course, number: int) -> Course:
    """Put the content of a published version back as the course's current content, to publish anew."""
    # Fresh from the database: a stale copy would write back an old status and version number.
    course = Course.objects.select_for_update().get(pk=course.pk)
    version = CourseVersion.objects.get(course=course, number=number)
    document = dict(version.snapshot)
    document["slug"] = course.slug
    # Without a media opener the snapshot's files are found where they still are, in storage.
    # Status and version number stay: only publishing changes them.
    try:
        return course_from_document(doc=document, publisher=course.publisher, replace=course)
    except CourseDocumentError as error:
        raise AuthoringError(str(error)) from None


@transaction.atomic
def adopt_course(*, course: Course, publisher: Publisher, adopted_by) -> CourseAdoption:
    """Offer another publisher's published course in this publisher's catalogue; twice is once."""
    authorize(adopted_by, Perm.EDIT_CONTENT, publisher.area)
    if course.publisher_id == publisher.pk:
        raise AuthoringError(_("Đây là khoá học của chính đơn vị này."))
    if course.status != Course.Status.PUBLISHED:
        raise AuthoringError(_("Chỉ dùng chung được khoá học đã xuất bản."))
    adoption, _created = CourseAdoption.objects.get_or_create(
        course=course, publisher=publisher, defaults={"adopted_by": adopted_by}
    )
    return adoption


@transaction.atomic
def withdraw_adoption(*, course: Course, publisher: Publisher) -> None:
    """Stop offering an adopted course in this publisher's catalogue."""
    CourseAdoption.objects.filter(course=course, publisher=publisher).delete()
