"""The resident's e-services: their own sessions, the units' publishing rules,
used ID tokens (replay), and the demo identity provider's identities."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vardmiljo.fields import EncryptedTextField
from vardmiljo.models import CareUnit, Patient


class ResidentSession(AbstractBaseSession):
    """A resident's session: its own table, so a staff session key is never one here."""

    @classmethod
    def get_session_store_class(cls):
        from invanare.sessions import ResidentSessionStore

        return ResidentSessionStore


class IdpSession(AbstractBaseSession):
    """The demo identity provider's own login session."""

    @classmethod
    def get_session_store_class(cls):
        from invanare.sessions import IdpSessionStore

        return IdpSessionStore


class UnitPublishing(models.Model):
    """What a unit publishes to its patients in the e-services (1177-style rules)."""

    unit = models.OneToOneField(CareUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("vårdenhet"))
    note_delay_days = models.PositiveIntegerField(_("dagar innan signerade anteckningar visas"), default=14)
    withheld_note_types = ArrayField(
        models.CharField(max_length=60), default=list, blank=True, verbose_name=_("anteckningstyper som aldrig visas")
    )

    class Meta:
        verbose_name = _("publicering till invånare")
        verbose_name_plural = _("publicering till invånare")


class UsedIdToken(models.Model):
    """Every ID token a login accepted, by its hash: the same token twice is a replay."""

    token_hash = models.CharField(max_length=64, unique=True)
    issuer = models.CharField(max_length=300)
    subject = models.CharField(max_length=300)
    used_at = models.DateTimeField(default=timezone.now)


class DemoIdentity(models.Model):
    """An identity at the demo identity provider (never in production): the account the
    picker logs in, and the claim its ID token carries (a personnummer or an HSA-id)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="demo_identity")
    label = models.CharField(max_length=200)
    personnummer = models.CharField(max_length=12, blank=True)
    hsa_id = models.CharField(max_length=31, blank=True)
    patient = models.ForeignKey(Patient, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["label"]


class Thread(models.Model):
    """A conversation between a resident (about a patient: themselves or their child) and a unit."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(CareUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("vårdenhet"))
    subject = models.CharField(_("ämne"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    last_at = models.DateTimeField(default=timezone.now)
    unread_by_unit = models.BooleanField(default=True)
    unread_by_resident = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("meddelandetråd")
        verbose_name_plural = _("meddelandetrådar")
        indexes = [
            models.Index(fields=["unit", "-last_at"]),
            models.Index(fields=["unit"], name="thread_unread_unit_idx", condition=models.Q(unread_by_unit=True)),
            models.Index(fields=["patient", "-last_at"]),
        ]


class Message(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.PROTECT, related_name="messages")
    from_resident = models.BooleanField(default=True)
    # Who wrote it: the resident (a patient: the child's guardian writes as themselves) or staff.
    resident = models.ForeignKey(Patient, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    author_name = models.CharField(max_length=200)
    body = EncryptedTextField(_("meddelande"))
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["sent_at", "id"]
