"""Vocabularies about people that learning, skills, field and monitoring share."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TargetGroup(models.TextChoices):
    """The four target groups of Decision 757/QĐ-BKHCN."""

    OFFICIALS = "officials", _("Cán bộ, công chức, viên chức, người lao động cơ quan nhà nước")
    STUDENTS = "students", _("Học sinh, sinh viên")
    WORKERS = "workers", _("Người lao động trong doanh nghiệp")
    CITIZENS = "citizens", _("Người dân")


# Languages a person may prefer and a lesson may carry side by side with Vietnamese (ISO 639).
LANGUAGES = [
    ("vi", _("Tiếng Việt")),
    ("hmn", _("Tiếng Hmông")),
    ("tyz", _("Tiếng Tày")),
    ("blt", _("Tiếng Thái")),
    ("rad", _("Tiếng Ê Đê")),
    ("km", _("Tiếng Khmer")),
    ("en", _("Tiếng Anh")),
]


class Milestone(models.TextChoices):
    """The digital milestones a resident reaches, each recorded once as an event."""

    HAS_SMARTPHONE = "has_smartphone", _("Có điện thoại thông minh")
    VNEID_INSTALLED = "vneid_installed", _("Đã cài VNeID")
    VNEID_LEVEL2 = "vneid_level2", _("Đã kích hoạt định danh điện tử mức 2")
    BANK_ACCOUNT = "bank_account", _("Có tài khoản ngân hàng số")
    PAYS_CASHLESS = "pays_cashless", _("Thanh toán không dùng tiền mặt")
    USED_PUBLIC_SERVICE = "used_public_service", _("Đã dùng dịch vụ công trực tuyến")
    COMPLETED_BASIC_COURSE = "completed_basic_course", _("Đã hoàn thành khoá học cơ bản")
    CONFIRMED_BASIC_LEVEL = (
        "confirmed_basic_level",
        _("Đã được xác nhận đạt trình độ phổ cập kỹ năng số"),
    )
    # Traders of "Chợ số – Nông thôn số".
    SELLS_ONLINE = "sells_online", _("Bán hàng trên sàn thương mại điện tử, mạng xã hội")
    TAKES_QR_PAYMENT = "takes_qr_payment", _("Nhận thanh toán bằng mã QR")
