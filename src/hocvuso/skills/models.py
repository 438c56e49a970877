"""Competence frameworks, target-group profiles, mappings of content to competences, assessments,
confirmations of the basic level and their certificates."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hocvuso.learning.models import Course, Lesson, Question
from hocvuso.people.choices import TargetGroup
from hocvuso.people.models import Resident


class Status(models.TextChoices):
    """How far the wording of an item is known to match the official text."""

    OFFICIAL = "official", _("Theo văn bản chính thức")
    UNVERIFIED = "unverified", _("Chưa đối chiếu văn bản chính thức")


class Framework(models.Model):
    """One version of a framework file: a competence framework, or the profiles built on one."""

    class Kind(models.TextChoices):
        COMPETENCES = "competences", _("Khung năng lực")
        PROFILES = "profiles", _("Khung kỹ năng theo nhóm đối tượng")

    code = models.CharField(_("mã khung"), max_length=32)
    version = models.CharField(_("phiên bản"), max_length=32)
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("tên"), max_length=300)
    source = models.CharField(_("văn bản gốc"), max_length=300, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UNVERIFIED)
    note = models.TextField(_("ghi chú"), blank=True)
    # Profiles name competences and levels of this framework version.
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The version used for new mappings and assessments; older versions stay for confirmations
    # already made against them.
    is_current = models.BooleanField(default=True)
    file_sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now_add=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("khung năng lực")
        verbose_name_plural = _("khung năng lực")
        ordering = ["code", "-loaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="unique_framework_version"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(is_current=True), name="one_current_framework"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.version}"


class FrameworkItem(models.Model):
    """A domain, competence, tier or level of a framework version."""

    class Kind(models.TextChoices):
        DOMAIN = "domain", _("Miền năng lực")
        COMPETENCE = "competence", _("Năng lực thành phần")
        TIER = "tier", _("Bậc")
        LEVEL = "level", _("Mức")

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    code = models.CharField(_("mã"), max_length=16)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    title = models.CharField(_("tên"), max_length=300)
    description = models.TextField(_("mô tả"), blank=True)
    # The level's number (1–8); unused by the other kinds.
    number = models.PositiveSmallIntegerField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UNVERIFIED)
    note = models.TextField(_("ghi chú"), blank=True)
    # The line of the file it came from, so a question about it points at the source.
    line = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("mục khung năng lực")
        verbose_name_plural = _("mục khung năng lực")
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "kind", "code"], name="unique_framework_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Crosswalk(models.Model):
    """A competence of one framework that corresponds to a competence of another."""

    source = models.ForeignKey(FrameworkItem, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(FrameworkItem, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="unique_crosswalk")
        ]

    def __str__(self) -> str:
        return f"{self.source_id} → {self.target_id}"


class Profile(models.Model):
    """The basic-skills profile of one target group in one version of the profiles framework,
    with its confirmation rule (required competences and levels, courses, pass mark)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="profiles")
    code = models.CharField(_("mã"), max_length=32)
    target_group = models.CharField(_("nhóm đối tượng"), max_length=16, choices=TargetGroup.choices)
    title = models.CharField(_("tên"), max_length=300)
    description = models.TextField(_("mô tả"), blank=True)
    questions_per_competence = models.PositiveSmallIntegerField(default=3)
    # Share of a competence's questions to answer right for the competence to count as reached.
    pass_percent = models.PositiveSmallIntegerField(default=60)
    # How many of the listed courses the person must have completed.
    min_courses = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UNVERIFIED)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("khung kỹ năng theo nhóm")
        verbose_name_plural = _("khung kỹ năng theo nhóm")
        ordering = ["framework", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="unique_profile"),
            models.UniqueConstraint(
                fields=["framework", "target_group"], name="one_profile_per_group"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def version_label(self) -> str:
        return f"{self.framework.code} {self.framework.version}"


class Requirement(models.Model):
    """A competence the profile requires, at a level."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="requirements")
    competence = models.ForeignKey(FrameworkItem, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("mức"))
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["profile", "position"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "competence"], name="unique_requirement")
        ]

    def __str__(self) -> str:
        return f"{self.competence_id} ≥ {self.level}"


class ProfileCourse(models.Model):
    """A course counted by the profile's rule; by slug, so a profile can name a course that a site
    has not installed yet."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="courses")
    course_slug = models.SlugField(max_length=80)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["profile", "position"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "course_slug"], name="unique_profile_course")
        ]

    def __str__(self) -> str:
        return self.course_slug


class CompetenceMapping(models.Model):
    """Content that teaches or tests a competence at a level: exactly one of course, lesson, question."""

    competence = models.ForeignKey(
        FrameworkItem,
        on_delete=models.CASCADE,
        related_name="mappings",
        limit_choices_to={"kind": FrameworkItem.Kind.COMPETENCE},
    )
    level = models.PositiveSmallIntegerField(_("mức"))
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("gắn nội dung với năng lực")
        verbose_name_plural = _("gắn nội dung với năng lực")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(course__isnull=False, lesson__isnull=True, question__isnull=True)
                    | Q(course__isnull=True, lesson__isnull=False, question__isnull=True)
                    | Q(course__isnull=True, lesson__isnull=True, question__isnull=False)
                ),
                name="mapping_one_target",
            ),
            models.UniqueConstraint(fields=["competence", "course"], name="unique_course_mapping"),
            models.UniqueConstraint(fields=["competence", "lesson"], name="unique_lesson_mapping"),
            models.UniqueConstraint(
                fields=["competence", "question"], name="unique_question_mapping"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competence.code} ← {self.course or self.lesson or self.question}"


