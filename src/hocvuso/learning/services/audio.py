"""What "Nghe bài" plays: the editor's recording, or speech generated offline by eSpeak NG and LAME.

Generated files are cached per (lesson, language) and keyed by a hash of the spoken text, so a lesson
is synthesised once and again only after its text changes. eSpeak NG and LAME come from Debian's
packages `espeak-ng` and `lame`.
"""

import hashlib
import logging
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import markdown
from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext

from hocvuso.learning.models import BASE_LANGUAGE, CONTENT_LANGUAGES, Lesson, LessonAudio

logger = logging.getLogger(__name__)

# eSpeak NG voices for the content languages it can speak; the minority languages have none, so
# they are heard only from a recording an editor uploaded.
ESPEAK_VOICES = {"vi": "vi", "en": "en"}
# Slower than eSpeak's 175 words a minute: many listeners are elderly or new to the subject.
SPEECH_RATE = 145
# Mono 32 kbps CBR: about 240 KB a minute, clear enough for speech, and a constant bitrate lets a
# phone's player seek by byte range without scanning the file.
MP3_BITRATE_KBPS = 32
UPLOAD_MP3_BITRATE_KBPS = 48
# Part of the text hash: changing how speech is made regenerates every cached file.
SPEECH_SETTINGS = f"espeak-ng rate={SPEECH_RATE} lame cbr={MP3_BITRATE_KBPS}"
ENGINE_TIMEOUT_SECONDS = 300
STEP_WORD = {"vi": "Bước", "en": "Step"}
_SENTENCE_END = (".", "!", "?", ":", ";", "…")


class AudioError(Exception):
    """A recording was refused or speech could not be made; the message is for the user."""


@dataclass(frozen=True)
class AudioKind:
    extension: str
    content_type: str


MP3 = AudioKind("mp3", "audio/mpeg")
M4A = AudioKind("m4a", "audio/mp4")
OGG = AudioKind("ogg", "audio/ogg")
WAV = AudioKind("wav", "audio/wav")
_KIND_BY_EXTENSION = {kind.extension: kind for kind in (MP3, M4A, OGG, WAV)}
# ISO base media brands that phones and recorders write for audio-only files.
_M4A_BRANDS = {b"M4A ", b"M4B ", b"mp41", b"mp42", b"isom", b"iso2", b"3gp4", b"3gp5", b"3gp6"}


def file_slug(text: str) -> str:
    """An ASCII file name part from Vietnamese text: "Định danh" → "dinh-danh"."""
    return slugify(text.replace("đ", "d").replace("Đ", "D"))


def content_type_for(name: str) -> str:
    """The MIME type of a stored audio file, from the extension this module gave it."""
    kind = _KIND_BY_EXTENSION.get(Path(name).suffix.lstrip(".").lower())
    return kind.content_type if kind else "application/octet-stream"


def sniff_audio_kind(head: bytes) -> AudioKind | None:
    """The audio format the first bytes of a file show, or None when they show no accepted one."""
    if head.startswith(b"ID3"):
        return MP3
    # An MPEG audio frame: 11 sync bits, then a layer III code.
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06 == 0x02:
        return MP3
    if head[4:8] == b"ftyp" and head[8:12] in _M4A_BRANDS:
        return M4A
    if head.startswith(b"OggS"):
        return OGG
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return WAV
    return None


class _PlainText(HTMLParser):
    """Collects the text of rendered Markdown, one sentence per block; code, images and URLs drop."""

    BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "dt", "dd", "pre"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sentences: list[str] = []
        self._current: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS or tag == "br":
            self._flush()

    def handle_endtag(self, tag):
        if tag in self.BLOCKS:
            self._flush()
        elif tag in {"td", "th"}:
            self._current.append(", ")

    def handle_data(self, data):
        self._current.append(data)

    def _flush(self) -> None:
        sentence = _as_sentence("".join(self._current))
        if sentence:
            self.sentences.append(sentence)
        self._current = []

    def close(self) -> None:
        super().close()
        self._flush()


def _as_sentence(text: str) -> str:
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r" ([.,!?;:…])", r"\1", text).strip(" ,")
    if text and not text.endswith(_SENTENCE_END):
        text += "."
    return text


def markdown_to_sentences(text: str) -> list[str]:
    """Markdown as plain sentences for a speech engine: no markup, a full stop after each block."""
    parser = _PlainText()
    parser.feed(markdown.markdown(text or ""))
    parser.close()
    return parser.sentences


