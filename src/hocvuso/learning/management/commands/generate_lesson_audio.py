import time

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from hocvuso.learning.models import BASE_LANGUAGE, Course, Lesson, LessonAudio, Step
from hocvuso.learning.services.audio import AudioError, audio_for_lesson


class Command(BaseCommand):
    help = _(
        'Tạo sẵn tệp "Nghe bài" cho mọi bài của các khoá học đã xuất bản, để máy chủ xã chuẩn bị '
        "trước trong đêm. Bài đã có tệp đúng nội dung thì giữ nguyên."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--course", action="append", default=[], help=_("Chỉ khoá học có mã này.")
        )

    def handle(self, *args, **options):
        lessons = (
            Lesson.objects.filter(course__status=Course.Status.PUBLISHED)
            .order_by("course__title", "position", "id")
            .prefetch_related(
                "translations",
                "audio",
                Prefetch("steps", queryset=Step.objects.prefetch_related("translations")),
            )
        )
        if options["course"]:
            lessons = lessons.filter(course__slug__in=options["course"])
        counts = {"generated": 0, "current": 0, "uploaded": 0, "unavailable": 0}
        total_bytes = 0
        started = time.monotonic()
        for lesson in lessons:
            before = {audio.language: audio.file.name for audio in lesson.audio.all()}
            languages = [BASE_LANGUAGE, *(t.language for t in lesson.translations.all())]
            for language in dict.fromkeys(languages):
                try:
                    audio = audio_for_lesson(lesson=lesson, language=language)
                except AudioError as error:
                    raise CommandError(str(error)) from error
                if audio is None:
                    counts["unavailable"] += 1
                    continue
                if audio.source == LessonAudio.Source.UPLOADED:
                    counts["uploaded"] += 1
                elif before.get(language) == audio.file.name:
                    counts["current"] += 1
                else:
                    counts["generated"] += 1
                total_bytes += audio.file.size
        self.stdout.write(
            _(
                "Tạo mới %(generated)d tệp, %(current)d tệp đã đúng nội dung, %(uploaded)d bản "
                "ghi âm của biên tập viên, %(unavailable)d bản ngôn ngữ chưa đọc được. "
                "Tổng dung lượng %(size).1f MB, mất %(seconds).1f giây."
            )
            % {
                **counts,
                "size": total_bytes / 1024 / 1024,
                "seconds": time.monotonic() - started,
            }
        )
