from __future__ import annotations

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from driftstopp.models import DowntimeEpisode, UnitDowntime
from driftstopp.queries import stale_after


@admin.register(UnitDowntime)
class UnitDowntimeAdmin(admin.ModelAdmin):
    """Bundle freshness per unit. The key is never shown here (`manage.py downtime_key`)."""

    list_display = ("unit", "last_success_at", "age", "last_patients", "last_ms", "last_error")
    fields = (
        "unit",
        "directory",
        "last_success_at",
        "last_bundle",
        "last_patients",
        "last_bytes",
        "last_ms",
        "last_error",
        "last_error_at",
    )
    readonly_fields = (
        "unit",
        "last_success_at",
        "last_bundle",
        "last_patients",
        "last_bytes",
        "last_ms",
        "last_error",
        "last_error_at",
    )
    list_select_related = ("unit",)

    @admin.display(description=_("ålder"))
    def age(self, obj: UnitDowntime) -> str:
        if obj.last_success_at is None:
            return str(_("inget paket – inaktuellt"))
        age = timezone.now() - obj.last_success_at
        minutes = int(age.total_seconds() // 60)
        return f"{minutes} min" + (" – " + str(_("INAKTUELLT")) if age > stale_after() else "")

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(DowntimeEpisode)
class DowntimeEpisodeAdmin(admin.ModelAdmin):
    """Declared downtimes and how much is left to enter afterwards (counts only, no patients)."""

    list_display = ("started_at", "ended_at", "reason", "left")
    readonly_fields = ("started_at", "ended_at", "declared_by", "ended_by")
    fields = ("started_at", "ended_at", "reason", "declared_by", "ended_by")

    @admin.display(description=_("kvar att efterregistrera"))
    def left(self, obj: DowntimeEpisode) -> int:
        return obj.items.filter(done_at__isnull=True).count()

    def has_add_permission(self, request: object) -> bool:
        return False  # `manage.py downtime_episode start`
