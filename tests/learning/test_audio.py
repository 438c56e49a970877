""" "Nghe bài": speech generated offline and cached, editors' recordings, and byte ranges for phones."""

import os
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse

from hocvuso.accounts.models import Role
from hocvuso.learning.models import (
    Course,
    Lesson,
    LessonAudio,
    LessonTranslation,
    Publisher,
    Step,
    StepTranslation,
)
from hocvuso.learning.services.audio import (
    AudioError,
    attach_uploaded_audio,
    audio_for_lesson,
    lesson_speech_text,
)

BODY = """Ứng dụng **VNeID** giúp bà con làm thủ tục mà *không phải* mang giấy tờ.

## Chuẩn bị

- Điện thoại có mạng
- Căn cước công dân gắn chip

Xem thêm tại [trang hướng dẫn](https://vneid.gov.vn/huong-dan) và ![ảnh màn hình](anh.png).
"""


@pytest.fixture
def speech_engine():
    """The real eSpeak NG and LAME; CI must have them, elsewhere their absence skips loudly."""
    missing = [name for name in ("espeak-ng", "lame") if shutil.which(name) is None]
    if missing:
        message = f"not installed: {', '.join(missing)} (apt-get install espeak-ng lame)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def publisher(area):
    return Publisher.objects.create(
        name="Sở Khoa học và Công nghệ Lào Cai", kind=Publisher.Kind.PROVINCE, area=area("15")
    )


def _course(publisher, status=Course.Status.PUBLISHED, slug="kich-hoat-vneid"):
    return Course.objects.create(
        slug=slug, title="Kích hoạt VNeID", topic="vneid", publisher=publisher, status=status
    )


@pytest.fixture
def lesson(publisher):
    return Lesson.objects.create(
        course=_course(publisher),
        kind=Lesson.Kind.READING,
        title="Vì sao cần tài khoản định danh điện tử",
        body=BODY,
    )


@pytest.fixture
def guide(publisher):
    guide = Lesson.objects.create(
        course=_course(publisher, slug="cai-vneid"),
        kind=Lesson.Kind.GUIDE,
        title="Cài ứng dụng VNeID",
        body="Làm lần lượt **ba bước** sau.",
    )
    steps = [
        ("Mở CH Play", "Chạm vào biểu tượng *CH Play* trên màn hình chính."),
        ("Tìm VNeID", "Gõ chữ VNeID vào ô tìm kiếm."),
        ("Cài đặt", "Chạm nút **Cài đặt** và chờ tải xong"),
    ]
    for position, (title, instruction) in enumerate(steps):
        Step.objects.create(lesson=guide, position=position, title=title, instruction=instruction)
    return guide


def mp3_duration_seconds(data: bytes) -> float:
    """Walk every MPEG-1/2 layer III frame after an optional ID3v2 tag; fail on anything else."""
    bitrates = {
        3: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
        2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    }
    rates = {3: [44100, 48000, 32000], 2: [22050, 24000, 16000]}
    offset = 0
    if data.startswith(b"ID3"):
        size = data[6] << 21 | data[7] << 14 | data[8] << 7 | data[9]
        offset = 10 + size
    frames = 0
    seconds = 0.0
    while offset + 4 <= len(data):
        b1, b2, b3 = data[offset + 1], data[offset + 2], data[offset + 3]
        assert data[offset] == 0xFF and b1 & 0xE0 == 0xE0, f"no frame sync at byte {offset}"
        version = (b1 >> 3) & 0x03
        assert version in (2, 3) and (b1 >> 1) & 0x03 == 1, "not MPEG-1/2 layer III"
        bitrate = bitrates[version][b2 >> 4] * 1000
        rate = rates[version][(b2 >> 2) & 0x03]
        padding = (b2 >> 1) & 0x01
        samples = 1152 if version == 3 else 576
        offset += samples // 8 * bitrate // rate + padding
        seconds += samples / rate
        frames += 1
        assert b3 >> 6 == 3, "not mono"
    assert frames > 0
    return seconds


def test_speech_text_strips_markdown_and_keeps_plain_sentences(lesson):
    text = lesson_speech_text(lesson, "vi")
    assert text.splitlines() == [
        "Vì sao cần tài khoản định danh điện tử.",
        "Ứng dụng VNeID giúp bà con làm thủ tục mà không phải mang giấy tờ.",
        "Chuẩn bị.",
        "Điện thoại có mạng.",
        "Căn cước công dân gắn chip.",
        "Xem thêm tại trang hướng dẫn và.",
    ]
    assert "*" not in text and "http" not in text and "#" not in text


