from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hocvuso.ops.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Sao lưu cơ sở dữ liệu (SQLite hoặc PostgreSQL) và thư mục tệp tải lên vào một tệp "
        ".tar.gz có bảng kê (manifest.json); làm được khi trang đang chạy."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help="Tệp sẽ ghi (mặc định: var/backups/hocvuso-<loại>-<thời điểm>.tar.gz).",
        )

    def handle(self, *args, **options):
        try:
            result = create_backup(output=options["output"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        manifest = result.manifest
        media = sum(1 for name in manifest["files"] if name.startswith("media/"))
        self.stdout.write(
            f"Đã sao lưu vào {result.path} ({result.path.stat().st_size:,} byte): "
            f"{manifest['engine']} {manifest['server_version']}, {len(manifest['tables'])} bảng, "
            f"{result.rows:,} dòng, {media} tệp tải lên."
        )
