"""hocvuso load_framework <file>: load a framework, profiles or mapping file (JSON Lines)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from hocvuso.skills.services.frameworks import (
    load_framework_file,
    load_shipped_frameworks,
    load_starter_mapping,
)


class Command(BaseCommand):
    help = (
        "Nạp tệp khung năng lực, khung theo nhóm đối tượng hoặc tệp gắn nội dung (JSON Lines). "
        "--shipped nạp các khung đi kèm nền tảng."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*")
        parser.add_argument("--shipped", action="store_true", help="TT02, DigComp 2.2, QĐ 757")
        parser.add_argument(
            "--starter-mapping", action="store_true", help="gắn 10 khoá học khởi đầu"
        )

    def handle(self, *args, files, shipped, starter_mapping, **options):
        try:
            results = load_shipped_frameworks() if shipped else []
            results += [load_framework_file(path=path) for path in files]
            if starter_mapping:
                results.append(load_starter_mapping())
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        for result in results:
            state = "đã nạp" if result.created else "không đổi"
            counts = ", ".join(f"{key}={value}" for key, value in result.counts.items())
            self.stdout.write(f"{result.label} ({result.kind}): {state}; {counts}")
