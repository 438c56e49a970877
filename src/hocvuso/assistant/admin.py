from django.contrib import admin

from hocvuso.assistant.models import Faq, HelpRequest, ScamPattern


@admin.register(Faq)
class FaqAdmin(admin.ModelAdmin):
    list_display = ["question", "is_published", "position", "updated_at"]
    list_filter = ["is_published"]
    search_fields = ["question", "keywords"]


@admin.register(ScamPattern)
class ScamPatternAdmin(admin.ModelAdmin):
    list_display = ["title", "is_published", "position", "updated_at"]
    list_filter = ["is_published"]
    search_fields = ["title", "keywords"]


@admin.register(HelpRequest)
class HelpRequestAdmin(admin.ModelAdmin):
    list_display = ["question", "village", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["learner", "village", "lesson", "closed_by", "visit"]
