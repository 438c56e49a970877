"""Households, residents, their consent, and the digital milestones they reach."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hocvuso.people.choices import LANGUAGES, Milestone, TargetGroup
from hocvuso.places.models import Area

ELDERLY_AGE = 60


class Household(models.Model):
    village = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("thôn, tổ dân phố")
    )
    head_name = models.CharField(_("chủ hộ"), max_length=150)
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    # The number the village's own list gives the household, where it has one.
    number = models.CharField(_("số hộ"), max_length=30, blank=True)
    # Made on the device that created the record offline, so a replay creates it once.
    client_id = models.UUIDField(null=True, blank=True, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hộ gia đình")
        verbose_name_plural = _("hộ gia đình")
        indexes = [models.Index(fields=["village", "head_name"])]

    def __str__(self) -> str:
        return self.head_name


class Resident(models.Model):
    class Gender(models.TextChoices):
        MALE = "male", _("Nam")
        FEMALE = "female", _("Nữ")
        OTHER = "other", _("Khác")
        UNKNOWN = "unknown", _("Không rõ")

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )
    # Denormalised from the household: scope checks and rollups filter on it directly.
    village = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("thôn, tổ dân phố")
    )
    full_name = models.CharField(_("họ và tên"), max_length=150)
    year_of_birth = models.PositiveSmallIntegerField(_("năm sinh"), null=True, blank=True)
    gender = models.CharField(
        _("giới tính"), max_length=8, choices=Gender.choices, default=Gender.UNKNOWN
    )
    ethnicity = models.CharField(_("dân tộc"), max_length=50, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=15, blank=True)
    # Keyed hash of the citizen ID number, for de-duplication; the number itself is only ever
    # stored encrypted (people.crypto) and shown masked.
    citizen_id_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    citizen_id_encrypted = models.TextField(blank=True)
    target_group = models.CharField(
        _("nhóm đối tượng"),
        max_length=16,
        choices=TargetGroup.choices,
        default=TargetGroup.CITIZENS,
    )
    has_disability = models.BooleanField(_("người khuyết tật"), default=False)
    preferred_language = models.CharField(
        _("ngôn ngữ ưu tiên"), max_length=8, choices=LANGUAGES, default="vi"
    )
    # The learner account of this person, once they have one.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resident",
    )
    client_id = models.UUIDField(null=True, blank=True, unique=True)
    # Bumped on every change, so an offline edit made from an older copy is seen as a conflict.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("người dân")
        verbose_name_plural = _("người dân")
        indexes = [models.Index(fields=["village", "full_name"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_elderly(self) -> bool:
        """Aged 60 or more this year (Luật Người cao tuổi); unknown age is not elderly."""
        if self.year_of_birth is None:
            return False
        return datetime.date.today().year - self.year_of_birth >= ELDERLY_AGE


class Consent(models.Model):
    """What a resident agreed to, when, recorded by whom, under which wording; withdrawable."""

    class Purpose(models.TextChoices):
        SUPPORT = "support", _("Xử lý dữ liệu cá nhân để được hỗ trợ kỹ năng số")
        CONTACT = "contact", _("Được liên hệ qua điện thoại, Zalo")

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    text_version = models.CharField(_("phiên bản nội dung đồng ý"), max_length=20)
    given_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("sự đồng ý")
        verbose_name_plural = _("sự đồng ý")
        ordering = ["-given_at"]

    def __str__(self) -> str:
        return f"{self.resident} — {self.get_purpose_display()}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class MilestoneEvent(models.Model):
    """A resident reached a milestone: recorded once, with the date and how it was learned."""

    class Method(models.TextChoices):
        VISIT = "visit", _("Thăm hộ")
        CLASS = "class", _("Lớp học")
        SELF_REPORT = "self_report", _("Tự khai báo")
        IMPORT = "import", _("Nhập từ tệp")
        SYSTEM = "system", _("Hệ thống ghi nhận")

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="milestones")
    milestone = models.CharField(max_length=32, choices=Milestone.choices)
    achieved_on = models.DateField(_("ngày đạt"))
    method = models.CharField(_("cách ghi nhận"), max_length=16, choices=Method.choices)
    # What recorded it, e.g. "visit:<uuid>" or "course:<slug>"; people knows no app above it.
    source = models.CharField(max_length=80, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    client_id = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("mốc kỹ năng số")
        verbose_name_plural = _("mốc kỹ năng số")
        constraints = [
            models.UniqueConstraint(fields=["resident", "milestone"], name="unique_milestone")
        ]

    def __str__(self) -> str:
        return f"{self.resident} — {self.get_milestone_display()}"


class PersonalDataAccess(models.Model):
    """One viewing, export or change of personal data: who, when, what, from where, and why.

    Append-only: the application never changes or deletes a row (only `apply_retention` purges
    rows past AUDIT_RETENTION_DAYS). The user, area and resident are kept as plain ids without
    database constraints, so the log outlives an erased resident or a deleted account unchanged.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("Xem")
        EXPORT = "export", _("Xuất dữ liệu")
        CORRECT = "correct", _("Sửa")
        DELETE = "delete", _("Xoá")
        CONSENT = "consent", _("Đồng ý, rút đồng ý")

    at = models.DateTimeField(_("thời điểm"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("người truy cập"),
    )
    # The name at the time: still readable after the account is gone.
    username = models.CharField(_("tài khoản"), max_length=150, blank=True)
    action = models.CharField(_("thao tác"), max_length=8, choices=Action.choices)
    # The page or API operation, e.g. "people:resident" or "api:people_resident_get".
    what = models.CharField(_("trang, chức năng"), max_length=80)
    area = models.ForeignKey(
        Area,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("địa bàn"),
    )
    # Denormalised from the area at the time: a commune reads its log with one prefix filter.
    area_path = models.CharField(max_length=255, blank=True, db_index=True)
    resident_id = models.BigIntegerField(_("mã người dân"), null=True, blank=True, db_index=True)
    household_id = models.BigIntegerField(_("mã hộ"), null=True, blank=True)
    # For a list: how many people it showed (one row per list, not one per person).
    subject_count = models.PositiveIntegerField(_("số người"), default=0)
    purpose = models.CharField(_("lý do"), max_length=300, blank=True)
    ip = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)

    class Meta:
        verbose_name = _("nhật ký truy cập dữ liệu cá nhân")
        verbose_name_plural = _("nhật ký truy cập dữ liệu cá nhân")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["area_path", "at"]),
            models.Index(fields=["user", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.username} {self.get_action_display()} {self.what}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionError("The personal-data audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The personal-data audit log is append-only.")
