"""Field work: teams, ambassadors, visits, learning sites, classes, events and recognitions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hocvuso.learning.models import Course, Topic
from hocvuso.people.models import Household, Resident
from hocvuso.places.models import Area


class Team(models.Model):
    """A Tổ công nghệ số cộng đồng: one per village, set up by a decision of the commune."""

    village = models.OneToOneField(
        Area,
        on_delete=models.PROTECT,
        related_name="field_team",
        verbose_name=_("thôn, tổ dân phố"),
    )
    name = models.CharField(_("tên tổ"), max_length=200)
    decision_number = models.CharField(_("số quyết định thành lập"), max_length=50, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    zalo_group_url = models.URLField(_("đường dẫn nhóm Zalo"), blank=True)
    contact_phone = models.CharField(_("số điện thoại liên hệ"), max_length=15, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tổ công nghệ số cộng đồng")
        verbose_name_plural = _("tổ công nghệ số cộng đồng")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("Thành viên")
        LEADER = "leader", _("Tổ trưởng")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships"
    )
    role = models.CharField(_("vai trò trong tổ"), max_length=8, choices=Role.choices)
    joined_on = models.DateField(_("ngày tham gia"))
    training = models.CharField(_("đã được tập huấn"), max_length=300, blank=True)
    trained_on = models.DateField(_("ngày tập huấn"), null=True, blank=True)

    class Meta:
        verbose_name = _("thành viên tổ")
        verbose_name_plural = _("thành viên tổ")
        ordering = ["role", "joined_on"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="unique_team_member"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.team}"


class Quota(models.Model):
    """What a team commits to in a period; progress is counted from visits and classes."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="quotas")
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    people_supported_target = models.PositiveIntegerField(_("số người được hỗ trợ"), default=0)
    sessions_held_target = models.PositiveIntegerField(_("số buổi hướng dẫn"), default=0)
    problems_solved_target = models.PositiveIntegerField(
        _("số vướng mắc được giải quyết"), default=0
    )

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["-period_start"]
        constraints = [
            models.UniqueConstraint(fields=["team", "period_start"], name="unique_quota_period"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="quota_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.period_start:%d/%m/%Y}–{self.period_end:%d/%m/%Y}"


class Mentorship(models.Model):
    """A digital ambassador follows a resident ("1 kèm 5"); ended, not deleted, to keep history."""

    ambassador = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentorships"
    )
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="mentorships")
    assigned_on = models.DateField(_("ngày phân công"))
    ended_on = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("phân công kèm cặp")
        verbose_name_plural = _("phân công kèm cặp")
        ordering = ["-assigned_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident"],
                condition=Q(ended_on__isnull=True),
                name="one_active_mentor_per_resident",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ambassador} — {self.resident}"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None


