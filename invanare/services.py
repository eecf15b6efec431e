"""Writes of the resident's e-services: logging in (resident and staff by OpenID
Connect; every refusal leaves an access-log row and nothing else) and messages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from invanare.models import Message, Thread
from invanare.oidc import LoginRefused
from vardmiljo import audit
from vardmiljo.access import Ground, patient_access, resident_access
from vardmiljo.actor import Actor, ResidentActor, system_actor
from vardmiljo.errors import DomainError, NotFound
from vardmiljo.identifiers import parse_patient_id
from vardmiljo.models import CareRelationship, CareUnit, Patient, Staff


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


# --- Messages between a resident and a unit -------------------------------------


def _care_units(patient_id: int) -> list[CareUnit]:
    now = timezone.now()
    ids = (
        CareRelationship.objects.filter(patient_id=patient_id, valid_from__lte=now)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=now))
        .values("unit_id")
    )
    return list(CareUnit.objects.filter(pk__in=ids, active=True).order_by("name"))


def _body(body: str) -> str:
    text = (body or "").strip()
    if not text:
        raise DomainError(_("Skriv ett meddelande."), field="body")
    if len(text) > MESSAGE_MAX:
        raise DomainError(_("Meddelandet är för långt (högst %(n)s tecken).") % {"n": MESSAGE_MAX}, field="body")
    return text


MESSAGE_MAX = 4000


@transaction.atomic
def message_send_by_resident(*, actor: ResidentActor, patient_id: int, unit_id: int, subject: str, body: str) -> Thread:
    """A new conversation with a unit the patient has a care relationship with."""
    pa = resident_access(actor, patient_id, action="invanare.message.send", write=True)
    text = _body(body)
    subject = (subject or "").strip()[:200]
    if not subject:
        raise DomainError(_("Skriv ett ämne."), field="subject")
    unit = next((u for u in _care_units(pa.patient.pk) if u.pk == unit_id), None)
    if unit is None:
        raise DomainError(_("Du kan bara skriva till en vårdenhet där du har en pågående kontakt."), field="unit")
    thread = Thread.objects.create(patient=pa.patient, unit=unit, subject=subject, unread_by_unit=True)
    if actor.patient is None:  # a resident session always names its patient
        raise RuntimeError("resident session without a patient")
    Message.objects.create(thread=thread, resident=actor.patient, author_name=actor.patient.full_name, body=text)
    audit.record(actor, "invanare.message.send", patient=pa, obj=thread, detail={"unit_id": unit.pk})
    return thread


@transaction.atomic
def message_reply_by_resident(*, actor: ResidentActor, thread_id: int, body: str) -> Message:
    thread = Thread.objects.select_for_update().filter(pk=thread_id).first()
    if thread is None:
        raise NotFound()
    pa = resident_access(actor, thread.patient_id, action="invanare.message.send", obj=thread, write=True)
    text = _body(body)
    if actor.patient is None:  # a resident session always names its patient
        raise RuntimeError("resident session without a patient")
    msg = Message.objects.create(thread=thread, resident=actor.patient, author_name=actor.patient.full_name, body=text)
    thread.last_at, thread.unread_by_unit = msg.sent_at, True
    thread.save(update_fields=["last_at", "unread_by_unit"])
    audit.record(actor, "invanare.message.send", patient=pa, obj=thread)
    return msg


@transaction.atomic
def message_reply_by_staff(*, actor: Actor, thread_id: int, body: str) -> Message:
    """The unit answers the resident (in the unit's own inbox)."""
    thread = Thread.objects.select_for_update().filter(pk=thread_id, unit_id=actor.unit_id or 0).first()
    if thread is None:
        raise NotFound()
    pa = patient_access(actor, thread.patient_id, action="invanare.message.reply", obj=thread, write=True)
    text = _body(body)
    msg = Message.objects.create(
        thread=thread,
        from_resident=False,
        staff=actor.staff,
        author_name=actor.staff.get_full_name() or actor.staff.username,
        body=text,
    )
    thread.last_at, thread.unread_by_unit, thread.unread_by_resident = msg.sent_at, False, True
    thread.save(update_fields=["last_at", "unread_by_unit", "unread_by_resident"])
    audit.record(actor, "invanare.message.reply", patient=pa, obj=thread)
    return msg


def message_units(actor: ResidentActor, patient_id: int) -> list[CareUnit]:
    pa = resident_access(actor, patient_id, action="invanare.message.units")
    return _care_units(pa.patient.pk)
