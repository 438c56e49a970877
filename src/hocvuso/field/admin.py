"""Django admin for national admins: the field records, for support and correction."""

from django.contrib import admin

from hocvuso.field.models import (
    Attendance,
    Class,
    ContestEntry,
    Event,
    LearningSite,
    Mentorship,
    Quota,
    Recognition,
    RecognitionRule,
    Team,
    TeamMembership,
    Visit,
)


class MembershipInline(admin.TabularInline):
    model = TeamMembership
    raw_id_fields = ["user"]
    extra = 0


class QuotaInline(admin.TabularInline):
    model = Quota
    extra = 0


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "village", "decision_number", "decision_date", "contact_phone"]
    search_fields = ["name", "village__name", "decision_number"]
    raw_id_fields = ["village"]
    inlines = [MembershipInline, QuotaInline]


@admin.register(Mentorship)
class MentorshipAdmin(admin.ModelAdmin):
    list_display = ["ambassador", "resident", "assigned_on", "ended_on"]
    raw_id_fields = ["ambassador", "resident", "assigned_by"]


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["visited_on", "channel", "area", "team", "recorded_by", "problems_received"]
    list_filter = ["channel"]
    date_hierarchy = "visited_on"
    raw_id_fields = ["team", "area", "recorded_by", "household", "residents"]
    readonly_fields = ["client_id", "created_at"]


@admin.register(LearningSite)
class LearningSiteAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "area", "computers", "has_printer", "has_wifi", "funding"]
    list_filter = ["kind", "funding"]
    search_fields = ["name"]
    raw_id_fields = ["area"]


@admin.register(Class)
class ClassAdmin(admin.ModelAdmin):
    list_display = ["title", "site", "starts_at", "trainer", "capacity"]
    list_filter = ["topic", "for_elderly", "for_disability", "for_ethnic_minority"]
    raw_id_fields = ["site", "course", "trainer", "created_by"]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["class_session", "resident", "marked_by", "marked_at"]
    raw_id_fields = ["class_session", "resident", "marked_by"]
    readonly_fields = ["client_id"]


class ContestEntryInline(admin.TabularInline):
    model = ContestEntry
    raw_id_fields = ["resident", "team"]
    extra = 0


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "date", "area"]
    list_filter = ["kind"]
    raw_id_fields = ["area", "created_by"]
    inlines = [ContestEntryInline]


@admin.register(RecognitionRule)
class RecognitionRuleAdmin(admin.ModelAdmin):
    list_display = ["commune", "kind", "is_active", "updated_at"]
    raw_id_fields = ["commune", "updated_by"]


@admin.register(Recognition)
class RecognitionAdmin(admin.ModelAdmin):
    list_display = ["rule", "household", "resident", "village", "recognised_on", "revoked_on"]
    raw_id_fields = ["rule", "household", "resident", "village"]
