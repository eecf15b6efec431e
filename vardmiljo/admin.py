"""Django admin for the regional administrator: organisation, staff, assignments.
The access log is read-only here (and refuses changes in the database anyway)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdmin

from vardmiljo.models import (
    AccessLog,
    Assignment,
    Block,
    CareProvider,
    CareRelationship,
    CareUnit,
    Consent,
    EmergencyAccess,
    LogReview,
    Outbox,
    OutboxAttempt,
    OutboxEndpoint,
    Patient,
    Staff,
)

admin.site.site_header = _("Vårdmiljö – administration")
admin.site.site_title = _("Vårdmiljö")


@admin.register(CareProvider)
class CareProviderAdmin(admin.ModelAdmin):
    list_display = ("name", "hsa_id", "kind")
    search_fields = ("name", "hsa_id")


@admin.register(CareUnit)
class CareUnitAdmin(GuardedModelAdmin):
    list_display = ("name", "hsa_id", "provider", "active")
    list_filter = ("provider", "active")
    search_fields = ("name", "hsa_id")


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    autocomplete_fields = ("unit",)


@admin.register(Staff)
class StaffAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "hsa_id", "profession", "is_active")
    list_filter = ("profession", "is_active", "is_staff")
    search_fields = ("username", "first_name", "last_name", "hsa_id")
    fieldsets = (*UserAdmin.fieldsets, (_("Vård"), {"fields": ("hsa_id", "profession", "prescriber_code")}))  # type: ignore[misc]
    inlines = [AssignmentInline]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("staff", "unit", "purpose", "role", "valid_from", "valid_to")
    list_filter = ("purpose", "role", "unit")
    autocomplete_fields = ("staff", "unit")


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    """Identity administration only; the record itself is read in the clinical UI."""

    list_display = ("display_identifier", "family_name", "given_name", "protection")
    search_fields = ("=identifier", "family_name")
    exclude = ("address",)
    readonly_fields = ("merged_into", "created_at", "updated_at")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ("logged_at", "staff_name", "unit_name", "action", "patient_id", "ground", "flagged")
    list_filter = ("ground", "flagged")
    search_fields = ("=patient_id", "=staff_id", "action")
    date_hierarchy = None
    show_full_result_count = False


@admin.register(CareRelationship, Consent, Block, EmergencyAccess, LogReview)
class TrustAdmin(ReadOnlyAdmin):
    """Set through the clinical UI and services so every change is logged."""


@admin.register(Outbox)
class OutboxAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "channel", "object_type", "object_id", "status", "attempts", "next_attempt_at", "last_error")
    list_filter = ("channel", "status")
    actions = ["requeue"]

    @admin.action(description=_("Försök leverera igen"))
    def requeue(self, request: HttpRequest, queryset: Any) -> None:
        from vardmiljo import outbox

        for row in queryset:
            outbox.requeue(row.pk)
            outbox.schedule(row.pk, row.channel)


@admin.register(OutboxAttempt)
class OutboxAttemptAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "outbox", "worker", "finished_at", "result", "error")
    list_filter = ("result",)


@admin.register(OutboxEndpoint)
class OutboxEndpointAdmin(ReadOnlyAdmin):
    list_display = ("key", "channel", "failures", "open_until", "last_error", "updated_at")
