from __future__ import annotations

from django.contrib import admin

from remisser.models import Referral, ReferralEvent, ReferralRoute
from vardmiljo.admin import PatientDataAdmin


@admin.register(ReferralRoute)
class ReferralRouteAdmin(admin.ModelAdmin):
    list_display = ("unit", "mode", "endpoint")
    list_select_related = ("unit",)


class EventInline(admin.TabularInline):
    """The referral's timeline without its notes (free text)."""

    model = ReferralEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "kind", "staff_name", "unit", "from_status", "to_status", "from_unit", "to_unit")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Referral)
class ReferralAdmin(PatientDataAdmin):
    """Read-only for operators, to find a stuck referral: status, units, times and ids; never
    the question or the patient's identity. Referrals move only through the services."""

    list_display = ("id", "status", "priority", "sender_unit", "owner_unit", "due_date", "sent_at")
    list_filter = ("status", "priority")
    list_select_related = ("sender_unit", "owner_unit")
    inlines = [EventInline]
    shown_fields = (
        "id",
        "patient_id",
        "status",
        "priority",
        "sender_unit",
        "receiver_unit",
        "owner_unit",
        "due_date",
        "deliveries",
        "created_at",
        "sent_at",
        "received_at",
        "closed_at",
        "escalated_at",
    )
