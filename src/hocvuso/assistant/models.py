"""Frequently asked questions, the feed of current scam patterns, and requests for a person's help."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hocvuso.places.models import Area

QUESTION_MAX_LENGTH = 500


class Faq(models.Model):
    """A question people often ask, answered by an editor; the assistant may quote the answer."""

    # Stable across edits, so that the shipped starter content is installed once and updated in place.
    key = models.SlugField(_("mã"), max_length=80, unique=True)
    question = models.CharField(_("câu hỏi"), max_length=300)
    answer = models.TextField(_("câu trả lời"))
    # Words people use for this question that the text itself may not contain.
    keywords = models.CharField(_("từ khoá thêm"), max_length=300, blank=True)
    is_published = models.BooleanField(_("đang hiển thị"), default=True)
    position = models.PositiveIntegerField(_("thứ tự"), default=0)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("câu hỏi thường gặp")
        verbose_name_plural = _("câu hỏi thường gặp")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.question


class ScamPattern(models.Model):
    """A kind of fraud going on now: how it looks, and what to do; shown on the home page."""

    key = models.SlugField(_("mã"), max_length=80, unique=True)
    title = models.CharField(_("tên thủ đoạn"), max_length=200)
    signs = models.TextField(_("dấu hiệu nhận biết"))
    advice = models.TextField(_("cách phòng tránh, xử lý"))
    # Words that tie a question to this pattern ("công an", "otp", "việc nhẹ lương cao").
    keywords = models.CharField(_("từ khoá"), max_length=300, blank=True)
    is_published = models.BooleanField(_("đang hiển thị"), default=True)
    position = models.PositiveIntegerField(_("thứ tự"), default=0)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("thủ đoạn lừa đảo")
        verbose_name_plural = _("thủ đoạn lừa đảo")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class HelpRequest(models.Model):
    """A person's question for the community team of their village ("Tôi cần người hướng dẫn")."""

    class Status(models.TextChoices):
        OPEN = "open", _("Đang chờ")
        CLOSED = "closed", _("Đã hỗ trợ")

    question = models.TextField(_("câu hỏi"), max_length=QUESTION_MAX_LENGTH)
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="help_requests",
    )
    # For a person without an account; personal data, given with consent, seen by the team only.
    contact_name = models.CharField(_("họ và tên"), max_length=100, blank=True)
    contact_phone = models.CharField(_("số điện thoại"), max_length=15, blank=True)
    consent_at = models.DateTimeField(null=True, blank=True)
    village = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    # The lesson the assistant last pointed to, so the visitor knows where the person got stuck.
    lesson = models.ForeignKey(
        "learning.Lesson", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    visit = models.ForeignKey(
        "field.Visit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closing_note = models.TextField(_("kết quả hỗ trợ"), blank=True)

    class Meta:
        verbose_name = _("yêu cầu hỗ trợ")
        verbose_name_plural = _("yêu cầu hỗ trợ")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["village", "status"])]

    def __str__(self) -> str:
        return self.question[:80]
