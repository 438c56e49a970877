"""Forms of the field pages; each view hands the cleaned data to one service."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hocvuso.field.models import Event, LearningSite, RecognitionRule, Team, TeamMembership
from hocvuso.field.services.recognitions import CRITERIA_KEYS
from hocvuso.learning.models import Course, Topic
from hocvuso.people.choices import Milestone


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.display_name


class VisitForm(forms.Form):
    """One visit: who was helped, what was done, the milestones each reached, the problems met."""

    # Made when the form is shown, so a double tap or a resend of the same page is applied once.
    client_id = forms.UUIDField(widget=forms.HiddenInput)
    visited_on = forms.DateField(label=_("Ngày hỗ trợ"), widget=DateInput)
    residents = forms.ModelMultipleChoiceField(
        label=_("Người được hỗ trợ"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    activities = forms.CharField(
        label=_("Đã hướng dẫn những gì"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )
    problems_received = forms.IntegerField(
        label=_("Vướng mắc tiếp nhận"), min_value=0, max_value=999, initial=0
    )
    problems_resolved = forms.IntegerField(
        label=_("Đã giải quyết tại chỗ"), min_value=0, max_value=999, initial=0
    )
    problems_forwarded = forms.IntegerField(
        label=_("Chuyển lên xã"), min_value=0, max_value=999, initial=0
    )
    note = forms.CharField(
        label=_("Ghi chú"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args, residents, reached: dict[int, set[str]], **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("client_id", uuid.uuid4())
        kwargs["initial"].setdefault("visited_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["residents"].queryset = residents
        self.fields["residents"].label_from_instance = lambda r: (
            f"{r.full_name} ({r.year_of_birth})" if r.year_of_birth else r.full_name
        )
        self.milestone_fields: list[tuple[object, str]] = []
        for resident in residents:
            still_needed = [
                (m.value, m.label) for m in Milestone if m.value not in reached.get(resident.pk, ())
            ]
            if not still_needed:
                continue
            name = f"milestones_{resident.pk}"
            self.fields[name] = forms.MultipleChoiceField(
                label=_("Mốc vừa đạt được"),
                choices=still_needed,
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )
            self.milestone_fields.append((resident, name))

    def milestone_groups(self):
        return [(resident, self[name]) for resident, name in self.milestone_fields]

    def clean_visited_on(self):
        day = self.cleaned_data["visited_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Ngày hỗ trợ không thể ở tương lai."))
        return day

    def clean(self):
        cleaned = super().clean()
        chosen = {r.pk for r in cleaned.get("residents") or []}
        milestones = {}
        for resident, name in self.milestone_fields:
            codes = cleaned.get(name) or []
            if codes and resident.pk not in chosen:
                self.add_error(
                    name,
                    _("Hãy đánh dấu %(name)s là người được hỗ trợ trước khi ghi mốc.")
                    % {"name": resident.full_name},
                )
            elif codes:
                milestones[resident.pk] = codes
        cleaned["milestones"] = milestones
        return cleaned


class TeamForm(forms.ModelForm):
    zalo_group_url = forms.URLField(
        label=_("Đường dẫn nhóm Zalo"), required=False, assume_scheme="https"
    )

    class Meta:
        model = Team
        fields = ["name", "decision_number", "decision_date", "zalo_group_url", "contact_phone"]
        widgets = {"decision_date": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        self.fields["name"].help_text = _("Để trống để dùng tên mặc định theo tên thôn.")


class MembershipForm(forms.Form):
    user = UserChoiceField(label=_("Người tham gia"), queryset=None)
    role = forms.ChoiceField(label=_("Vai trò trong tổ"), choices=TeamMembership.Role.choices)
    joined_on = forms.DateField(label=_("Ngày tham gia"), widget=DateInput)
    training = forms.CharField(label=_("Đã được tập huấn"), required=False, max_length=300)
    trained_on = forms.DateField(label=_("Ngày tập huấn"), required=False, widget=DateInput)

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users


class QuotaForm(forms.Form):
    period_start = forms.DateField(label=_("Từ ngày"), widget=DateInput)
    period_end = forms.DateField(label=_("Đến ngày"), widget=DateInput)
    people_supported_target = forms.IntegerField(label=_("Số người được hỗ trợ"), min_value=0)
    sessions_held_target = forms.IntegerField(label=_("Số buổi hướng dẫn"), min_value=0)
    problems_solved_target = forms.IntegerField(
        label=_("Số vướng mắc được giải quyết"), min_value=0
    )


class MentorshipForm(forms.Form):
    ambassador = UserChoiceField(label=_("Đại sứ số"), queryset=None)
    resident = forms.ModelChoiceField(label=_("Người được kèm cặp"), queryset=None)

    def __init__(self, *args, ambassadors, residents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ambassador"].queryset = ambassadors
        self.fields["resident"].queryset = residents


class SiteForm(forms.ModelForm):
    class Meta:
        model = LearningSite
        fields = [
            "kind",
            "name",
            "address",
            "computers",
            "has_printer",
            "has_scanner",
            "has_wifi",
            "funding",
            "sponsor",
        ]


class ClassForm(forms.Form):
    title = forms.CharField(label=_("Tên lớp"), max_length=200)
    topic = forms.ChoiceField(
        label=_("Chủ đề"), choices=[("", "—"), *Topic.choices], required=False
    )
    course = forms.ModelChoiceField(
        label=_("Khoá học"),
        queryset=Course.objects.filter(status=Course.Status.PUBLISHED),
        required=False,
    )
    starts_at = forms.DateTimeField(label=_("Bắt đầu"), widget=DateTimeInput)
    ends_at = forms.DateTimeField(label=_("Kết thúc"), widget=DateTimeInput)
    trainer = UserChoiceField(label=_("Người hướng dẫn"), queryset=None, required=False)
    for_elderly = forms.BooleanField(label=_("Lớp giản lược cho người cao tuổi"), required=False)
    for_disability = forms.BooleanField(
        label=_("Lớp giản lược cho người khuyết tật"), required=False
    )
    for_ethnic_minority = forms.BooleanField(
        label=_("Lớp giản lược cho đồng bào dân tộc thiểu số"), required=False
    )
    capacity = forms.IntegerField(label=_("Số chỗ"), min_value=1, max_value=500, initial=20)

    def __init__(self, *args, trainers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainer"].queryset = trainers


class AttendanceForm(forms.Form):
    present = forms.ModelMultipleChoiceField(
        label=_("Người có mặt"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, residents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = residents


class EventForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = ["kind", "title", "date", "place"]
        widgets = {"date": DateInput}


class RecognitionRuleForm(forms.Form):
    """The criteria of one recognition, as checkboxes of milestones under each key."""

    is_active = forms.BooleanField(label=_("Đang áp dụng"), required=False, initial=True)

    KEY_LABELS = {
        "every_adult": _("Mọi người lớn trong hộ đã đạt"),
        "every_member": _("Mọi thành viên trong hộ đã đạt"),
        "at_least_one": _("Ít nhất một thành viên đã đạt"),
        "all_of": _("Đã đạt tất cả"),
        "any_of": _("Đã đạt ít nhất một trong"),
    }

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.kind_label = RecognitionRule.Kind(kind).label
        for key in CRITERIA_KEYS[kind]:
            self.fields[key] = forms.MultipleChoiceField(
                label=self.KEY_LABELS[key],
                choices=Milestone.choices,
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )

    def criteria(self) -> dict[str, list[str]]:
        return {
            key: self.cleaned_data[key]
            for key in CRITERIA_KEYS[self.kind]
            if self.cleaned_data.get(key)
        }
