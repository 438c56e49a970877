"""Forms of the accounts pages: login, and registering a learner on their behalf."""

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm, UsernameField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hocvuso.accounts import throttle
from hocvuso.accounts.authz import has_role
from hocvuso.accounts.models import Role
from hocvuso.accounts.phone import normalise_phone
from hocvuso.accounts.services import EARLIEST_YEAR_OF_BIRTH
from hocvuso.places.models import Area


class LoginForm(AuthenticationForm):
    """Phone number or username, and password; repeated failures lock the name and the address."""

    username = UsernameField(
        label=_("Số điện thoại hoặc tên đăng nhập"),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        # One message for an unknown account, a wrong password and a disabled account alike.
        "invalid_login": _("Số điện thoại/tên đăng nhập hoặc mật khẩu không đúng."),
        "inactive": _("Số điện thoại/tên đăng nhập hoặc mật khẩu không đúng."),
        "locked": _("Bạn đã nhập sai quá nhiều lần. Vui lòng thử lại sau %(minutes)s phút."),
    }

    def clean(self):
        identifier = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not identifier or not password:
            return self.cleaned_data
        ip = throttle.client_ip(self.request)
        if wait := throttle.seconds_locked(identifier, ip):
            raise ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": throttle.minutes_to_wait(wait)},
            )
        self.user_cache = authenticate(self.request, username=identifier, password=password)
        if self.user_cache is None:
            throttle.record_failure(identifier, ip)
            raise ValidationError(self.error_messages["invalid_login"], code="invalid_login")
        self.confirm_login_allowed(self.user_cache)
        throttle.reset(identifier, ip)
        return self.cleaned_data


class AdminLoginForm(LoginForm):
    """The login of Django admin: the same checks, and only national admins may pass."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not (user.is_superuser or has_role(user, Role.NATIONAL_ADMIN)):
            raise ValidationError(
                gettext("Tài khoản này không có quyền vào trang quản trị hệ thống."),
                code="not_admin",
            )


class VillageChoiceField(forms.ModelChoiceField):
    """Offers the villages of the user's scope, yet resolves any active village.

    A village outside the scope is thus refused by the authorisation check with 403, the same
    answer as everywhere else, rather than passing as an ordinary form error.
    """

    def label_from_instance(self, obj: Area) -> str:
        return f"{obj.name} — {obj.parent.name}" if obj.parent_id else obj.name

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return Area.objects.get(pk=value, level=Area.Level.VILLAGE, is_active=True)
        except (TypeError, ValueError, Area.DoesNotExist):
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


class AssistedRegistrationForm(forms.Form):
    full_name = forms.CharField(
        label=_("Họ và tên"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    year_of_birth = forms.IntegerField(
        label=_("Năm sinh (không bắt buộc)"),
        required=False,
        min_value=EARLIEST_YEAR_OF_BIRTH,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    village = VillageChoiceField(
        label=_("Thôn, tổ dân phố nơi sinh sống"),
        queryset=Area.objects.none(),
        empty_label=_("— Chọn thôn, tổ dân phố —"),
        error_messages={"invalid_choice": _("Thôn, tổ dân phố đã chọn không còn hoạt động.")},
    )
    phone = forms.CharField(
        label=_("Số điện thoại (nếu có)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        this_year = timezone.localdate().year
        self.fields["year_of_birth"].validators.append(MaxValueValidator(this_year))
        self.fields["year_of_birth"].widget.attrs["max"] = this_year

    def clean_phone(self) -> str:
        raw = self.cleaned_data["phone"]
        if raw.strip() and not normalise_phone(raw):
            raise ValidationError(
                gettext(
                    "Số điện thoại không hợp lệ. Hãy nhập số di động 10 chữ số, ví dụ 0912345678."
                )
            )
        return raw