class Mode(models.TextChoices):
    SELF = "self", _("Tự đánh giá")
    ASSISTED = "assisted", _("Có người hỗ trợ")


class Assessment(models.Model):
    """One sitting of a profile's assessment, by a learner account or by a resident assisted by a
    team member; the questions are drawn when it starts."""

    profile = models.ForeignKey(Profile, on_delete=models.PROTECT, related_name="assessments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="skill_assessments",
    )
    resident = models.ForeignKey(
        Resident,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="skill_assessments",
    )
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.SELF)
    assisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # [{"question": id, "competence": item id}, ...] in the order shown.
    drawn = models.JSONField(default=list)
    started_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    correct = models.PositiveSmallIntegerField(null=True, blank=True)
    total = models.PositiveSmallIntegerField(null=True, blank=True)
    passed = models.BooleanField(null=True)

    class Meta:
        verbose_name = _("bài đánh giá kỹ năng số")
        verbose_name_plural = _("bài đánh giá kỹ năng số")
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(resident__isnull=False),
                name="assessment_has_person",
            ),
            # One open sitting per person and profile: a second tap on "start" finds the first.
            models.UniqueConstraint(
                fields=["user", "profile"],
                condition=Q(submitted_at__isnull=True, resident__isnull=True),
                name="one_open_assessment_per_user",
            ),
            models.UniqueConstraint(
                fields=["resident", "profile"],
                condition=Q(submitted_at__isnull=True, resident__isnull=False),
                name="one_open_assessment_per_resident",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.profile} — {self.resident or self.user}"

    @property
    def person_name(self) -> str:
        if self.resident_id:
            return self.resident.full_name
        return self.user.full_name or self.user.username


class AssessmentAnswer(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    competence = models.ForeignKey(FrameworkItem, on_delete=models.PROTECT, related_name="+")
    choice_ids = models.JSONField(default=list)
    is_correct = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question"], name="unique_assessment_answer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.question_id}"


class CompetenceResult(models.Model):
    """How one competence went in a submitted assessment."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="results")
    competence = models.ForeignKey(FrameworkItem, on_delete=models.PROTECT, related_name="+")
    level_required = models.PositiveSmallIntegerField()
    asked = models.PositiveSmallIntegerField()
    correct = models.PositiveSmallIntegerField()
    passed = models.BooleanField()

    class Meta:
        ordering = ["assessment", "competence__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "competence"], name="unique_competence_result"
            )
        ]

    def __str__(self) -> str:
        return f"{self.competence_id}: {self.correct}/{self.asked}"


class Confirmation(models.Model):
    """A person confirmed at the universal basic level of digital skills: once, unless revoked."""

    profile = models.ForeignKey(Profile, on_delete=models.PROTECT, related_name="confirmations")
    target_group = models.CharField(max_length=16, choices=TargetGroup.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="skill_confirmations",
    )
    resident = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="skill_confirmations",
    )
    # The name as confirmed and printed; later renames of the account do not change it.
    holder_name = models.CharField(max_length=150)
    assessment = models.OneToOneField(
        Assessment, on_delete=models.PROTECT, related_name="confirmation"
    )
    mode = models.CharField(max_length=16, choices=Mode.choices)
    assisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The person's village (or home area) when confirmed: what monitoring counts it under.
    area = models.ForeignKey(
        "places.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_on = models.DateField()
    confirmed_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("xác nhận đạt trình độ phổ cập kỹ năng số")
        verbose_name_plural = _("xác nhận đạt trình độ phổ cập kỹ năng số")
        ordering = ["-confirmed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(revoked_at__isnull=True, user__isnull=False),
                name="one_confirmation_per_user",
            ),
            models.UniqueConstraint(
                fields=["resident"],
                condition=Q(revoked_at__isnull=True, resident__isnull=False),
                name="one_confirmation_per_resident",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.holder_name} — {self.profile}"


class Certificate(models.Model):
    """The signed certificate of a confirmation; the signed content is kept as issued."""

    confirmation = models.OneToOneField(
        Confirmation, on_delete=models.PROTECT, related_name="certificate"
    )
    code = models.CharField(_("mã chứng nhận"), max_length=20, unique=True)
    # The position of its bit in the published revocation status list.
    status_index = models.PositiveIntegerField(unique=True)
    content = models.JSONField()
    signature = models.CharField(max_length=100)
    key_id = models.CharField(max_length=32)
    issued_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.TextField(blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("chứng nhận")
        verbose_name_plural = _("chứng nhận")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return self.code
