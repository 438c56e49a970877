"""Forms of the registry pages; they check the input, the services check the rules."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hocvuso.people.choices import LANGUAGES, Milestone, TargetGroup
from hocvuso.people.models import (
    Consent,
    Household,
    MilestoneEvent,
    PersonalDataAccess,
    Resident,
)
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


class AccessLogFilterForm(forms.Form):
    """The search of the personal-data audit log; every field may stay empty."""

    nguoi = forms.IntegerField(label=_("Mã người dân"), required=False, min_value=1)
    ten = forms.CharField(label=_("Tên người dân"), max_length=150, required=False)
    tai_khoan = forms.CharField(label=_("Tài khoản truy cập"), max_length=150, required=False)
    thao_tac = forms.ChoiceField(
        label=_("Thao tác"),
        required=False,
        choices=[("", _("— Mọi thao tác —")), *PersonalDataAccess.Action.choices],
    )
    tu_ngay = forms.DateField(
        label=_("Từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    den_ngay = forms.DateField(
        label=_("Đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("tu_ngay"), cleaned.get("den_ngay")
        if since and until and since > until:
            raise forms.ValidationError(_("“Từ ngày” phải trước hoặc bằng “Đến ngày”."))
        return cleaned


class ErasureForm(forms.Form):
    """What an officer confirms before a resident's data is erased for good."""

    purpose = forms.CharField(
        label=_("Lý do xoá"),
        max_length=300,
        help_text=_("Ví dụ: theo đề nghị của người dân ngày 05/01/2026."),
    )
    with_account = forms.BooleanField(
        label=_("Xoá cả tài khoản học tập của người này (nếu có)"), required=False, initial=True
    )
    confirm_name = forms.CharField(
        label=_("Gõ lại họ và tên của người dân để xác nhận"), max_length=150
    )

    def __init__(self, *args, resident: Resident, **kwargs):
        super().__init__(*args, **kwargs)
        self.resident = resident

    def clean_confirm_name(self) -> str:
        typed = " ".join(self.cleaned_data["confirm_name"].split()).casefold()
        if typed != " ".join(self.resident.full_name.split()).casefold():
            raise forms.ValidationError(_("Họ và tên gõ lại không khớp; chưa xoá gì."))
        return typed