def test_speech_text_reads_each_step_of_a_guide_in_order(guide):
    text = lesson_speech_text(guide, "vi")
    assert text.splitlines() == [
        "Cài ứng dụng VNeID.",
        "Làm lần lượt ba bước sau.",
        "Bước 1.",
        "Mở CH Play.",
        "Chạm vào biểu tượng CH Play trên màn hình chính.",
        "Bước 2.",
        "Tìm VNeID.",
        "Gõ chữ VNeID vào ô tìm kiếm.",
        "Bước 3.",
        "Cài đặt.",
        "Chạm nút Cài đặt và chờ tải xong.",
    ]


def test_speech_text_in_a_language_uses_its_translation_or_is_empty(guide):
    assert lesson_speech_text(guide, "en") == ""
    LessonTranslation.objects.create(lesson=guide, language="en", title="Install VNeID", body="")
    first = guide.steps.first()
    StepTranslation.objects.create(
        step=first, language="en", title="Open CH Play", instruction="Tap the icon."
    )
    text = lesson_speech_text(guide, "en")
    assert text.splitlines()[:4] == ["Install VNeID.", "Step 1.", "Open CH Play.", "Tap the icon."]


def test_generated_speech_is_a_real_small_mono_mp3(lesson, media, speech_engine):
    audio = audio_for_lesson(lesson=lesson)
    assert audio.source == LessonAudio.Source.GENERATED
    assert audio.file.name.startswith("lessons/audio/") and audio.file.name.endswith(".mp3")
    data = audio.file.read()
    audio.file.close()
    duration = mp3_duration_seconds(data)
    # Six short sentences read slowly.
    assert 8 < duration < 60
    # 32 kbps: 4 KB a second, plus one frame of header.
    assert abs(len(data) - duration * 4000) < 2000


def test_second_request_plays_the_cached_file_without_generating_again(
    lesson, media, speech_engine
):
    first = audio_for_lesson(lesson=lesson)
    path = first.file.path
    mtime = os.stat(path).st_mtime_ns
    again = audio_for_lesson(lesson=lesson)
    assert again.pk == first.pk and again.file.name == first.file.name
    assert os.stat(path).st_mtime_ns == mtime
    assert LessonAudio.objects.filter(lesson=lesson).count() == 1
    assert len(list((media / "lessons" / "audio").iterdir())) == 1


def test_changed_lesson_text_regenerates_and_removes_the_stale_file(
    lesson, media, speech_engine, django_capture_on_commit_callbacks
):
    stale = audio_for_lesson(lesson=lesson)
    stale_path = stale.file.path
    lesson.body = "Nội dung mới: chỉ một câu."
    lesson.save()
    with django_capture_on_commit_callbacks(execute=True):
        fresh = audio_for_lesson(lesson=lesson)
    assert fresh.pk == stale.pk
    assert fresh.file.name != stale.file.name
    assert fresh.text_hash != stale.text_hash
    assert not os.path.exists(stale_path)
    assert os.path.exists(fresh.file.path)
    assert LessonAudio.objects.get(lesson=lesson).file.name == fresh.file.name


def test_uploaded_recording_wins_over_generated_speech(
    lesson, media, speech_engine, django_capture_on_commit_callbacks
):
    generated = audio_for_lesson(lesson=lesson)
    recording = b"OggS" + bytes(2000)
    with django_capture_on_commit_callbacks(execute=True):
        attach_uploaded_audio(
            lesson=lesson,
            language="vi",
            upload=SimpleUploadedFile("Giọng cô Hoa <b>.ogg", recording),
        )
    audio = audio_for_lesson(lesson=lesson)
    assert audio.source == LessonAudio.Source.UPLOADED
    assert audio.file.name == f"lessons/audio/lesson-{lesson.pk}-vi-giong-co-hoa-b.ogg"
    assert audio.file.read() == recording
    assert not os.path.exists(media / generated.file.name)
    # A change of the lesson text leaves the editor's recording alone.
    lesson.title = "Tên mới"
    lesson.save()
    assert audio_for_lesson(lesson=lesson).file.name == audio.file.name


