from __future__ import annotations

from django.contrib import admin

from tidbok.models import Resource, ScheduleException, ScheduleTemplate


class TemplateInline(admin.TabularInline):
    model = ScheduleTemplate
    extra = 0


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "unit", "active")
    list_filter = ("kind", "active", "unit")
    search_fields = ("name",)
    inlines = [TemplateInline]


@admin.register(ScheduleException)
class ScheduleExceptionAdmin(admin.ModelAdmin):
    list_display = ("unit", "resource", "kind", "starts_at", "ends_at", "reason")
    list_filter = ("kind", "unit")
    raw_id_fields = ("resource", "created_by")
