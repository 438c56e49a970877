from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from hocvuso.accounts.demo import DEMO_PASSWORD
from hocvuso.demo.data import USERS
from hocvuso.demo.services import load_demo


class Command(BaseCommand):
    help = _(
        "Nạp dữ liệu mẫu: cây địa bàn hành chính, các thôn, tổ dân phố của Xã Đông Cuông, "
        "Xã Tiên Lữ, Xã Măng Đen, Phường Đống Đa và một tài khoản cho mỗi vai trò. "
        "Chạy lại nhiều lần không thay đổi gì thêm."
    )

    def handle(self, *args, **options):
        result = load_demo()
        self.stdout.write(
            _(
                "Địa bàn hành chính: %(provinces)d tỉnh, thành phố và %(communes)d xã, phường, "
                "đặc khu (tạo mới %(created)d, cập nhật %(updated)d)."
            )
            % {
                "provinces": result.units.provinces,
                "communes": result.units.communes,
                "created": result.units.created,
                "updated": result.units.updated,
            }
        )
        self.stdout.write(
            _(
                "Thôn, tổ dân phố của %(communes)d xã, phường mẫu: tạo mới %(created)d, "
                "đã có %(existing)d."
            )
            % {
                "communes": result.communes,
                "created": result.villages_created,
                "existing": result.villages_existing,
            }
        )
        self.stdout.write(
            _("Tài khoản mẫu: tạo mới %(created)d, đã có %(existing)d.")
            % {"created": result.users_created, "existing": result.users_existing}
        )
        for spec in USERS:
            self.stdout.write(f"  {spec.username:<22} {spec.phone}  {spec.role.label}")
        self.stdout.write(
            self.style.SUCCESS(
                _("Mật khẩu của mọi tài khoản mẫu: %(password)s") % {"password": DEMO_PASSWORD}
            )
        )
