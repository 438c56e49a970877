from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hocvuso.ops.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Khôi phục một bản sao lưu của `hocvuso backup`. Kiểm tra bảng kê, mã SHA-256 và "
        "migration trước; không ghi đè cơ sở dữ liệu đã có dữ liệu nếu không có --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Tệp .tar.gz do `hocvuso backup` tạo.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Thay cơ sở dữ liệu và thư mục tệp tải lên dù đã có dữ liệu.",
        )
        parser.add_argument(
            "--into",
            help="Khôi phục vào nơi khác: đường dẫn tệp SQLite, hoặc tên cơ sở dữ liệu "
            "PostgreSQL trên cùng máy chủ (tạo mới nếu chưa có).",
        )
        parser.add_argument(
            "--media-root", type=Path, help="Thư mục tệp tải lên đích (mặc định: MEDIA_ROOT)."
        )

    def handle(self, *args, **options):
        try:
            result = restore_backup(
                archive_path=options["file"],
                force=options["force"],
                into=options["into"],
                media_root=options["media_root"],
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Đã khôi phục vào {result.target} ({result.engine}): {result.tables} bảng, "
            f"{result.rows:,} dòng, khớp bảng kê; {result.media_files} tệp tải lên."
        )
        if result.missing_migrations:
            self.stdout.write(
                "Bản sao lưu cũ hơn phần mềm: hãy chạy `hocvuso migrate` "
                f"({len(result.missing_migrations)} migration chưa áp dụng)."
            )
