from django.contrib import admin

from hocvuso.people.audit import Action, record_access
from hocvuso.people.models import (
    Consent,
    Household,
    MilestoneEvent,
    PersonalDataAccess,
    Resident,
)


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["head_name", "number", "village", "created_at"]
    search_fields = ["head_name", "number"]
    raw_id_fields = ["village", "created_by"]
    readonly_fields = ["client_id"]


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    list_display = ["full_name", "year_of_birth", "village", "household", "version"]
    list_filter = ["target_group", "gender", "has_disability"]
    search_fields = ["full_name"]
    raw_id_fields = ["village", "household", "user", "created_by"]
    # The number is set through the registry pages only, where it is checked and encrypted.
    exclude = ["citizen_id_hash", "citizen_id_encrypted"]
    readonly_fields = ["client_id", "version"]

    # The national admins' own reads and changes go into the audit log like everyone's.
    def change_view(self, request, object_id, form_url="", extra_context=None):
        resident = self.get_object(request, object_id)
        if resident is not None and request.method == "GET":
            record_access(
                request=request, action=Action.VIEW, what="admin:people_resident", resident=resident
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            record_access(
                request=request,
                action=Action.CORRECT,
                what="admin:people_resident",
                resident=obj,
                purpose=", ".join(sorted(form.changed_data)),
            )

    def delete_model(self, request, obj):
        record_access(
            request=request, action=Action.DELETE, what="admin:people_resident", resident=obj
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for resident in queryset.select_related("village"):
            record_access(
                request=request,
                action=Action.DELETE,
                what="admin:people_resident",
                resident=resident,
            )
        super().delete_queryset(request, queryset)


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ["resident", "purpose", "text_version", "given_at", "withdrawn_at"]
    list_filter = ["purpose", "text_version"]
    raw_id_fields = ["resident", "recorded_by", "withdrawn_by"]


@admin.register(MilestoneEvent)
class MilestoneEventAdmin(admin.ModelAdmin):
    list_display = ["resident", "milestone", "achieved_on", "method", "recorded_by"]
    list_filter = ["milestone", "method"]
    raw_id_fields = ["resident", "recorded_by"]
    readonly_fields = ["client_id"]


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only, for the admin as for everyone."""

    list_display = ["at", "username", "action", "what", "area_path", "resident_id", "ip"]
    list_filter = ["action"]
    search_fields = ["username", "what", "area_path"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
