"""Django admin, for national admins only.

The gate is the role, not Django's `is_staff` flag: `admin.site.has_permission` is replaced so that
only active superusers and holders of Role.NATIONAL_ADMIN enter, and AreaRoleBackend gives those
national admins every model permission. The admin login uses the site's throttled login form.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from hocvuso.accounts.authz import has_role
from hocvuso.accounts.forms import AdminLoginForm
from hocvuso.accounts.models import Role, RoleAssignment, User
from hocvuso.accounts.phone import normalise_phone


def is_system_admin(user) -> bool:
    """True for an active superuser or national admin: the only people Django admin lets in."""
    return bool(
        user.is_active
        and getattr(user, "is_authenticated", False)
        and (user.is_superuser or has_role(user, Role.NATIONAL_ADMIN))
    )


def _national_admins_only(request) -> bool:
    return is_system_admin(request.user)


admin.site.has_permission = _national_admins_only
admin.site.login_form = AdminLoginForm


class _PhoneCleaning:
    def clean_phone(self):
        raw = self.cleaned_data.get("phone") or ""
        if not raw.strip():
            return None
        phone = normalise_phone(raw)
        if not phone:
            raise forms.ValidationError(
                _("Số điện thoại không hợp lệ. Hãy nhập số di động 10 chữ số, ví dụ 0912345678.")
            )
        if User.objects.filter(phone=phone).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Số điện thoại này đã được dùng cho một tài khoản khác."))
        return phone


class UserAdminChangeForm(_PhoneCleaning, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


class UserAdminCreationForm(_PhoneCleaning, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "full_name", "phone")


class RoleAssignmentForm(forms.ModelForm):
    class Meta:
        model = RoleAssignment
        fields = ("user", "role", "area")
        labels = {"user": _("Người dùng")}


class _GrantInfo:
    @admin.display(description=_("Người dùng"), ordering="user__username")
    def holder(self, obj: RoleAssignment) -> str:
        return str(obj.user)

    @admin.display(description=_("Người giao"))
    def granted_by_name(self, obj: RoleAssignment) -> str:
        return str(obj.granted_by) if obj.granted_by_id else "—"

    @admin.display(description=_("Thời điểm giao"), ordering="granted_at")
    def granted_on(self, obj: RoleAssignment):
        return obj.granted_at


class RoleAssignmentInline(_GrantInfo, admin.TabularInline):
    model = RoleAssignment
    form = RoleAssignmentForm
    # The user also appears as `granted_by`; the inline belongs to the holder of the role.
    fk_name = "user"
    fields = ("role", "area", "granted_by_name", "granted_on")
    readonly_fields = ("granted_by_name", "granted_on")
    raw_id_fields = ("area",)
    extra = 0
    verbose_name = _("vai trò theo địa bàn")
    verbose_name_plural = _("vai trò theo địa bàn")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Thông tin cá nhân"), {"fields": ("full_name", "phone", "email", "year_of_birth")}),
        (_("Nơi sinh sống và đăng ký hộ"), {"fields": ("home_area", "registered_by")}),
        (_("Trạng thái"), {"fields": ("is_active", "is_superuser")}),
        (_("Thời điểm"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "full_name",
                    "phone",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    inlines = [RoleAssignmentInline]
    list_display = ("username", "full_name", "phone", "home_area", "is_active")
    list_filter = ("is_active", "is_superuser", "role_assignments__role")
    search_fields = ("username", "full_name", "phone", "email")
    list_select_related = ("home_area",)
    raw_id_fields = ("home_area", "registered_by")
    filter_horizontal = ()

    def save_formset(self, request, form, formset, change):
        for assignment in formset.save(commit=False):
            if assignment.pk is None:
                assignment.granted_by = request.user
            assignment.save()
        for assignment in formset.deleted_objects:
            assignment.delete()


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(_GrantInfo, admin.ModelAdmin):
    form = RoleAssignmentForm
    list_display = ("holder", "role", "area", "granted_by_name", "granted_on")
    list_filter = ("role", "area__level")
    search_fields = ("user__username", "user__full_name", "area__code", "area__name")
    list_select_related = ("user", "area", "granted_by")
    raw_id_fields = ("user", "area")
    readonly_fields = ("granted_by_name", "granted_on")

    def save_model(self, request, obj, form, change):
        if obj.pk is None:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)
