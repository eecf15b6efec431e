"""Django admin for regional IT: the catalogue and the interaction table.
Clinical rows (orders, prescriptions) are changed only through the services,
so they are not editable here."""

from __future__ import annotations

from django.contrib import admin

from lakemedel.models import Interaction, Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "strength", "form", "substance", "atc_code", "npl_id", "requires_indication", "active")
    list_filter = ("active", "requires_indication", "form")
    search_fields = ("name", "substance", "atc_code", "npl_id")
    ordering = ("name", "strength")


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = ("atc_a", "atc_b", "severity", "description")
    list_filter = ("severity",)
    search_fields = ("atc_a", "atc_b", "description")
