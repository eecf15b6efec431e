from __future__ import annotations

from django.contrib import admin

from remisser.models import Referral, ReferralEvent, ReferralRoute


@admin.register(ReferralRoute)
class ReferralRouteAdmin(admin.ModelAdmin):
    list_display = ("unit", "mode", "endpoint")
    list_select_related = ("unit",)


class EventInline(admin.TabularInline):
    model = ReferralEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "kind", "staff_name", "unit", "from_status", "to_status", "from_unit", "to_unit", "note")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    """Read-only for operators: referrals move only through the services."""

    list_display = ("id", "status", "priority", "sender_unit", "owner_unit", "due_date", "sent_at")
    list_filter = ("status", "priority")
    list_select_related = ("sender_unit", "owner_unit")
    inlines = [EventInline]
    readonly_fields = [f.name for f in Referral._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
