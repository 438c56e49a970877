from django.contrib import admin

from hocvuso.skills.models import (
    Assessment,
    Certificate,
    CompetenceMapping,
    Confirmation,
    Framework,
    FrameworkItem,
    Profile,
    Requirement,
)


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["code", "version", "kind", "name", "status", "is_current", "loaded_at"]
    list_filter = ["kind", "is_current"]


@admin.register(FrameworkItem)
class FrameworkItemAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "kind", "framework", "status"]
    list_filter = ["framework", "kind", "status"]
    search_fields = ["code", "title"]


class RequirementInline(admin.TabularInline):
    model = Requirement
    extra = 0
    raw_id_fields = ["competence"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["title", "target_group", "framework", "status"]
    inlines = [RequirementInline]


@admin.register(CompetenceMapping)
class CompetenceMappingAdmin(admin.ModelAdmin):
    list_display = ["competence", "level", "course", "lesson", "question"]
    list_filter = ["competence__framework"]
    raw_id_fields = ["competence", "course", "lesson", "question"]


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["pk", "profile", "user", "resident", "mode", "submitted_at", "passed"]
    raw_id_fields = ["user", "resident", "assisted_by"]


@admin.register(Confirmation)
class ConfirmationAdmin(admin.ModelAdmin):
    list_display = ["holder_name", "profile", "mode", "confirmed_on", "revoked_at"]
    raw_id_fields = ["user", "resident", "assisted_by", "assessment", "area"]


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["code", "confirmation", "issued_at", "revoked_at"]
    search_fields = ["code"]
    # Revocation goes through /ky-nang-so/quan-tri/chung-nhan/ so that the confirmation is
    # withdrawn and confirmation_revoked is sent; here it is only shown.
    readonly_fields = [
        "code",
        "content",
        "signature",
        "key_id",
        "status_index",
        "revoked_at",
        "revoked_reason",
        "revoked_by",
    ]
    raw_id_fields = ["confirmation"]
