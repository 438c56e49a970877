from django.contrib import admin

from hocvuso.monitoring.models import (
    AreaProfile,
    Commendation,
    CounterRebuild,
    CustomIndicator,
    CustomReport,
    Report,
    SpotCheck,
    Target,
)


@admin.register(CustomIndicator)
class CustomIndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "value_type", "frequency", "is_active")


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("area", "indicator", "year", "kind", "value", "deadline", "set_by")
    list_filter = ("year", "indicator")
    raw_id_fields = ("area", "set_by")


@admin.register(CustomReport)
class CustomReportAdmin(admin.ModelAdmin):
    list_display = ("area", "indicator", "period_start", "value", "status")
    list_filter = ("status", "indicator")
    raw_id_fields = ("area", "entered_by", "submitted_by", "approved_by")


@admin.register(AreaProfile)
class AreaProfileAdmin(admin.ModelAdmin):
    list_display = ("area", "peer_group", "updated_at")
    raw_id_fields = ("area", "updated_by")


@admin.register(Commendation)
class CommendationAdmin(admin.ModelAdmin):
    list_display = ("awarded_on", "kind", "recipient_type", "recipient_name", "area")
    raw_id_fields = ("area", "recorded_by")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("area", "kind", "period_start", "period_end", "status", "requested_at")
    raw_id_fields = ("area", "requested_by")


@admin.register(SpotCheck)
class SpotCheckAdmin(admin.ModelAdmin):
    list_display = ("commune", "description", "result", "checked_at")
    raw_id_fields = ("commune", "milestone", "drawn_by", "checked_by")


@admin.register(CounterRebuild)
class CounterRebuildAdmin(admin.ModelAdmin):
    list_display = ("area", "started_at", "seconds", "rows")
    raw_id_fields = ("area",)
