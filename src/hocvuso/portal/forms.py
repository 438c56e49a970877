"""Forms of the public pages' editing side: a commune's news article."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hocvuso.portal.models import NewsArticle


class ArticleForm(forms.ModelForm):
    publish = forms.BooleanField(
        label=_("Đăng lên trang của xã"),
        required=False,
        help_text=_("Bỏ chọn để lưu bản nháp, chỉ cán bộ xã xem được."),
    )

    class Meta:
        model = NewsArticle
        fields = ["title", "body"]
        labels = {"title": _("Tiêu đề"), "body": _("Nội dung")}
        help_texts = {
            "body": _(
                "Viết như văn bản thường. Dòng trống để tách đoạn; **chữ đậm**; "
                "dòng bắt đầu bằng “- ” để liệt kê."
            )
        }
        widgets = {"body": forms.Textarea(attrs={"rows": 12})}
