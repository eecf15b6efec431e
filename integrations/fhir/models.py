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