def test_uploaded_wav_is_kept_as_a_small_mp3(lesson, media, speech_engine, tmp_path):
    wav = tmp_path / "ghi-am.wav"
    subprocess.run(["espeak-ng", "-v", "vi", "-w", str(wav), "Xin chào bà con"], check=True)
    audio = attach_uploaded_audio(
        lesson=lesson, language="vi", upload=SimpleUploadedFile("ghi âm.WAV", wav.read_bytes())
    )
    assert audio.file.name.endswith("-ghi-am.mp3")
    assert mp3_duration_seconds(audio.file.read()) > 0.5
    assert audio.file.size < wav.stat().st_size / 3


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bai.mp3", b"<html><script>alert(1)</script></html>", "không phải âm thanh"),
        ("bai.exe", b"MZ\x90\x00" + bytes(100), "không phải âm thanh"),
        ("bai.mp3", b"", "trống"),
    ],
)
def test_upload_that_is_not_audio_is_refused_and_nothing_changes(
    lesson, media, name, content, message
):
    with pytest.raises(AudioError, match=message):
        attach_uploaded_audio(
            lesson=lesson, language="vi", upload=SimpleUploadedFile(name, content)
        )
    assert not LessonAudio.objects.exists()
    assert not (media / "lessons").exists()


def test_upload_for_an_unknown_language_is_refused(lesson, media):
    upload = SimpleUploadedFile("a.mp3", b"ID3" + bytes(900))
    with pytest.raises(AudioError, match="Ngôn ngữ"):
        attach_uploaded_audio(lesson=lesson, language="xx", upload=upload)
    assert not LessonAudio.objects.exists()


def test_upload_too_large_is_refused(lesson, media, settings):
    settings.UPLOAD_MAX_AUDIO_BYTES = 1024 * 1024
    upload = SimpleUploadedFile("dai.mp3", b"ID3" + bytes(1024 * 1024))
    with pytest.raises(AudioError, match="quá lớn"):
        attach_uploaded_audio(lesson=lesson, language="vi", upload=upload)
    assert not LessonAudio.objects.exists()


