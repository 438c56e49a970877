"""What a commune publishes on its public page: the news column of the movement."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hocvuso.places.models import Area

NEWS_COLUMN = _("Bình dân học vụ số – Diệt giặc mù số")


class NewsArticle(models.Model):
    """An article or announcement in a commune's news column; a draft until published."""

    commune = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("xã, phường")
    )
    title = models.CharField(_("tiêu đề"), max_length=200)
    # Markdown, shown only after sanitising (learning.rendering), so no script reaches the page.
    body = models.TextField(_("nội dung"))
    # Empty while the article is a draft that only the commune's officers see.
    published_at = models.DateTimeField(_("ngày đăng"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("người viết"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bài viết")
        verbose_name_plural = _("bài viết")
        ordering = ["-published_at", "-created_at"]
        indexes = [models.Index(fields=["commune", "-published_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.published_at is not None
