from django.core.management.base import BaseCommand

from hocvuso.places.services import load_administrative_units


class Command(BaseCommand):
    help = "Nạp hoặc cập nhật 34 tỉnh, thành phố và 3.321 xã, phường, đặc khu từ gói vietnam-provinces."

    def handle(self, *args, **options):
        result = load_administrative_units()
        self.stdout.write(
            f"Đã nạp {result.provinces} tỉnh, thành phố và {result.communes} xã, phường, đặc khu "
            f"(tạo mới {result.created}, cập nhật {result.updated})."
        )
