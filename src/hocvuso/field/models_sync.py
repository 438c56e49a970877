"""What the offline field app sent: a receipt per applied item, and the edits that lost a conflict."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SyncItemType(models.TextChoices):
    VISIT = "visit", _("Lần thăm hộ")
    MILESTONE = "milestone", _("Mốc kỹ năng số")
    RESIDENT = "resident", _("Người dân mới")
    RESIDENT_UPDATE = "resident_update", _("Sửa thông tin người dân")


class SyncReceipt(models.Model):
    """An item the server acted on, by the id its device made: a resend is answered from here."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("Đã ghi nhận")
        CONFLICT = "conflict", _("Xung đột")

    client_id = models.UUIDField(unique=True)
    item_type = models.CharField(max_length=16, choices=SyncItemType.choices)
    # Kept when the account is deleted: the item was applied, and a replay must still not repeat it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    # The answer given the first time (ids of what was made), repeated to a resend.
    result = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("biên nhận đồng bộ")
        verbose_name_plural = _("biên nhận đồng bộ")

    def __str__(self) -> str:
        return f"{self.item_type} {self.client_id}: {self.outcome}"


class SyncConflict(models.Model):
    """An offline edit made from an older copy of a resident: the server's version was kept.

    The device's version is stored here, whole, so that nothing typed in the field is lost and a
    team member can see both versions and decide.
    """

    client_id = models.UUIDField(unique=True)
    resident = models.ForeignKey(
        "people.Resident", on_delete=models.CASCADE, related_name="sync_conflicts"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    base_version = models.PositiveIntegerField(_("phiên bản trên thiết bị"))
    server_version = models.PositiveIntegerField(_("phiên bản trên máy chủ"))
    device_values = models.JSONField(_("nội dung gửi từ thiết bị"))
    server_values = models.JSONField(_("nội dung trên máy chủ"))
    created_at = models.DateTimeField(auto_now_add=True)
    dismissed_at = models.DateTimeField(_("đã xem xét lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("xung đột dữ liệu")
        verbose_name_plural = _("xung đột dữ liệu")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.resident} v{self.base_version} ≠ v{self.server_version}"
