"""Courses, lessons, steps, question banks, and each learner's progress and answers."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hocvuso.people.choices import LANGUAGES, TargetGroup
from hocvuso.places.models import Area

BASE_LANGUAGE = "vi"
# Further languages a lesson may carry side by side with Vietnamese.
CONTENT_LANGUAGES = LANGUAGES


class Topic(models.TextChoices):
    VNEID = "vneid", _("Định danh điện tử VNeID")
    PUBLIC_SERVICES = "public_services", _("Dịch vụ công trực tuyến")
    CASHLESS = "cashless", _("Thanh toán không dùng tiền mặt")
    DIGITAL_BANKING = "digital_banking", _("Ngân hàng số")
    ECOMMERCE = "ecommerce", _("Thương mại điện tử")
    SMARTPHONE = "smartphone", _("Sử dụng điện thoại thông minh")
    SCAMS = "scams", _("Nhận biết lừa đảo trực tuyến")
    PRIVACY = "privacy", _("Bảo vệ dữ liệu cá nhân")
    INFORMATION = "information", _("Tìm kiếm và đánh giá thông tin")
    AI = "ai", _("Sử dụng trí tuệ nhân tạo")


class Publisher(models.Model):
    """Who publishes a course: the national platform, a province, a commune, a school or an agency."""

    class Kind(models.TextChoices):
        NATIONAL = "national", _("Trung ương")
        PROVINCE = "province", _("Tỉnh, thành phố")
        COMMUNE = "commune", _("Xã, phường")
        SCHOOL = "school", _("Trường học")
        AGENCY = "agency", _("Cơ quan, tổ chức")

    name = models.CharField(_("tên đơn vị"), max_length=200)
    kind = models.CharField(_("loại đơn vị"), max_length=16, choices=Kind.choices)
    # Content editors whose role covers this area edit the publisher's courses.
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("đơn vị xuất bản")
        verbose_name_plural = _("đơn vị xuất bản")
        constraints = [models.UniqueConstraint(fields=["name", "area"], name="unique_publisher")]

    def __str__(self) -> str:
        return self.name


class Course(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Bản nháp")
        PUBLISHED = "published", _("Đã xuất bản")
        ARCHIVED = "archived", _("Đã lưu trữ")

    slug = models.SlugField(_("mã khoá học"), max_length=80, unique=True)
    title = models.CharField(_("tên khoá học"), max_length=200)
    summary = models.TextField(_("giới thiệu ngắn"), blank=True)
    topic = models.CharField(_("chủ đề"), max_length=32, choices=Topic.choices)
    publisher = models.ForeignKey(Publisher, on_delete=models.PROTECT, related_name="courses")
    is_sequential = models.BooleanField(
        _("học lần lượt"),
        default=True,
        help_text=_("Bài sau chỉ mở khi đã hoàn thành bài trước."),
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    # Bumped on every publish; CourseVersion keeps the content of each.
    version = models.PositiveIntegerField(default=0)
    estimated_minutes = models.PositiveIntegerField(_("thời lượng (phút)"), default=30)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("khoá học")
        verbose_name_plural = _("khoá học")
        ordering = ["title"]
        indexes = [models.Index(fields=["status", "topic"])]

    def __str__(self) -> str:
        return self.title


class CourseAudience(models.Model):
    """A target group the course is written for; a course may serve several."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="audiences")
    target_group = models.CharField(max_length=16, choices=TargetGroup.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["course", "target_group"], name="unique_course_audience"
            )
        ]

    def __str__(self) -> str:
        return self.get_target_group_display()


class CourseAdoption(models.Model):
    """Another publisher (a province, say) offers this course in its own catalogue as it is."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="adoptions")
    publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE, related_name="adoptions")
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    adopted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "publisher"], name="unique_course_adoption")
        ]

    def __str__(self) -> str:
        return f"{self.publisher} — {self.course}"


class CourseVersion(models.Model):
    """The content of a course as it was published, in the package format."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["course", "number"], name="unique_course_version")
        ]

    def __str__(self) -> str:
        return f"{self.course} v{self.number}"