def test_a_new_upload_replaces_the_previous_one(lesson, media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = attach_uploaded_audio(
            lesson=lesson, language="vi", upload=SimpleUploadedFile("a.mp3", b"ID3" + bytes(900))
        )
    first_path = first.file.path
    with django_capture_on_commit_callbacks(execute=True):
        second = attach_uploaded_audio(
            lesson=lesson,
            language="vi",
            upload=SimpleUploadedFile("b.m4a", bytes(4) + b"ftypM4A " + bytes(900)),
        )
    assert second.pk == first.pk and second.file.name.endswith("-b.m4a")
    assert not os.path.exists(first_path)
    assert LessonAudio.objects.count() == 1


def test_language_without_a_voice_has_audio_only_from_a_recording(lesson, media, client):
    LessonTranslation.objects.create(lesson=lesson, language="hmn", title="Vim li cas", body="")
    url = reverse("learning:lesson_audio", args=[lesson.pk])
    assert audio_for_lesson(lesson=lesson, language="hmn") is None
    assert client.get(url, {"lang": "hmn"}).status_code == 404
    attach_uploaded_audio(
        lesson=lesson, language="hmn", upload=SimpleUploadedFile("hmn.mp3", b"ID3" + bytes(500))
    )
    response = client.get(url, {"lang": "hmn"})
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/mpeg"


def test_lesson_audio_is_served_whole_with_its_headers(lesson, media, client, speech_engine):
    response = client.get(reverse("learning:lesson_audio", args=[lesson.pk]))
    body = b"".join(response.streaming_content)
    stored = LessonAudio.objects.get(lesson=lesson)
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/mpeg"
    assert response["Content-Length"] == str(len(body)) == str(stored.file.size)
    assert response["Accept-Ranges"] == "bytes"
    assert "max-age" in response["Cache-Control"]
    assert body == stored.file.read()
    again = client.get(
        reverse("learning:lesson_audio", args=[lesson.pk]), HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert again.status_code == 304


def test_range_request_returns_206_with_exactly_those_bytes(lesson, media, client, speech_engine):
    url = reverse("learning:lesson_audio", args=[lesson.pk])
    whole = b"".join(client.get(url).streaming_content)
    size = len(whole)

    part = client.get(url, HTTP_RANGE="bytes=100-1099")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-1099/{size}"
    assert part["Content-Length"] == "1000"
    assert b"".join(part.streaming_content) == whole[100:1100]

    tail = client.get(url, HTTP_RANGE="bytes=-500")
    assert tail["Content-Range"] == f"bytes {size - 500}-{size - 1}/{size}"
    assert b"".join(tail.streaming_content) == whole[-500:]

    rest = client.get(url, HTTP_RANGE=f"bytes={size - 10}-")
    assert b"".join(rest.streaming_content) == whole[-10:]

    beyond = client.get(url, HTTP_RANGE=f"bytes={size}-")
    assert beyond.status_code == 416
    assert beyond["Content-Range"] == f"bytes */{size}"


def test_download_link_names_the_file_after_the_lesson(lesson, media, client, speech_engine):
    response = client.get(reverse("learning:lesson_audio", args=[lesson.pk]), {"download": "1"})
    assert response["Content-Disposition"] == (
        'attachment; filename="vi-sao-can-tai-khoan-dinh-danh-dien-tu-vi.mp3"'
    )


def test_draft_lesson_audio_is_heard_only_by_its_editors(
    publisher, media, client, make_user, area, speech_engine
):
    draft = Lesson.objects.create(
        course=_course(publisher, status=Course.Status.DRAFT),
        kind=Lesson.Kind.READING,
        title="Bản nháp",
        body="Chưa xuất bản.",
    )
    url = reverse("learning:lesson_audio", args=[draft.pk])
    assert client.get(url).status_code == 404
    client.force_login(make_user(Role.LEARNER, area("04399")))
    assert client.get(url).status_code == 404
    client.force_login(make_user(Role.CONTENT_EDITOR, area("12364")))
    assert client.get(url).status_code == 404
    client.force_login(make_user(Role.CONTENT_EDITOR, area("15")))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"


def test_missing_speech_engine_gives_a_clear_message_and_a_logged_error(
    lesson, media, client, monkeypatch, tmp_path, caplog
):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(AudioError, match="chưa cài chương trình đọc bài"):
        audio_for_lesson(lesson=lesson)
    assert "espeak-ng" in caplog.text
    response = client.get(reverse("learning:lesson_audio", args=[lesson.pk]))
    assert response.status_code == 503
    assert "espeak-ng" in response.content.decode()
    assert not LessonAudio.objects.exists()


def test_listen_include_offers_the_player_and_the_download(lesson, speech_engine):
    html = render_to_string(
        "learning/learner/_listen.html", {"lesson": lesson, "content_language": "vi"}
    )
    url = reverse("learning:lesson_audio", args=[lesson.pk])
    assert html.count("<audio controls") == 1
    assert 'preload="none"' in html and f'src="{url}?lang=vi"' in html
    assert f'href="{url}?lang=vi&amp;download=1"' in html
    assert "Nghe bài" in html and "Tải tệp âm thanh" in html


def test_listen_include_falls_back_to_vietnamese_for_a_language_without_voice(
    lesson, speech_engine
):
    html = render_to_string(
        "learning/learner/_listen.html", {"lesson": lesson, "content_language": "hmn"}
    )
    assert "?lang=vi" in html and "?lang=hmn" not in html
    assert "Mời nghe bằng tiếng Việt" in html


def test_listen_include_offers_the_chosen_language_first_then_vietnamese(lesson, speech_engine):
    LessonTranslation.objects.create(lesson=lesson, language="en", title="Why", body="Because.")
    html = render_to_string(
        "learning/learner/_listen.html", {"lesson": lesson, "content_language": "en"}
    )
    assert html.count("<audio controls") == 2
    assert html.index("?lang=en") < html.index("?lang=vi")
    assert "Tiếng Anh" in html and "Mời nghe" not in html


def test_generate_command_warms_the_cache_once(lesson, guide, media, capsys, speech_engine):
    call_command("generate_lesson_audio")
    first = capsys.readouterr().out
    assert "Tạo mới 2 tệp, 0 tệp đã đúng nội dung" in first
    call_command("generate_lesson_audio")
    assert "Tạo mới 0 tệp, 2 tệp đã đúng nội dung" in capsys.readouterr().out
    assert LessonAudio.objects.count() == 2


def test_lesson_page_offers_nghe_bai(lesson, make_user, area, login, speech_engine):
    client = login(make_user(Role.LEARNER, area("04399")))
    page = client.get(reverse("learning:lesson", args=[lesson.course.slug, lesson.pk]), follow=True)
    audio_url = reverse("learning:lesson_audio", args=[lesson.pk])
    assert page.status_code == 200
    assert f'src="{audio_url}?lang=vi"' in page.content.decode()
    assert client.get(audio_url).status_code == 200
