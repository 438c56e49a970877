from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from hocvuso.learning.services.catalogue import install_starter_catalogue


class Command(BaseCommand):
    help = _(
        "Cài đặt hoặc cập nhật các khoá học có sẵn của nền tảng (đã xuất bản). "
        "Chạy lại nhiều lần không thay đổi gì thêm."
    )

    def handle(self, *args, **options):
        result = install_starter_catalogue()
        self.stdout.write(
            _(
                "Khoá học có sẵn: tạo mới %(created)d, cập nhật %(updated)d, giữ nguyên %(unchanged)d."
            )
            % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
        )
        for slug in result.skipped:
            self.stdout.write(
                self.style.WARNING(
                    _("Bỏ qua “%(slug)s”: mã này đã được một đơn vị khác dùng.") % {"slug": slug}
                )
            )
