"""Editors' forms for the FAQ and the scam feed, and the team's form to close a help request."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hocvuso.assistant.models import Faq, ScamPattern


class FaqForm(forms.ModelForm):
    class Meta:
        model = Faq
        fields = ["question", "answer", "keywords", "key", "position", "is_published"]
        widgets = {"answer": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "key": _("Chữ thường không dấu, nối bằng gạch ngang, ví dụ: vneid-quen-mat-khau."),
            "keywords": _("Những cách người dân hay hỏi mà câu hỏi chưa có chữ đó."),
        }


class ScamPatternForm(forms.ModelForm):
    class Meta:
        model = ScamPattern
        fields = ["title", "signs", "advice", "keywords", "key", "position", "is_published"]
        widgets = {
            "signs": forms.Textarea(attrs={"rows": 5}),
            "advice": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "key": _("Chữ thường không dấu, nối bằng gạch ngang, ví dụ: gia-danh-cong-an."),
            "keywords": _(
                "Các từ nối câu hỏi của người dân với cảnh báo này, cách nhau bằng dấu phẩy."
            ),
        }


class CloseHelpRequestForm(forms.Form):
    note = forms.CharField(
        label=_("Đã hỗ trợ thế nào"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )
    visit = forms.ChoiceField(label=_("Lần hỗ trợ đã ghi (nếu có)"), required=False)

    def __init__(self, *args, visits=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.visits = {str(visit.pk): visit for visit in visits}
        self.fields["visit"].choices = [("", _("— Không liên kết —"))] + [
            (
                str(visit.pk),
                f"{visit.visited_on:%d/%m/%Y} · "
                f"{visit.household.head_name if visit.household else visit.get_channel_display()}",
            )
            for visit in visits
        ]

    def clean_visit(self):
        return self.visits.get(self.cleaned_data.get("visit") or "")