def lesson_speech_text(lesson: Lesson, language: str = BASE_LANGUAGE) -> str:
    """The text "Nghe bài" speaks: title, body and each step; empty when the lesson lacks the language."""
    if language == BASE_LANGUAGE:
        title, body = lesson.title, lesson.body
    else:
        translation = next((t for t in lesson.translations.all() if t.language == language), None)
        if translation is None:
            return ""
        title, body = translation.title, translation.body
    sentences = [_as_sentence(title), *markdown_to_sentences(body)]
    if lesson.kind == Lesson.Kind.GUIDE:
        word = STEP_WORD.get(language, "")
        for number, step in enumerate(lesson.steps.all(), start=1):
            step_title, instruction = step.title, step.instruction
            for translation in step.translations.all():
                if translation.language == language:
                    step_title, instruction = translation.title, translation.instruction
            sentences.append(f"{word} {number}.".strip())
            sentences.append(_as_sentence(step_title))
            sentences.extend(markdown_to_sentences(instruction))
    return "\n".join(s for s in sentences if s)


def speech_text_hash(text: str, language: str) -> str:
    """What a generated file was made from: the settings, the voice and the text."""
    source = f"{SPEECH_SETTINGS}\n{ESPEAK_VOICES.get(language, '')}\n{text}"
    return hashlib.sha256(source.encode()).hexdigest()


def can_generate_speech(language: str) -> bool:
    """True when the speech engine has a voice for this content language."""
    return language in ESPEAK_VOICES


def speech_engine_installed() -> bool:
    """True when both programs that make speech are on the PATH."""
    return all(shutil.which(name) for name in ("espeak-ng", "lame"))


def _engine(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        logger.error("Audio: the program %r is not installed (Debian package %r).", name, name)
        raise AudioError(
            gettext(
                "Máy chủ chưa cài chương trình đọc bài (%(name)s). "
                "Xin báo quản trị hệ thống cài gói %(name)s."
            )
            % {"name": name}
        )
    return path


def _run(command: list[str]) -> None:
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=ENGINE_TIMEOUT_SECONDS)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        stderr = getattr(error, "stderr", b"") or b""
        logger.error("Audio: %s failed: %s", command[0], stderr.decode(errors="replace"))
        raise AudioError(gettext("Không tạo được tệp âm thanh. Xin thử lại sau.")) from error


def _encode_mp3(wav: Path, mp3: Path, bitrate: int) -> None:
    _run([_engine("lame"), "--quiet", "-m", "m", "-b", str(bitrate), "--cbr", str(wav), str(mp3)])


def synthesize_mp3(*, text: str, language: str, target: Path) -> None:
    """Speak `text` with eSpeak NG into a WAV file, then encode it as a small mono MP3 at `target`."""
    espeak = _engine("espeak-ng")
    _engine("lame")
    with tempfile.TemporaryDirectory(prefix="hocvuso-tts-") as workdir:
        text_file = Path(workdir) / "speech.txt"
        wav = Path(workdir) / "speech.wav"
        text_file.write_text(text, encoding="utf-8")
        voice = ESPEAK_VOICES[language]
        _run(
            [
                espeak,
                "-v",
                voice,
                "-s",
                str(SPEECH_RATE),
                "-b",
                "1",
                "-f",
                str(text_file),
                "-w",
                str(wav),
            ]
        )
        _encode_mp3(wav, target, MP3_BITRATE_KBPS)


def _file_exists(audio: LessonAudio) -> bool:
    return bool(audio.file) and audio.file.storage.exists(audio.file.name)


def _delete_file_on_commit(name: str, storage) -> None:
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _current(lesson: Lesson, language: str) -> LessonAudio | None:
    return LessonAudio.objects.filter(lesson=lesson, language=language).first()


def _is_usable(audio: LessonAudio | None, text_hash: str) -> bool:
    if audio is None or not _file_exists(audio):
        return False
    return audio.source == LessonAudio.Source.UPLOADED or audio.text_hash == text_hash


def _switch_row(fresh: LessonAudio) -> LessonAudio:
    storage = fresh.file.storage
    with transaction.atomic():
        audio = (
            LessonAudio.objects.select_for_update()
            .filter(lesson=fresh.lesson, language=fresh.language)
            .first()
        )
        if audio is None:
            fresh.save()
            return fresh
        if fresh.source == LessonAudio.Source.GENERATED and _is_usable(audio, fresh.text_hash):
            storage.delete(fresh.file.name)
            return audio
        _delete_file_on_commit(audio.file.name, storage)
        audio.source, audio.text_hash, audio.file = fresh.source, fresh.text_hash, fresh.file.name
        audio.save(update_fields=["source", "text_hash", "file"])
        return audio


def _store(
    *, lesson: Lesson, language: str, name: str, content: File, source: str, text_hash: str
) -> LessonAudio:
    """Save the file under a new name, then point the (lesson, language) row at it in one transaction.

    The row is switched only once the new file is complete, so a player never gets half a file; the
    file it replaced is deleted after commit. For generated speech, a usable row written meanwhile
    by a concurrent request wins and the new file is dropped.
    """
    fresh = LessonAudio(lesson=lesson, language=language, source=source, text_hash=text_hash)
    fresh.file.save(name, content, save=False)
    try:
        try:
            return _switch_row(fresh)
        except IntegrityError:
            # A concurrent first request created the row between the read and the insert.
            return _switch_row(fresh)
    except BaseException:
        fresh.file.storage.delete(fresh.file.name)
        raise


