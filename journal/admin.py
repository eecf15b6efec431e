"""Django admin: templates (mallar) and their keyword headings (sökord), code lists.
Clinical rows are read-only here: the record changes only through services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from journal.models import DiagnosisCode, NoteTemplate, ProcedureCode, TemplateHeading


class TemplateHeadingInline(admin.TabularInline):
    model = TemplateHeading
    extra = 1
    fields = ("order", "title", "required", "help_text")


@admin.register(NoteTemplate)
class NoteTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "note_type", "profession", "unit", "active", "order")
    list_filter = ("active", "profession", "unit")
    search_fields = ("name", "note_type")
    inlines = [TemplateHeadingInline]


class CodeAdmin(admin.ModelAdmin):
    list_display = ("code", "text", "common", "active")
    list_filter = ("common", "active")
    search_fields = ("code", "text")
    ordering = ("code",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # recorded diagnoses refer to codes; deactivate instead


admin.site.register(DiagnosisCode, CodeAdmin)
admin.site.register(ProcedureCode, CodeAdmin)
