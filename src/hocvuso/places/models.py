"""The administrative tree: Việt Nam → province → commune → village."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

COUNTRY_CODE = "VN"
PATH_SEPARATOR = "/"


class Area(models.Model):
    class Level(models.IntegerChoices):
        COUNTRY = 0, _("Quốc gia")
        PROVINCE = 1, _("Tỉnh, thành phố")
        COMMUNE = 2, _("Xã, phường, đặc khu")
        VILLAGE = 3, _("Thôn, bản, tổ dân phố")

    code = models.CharField(_("mã"), max_length=16, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    # The official type as the source names it: "tỉnh", "xã", "phường", "đặc khu", "thôn", "bản"…
    kind = models.CharField(_("loại"), max_length=40)
    level = models.PositiveSmallIntegerField(_("cấp"), choices=Level.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    # Materialised path of codes ("VN/15/04399/"): "everything under" is one prefix query on an
    # indexed column and "everything above" is a lookup of the codes it names, so rollups and
    # authorisation never walk the tree row by row.
    path = models.CharField(max_length=120, db_index=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        verbose_name=_("đã sáp nhập vào"),
    )

    class Meta:
        verbose_name = _("địa bàn")
        verbose_name_plural = _("địa bàn")
        ordering = ["path"]
        indexes = [models.Index(fields=["parent", "is_active", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def ancestor_codes(self) -> list[str]:
        """Codes from the country down to this area, itself included."""
        return [code for code in self.path.split(PATH_SEPARATOR) if code]

    def is_within(self, other: "Area") -> bool:
        """True when this area is `other` or lies below it."""
        return self.path.startswith(other.path)


class AreaChange(models.Model):
    """One change to a village, kept because villages are rearranged again and again."""

    class Action(models.TextChoices):
        CREATED = "created", _("Tạo mới")
        RENAMED = "renamed", _("Đổi tên")
        MOVED = "moved", _("Chuyển sang xã khác")
        MERGED = "merged", _("Sáp nhập")
        IMPORTED = "imported", _("Nhập từ tệp")

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="changes")
    action = models.CharField(_("thao tác"), max_length=16, choices=Action.choices)
    old_name = models.CharField(max_length=200, blank=True)
    new_name = models.CharField(max_length=200, blank=True)
    old_parent = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    new_parent = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    merged_into = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lịch sử thay đổi địa bàn")
        verbose_name_plural = _("lịch sử thay đổi địa bàn")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.area} — {self.get_action_display()}"
