from django.contrib import admin

from hocvuso.places.models import Area, AreaChange


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "level", "parent", "is_active"]
    list_filter = ["level", "kind", "is_active"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent", "merged_into"]
    readonly_fields = ["path"]


@admin.register(AreaChange)
class AreaChangeAdmin(admin.ModelAdmin):
    list_display = ["area", "action", "old_name", "new_name", "changed_by", "changed_at"]
    list_filter = ["action"]
    raw_id_fields = ["area", "old_parent", "new_parent", "merged_into", "changed_by"]
