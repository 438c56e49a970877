"""Forms of the registry pages; they check the input, the services check the rules."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hocvuso.people.choices import LANGUAGES, Milestone, TargetGroup
from hocvuso.people.models import Consent, Household, MilestoneEvent, Resident
from hocvuso.people.services import ImportMode


class HouseholdForm(forms.Form):
    head_name = forms.CharField(label=_("Chủ hộ"), max_length=150)
    number = forms.CharField(
        label=_("Số hộ"),
        max_length=30,
        required=False,
        help_text=_("Số trong sổ hộ của thôn, nếu có."),
    )
    address = forms.CharField(label=_("Địa chỉ"), max_length=300, required=False)


class ResidentForm(forms.Form):
    full_name = forms.CharField(
        label=_("Họ và tên"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    household = forms.ModelChoiceField(
        label=_("Hộ gia đình"),
        queryset=Household.objects.none(),
        required=False,
        empty_label=_("— Chưa gắn với hộ nào —"),
    )
    year_of_birth = forms.IntegerField(
        label=_("Năm sinh"),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    gender = forms.ChoiceField(
        label=_("Giới tính"), choices=Resident.Gender.choices, initial=Resident.Gender.UNKNOWN
    )
    ethnicity = forms.CharField(
        label=_("Dân tộc"), max_length=50, required=False, help_text=_("Ví dụ: Kinh, Dao, Tày.")
    )
    phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    citizen_id = forms.CharField(
        label=_("Số CCCD"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("12 chữ số. Số này được mã hoá và chỉ hiện dạng che."),
    )
    target_group = forms.ChoiceField(
        label=_("Nhóm đối tượng"), choices=TargetGroup.choices, initial=TargetGroup.CITIZENS
    )
    has_disability = forms.BooleanField(label=_("Người khuyết tật"), required=False)
    preferred_language = forms.ChoiceField(
        label=_("Ngôn ngữ ưu tiên"), choices=LANGUAGES, initial="vi"
    )

    def __init__(self, *args, village, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = Household.objects.filter(village=village).order_by(
            "number", "head_name"
        )
        self.fields["household"].label_from_instance = lambda h: (
            f"{h.number} — {h.head_name}" if h.number else h.head_name
        )
        if editing:
            self.fields["citizen_id"].help_text = _(
                "Để trống để giữ số đã lưu. 12 chữ số; được mã hoá và chỉ hiện dạng che."
            )


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Nội dung đồng ý"), choices=Consent.Purpose.choices)


class MilestoneForm(forms.Form):
    milestone = forms.ChoiceField(label=_("Mốc kỹ năng số"), choices=Milestone.choices)
    achieved_on = forms.DateField(
        label=_("Ngày đạt"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    method = forms.ChoiceField(
        label=_("Cách ghi nhận"),
        choices=[
            (value, label)
            for value, label in MilestoneEvent.Method.choices
            if value not in (MilestoneEvent.Method.IMPORT, MilestoneEvent.Method.SYSTEM)
        ],
        initial=MilestoneEvent.Method.VISIT,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("achieved_on", timezone.localdate())
        super().__init__(*args, **kwargs)

    def clean_achieved_on(self) -> datetime.date:
        day = self.cleaned_data["achieved_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Ngày đạt không thể ở tương lai."))
        return day


class ResidentImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp danh sách (.xlsx hoặc .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    mode = forms.ChoiceField(
        label=_("Khi có dòng lỗi"),
        choices=ImportMode.choices,
        initial=ImportMode.ALL_OR_NOTHING,
        widget=forms.RadioSelect,
    )
