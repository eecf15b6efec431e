"""The resident's e-services: their own sessions, the units' publishing rules,
used ID tokens (replay), and the demo identity provider's identities."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vardmiljo.models import CareUnit, Patient


class ResidentSession(AbstractBaseSession):
    """A resident's session: its own table, so a staff session key is never one here."""

    @classmethod
    def get_session_store_class(cls):  # type: ignore[no-untyped-def]
        from invanare.sessions import ResidentSessionStore

        return ResidentSessionStore


class IdpSession(AbstractBaseSession):
    """The demo identity provider's own login session."""

    @classmethod
    def get_session_store_class(cls):  # type: ignore[no-untyped-def]
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