class Lesson(models.Model):
    class Kind(models.TextChoices):
        READING = "reading", _("Bài đọc")
        VIDEO = "video", _("Video")
        GUIDE = "guide", _("Hướng dẫn từng bước")
        CHECK = "check", _("Bài kiểm tra")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(_("loại bài"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("tên bài"), max_length=200)
    # Markdown, rendered and sanitised on display.
    body = models.TextField(_("nội dung"), blank=True)
    estimated_minutes = models.PositiveIntegerField(_("thời lượng (phút)"), default=5)
    video_file = models.FileField(upload_to="lessons/video/", blank=True)
    video_url = models.URLField(_("đường dẫn video"), blank=True)
    poster = models.ImageField(upload_to="lessons/poster/", blank=True)
    captions = models.FileField(_("phụ đề (WebVTT)"), upload_to="lessons/captions/", blank=True)
    # A check's rules; unused by other kinds.
    pass_mark = models.PositiveSmallIntegerField(_("điểm đạt (%)"), default=70)
    max_attempts = models.PositiveSmallIntegerField(
        _("số lần làm tối đa"), default=0, help_text=_("0 là không giới hạn.")
    )
    shuffle_questions = models.BooleanField(_("xáo trộn câu hỏi"), default=True)
    draw_count = models.PositiveSmallIntegerField(
        _("số câu rút từ ngân hàng"), default=0, help_text=_("0 là dùng tất cả câu hỏi.")
    )

    class Meta:
        verbose_name = _("bài học")
        verbose_name_plural = _("bài học")
        ordering = ["course", "position", "id"]

    def __str__(self) -> str:
        return self.title


class LessonTranslation(models.Model):
    """The same lesson in a further language, shown side by side with Vietnamese."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8, choices=CONTENT_LANGUAGES)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lesson", "language"], name="unique_lesson_language")
        ]

    def __str__(self) -> str:
        return f"{self.lesson} [{self.language}]"


class Step(models.Model):
    """One numbered step of a guide: a picture and a short instruction."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(_("tiêu đề bước"), max_length=200)
    instruction = models.TextField(_("hướng dẫn"))
    image = models.ImageField(_("hình minh hoạ"), upload_to="lessons/steps/", blank=True)
    image_alt = models.CharField(_("mô tả hình"), max_length=300, blank=True)

    class Meta:
        ordering = ["lesson", "position", "id"]

    def __str__(self) -> str:
        return self.title


class StepTranslation(models.Model):
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8, choices=CONTENT_LANGUAGES)
    title = models.CharField(max_length=200)
    instruction = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["step", "language"], name="unique_step_language")
        ]

    def __str__(self) -> str:
        return f"{self.step} [{self.language}]"


class Question(models.Model):
    """A question in a check's bank."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("Chọn một đáp án")
        MULTIPLE = "multiple", _("Chọn nhiều đáp án")
        TRUE_FALSE = "true_false", _("Đúng hay sai")
        ORDER = "order", _("Sắp xếp theo thứ tự")

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(_("loại câu hỏi"), max_length=16, choices=Kind.choices)
    text = models.TextField(_("câu hỏi"))
    explanation = models.TextField(_("giải thích"), blank=True)

    class Meta:
        ordering = ["lesson", "position", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class Choice(models.Model):
    """An answer option; for an ORDER question, `position` is its place in the right order."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveIntegerField(default=0)
    text = models.CharField(max_length=500)
    is_correct = models.BooleanField(default=False)

    class Meta:
        ordering = ["question", "position", "id"]

    def __str__(self) -> str:
        return self.text


class LessonAudio(models.Model):
    """What "Nghe bài" plays: a recording the editor uploaded, or speech generated offline."""

    class Source(models.TextChoices):
        UPLOADED = "uploaded", _("Bản ghi âm tải lên")
        GENERATED = "generated", _("Giọng đọc tự động")

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="audio")
    language = models.CharField(max_length=8, choices=CONTENT_LANGUAGES, default=BASE_LANGUAGE)
    source = models.CharField(max_length=16, choices=Source.choices)
    file = models.FileField(upload_to="lessons/audio/")
    # Hash of the text that was spoken: a generated file is stale once the lesson text changes.
    text_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lesson", "language"], name="unique_lesson_audio")
        ]

    def __str__(self) -> str:
        return f"{self.lesson} [{self.language}, {self.source}]"


class Enrollment(models.Model):
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrollments")
    enrolled_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Where "Học tiếp" takes the learner, on any device.
    last_lesson = models.ForeignKey(
        Lesson, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["learner", "course"], name="unique_enrollment")
        ]

    def __str__(self) -> str:
        return f"{self.learner} — {self.course}"


class LessonProgress(models.Model):
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="progress")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    last_step = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "lesson"], name="unique_lesson_progress")
        ]

    def __str__(self) -> str:
        return f"{self.enrollment} — {self.lesson}"


class QuizAttempt(models.Model):
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    # The questions drawn for this attempt, in the order shown.
    question_ids = models.JSONField(default=list)
    started_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    score_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    passed = models.BooleanField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "lesson", "number"], name="unique_attempt_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.learner} — {self.lesson} #{self.number}"


class AttemptAnswer(models.Model):
    attempt = models.ForeignKey(QuizAttempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    # The chosen choice ids; for an ORDER question, in the order the learner put them.
    choice_ids = models.JSONField(default=list)
    is_correct = models.BooleanField()
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="unique_attempt_answer")
        ]

    def __str__(self) -> str:
        return f"{self.attempt} — {self.question_id}"