def audio_for_lesson(*, lesson: Lesson, language: str = BASE_LANGUAGE) -> LessonAudio | None:
    """The recording to play for a lesson in a language, generating and caching speech if needed."""
    existing = _current(lesson, language)
    if existing is not None and existing.source == LessonAudio.Source.UPLOADED:
        if _file_exists(existing):
            return existing
        logger.error("Audio: uploaded recording %s is missing from storage.", existing.file.name)
    if not can_generate_speech(language):
        return None
    text = lesson_speech_text(lesson, language)
    if not text:
        return None
    text_hash = speech_text_hash(text, language)
    if _is_usable(existing, text_hash):
        return existing
    with tempfile.TemporaryDirectory(prefix="hocvuso-tts-") as workdir:
        target = Path(workdir) / "speech.mp3"
        synthesize_mp3(text=text, language=language, target=target)
        with target.open("rb") as handle:
            return _store(
                lesson=lesson,
                language=language,
                name=f"lesson-{lesson.pk}-{language}-{text_hash[:12]}.mp3",
                content=File(handle),
                source=LessonAudio.Source.GENERATED,
                text_hash=text_hash,
            )


def attach_uploaded_audio(*, lesson: Lesson, language: str, upload: File) -> LessonAudio:
    """Keep an editor's recording for a lesson's language in place of any earlier audio."""
    limit = settings.UPLOAD_MAX_AUDIO_BYTES
    if language not in dict(CONTENT_LANGUAGES):
        raise AudioError(gettext("Ngôn ngữ không hợp lệ."))
    if not upload.size:
        raise AudioError(gettext("Tệp âm thanh trống."))
    if upload.size > limit:
        raise AudioError(
            gettext("Tệp âm thanh quá lớn (%(size)s MB); tối đa %(limit)s MB.")
            % {"size": round(upload.size / 1024 / 1024, 1), "limit": limit // (1024 * 1024)}
        )
    upload.seek(0)
    kind = sniff_audio_kind(upload.read(16))
    upload.seek(0)
    if kind is None:
        raise AudioError(
            gettext("Tệp này không phải âm thanh MP3, M4A, OGG hay WAV. Xin chọn tệp ghi âm khác.")
        )
    stem = file_slug(Path(upload.name or "").stem)[:40] or "ghi-am"
    name = f"lesson-{lesson.pk}-{language}-{stem}"
    source = LessonAudio.Source.UPLOADED
    if kind == WAV and shutil.which("lame"):
        # An uncompressed recording is ten times larger than a phone should download.
        with tempfile.TemporaryDirectory(prefix="hocvuso-upload-") as workdir:
            wav, mp3 = Path(workdir) / "upload.wav", Path(workdir) / "upload.mp3"
            with wav.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            try:
                _encode_mp3(wav, mp3, UPLOAD_MP3_BITRATE_KBPS)
            except AudioError as error:
                raise AudioError(
                    gettext("Tệp WAV này không đọc được. Xin lưu lại dưới dạng MP3 rồi tải lên.")
                ) from error
            with mp3.open("rb") as handle:
                return _store(
                    lesson=lesson,
                    language=language,
                    name=f"{name}.mp3",
                    content=File(handle),
                    source=source,
                    text_hash="",
                )
    return _store(
        lesson=lesson,
        language=language,
        name=f"{name}.{kind.extension}",
        content=File(upload),
        source=source,
        text_hash="",
    )


def listening_languages(lesson: Lesson, language: str) -> list[str]:
    """The languages "Nghe bài" offers on a page showing Vietnamese beside `language`.

    The chosen language first when it can be heard (a recording, or a translation the engine can
    speak), then Vietnamese. Costs no query for Vietnamese alone, one or two otherwise (none when
    `audio` and `translations` are prefetched).
    """
    speakable = speech_engine_installed()
    if not language or language == BASE_LANGUAGE:
        if speakable:
            return [BASE_LANGUAGE]
        language = BASE_LANGUAGE
    uploaded = {a.language for a in lesson.audio.all() if a.source == LessonAudio.Source.UPLOADED}
    heard = []
    for candidate in dict.fromkeys([language, BASE_LANGUAGE]):
        if candidate in uploaded or (
            speakable
            and can_generate_speech(candidate)
            and (
                candidate == BASE_LANGUAGE
                or any(t.language == candidate for t in lesson.translations.all())
            )
        ):
            heard.append(candidate)
    return heard