class Visit(models.Model):
    """A door-to-door visit or a help-desk session at the commune, as the team member logged it."""

    class Channel(models.TextChoices):
        DOOR_TO_DOOR = "door", _("Đến từng nhà")
        HELP_DESK = "desk", _("Tại bộ phận một cửa của xã")

    # Made on the device (or in the form), so a retry, double tap or replay is applied once.
    client_id = models.UUIDField(unique=True)
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="visits"
    )
    # The village visited, or the commune whose help desk the person came to: scope checks and
    # lists filter on it without joining the residents.
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="field_visits"
    )
    visited_on = models.DateField(_("ngày"))
    channel = models.CharField(_("hình thức"), max_length=8, choices=Channel.choices)
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    residents = models.ManyToManyField(Resident, blank=True, related_name="field_visits")
    activities = models.TextField(_("nội dung hướng dẫn"), blank=True)
    problems_received = models.PositiveIntegerField(_("vướng mắc tiếp nhận"), default=0)
    problems_resolved = models.PositiveIntegerField(_("giải quyết tại chỗ"), default=0)
    problems_forwarded = models.PositiveIntegerField(_("chuyển lên xã"), default=0)
    note = models.TextField(_("ghi chú"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lượt hỗ trợ")
        verbose_name_plural = _("lượt hỗ trợ")
        ordering = ["-visited_on", "-id"]
        indexes = [
            models.Index(fields=["team", "visited_on"]),
            models.Index(fields=["area", "visited_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.visited_on:%d/%m/%Y}"


class LearningSite(models.Model):
    class Kind(models.TextChoices):
        CULTURAL_HOUSE = "cultural_house", _("Nhà văn hoá thôn")
        LIBRARY = "library", _("Thư viện")
        SCHOOL = "school", _("Trường học")
        POST_OFFICE = "post_office", _("Bưu điện văn hoá xã")
        OTHER = "other", _("Khác")

    class Funding(models.TextChoices):
        BUDGET = "budget", _("Ngân sách nhà nước")
        SPONSOR = "sponsor", _("Tài trợ")

    # A village (its cultural house) or a commune (its library, school, post office).
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("loại điểm học"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("tên điểm học"), max_length=200)
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    computers = models.PositiveSmallIntegerField(_("số máy tính"), default=0)
    has_printer = models.BooleanField(_("có máy in"), default=False)
    has_scanner = models.BooleanField(_("có máy quét"), default=False)
    has_wifi = models.BooleanField(_("có mạng wifi"), default=False)
    funding = models.CharField(
        _("nguồn trang bị"), max_length=8, choices=Funding.choices, default=Funding.BUDGET
    )
    sponsor = models.CharField(_("đơn vị tài trợ"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("điểm học tập")
        verbose_name_plural = _("điểm học tập")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Class(models.Model):
    site = models.ForeignKey(LearningSite, on_delete=models.PROTECT, related_name="classes")
    title = models.CharField(_("tên lớp"), max_length=200)
    topic = models.CharField(_("chủ đề"), max_length=32, choices=Topic.choices, blank=True)
    course = models.ForeignKey(
        Course,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("khoá học"),
    )
    starts_at = models.DateTimeField(_("bắt đầu"))
    ends_at = models.DateTimeField(_("kết thúc"))
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người hướng dẫn"),
    )
    for_elderly = models.BooleanField(_("lớp giản lược cho người cao tuổi"), default=False)
    for_disability = models.BooleanField(_("lớp giản lược cho người khuyết tật"), default=False)
    for_ethnic_minority = models.BooleanField(
        _("lớp giản lược cho đồng bào dân tộc thiểu số"), default=False
    )
    capacity = models.PositiveSmallIntegerField(_("số chỗ"), default=20)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("lớp học")
        verbose_name_plural = _("lớp học")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="class_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_simplified(self) -> bool:
        return self.for_elderly or self.for_disability or self.for_ethnic_minority


class Attendance(models.Model):
    class_session = models.ForeignKey(Class, on_delete=models.CASCADE, related_name="attendances")
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="attendances")
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    marked_at = models.DateTimeField(auto_now_add=True)
    client_id = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("điểm danh")
        verbose_name_plural = _("điểm danh")
        constraints = [
            models.UniqueConstraint(fields=["class_session", "resident"], name="unique_attendance"),
        ]

    def __str__(self) -> str:
        return f"{self.resident} — {self.class_session}"


class Event(models.Model):
    class Kind(models.TextChoices):
        COMMUNITY_DAY = "community_day", _("Ngày công nghệ số cộng đồng")
        LEARNING_DAY = "learning_day", _("Ngày hội toàn dân học tập số (10/10)")
        CONTEST = "contest", _("Hội thi kỹ năng số")
        OTHER = "other", _("Khác")

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("loại sự kiện"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("tên sự kiện"), max_length=200)
    date = models.DateField(_("ngày tổ chức"))
    place = models.CharField(_("địa điểm"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("sự kiện")
        verbose_name_plural = _("sự kiện")
        ordering = ["-date", "title"]

    def __str__(self) -> str:
        return self.title


class ContestEntry(models.Model):
    """A resident's or a team's score in a contest, for the leaderboard."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="entries")
    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="contest_entries"
    )
    score = models.DecimalField(_("điểm"), max_digits=7, decimal_places=2)

    class Meta:
        verbose_name = _("bài dự thi")
        verbose_name_plural = _("bài dự thi")
        ordering = ["-score", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(resident__isnull=False) & Q(team__isnull=True))
                | (Q(resident__isnull=True) & Q(team__isnull=False)),
                name="contest_entry_resident_or_team",
            ),
            models.UniqueConstraint(fields=["event", "resident"], name="unique_entry_resident"),
            models.UniqueConstraint(fields=["event", "team"], name="unique_entry_team"),
        ]

    def __str__(self) -> str:
        return f"{self.resident or self.team} — {self.score}"


class RecognitionRule(models.Model):
    """The criteria a commune sets for "Gia đình số" or "Chợ số"; see field.services.recognitions."""

    class Kind(models.TextChoices):
        DIGITAL_FAMILY = "gia_dinh_so", _("Gia đình số")
        DIGITAL_MARKET = "cho_so", _("Chợ số – tiểu thương số")

    commune = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("danh hiệu"), max_length=16, choices=Kind.choices)
    criteria = models.JSONField(_("tiêu chí"))
    is_active = models.BooleanField(_("đang áp dụng"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tiêu chí công nhận")
        verbose_name_plural = _("tiêu chí công nhận")
        constraints = [
            models.UniqueConstraint(fields=["commune", "kind"], name="unique_rule_per_commune"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.commune}"


class Recognition(models.Model):
    """A household ("Gia đình số") or a trader ("Chợ số") recognised under a rule."""

    rule = models.ForeignKey(RecognitionRule, on_delete=models.CASCADE, related_name="recognitions")
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Denormalised from the household or resident, so a village's list is one filter.
    village = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    recognised_on = models.DateField(_("ngày công nhận"))
    revoked_on = models.DateField(_("ngày thu hồi"), null=True, blank=True)

    class Meta:
        verbose_name = _("công nhận")
        verbose_name_plural = _("công nhận")
        ordering = ["-recognised_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(household__isnull=False) & Q(resident__isnull=True))
                | (Q(household__isnull=True) & Q(resident__isnull=False)),
                name="recognition_household_or_resident",
            ),
            models.UniqueConstraint(
                fields=["rule", "household"],
                condition=Q(revoked_on__isnull=True),
                name="one_active_recognition_per_household",
            ),
            models.UniqueConstraint(
                fields=["rule", "resident"],
                condition=Q(revoked_on__isnull=True),
                name="one_active_recognition_per_resident",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule.get_kind_display()} — {self.household or self.resident}"

    @property
    def is_active(self) -> bool:
        return self.revoked_on is None


from hocvuso.field.models_sync import SyncConflict, SyncItemType, SyncReceipt  # noqa: E402, F401
