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


class DowntimeEpisode(models.Model):
    """A period when the system was down (declared by regional IT, `downtime_episode`). When it
    ends, each unit gets a worklist of the patients whose paper records are to be entered."""

    started_at = models.DateTimeField(_("driftstopp från"))
    ended_at = models.DateTimeField(_("driftstopp till"), null=True, blank=True)
    reason = models.TextField(_("orsak"), blank=True)
    declared_by = models.ForeignKey("vardmiljo.Staff", on_delete=models.PROTECT, related_name="+")
    ended_by = models.ForeignKey("vardmiljo.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("driftstopp")
        verbose_name_plural = _("driftstopp")
        ordering = ["-started_at"]
        constraints = [
            # One open episode at a time: a second "start" is a mistake, not a second outage.
            models.UniqueConstraint(fields=["ended_at"], condition=models.Q(ended_at__isnull=True), name="driftstopp_one_open"),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True) | models.Q(ended_at__gt=models.F("started_at")),
                name="driftstopp_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}"


class AfterEntryItem(models.Model):
    """Efterregistrering: one patient at one unit whose paper records from an episode are to be
    entered; done when a member of the unit says so."""

    episode = models.ForeignKey(DowntimeEpisode, on_delete=models.PROTECT, related_name="items")
    unit = models.ForeignKey(CareUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("vårdenhet"))
    patient = models.ForeignKey("vardmiljo.Patient", on_delete=models.PROTECT, related_name="+")
    reservnummer = models.BooleanField(_("reservnummer under driftstoppet"), default=False)
    done_at = models.DateTimeField(_("klar"), null=True, blank=True)
    done_by = models.ForeignKey("vardmiljo.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    comment = models.TextField(_("kommentar"), blank=True)

    class Meta:
        verbose_name = _("att efterregistrera")
        verbose_name_plural = _("att efterregistrera")
        constraints = [models.UniqueConstraint(fields=["episode", "unit", "patient"], name="driftstopp_item_once")]
        indexes = [models.Index(fields=["unit"], name="driftstopp_item_open", condition=models.Q(done_at__isnull=True))]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.patient_id}"
