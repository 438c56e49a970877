"""Counters per area, targets, hand-reported indicators, spot checks, reports and commendations."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hocvuso.places.models import Area


class AreaCounter(models.Model):
    """One slot of one counter of one area: the value of a metric is the sum of its slots.

    Concurrent writers each add to their own slot, so the country's row is not one hot row that
    every write in Việt Nam waits on; a read sums a handful of rows.
    """

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(max_length=40)
    slot = models.PositiveSmallIntegerField(default=0)
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["area", "metric", "slot"], name="unique_counter_slot")
        ]
        indexes = [
            # "Which children have residents" reads one small index for thousands of villages
            # (a province's table), never the table: PostgreSQL answers from the index alone.
            models.Index(
                fields=["area"],
                include=["value"],
                condition=models.Q(metric="residents"),
                name="counter_residents_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_id}:{self.metric}[{self.slot}]={self.value}"


class WeeklyCounter(models.Model):
    """What a metric gained in one ISO week (Monday), for trends and forecasts.

    Kept for communes and above only: a village's series is read from its own few hundred
    records, while a weekly row per village and metric would be tens of millions nationally.
    """

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(max_length=40)
    week = models.DateField()
    slot = models.PositiveSmallIntegerField(default=0)
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area", "metric", "week", "slot"], name="unique_weekly_counter_slot"
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_id}:{self.metric}@{self.week}[{self.slot}]={self.value}"


class Tally(models.Model):
    """How many records of a kind one object has, and the date of the earliest.

    "Residents with at least one milestone", "households visited at least once" and "classes
    with at least one attendee" count objects, not records: the tally row tells, under a row lock,
    whether a record is the object's first or last.
    """

    kind = models.CharField(max_length=16)
    object_id = models.BigIntegerField()
    count = models.IntegerField(default=0)
    first_on = models.DateField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="unique_tally")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}={self.count}"


class CounterRebuild(models.Model):
    """When the counters were last recomputed from the records, and how long it took."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField()
    seconds = models.FloatField()
    rows = models.PositiveIntegerField()

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.area_id} @ {self.started_at:%Y-%m-%d %H:%M}"


class PeerGroup(models.TextChoices):
    URBAN = "urban", _("Phường (đô thị)")
    RURAL = "rural", _("Xã nông thôn")
    MOUNTAIN = "mountain", _("Xã miền núi, vùng cao")
    SPECIAL = "special", _("Đặc khu")


class AreaProfile(models.Model):
    """What rankings need to compare like with like: the peer group where the type misleads."""

    area = models.OneToOneField(Area, on_delete=models.CASCADE, related_name="monitoring_profile")
    peer_group = models.CharField(_("nhóm so sánh"), max_length=16, choices=PeerGroup.choices)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("nhóm so sánh của địa bàn")
        verbose_name_plural = _("nhóm so sánh của địa bàn")

    def __str__(self) -> str:
        return f"{self.area} — {self.get_peer_group_display()}"


