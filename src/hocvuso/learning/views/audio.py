"""The "Nghe bài" file: a lesson's recording or generated speech, with byte ranges for phone players."""

import re

from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from hocvuso.accounts.authz import Perm, can
from hocvuso.learning.models import BASE_LANGUAGE, CONTENT_LANGUAGES, Course, Lesson
from hocvuso.learning.services.audio import (
    AudioError,
    audio_for_lesson,
    content_type_for,
    file_slug,
)

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_CHUNK = 64 * 1024
_LANGUAGES = {code for code, _name in CONTENT_LANGUAGES}


class _RangeNotSatisfiable(Exception):
    pass


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) of the one range asked for; None to send the whole file (also for several)."""
    match = _RANGE.match(header.replace(" ", ""))
    if match is None or not any(match.groups()):
        return None
    first, last = match.groups()
    if not first:
        length = int(last)
        if length == 0:
            raise _RangeNotSatisfiable
        return max(size - length, 0), size - 1
    first_byte = int(first)
    last_byte = min(int(last), size - 1) if last else size - 1
    if first_byte >= size or last_byte < first_byte:
        raise _RangeNotSatisfiable
    return first_byte, last_byte


def _read_range(handle, first: int, last: int):
    try:
        handle.seek(first)
        remaining = last - first + 1
        while remaining > 0:
            chunk = handle.read(min(_CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        handle.close()


@require_safe
def lesson_audio(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = get_object_or_404(
        Lesson.objects.select_related("course__publisher__area"), pk=lesson_id
    )
    is_public = lesson.course.status == Course.Status.PUBLISHED
    # A draft's existence is no one's business but its editors'.
    if not is_public and not can(request.user, Perm.EDIT_CONTENT, lesson.course.publisher.area):
        raise Http404
    language = request.GET.get("lang") or BASE_LANGUAGE
    if language not in _LANGUAGES:
        raise Http404
    try:
        audio = audio_for_lesson(lesson=lesson, language=language)
    except AudioError as error:
        return HttpResponse(str(error), status=503, content_type="text/plain; charset=utf-8")
    if audio is None:
        raise Http404(gettext("Bài này chưa có bản đọc bằng ngôn ngữ đã chọn."))

    etag = f'"{audio.pk}-{audio.text_hash[:16] or audio.file.name.rsplit("/", 1)[-1]}"'
    if etag in request.headers.get("If-None-Match", ""):
        return HttpResponseNotModified(headers={"ETag": etag})
    extension = audio.file.name.rsplit(".", 1)[-1]
    filename = f"{file_slug(lesson.title) or 'bai-hoc'}-{language}.{extension}"
    as_attachment = request.GET.get("download") == "1"
    headers = {
        "ETag": etag,
        "Accept-Ranges": "bytes",
        # Drafts change under their editors' hands; published lessons are public and stable.
        "Cache-Control": "public, max-age=3600" if is_public else "private, no-cache",
    }

    handle = audio.file.open("rb")
    size = audio.file.size
    wanted = None
    if_range = request.headers.get("If-Range")
    if "Range" in request.headers and (if_range is None or if_range == etag):
        try:
            wanted = _byte_range(request.headers["Range"], size)
        except _RangeNotSatisfiable:
            handle.close()
            return HttpResponse(status=416, headers={**headers, "Content-Range": f"bytes */{size}"})
    if wanted is None:
        response = FileResponse(
            handle,
            content_type=content_type_for(audio.file.name),
            as_attachment=as_attachment,
            filename=filename,
            headers=headers,
        )
        response["Content-Length"] = str(size)
        return response
    first, last = wanted
    response = StreamingHttpResponse(
        _read_range(handle, first, last),
        status=206,
        content_type=content_type_for(audio.file.name),
        headers={
            **headers,
            "Content-Range": f"bytes {first}-{last}/{size}",
            "Content-Length": str(last - first + 1),
            "Content-Disposition": content_disposition_header(as_attachment, filename),
        },
    )
    return response
