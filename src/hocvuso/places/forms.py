"""Forms of the village pages; they check the input, the services check the rules."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hocvuso.places.models import Area
from hocvuso.places.selectors import sorted_by_name
from hocvuso.places.services import (
    DEFAULT_VILLAGE_KIND,
    VILLAGE_KINDS,
    VILLAGE_NAME_MAX_LENGTH,
    ImportMode,
)


class VillageNameField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Tên thôn, tổ dân phố"))
        kwargs.setdefault("max_length", VILLAGE_NAME_MAX_LENGTH)
        kwargs.setdefault("help_text", _("Ví dụ: Thôn Sài Lương, Bản Khe Lếch, Tổ dân phố số 3."))
        super().__init__(**kwargs)


class VillageCreateForm(forms.Form):
    name = VillageNameField()
    kind = forms.ChoiceField(
        label=_("Loại"),
        choices=[(kind, kind) for kind in VILLAGE_KINDS],
        initial=DEFAULT_VILLAGE_KIND,
    )


class VillageRenameForm(forms.Form):
    name = VillageNameField(label=_("Tên mới"))


class VillageMergeForm(forms.Form):
    target = forms.ModelChoiceField(
        label=_("Sáp nhập vào thôn"),
        queryset=Area.objects.none(),
        empty_label=_("— Chọn thôn —"),
        to_field_name="code",
    )

    def __init__(self, *args, source: Area, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = (
            Area.objects.filter(
                parent_id=source.parent_id, level=Area.Level.VILLAGE, is_active=True
            )
            .exclude(pk=source.pk)
            .order_by("name")
        )
        # In reading order ("Thôn 2" before "Thôn 10"), which the database cannot sort by.
        self.fields["target"].choices = [("", self.fields["target"].empty_label)] + [
            (area.code, f"{area.name} ({area.code})")
            for area in sorted_by_name(self.fields["target"].queryset)
        ]


class VillageMoveForm(forms.Form):
    commune_code = forms.CharField(
        label=_("Mã xã, phường, đặc khu chuyển đến"),
        max_length=5,
        help_text=_("Mã gồm 5 chữ số, ví dụ 04399 (Xã Đông Cuông)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args, village: Area, may_manage, **kwargs):
        super().__init__(*args, **kwargs)
        self.village = village
        self.may_manage = may_manage

    def clean_commune_code(self) -> Area:
        code = self.cleaned_data["commune_code"].strip()
        if code.isdigit():
            code = code.zfill(5)
        commune = Area.objects.filter(code=code, level=Area.Level.COMMUNE, is_active=True).first()
        if commune is None:
            raise forms.ValidationError(
                gettext("Không có xã, phường, đặc khu nào mang mã “%(code)s”."),
                params={"code": code},
            )
        if commune.pk == self.village.parent_id:
            raise forms.ValidationError(gettext("Thôn đã thuộc xã này. Hãy chọn xã khác."))
        if not self.may_manage(commune):
            raise forms.ValidationError(
                gettext("Bạn không có quyền quản lý thôn của %(commune)s."),
                params={"commune": commune.name},
            )
        return commune


class VillageImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp danh sách thôn"),
        help_text=_("Tệp Excel (.xlsx) hoặc CSV (.csv), có cột “Tên thôn”."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    mode = forms.ChoiceField(
        label=_("Khi có dòng lỗi"),
        choices=ImportMode.choices,
        initial=ImportMode.ALL_OR_NOTHING,
        widget=forms.RadioSelect,
    )
