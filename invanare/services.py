"""Writes of the resident's e-services: logging in (resident and staff by OpenID
Connect). Every refusal leaves an access-log row and nothing else."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from invanare.oidc import LoginRefused
from vardmiljo import audit
from vardmiljo.access import Ground
from vardmiljo.actor import ResidentActor, system_actor
from vardmiljo.identifiers import parse_patient_id
from vardmiljo.models import Patient, Staff


def resident_login_refused(*, client_ip: str | None, reason: str, patient: Patient | None = None) -> None:
    audit.record(
        ResidentActor(patient=patient, client_ip=client_ip),
        "invanare.login.refused",
        patient=patient,
        ground=Ground.DENIED,
        detail={"reason": reason[:300]},
    )


def resident_login(*, claims: dict[str, Any], client_ip: str | None) -> ResidentActor:
    """The resident the ID token's personnummer claim names, or LoginRefused."""
    raw = str(claims.get(settings.INVANARE_OIDC["claim"]) or "")
    try:
        pid = parse_patient_id(raw)
    except ValidationError:
        resident_login_refused(client_ip=client_ip, reason="personnummer claim missing or malformed")
        raise LoginRefused(_("Inloggningen gav inget giltigt personnummer. Försök igen eller kontakta din vårdenhet.")) from None
    patient = Patient.objects.filter(identifier=pid.value, merged_into__isnull=True).first()
    if patient is None or pid.kind == Patient.IdKind.RESERVNUMMER:
        resident_login_refused(client_ip=client_ip, reason="no patient with this personnummer")
        raise LoginRefused(
            _(
                "Vi hittar inga uppgifter om dig hos regionen. Du kan bara logga in här om du har "
                "varit i kontakt med regionens vård. Kontakta din vårdenhet om du tror att det är fel."
            )
        )
    actor = ResidentActor(patient=patient, client_ip=client_ip)
    audit.record(actor, "invanare.login", patient=patient, ground=Ground.PATIENT_SELF, flagged=False)
    return actor


def staff_login_refused(*, reason: str) -> None:
    audit.record(system_actor("inloggning"), "staff.login.refused", ground=Ground.DENIED, detail={"reason": reason[:300]})


def staff_login(*, claims: dict[str, Any], client_ip: str | None) -> Staff:
    """The member of staff the ID token's HSA-id claim names, or LoginRefused."""
    hsa = str(claims.get(settings.STAFF_OIDC["claim"]) or "").strip()
    staff = Staff.objects.filter(hsa_id=hsa, is_active=True).first() if hsa else None
    if staff is None or staff.profession == Staff.Profession.SYSTEM:
        audit.record(system_actor("inloggning"), "staff.login.refused", ground=Ground.DENIED, detail={"hsa_id": hsa[:31]})
        raise LoginRefused(
            _("Ditt SITHS-kort är inte kopplat till någon behörighet i systemet. Kontakta din chef eller IT-support.")
        )
    return staff