class Target(models.Model):
    """The target of one indicator for one area and year, set by the level above or tightened below."""

    class Kind(models.TextChoices):
        PERCENT = "percent", _("Tỷ lệ (%)")
        ABSOLUTE = "absolute", _("Số lượng")

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    indicator = models.CharField(_("chỉ tiêu"), max_length=40)
    year = models.PositiveSmallIntegerField(_("năm"))
    kind = models.CharField(_("loại chỉ tiêu"), max_length=8, choices=Kind.choices)
    value = models.DecimalField(_("mức chỉ tiêu"), max_digits=12, decimal_places=2)
    deadline = models.DateField(_("hạn hoàn thành"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        constraints = [
            models.UniqueConstraint(fields=["area", "indicator", "year"], name="unique_target")
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.indicator} {self.year}: {self.value}"


class CustomIndicator(models.Model):
    """An indicator that communes report by hand each period (e.g. the public-service index)."""

    class ValueType(models.TextChoices):
        PERCENT = "percent", _("Tỷ lệ (%)")
        INTEGER = "integer", _("Số nguyên")
        DECIMAL = "decimal", _("Số thập phân")

    class Frequency(models.TextChoices):
        MONTH = "month", _("Hằng tháng")
        QUARTER = "quarter", _("Hằng quý")
        YEAR = "year", _("Hằng năm")

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên chỉ số"), max_length=200)
    value_type = models.CharField(_("kiểu giá trị"), max_length=8, choices=ValueType.choices)
    frequency = models.CharField(_("kỳ báo cáo"), max_length=8, choices=Frequency.choices)
    description = models.TextField(_("cách tính"), blank=True)
    is_active = models.BooleanField(_("đang sử dụng"), default=True)

    class Meta:
        verbose_name = _("chỉ số báo cáo thủ công")
        verbose_name_plural = _("chỉ số báo cáo thủ công")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class CustomReport(models.Model):
    """A commune's value of a hand-reported indicator for one period; no row means not reported."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Bản nháp")
        SUBMITTED = "submitted", _("Đã gửi, chờ duyệt")
        APPROVED = "approved", _("Đã duyệt")

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(CustomIndicator, on_delete=models.PROTECT, related_name="reports")
    period_start = models.DateField(_("kỳ báo cáo"))
    value = models.DecimalField(_("giá trị"), max_digits=14, decimal_places=2)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("báo cáo chỉ số")
        verbose_name_plural = _("báo cáo chỉ số")
        ordering = ["-period_start", "indicator__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "indicator", "period_start"], name="unique_custom_report"
            )
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.indicator.code} {self.period_start}: {self.value}"


class SpotCheck(models.Model):
    """One recorded milestone drawn at random for a commune officer to confirm by phone or visit."""

    class Result(models.TextChoices):
        PENDING = "pending", _("Chưa kiểm tra")
        CONFIRMED = "confirmed", _("Đúng như ghi nhận")
        NOT_CONFIRMED = "not_confirmed", _("Không đúng")
        UNREACHABLE = "unreachable", _("Không liên hệ được")

    commune = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    milestone = models.ForeignKey(
        "people.MilestoneEvent", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Kept so that the result still reads when the milestone is later deleted.
    description = models.CharField(max_length=300)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    drawn_at = models.DateTimeField(auto_now_add=True)
    result = models.CharField(
        _("kết quả"), max_length=16, choices=Result.choices, default=Result.PENDING
    )
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("kiểm tra xác suất")
        verbose_name_plural = _("kiểm tra xác suất")
        ordering = ["-drawn_at", "id"]

    def __str__(self) -> str:
        return self.description


class Report(models.Model):
    """A periodic report of an area, made in the background as Excel and PDF."""

    class Kind(models.TextChoices):
        MONTH = "month", _("Báo cáo tháng")
        QUARTER = "quarter", _("Báo cáo quý")
        YEAR = "year", _("Báo cáo năm")
        MIDTERM = "midterm", _("Sơ kết giữa kỳ 2027")
        FINAL = "final", _("Tổng kết 2030")

    class Status(models.TextChoices):
        PENDING = "pending", _("Đang chờ")
        RUNNING = "running", _("Đang tạo")
        READY = "ready", _("Đã xong")
        FAILED = "failed", _("Lỗi")

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("loại báo cáo"), max_length=8, choices=Kind.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    xlsx = models.FileField(upload_to="reports/", blank=True)
    pdf = models.FileField(upload_to="reports/", blank=True)
    error = models.CharField(max_length=300, blank=True)
    # Each queueing of the report (the request, then each recovery of a run that stopped) is one
    # attempt. A run writes only while the count is still the one it started under, so a worker
    # given up for dead that wakes up later cannot overwrite the run that replaced it.
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    # The last sign of life: queued, started, or one stage of the work done. A report waiting or
    # being made whose last sign is older than REPORT_STALE_SECONDS has lost its worker.
    progress_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("báo cáo định kỳ")
        verbose_name_plural = _("báo cáo định kỳ")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.area} ({self.period_start}–{self.period_end})"


class Commendation(models.Model):
    """An award the steering committee gives a person, a team or a locality."""

    class Kind(models.TextChoices):
        PRAISE = "praise", _("Biểu dương")
        AWARD = "award", _("Khen thưởng")

    class Recipient(models.TextChoices):
        PERSON = "person", _("Cá nhân")
        TEAM = "team", _("Tổ công nghệ số cộng đồng")
        LOCALITY = "locality", _("Địa phương")

    # Where the award is shown: the area of the recipient (the locality, the team's village…).
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("hình thức"), max_length=8, choices=Kind.choices)
    recipient_type = models.CharField(_("đối tượng"), max_length=10, choices=Recipient.choices)
    recipient_name = models.CharField(_("tên người, tổ hoặc địa phương"), max_length=200)
    reason = models.CharField(_("thành tích"), max_length=500)
    decision_number = models.CharField(_("số quyết định"), max_length=50, blank=True)
    awarded_on = models.DateField(_("ngày khen"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("biểu dương, khen thưởng")
        verbose_name_plural = _("biểu dương, khen thưởng")
        ordering = ["-awarded_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.recipient_name}"
