from django.core.management.base import BaseCommand
from django.utils import timezone

from hocvuso.people.retention import apply_retention


def _day(moment) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y")


class Command(BaseCommand):
    help = (
        "Xoá dữ liệu cá nhân quá thời hạn lưu trữ (AUDIT_RETENTION_DAYS, "
        "INACTIVE_RESIDENT_RETENTION_DAYS). Mặc định chỉ chạy thử; thêm --apply để xoá."
    )

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="Xoá thật (mặc định: chạy thử).")

    def handle(self, *args, **options):
        report = apply_retention(apply=options["apply"])
        done = "Đã xoá" if report.applied else "Sẽ xoá"
        if report.audit_cutoff is None:
            self.stdout.write("Nhật ký truy cập: giữ vĩnh viễn (AUDIT_RETENTION_DAYS=0).")
        else:
            self.stdout.write(
                f"Nhật ký truy cập: {done} {report.audit_rows} lượt ghi trước ngày "
                f"{_day(report.audit_cutoff)}."
            )
        if report.resident_cutoff is None:
            self.stdout.write("Người dân: giữ vĩnh viễn (INACTIVE_RESIDENT_RETENTION_DAYS=0).")
        else:
            ids = ", ".join(str(pk) for pk in report.resident_ids[:50])
            more = " …" if report.residents > 50 else ""
            self.stdout.write(
                f"Người dân không còn sự đồng ý và không có thay đổi từ ngày "
                f"{_day(report.resident_cutoff)}: {done} {report.residents} người"
                + (f" (mã {ids}{more})." if ids else ".")
            )
        if not report.applied:
            self.stdout.write("Chạy thử: chưa xoá gì. Thêm --apply để xoá.")
