from django.contrib import admin

from hocvuso.people.models import Consent, Household, MilestoneEvent, Resident


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
