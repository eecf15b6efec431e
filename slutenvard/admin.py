"""Administrators set up hospitals, wards and beds. Stays are patient data and are
read only through the ward's pages and API (with the access decision), not here."""

from __future__ import annotations

from django.contrib import admin

from slutenvard.models import Bed, Hospital, Ward


class BedInline(admin.TabularInline):
    model = Bed
    extra = 0
    fields = ("room", "label", "order", "extra", "state")
    readonly_fields = ("state",)


@admin.register(Hospital)
class HospitalAdmin(admin.ModelAdmin):
    list_display = ("name", "provider")


@admin.register(Ward)
class WardAdmin(admin.ModelAdmin):
    list_display = ("unit", "hospital", "short_name", "order")
    list_filter = ("hospital",)
    raw_id_fields = ("unit",)
    inlines = [BedInline]
