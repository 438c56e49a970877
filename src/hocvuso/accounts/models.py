"""Users, and the roles they hold, each scoped to an area."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hocvuso.places.models import Area


class Role(models.TextChoices):
    LEARNER = "learner", _("Người học")
    AMBASSADOR = "ambassador", _("Đại sứ số")
    TEAM_MEMBER = "team_member", _("Thành viên Tổ công nghệ số cộng đồng")
    TEAM_LEADER = "team_leader", _("Tổ trưởng Tổ công nghệ số cộng đồng")
    COMMUNE_OFFICER = "commune_officer", _("Cán bộ cấp xã")
    PROVINCE_OFFICER = "province_officer", _("Cán bộ cấp tỉnh")
    NATIONAL_ADMIN = "national_admin", _("Quản trị viên quốc gia")
    CONTENT_EDITOR = "content_editor", _("Biên tập viên nội dung")


class User(AbstractUser):
    # Stored normalised ("0912345678") so that "+84 912 345 678" logs in the same account.
    phone = models.CharField(_("số điện thoại"), max_length=15, unique=True, null=True, blank=True)
    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    home_area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nơi sinh sống"),
    )
    # Kept for assisted registrations: a resident without a phone is told apart by name and age.
    year_of_birth = models.PositiveSmallIntegerField(_("năm sinh"), null=True, blank=True)
    # Set when a team member registered this person, who may have no phone of their own.
    registered_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assisted_registrations",
        verbose_name=_("người đăng ký hộ"),
    )
    # Bumped whenever the user's roles or the path of an area they hold change, so that the grants
    # remembered in their session are read again (see accounts.middleware).
    roles_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    @property
    def is_assisted(self) -> bool:
        return self.registered_by_id is not None


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("vai trò"), max_length=32, choices=Role.choices)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("phạm vi địa bàn")
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vai trò theo địa bàn")
        verbose_name_plural = _("vai trò theo địa bàn")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "area"], name="unique_role_per_area")
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} — {self.area}"


class ApiToken(models.Model):
    """A bearer token for the JSON API, e.g. the field app on one phone; revocable.

    Only the SHA-256 of the token is stored: the token itself is shown once, when it is made.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("tên thiết bị hoặc ứng dụng"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    # The first characters of the token, so the owner can tell their tokens apart on screen.
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
