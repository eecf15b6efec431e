"""The FHIR API's own tables: registered client systems and what each token acts as.

Tokens themselves are django-oauth-toolkit's; these rows say in which assignment (and,
for a patient-context launch, for which patient) a token acts.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import AccessToken, Application, Grant

from vardmiljo.models import Assignment


class SmartClient(models.Model):
    """A client system registered by the region (SMART Backend Services): it proves who
    it is with a JWT signed by a key in `jwks`, and acts in its own assignment."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="smart_client")
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="+", verbose_name=_("uppdrag"))
    jwks = models.JSONField(_("publika nycklar (JWKS)"), default=dict)
    jwks_url = models.URLField(_("JWKS-adress"), blank=True)
    scope = models.TextField(_("tillåtna scopes"), default="system/*.rs")
    purpose = models.TextField(_("ändamål"), blank=True)
    active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("FHIR-klientsystem")
        verbose_name_plural = _("FHIR-klientsystem")

    def __str__(self) -> str:
        return self.application.name or self.application.client_id


class UsedAssertion(models.Model):
    """A client assertion's jti, kept until the assertion expires: a replayed assertion is refused."""

    client = models.ForeignKey(SmartClient, on_delete=models.CASCADE, related_name="+")
    jti = models.CharField(max_length=255)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "jti"], name="fhir_assertion_jti_once")]


class GrantContext(models.Model):
    """The assignment chosen in the browser when the user authorised an app (authorization code)."""

    grant = models.OneToOneField(Grant, on_delete=models.CASCADE, related_name="fhir_context")
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="+")
    patient_id = models.BigIntegerField(null=True, blank=True)


class TokenContext(models.Model):
    """What an access token acts as: one assignment (a user's, or a client system's own)."""

    access_token = models.OneToOneField(AccessToken, on_delete=models.CASCADE, related_name="fhir_context")
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(SmartClient, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    patient_id = models.BigIntegerField(null=True, blank=True)


class BulkExport(models.Model):
    """A Bulk Data $export: run by a Celery worker into NDJSON files, polled by its client,
    deleted when it expires."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Köad")
        RUNNING = "running", _("Pågår")
        DONE = "done", _("Klar")
        FAILED = "failed", _("Misslyckad")
        CANCELLED = "cancelled", _("Avbruten")

    key = models.CharField(max_length=40, unique=True)
    access_token_client = models.CharField(_("klient-id"), max_length=100)
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey("vardmiljo.Staff", on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=20, default="system")  # system or patient
    types = models.JSONField(default=list)
    since = models.DateTimeField(null=True, blank=True)
    request_url = models.TextField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    patients_done = models.PositiveIntegerField(default=0)
    patients_total = models.PositiveIntegerField(default=0)
    output = models.JSONField(default=list)  # [{"type": …, "count": …}]
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("FHIR-export")
        verbose_name_plural = _("FHIR-exporter")
