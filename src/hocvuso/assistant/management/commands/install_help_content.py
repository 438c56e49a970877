"""hocvuso install_help_content: the shipped FAQ and scam warnings, for a site without the demo."""

from django.core.management.base import BaseCommand

from hocvuso.assistant.services import install_starter_help


class Command(BaseCommand):
    help = "Cài các câu hỏi thường gặp và cảnh báo lừa đảo có sẵn (mục đã có được giữ nguyên)."

    def handle(self, *args, **options):
        result = install_starter_help()
        self.stdout.write(
            f"{result.faqs_created} câu hỏi thường gặp, {result.scams_created} cảnh báo lừa đảo mới."
        )
