"""Per unit: the key its downtime bundles are encrypted with, where they go, and how the last
run went (what /healthz, `downtime_status` and the admin report)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from vardmiljo.fields import EncryptedTextField
from vardmiljo.models import CareUnit


class UnitDowntime(models.Model):
    unit = models.OneToOneField(CareUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("vårdenhet"))
    # A Fernet key (itself encrypted with FIELD_ENCRYPTION_KEYS): the unit's downtime PC holds a copy.
    key = EncryptedTextField(_("nyckel"))
    directory = models.CharField(_("katalog"), max_length=500, blank=True, help_text=_("Tomt: DOWNTIME_DIR/<enhetens HSA-id>."))
    created_at = models.DateTimeField(auto_now_add=True)
    last_success_at = models.DateTimeField(_("senaste paket"), null=True, blank=True)
    last_bundle = models.CharField(_("senaste fil"), max_length=300, blank=True)
    last_patients = models.PositiveIntegerField(_("patienter"), default=0)
    last_bytes = models.PositiveIntegerField(_("storlek (byte)"), default=0)
    last_ms = models.PositiveIntegerField(_("tid (ms)"), default=0)
    last_error = models.TextField(_("senaste fel"), blank=True)
    last_error_at = models.DateTimeField(_("fel sedan"), null=True, blank=True)

    class Meta:
        verbose_name = _("driftstoppspaket för enhet")
        verbose_name_plural = _("driftstoppspaket")

    def __str__(self) -> str:
        return str(self.unit_id)
