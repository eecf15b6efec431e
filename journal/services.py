"""Every write to the record. Each service is atomic, checks access through
`patient_access(..., write=True)` and writes its audit row in the same
transaction. Nothing is ever deleted: mistakes are marked "entered in error"."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from journal import codes, news2, nursing
from journal.models import (
    Acknowledgement,
    Allergy,
    CarePlanItem,
    Diagnosis,
    Encounter,
    Note,
    NoteVersion,
    Observation,
    Procedure,
    RiskAssessment,
    TemplateHeading,
    VitalSigns,
    headings_text,
)
from journal.queries import templates_for
from vardmiljo import audit
from vardmiljo.access import PatientAccess, patient_access
from vardmiljo.actor import Actor
from vardmiljo.errors import Conflict, DomainError, NotFound, PermissionDenied
from vardmiljo.models import CareRelationship, CareUnit, Staff
from vardmiljo.services import care_relationship_ensure


def _unit_id(actor: Actor) -> int:
    if actor.unit_id is None:
        raise PermissionDenied(_("Välj ett medarbetaruppdrag."))
    return actor.unit_id


MAX_HEADINGS = 40
MAX_TEXT = 50_000

# --- Care contacts --------------------------------------------------------


@transaction.atomic
def encounter_create(
    *,
    actor: Actor,
    patient_id: int,
    kind: str,
    unit_id: int | None = None,
    started_at: dt.datetime | None = None,
    booking_id: int | None = None,
) -> Encounter:
    """A care contact. Check-in (tidbok) calls this; one booking gives one encounter."""
    if kind not in Encounter.Kind.values:
        raise DomainError(_("Okänd kontakttyp: %(k)s.") % {"k": kind}, field="kind")
    pa = patient_access(actor, patient_id, action="journal.encounter.create", write=True)
    unit_id = unit_id or actor.unit_id
    if unit_id is None or not CareUnit.objects.filter(pk=unit_id, provider_id=actor.provider_id).exists():
        raise DomainError(_("Kontakten måste registreras på en enhet hos din vårdgivare."), field="unit")
    if booking_id is not None:
        existing = Encounter.objects.filter(booking_id=booking_id, patient_id=pa.patient_id).first()
        if existing:
            return existing
    enc = Encounter.objects.create(
        patient_id=pa.patient_id,
        unit_id=unit_id,
        kind=kind,
        responsible=actor.staff,
        started_at=started_at or timezone.now(),
        booking_id=booking_id,
    )
    ground = CareRelationship.Ground.ADMISSION if kind == Encounter.Kind.ADMISSION else CareRelationship.Ground.VISIT
    care_relationship_ensure(actor=actor, patient=pa.patient_id, unit=unit_id, ground=ground)
    audit.record(actor, "journal.encounter.create", patient=pa, obj=enc, detail={"kind": kind, "booking_id": booking_id})
    return enc


# --- Notes ----------------------------------------------------------------


def clean_headings(headings: Any) -> list[dict[str, str]]:
    """Validate the submitted headings: [{"heading": str, "text": str}, ...]."""
    if headings is None:
        return []
    if not isinstance(headings, list) or len(headings) > MAX_HEADINGS:
        raise DomainError(_("Sökorden har fel format."), field="headings")
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for h in headings:
        if not isinstance(h, dict):
            raise DomainError(_("Sökorden har fel format."), field="headings")
        title = str(h.get("heading") or "").strip()[:80]
        text = str(h.get("text") or "")
        if not title:
            if text.strip():
                raise DomainError(_("Ett sökord saknar rubrik."), field="headings")
            continue
        if len(text) > MAX_TEXT:
            raise DomainError(_("Texten under %(h)s är för lång.") % {"h": title}, field="headings")
        if title.lower() in seen:
            # Two boxes with the same keyword: keep both texts under one heading.
            prev = next(x for x in out if x["heading"].lower() == title.lower())
            prev["text"] = "\n".join(t for t in (prev["text"], text) if t.strip())
            continue
        seen.add(title.lower())
        out.append({"heading": title, "text": text})
    return out


def _lock_note(actor: Actor, note_id: int, action: str) -> tuple[Note, PatientAccess]:
    # Lock first: an autosave and a sign from two tabs may arrive together. The
    # row is only shown to the caller after the access check below.
    note = Note.objects.select_for_update(of=("self",)).select_related("unit").defer("search").filter(pk=note_id).first()
    if note is None:
        raise NotFound()
    pa = patient_access(actor, note.patient_id, action=action, obj=note_id, write=True)
    if not pa.may_read_unit(note.unit):
        raise NotFound()
    return note, pa


def _check_revision(note: Note, revision: int | str | None, edit_session: str = "") -> None:
    try:
        rev = int(revision)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise DomainError(_("Versionsnummer saknas; ladda om sidan."), field="revision") from None
    if rev == note.revision:
        return
    if edit_session and edit_session == note.edit_session and rev < note.revision:
        return  # this tab's own earlier autosave won the race; the tab sends its whole text anyway
    when = date_format(timezone.localtime(note.updated_at), "H:i")
    raise Conflict(
        _(
            "Anteckningen har ändrats sedan du öppnade den (senast sparad kl. %(t)s, i en annan flik eller av någon annan). "
            "Dina ändringar har inte sparats. Kopiera din text, ladda om sidan och för in ändringarna igen."
        )
        % {"t": when},
        field="revision",
        code="stale",
    )


def _require_author(actor: Actor, note: Note) -> None:
    if note.author_id != actor.staff.pk:
        raise PermissionDenied(_("Bara författaren kan ändra eller signera ett utkast."))


@transaction.atomic
def note_create(
    *,
    actor: Actor,
    patient_id: int,
    template_id: int | None = None,
    note_type: str = "",
    encounter_id: int | None = None,
    headings: list[dict[str, str]] | None = None,
    event_at: dt.datetime | None = None,
) -> Note:
    """A draft note, from a template (its keyword headings) or free headings."""
    pa = patient_access(actor, patient_id, action="journal.note.create", write=True)
    if actor.unit_id is None:
        raise PermissionDenied(_("Välj ett medarbetaruppdrag."))
    template = None
    if template_id:
        template = next((t for t in templates_for(actor) if t.pk == int(template_id)), None)
        if template is None:
            raise DomainError(_("Mallen finns inte eller gäller inte för dig."), field="template")
    if headings is None:
        headings = [{"heading": h.title, "text": ""} for h in template.headings.all()] if template else []
        prefill = PREFILL.get(template.name) if template else None
        if prefill is not None:
            filled = prefill(pa)
            headings = [{"heading": h["heading"], "text": filled.get(h["heading"], "")} for h in headings]
    cleaned = clean_headings(headings)
    note_type = (note_type or (template.note_type if template else "")).strip()[:60]
    if not note_type:
        raise DomainError(_("Välj en mall eller ange anteckningstyp."), field="template")
    now = timezone.now()
    if encounter_id is not None:
        if not pa.filter(Encounter.objects.filter(pk=encounter_id)).exists():
            raise DomainError(_("Kontakten hör inte till patienten."), field="encounter")
    else:
        # The note belongs to today's contact at this unit (e.g. from check-in), if there is one.
        start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        encounter_id = (
            Encounter.objects.filter(patient_id=pa.patient_id, unit_id=actor.unit_id, started_at__gte=start, started_at__lte=now)
            .order_by("-started_at")
            .values_list("pk", flat=True)
            .first()
        )
    note = Note.objects.create(
        patient_id=pa.patient_id,
        unit_id=actor.unit_id,
        encounter_id=encounter_id,
        template=template,
        note_type=note_type,
        headings=cleaned,
        text=headings_text(cleaned),
        status=Note.Status.DRAFT,
        author=actor.staff,
        author_name=str(actor.staff)[:200],
        author_profession=actor.staff.profession,
        event_at=event_at or now,
        created_at=now,
        updated_at=now,
    )
    audit.record(actor, "journal.note.create", patient=pa, obj=note)
    return note


@transaction.atomic
def note_save_draft(
    *, actor: Actor, note_id: int, revision: int | str | None, headings: list[dict[str, str]], edit_session: str = ""
) -> Note:
    """Autosave of a draft. Refuses a stale revision (another tab or person saved meanwhile)."""
    note, pa = _lock_note(actor, note_id, "journal.note.save_draft")
    if not note.can_edit():
        raise DomainError(_("Anteckningen är signerad och kan inte ändras. Gör en rättelse i stället."), code="signed")
    _require_author(actor, note)
    _check_revision(note, revision, edit_session)
    # Only unindexed columns change, so PostgreSQL can update the row in place (HOT): the
    # search text of a draft is filled when it is signed.
    note.headings = clean_headings(headings)
    note.revision += 1
    note.edit_session = edit_session[:40]
    note.updated_at = timezone.now()
    note.save(update_fields=["headings", "revision", "edit_session", "updated_at"])
    audit.record(actor, "journal.note.save_draft", patient=pa, obj=note)
    return note


def _require_content(note: Note) -> None:
    if not any(h.get("text", "").strip() for h in note.headings):
        raise DomainError(
            _("Anteckningen är tom. Skriv under minst ett sökord innan du signerar."), field="headings", code="empty"
        )
    if note.template_id:
        required = set(
            TemplateHeading.objects.filter(template_id=note.template_id, required=True).values_list("title", flat=True)
        )
        missing = [h["heading"] for h in note.headings if h["heading"] in required and not h["text"].strip()]
        missing += sorted(required - {h["heading"] for h in note.headings})
        if missing:
            raise DomainError(
                _("Skriv under sökordet %(h)s innan du signerar.") % {"h": ", ".join(missing)}, field="headings", code="empty"
            )


@transaction.atomic
def note_sign(
    *,
    actor: Actor,
    note_id: int,
    revision: int | str | None,
    headings: list[dict[str, str]] | None = None,
    edit_session: str = "",
) -> Note:
    """Signering: the draft (with the text sent along, if any) becomes final, version 1."""
    note, pa = _lock_note(actor, note_id, "journal.note.sign")
    if note.status != Note.Status.DRAFT or note.entered_in_error:
        raise DomainError(_("Anteckningen är redan signerad."), code="signed")
    _require_author(actor, note)
    _check_revision(note, revision, edit_session)
    if headings is not None:
        note.headings = clean_headings(headings)
    note.text = headings_text(note.headings)
    _require_content(note)
    now = timezone.now()
    note.status = Note.Status.SIGNED
    note.signed_at = note.updated_at = now
    note.signed_by = actor.staff
    note.revision += 1
    note.edit_session = edit_session[:40]
    note.save(update_fields=["headings", "text", "status", "signed_at", "signed_by", "revision", "edit_session", "updated_at"])
    NoteVersion.objects.create(
        note=note,
        version_no=note.version_no,
        headings=note.headings,
        note_type=note.note_type,
        signed_by=actor.staff,
        signed_by_name=str(actor.staff)[:200],
        signed_at=now,
    )
    audit.record(actor, "journal.note.sign", patient=pa, obj=note)
    return note


@transaction.atomic
def note_correct(*, actor: Actor, note_id: int, revision: int | str | None, headings: list[dict[str, str]], reason: str) -> Note:
    """Rättelse: a new signed version by the actor; the earlier text stays in the version history."""
    note, pa = _lock_note(actor, note_id, "journal.note.correct")
    if not note.can_correct():
        raise DomainError(_("Bara en signerad anteckning kan rättas; ett utkast ändrar du direkt."), code="not_signed")
    if note.unit_id != actor.unit_id:
        raise PermissionDenied(_("En anteckning rättas av personal på den enhet som skrev den."))
    if not (reason or "").strip():
        raise DomainError(_("Ange skälet till rättelsen."), field="reason")
    _check_revision(note, revision)
    cleaned = clean_headings(headings)
    if cleaned == note.headings:
        raise DomainError(_("Rättelsen ändrar ingenting i texten."), field="headings")
    if not note.versions.exists():
        # An imported note has no version row yet: keep its original text first.
        NoteVersion.objects.create(
            note=note,
            version_no=note.version_no,
            headings=note.headings,
            note_type=note.note_type,
            signed_by=note.signed_by,
            signed_by_name=note.author_name or "",
            signed_at=note.signed_at or note.event_at,
        )
    now = timezone.now()
    note.headings = cleaned
    note.text = headings_text(cleaned)
    _require_content(note)
    note.version_no += 1
    note.status = Note.Status.SIGNED
    note.signed_at = note.updated_at = now
    note.signed_by = actor.staff
    note.revision += 1
    note.save(update_fields=["headings", "text", "version_no", "status", "signed_at", "signed_by", "revision", "updated_at"])
    NoteVersion.objects.create(
        note=note,
        version_no=note.version_no,
        headings=cleaned,
        note_type=note.note_type,
        signed_by=actor.staff,
        signed_by_name=str(actor.staff)[:200],
        signed_at=now,
        correction_reason=reason.strip(),
    )
    audit.record(
        actor, "journal.note.correct", patient=pa, obj=note, detail={"version": note.version_no, "reason": reason.strip()}
    )
    return note


@transaction.atomic
def note_mark_error(*, actor: Actor, note_id: int, revision: int | str | None, reason: str) -> Note:
    """ "Felaktigt registrerad": the note stays readable, struck through, with who, when and why."""
    note, pa = _lock_note(actor, note_id, "journal.note.entered_in_error")
    if note.entered_in_error:
        raise DomainError(_("Anteckningen är redan markerad som felaktigt registrerad."))
    if note.unit_id != actor.unit_id:
        raise PermissionDenied(_("En anteckning markeras av personal på den enhet som skrev den."))
    if not (reason or "").strip():
        raise DomainError(_("Ange skälet till att anteckningen är felaktigt registrerad."), field="reason")
    _check_revision(note, revision)
    note.entered_in_error = True
    note.error_reason = reason.strip()
    note.error_at = note.updated_at = timezone.now()
    note.error_by = actor.staff
    note.revision += 1
    note.save(update_fields=["entered_in_error", "error_reason", "error_at", "error_by", "revision", "updated_at"])
    audit.record(actor, "journal.note.entered_in_error", patient=pa, obj=note, reason=note.error_reason)
    return note


# --- Coded data -----------------------------------------------------------


def _code_or_suggest(system: str, raw: str) -> tuple[str, str]:
    token = (raw or "").strip().split(" ")[0] if (raw or "").strip() else ""
    found = codes.lookup(system, token) if token else None
    if found is not None:
        return found.code, found.text
    label = _("diagnoskod") if system == "icd10" else _("åtgärdskod")
    if not token:
        raise DomainError(_("Ange en %(l)s.") % {"l": label}, field="code")
    hints = codes.search(system, raw, limit=5) or codes.search(system, token[:3], limit=5)
    msg = _("Okänd %(l)s: %(c)s.") % {"l": label, "c": raw.strip()}
    if hints:
        msg += " " + _("Menade du: %(s)s?") % {"s": "; ".join(f"{h.code} {h.text}" for h in hints)}
    raise DomainError(msg, field="code", code="unknown_code")


def _note_of_patient(pa: PatientAccess, note_id: int | None) -> Note | None:
    if note_id is None:
        return None
    note = pa.filter(Note.objects.filter(pk=note_id)).first()
    if note is None:
        raise DomainError(_("Anteckningen hör inte till patienten."), field="note")
    return note


@transaction.atomic
def diagnosis_add(
    *,
    actor: Actor,
    patient_id: int,
    code: str,
    note_id: int | None = None,
    kind: str = Diagnosis.Kind.MAIN,
    onset_date: dt.date | None = None,
) -> Diagnosis:
    """A diagnosis coded in ICD-10-SE. An unknown code is refused with suggestions."""
    pa = patient_access(actor, patient_id, action="journal.diagnosis.add", write=True)
    code_, text = _code_or_suggest("icd10", code)
    if kind not in Diagnosis.Kind.values:
        raise DomainError(_("Okänd diagnostyp."), field="kind")
    note = _note_of_patient(pa, note_id)
    if note is not None:
        same = Diagnosis.objects.filter(note=note, code=code_, entered_in_error=False).first()
        if same:
            return same
        if (
            kind == Diagnosis.Kind.MAIN
            and Diagnosis.objects.filter(note=note, kind=Diagnosis.Kind.MAIN, entered_in_error=False).exists()
        ):
            kind = Diagnosis.Kind.SECONDARY
    dx = Diagnosis.objects.create(
        patient_id=pa.patient_id,
        unit_id=_unit_id(actor),
        note=note,
        encounter_id=note.encounter_id if note else None,
        code=code_,
        code_text=text,
        kind=kind,
        onset_date=onset_date,
        recorded_by=actor.staff,
        author_name=str(actor.staff)[:200],
    )
    audit.record(actor, "journal.diagnosis.add", patient=pa, obj=dx, detail={"code": code_})
    return dx


def _lock_row(actor: Actor, model: Any, pk: int, action: str) -> tuple[Any, PatientAccess]:
    obj = model.objects.select_for_update(of=("self",)).select_related("unit").filter(pk=pk).first()
    if obj is None:
        raise NotFound()
    pa = patient_access(actor, obj.patient_id, action=action, obj=pk, write=True)
    if not pa.may_read_unit(obj.unit):
        raise NotFound()
    return obj, pa


@transaction.atomic
def diagnosis_resolve(*, actor: Actor, diagnosis_id: int) -> Diagnosis:
    dx, pa = _lock_row(actor, Diagnosis, diagnosis_id, "journal.diagnosis.resolve")
    if dx.status == Diagnosis.Status.RESOLVED:
        raise DomainError(_("Diagnosen är redan inaktuell."))
    dx.status = Diagnosis.Status.RESOLVED
    dx.save(update_fields=["status"])
    audit.record(actor, "journal.diagnosis.resolve", patient=pa, obj=dx)
    return dx


@transaction.atomic
def diagnosis_mark_error(*, actor: Actor, diagnosis_id: int, reason: str) -> Diagnosis:
    dx, pa = _lock_row(actor, Diagnosis, diagnosis_id, "journal.diagnosis.entered_in_error")
    if not reason.strip():
        raise DomainError(_("Ange skälet."), field="reason")
    if dx.unit_id != actor.unit_id:
        raise PermissionDenied(_("En diagnos markeras av personal på den enhet som registrerade den."))
    dx.entered_in_error, dx.error_reason = True, reason.strip()
    dx.save(update_fields=["entered_in_error", "error_reason"])
    audit.record(actor, "journal.diagnosis.entered_in_error", patient=pa, obj=dx, reason=dx.error_reason)
    return dx


@transaction.atomic
def procedure_add(
    *, actor: Actor, patient_id: int, code: str, note_id: int | None = None, performed_at: dt.datetime | None = None
) -> Procedure:
    """A procedure coded in KVÅ. An unknown code is refused with suggestions."""
    pa = patient_access(actor, patient_id, action="journal.procedure.add", write=True)
    code_, text = _code_or_suggest("kva", code)
    note = _note_of_patient(pa, note_id)
    if note is not None:
        same = Procedure.objects.filter(note=note, code=code_, entered_in_error=False).first()
        if same:
            return same
    pr = Procedure.objects.create(
        patient_id=pa.patient_id,
        unit_id=_unit_id(actor),
        note=note,
        encounter_id=note.encounter_id if note else None,
        code=code_,
        code_text=text,
        performed_at=performed_at or timezone.now(),
        recorded_by=actor.staff,
        author_name=str(actor.staff)[:200],
    )
    audit.record(actor, "journal.procedure.add", patient=pa, obj=pr, detail={"code": code_})
    return pr


# --- Measurements ---------------------------------------------------------

K = Observation.Kind
# kind: (low, high, unit, label of the range)
RANGES: dict[str, tuple[Decimal, Decimal, str]] = {
    K.PULSE: (Decimal(20), Decimal(250), "slag/min"),
    K.TEMPERATURE: (Decimal(30), Decimal(45), "°C"),
    K.WEIGHT: (Decimal("0.3"), Decimal(400), "kg"),
    K.HEIGHT: (Decimal(30), Decimal(250), "cm"),
    K.SPO2: (Decimal(50), Decimal(100), "%"),
    K.HBA1C: (Decimal(20), Decimal(200), "mmol/mol"),
    K.BMI: (Decimal(8), Decimal(100), "kg/m²"),
}
BP_SYSTOLIC = (Decimal(50), Decimal(300))
BP_DIASTOLIC = (Decimal(20), Decimal(200))
UNITS = {**{k: v[2] for k, v in RANGES.items()}, K.BLOOD_PRESSURE: "mmHg", K.SMOKING: ""}


def _decimal(raw: Any, field: str, label: str) -> Decimal:
    if isinstance(raw, Decimal):
        return raw
    s = str(raw if raw is not None else "").strip().replace(",", ".").replace(" ", "")
    try:
        value = Decimal(s)
    except InvalidOperation:
        raise DomainError(_("%(l)s: ange ett tal.") % {"l": label}, field=field) from None
    if not value.is_finite():
        raise DomainError(_("%(l)s: ange ett tal.") % {"l": label}, field=field)
    return value.quantize(Decimal("0.01"))


def _in_range(value: Decimal, low: Decimal, high: Decimal, label: str, unit: str, field: str) -> None:
    if not (low <= value <= high):
        raise DomainError(
            _("%(l)s %(v)s %(u)s är inte rimligt. Tillåtet intervall: %(lo)s–%(hi)s %(u)s.")
            % {"l": label, "v": _num(value), "u": unit, "lo": _num(low), "hi": _num(high)},
            field=field,
            code="out_of_range",
        )


def _num(d: Decimal) -> str:
    return str(int(d)) if d == d.to_integral() else format(d.normalize(), "f").replace(".", ",")


BP_PATTERN = re.compile(r"^\s*(\d{2,3})\s*/\s*(\d{2,3})\s*$")


@transaction.atomic
def observation_record(
    *,
    actor: Actor,
    patient_id: int,
    kind: str,
    value: Any = None,
    value2: Any = None,
    value_text: str = "",
    observed_at: dt.datetime | None = None,
    note_id: int | None = None,
) -> Observation:
    """A measurement within its plausible range. Weight or height also records the derived BMI
    when the other is known. Blood pressure accepts value="140/90" or value + value2."""
    if kind not in K.values or kind == K.BMI:
        raise DomainError(_("Okänt mätvärde."), field="kind")
    pa = patient_access(actor, patient_id, action="journal.observation.record", write=True)
    label = str(K(kind).label)
    v1: Decimal | None = None
    v2: Decimal | None = None
    text = ""
    if kind == K.BLOOD_PRESSURE:
        m = BP_PATTERN.match(str(value or "")) if value2 in (None, "") else None
        if m:
            value, value2 = m.group(1), m.group(2)
        if value in (None, "") or value2 in (None, ""):
            raise DomainError(_("Blodtryck: ange systoliskt och diastoliskt, t.ex. 130/80."), field="value")
        v1 = _decimal(value, "value", _("Systoliskt blodtryck"))
        v2 = _decimal(value2, "value2", _("Diastoliskt blodtryck"))
        _in_range(v1, *BP_SYSTOLIC, _("Systoliskt blodtryck"), "mmHg", "value")
        _in_range(v2, *BP_DIASTOLIC, _("Diastoliskt blodtryck"), "mmHg", "value2")
        if v2 >= v1:
            raise DomainError(_("Diastoliskt tryck måste vara lägre än systoliskt."), field="value2")
    elif kind == K.SMOKING:
        text = (value_text or str(value or "")).strip()
        if text not in Observation.Smoking.values:
            raise DomainError(_("Rökning: välj Aldrig rökt, Före detta rökare eller Röker."), field="value_text")
    else:
        if value in (None, ""):
            raise DomainError(_("%(l)s: ange ett värde.") % {"l": label}, field="value")
        v1 = _decimal(value, "value", label)
        low, high, unit = RANGES[kind]
        _in_range(v1, low, high, label, unit, "value")
    observed_at = observed_at or timezone.now()
    if observed_at > timezone.now() + dt.timedelta(minutes=5):
        raise DomainError(_("Tidpunkten ligger i framtiden."), field="observed_at")
    note = _note_of_patient(pa, note_id)
    common = {
        "patient_id": pa.patient_id,
        "unit_id": _unit_id(actor),
        "note": note,
        "observed_at": observed_at,
        "recorded_by": actor.staff,
        "author_name": str(actor.staff)[:200],
    }
    obs = Observation.objects.create(kind=kind, value=v1, value2=v2, value_text=text, unit_text=UNITS[kind], **common)
    audit.record(actor, "journal.observation.record", patient=pa, obj=obs, detail={"kind": kind})
    if kind in (K.WEIGHT, K.HEIGHT) and v1 is not None:
        other_kind = K.HEIGHT if kind == K.WEIGHT else K.WEIGHT
        other = (
            pa.filter(Observation.objects.filter(kind=other_kind, entered_in_error=False))
            .order_by("-observed_at")
            .values_list("value", flat=True)
            .first()
        )
        if other:
            weight, height = (v1, other) if kind == K.WEIGHT else (other, v1)
            bmi = (weight / ((height / 100) ** 2)).quantize(Decimal("0.1"))
            if RANGES[K.BMI][0] <= bmi <= RANGES[K.BMI][1]:
                Observation.objects.create(kind=K.BMI, value=bmi, unit_text=UNITS[K.BMI], **common)
    return obs


@transaction.atomic
def observation_mark_error(*, actor: Actor, observation_id: int, reason: str) -> Observation:
    obs, pa = _lock_row(actor, Observation, observation_id, "journal.observation.entered_in_error")
    if not reason.strip():
        raise DomainError(_("Ange skälet."), field="reason")
    obs.entered_in_error, obs.error_reason = True, reason.strip()
    obs.save(update_fields=["entered_in_error", "error_reason"])
    audit.record(actor, "journal.observation.entered_in_error", patient=pa, obj=obs, reason=obs.error_reason)
    return obs


# --- Allergies and alerts -------------------------------------------------

ATC_PATTERN = re.compile(r"^[A-Z](\d{2}([A-Z]([A-Z](\d{2})?)?)?)?$")


@transaction.atomic
def allergy_record(
    *,
    actor: Actor,
    patient_id: int,
    substance: str,
    kind: str = Allergy.Kind.ALLERGY,
    atc_code: str = "",
    severity: str = Allergy.Severity.MODERATE,
    reaction: str = "",
) -> Allergy:
    """An allergy or other alert; it shows in the attention signal on every page of the patient."""
    pa = patient_access(actor, patient_id, action="journal.allergy.record", write=True)
    substance = (substance or "").strip()
    if not substance:
        raise DomainError(_("Ange ämne eller tillstånd."), field="substance")
    atc = (atc_code or "").strip().upper().replace(" ", "")
    if atc and not ATC_PATTERN.match(atc):
        raise DomainError(_("ATC-koden %(c)s har fel format (t.ex. J01C eller J01CE02).") % {"c": atc}, field="atc_code")
    if kind not in Allergy.Kind.values:
        raise DomainError(_("Okänd typ av signal."), field="kind")
    if severity not in Allergy.Severity.values:
        raise DomainError(_("Okänd allvarlighetsgrad."), field="severity")
    if pa.filter(Allergy.objects.filter(active=True, substance__iexact=substance, kind=kind)).exists():
        raise DomainError(_("%(s)s finns redan som aktuell signal.") % {"s": substance}, field="substance")
    allergy = Allergy.objects.create(
        patient_id=pa.patient_id,
        unit_id=_unit_id(actor),
        kind=kind,
        substance=substance[:200],
        atc_code=atc,
        severity=severity,
        reaction=reaction.strip(),
        recorded_by=actor.staff,
        author_name=str(actor.staff)[:200],
    )
    audit.record(actor, "journal.allergy.record", patient=pa, obj=allergy)
    return allergy


@transaction.atomic
def allergy_inactivate(*, actor: Actor, allergy_id: int, reason: str) -> Allergy:
    allergy, pa = _lock_row(actor, Allergy, allergy_id, "journal.allergy.inactivate")
    if not allergy.active:
        raise DomainError(_("Signalen är redan inaktuell."))
    if not reason.strip():
        raise DomainError(_("Ange skälet."), field="reason")
    allergy.active = False
    allergy.inactivated_at = timezone.now()
    allergy.inactivated_by = actor.staff
    allergy.inactivated_reason = reason.strip()
    allergy.save(update_fields=["active", "inactivated_at", "inactivated_by", "inactivated_reason"])
    audit.record(actor, "journal.allergy.inactivate", patient=pa, obj=allergy, reason=allergy.inactivated_reason)
    return allergy


# --- Acknowledgement (vidimering) -----------------------------------------


@transaction.atomic
def acknowledgement_request(
    *,
    actor: Actor,
    patient_id: int,
    summary: str,
    kind: str = Acknowledgement.Kind.RESULT,
    object_type: str = "",
    object_id: str = "",
    responsible_id: int | None = None,
    unit_id: int | None = None,
) -> Acknowledgement:
    """An item to be acknowledged (a result, a referral reply), for one clinician or the whole unit."""
    pa = patient_access(actor, patient_id, action="journal.acknowledgement.request", write=True)
    if not summary.strip():
        raise DomainError(_("Ange en sammanfattning."), field="summary")
    if kind not in Acknowledgement.Kind.values:
        raise DomainError(_("Okänd typ."), field="kind")
    if responsible_id is not None and not Staff.objects.filter(pk=responsible_id, is_active=True).exists():
        raise DomainError(_("Okänd ansvarig."), field="responsible")
    ack = Acknowledgement.objects.create(
        patient_id=pa.patient_id,
        unit_id=unit_id or _unit_id(actor),
        kind=kind,
        summary=summary.strip()[:300],
        object_type=object_type[:60],
        object_id=str(object_id)[:60],
        responsible_id=responsible_id,
    )
    audit.record(actor, "journal.acknowledgement.request", patient=pa, obj=ack)
    return ack


@transaction.atomic
def acknowledgement_confirm(*, actor: Actor, acknowledgement_id: int, comment: str = "") -> Acknowledgement:
    """Vidimera: the actor confirms having seen the item."""
    ack, pa = _lock_row(actor, Acknowledgement, acknowledgement_id, "journal.acknowledgement.confirm")
    if ack.acknowledged_at is not None:
        raise Conflict(_("Redan vidimerad av %(s)s.") % {"s": ack.acknowledged_by}, code="already")
    if ack.unit_id != actor.unit_id:
        raise PermissionDenied(_("Vidimering görs av personal på den ansvariga enheten."))
    ack.acknowledged_at = timezone.now()
    ack.acknowledged_by = actor.staff
    ack.comment = comment.strip()
    ack.save(update_fields=["acknowledged_at", "acknowledged_by", "comment"])
    audit.record(actor, "journal.acknowledgement.confirm", patient=pa, obj=ack)
    return ack


# --- Vital signs (observation chart, NEWS2) -------------------------------

VITALS_MAX_SETS = 24
VITALS_MAX_AGE = dt.timedelta(days=7)
# field: (low, high, label, unit). Wide enough for the critically ill, narrow enough
# to catch a typing slip (a pulse of 720 is 72 typed twice).
VITALS_RANGES: dict[str, tuple[Decimal, Decimal, Any, str]] = {
    "respiratory_rate": (Decimal(3), Decimal(80), gettext_lazy("Andningsfrekvens"), "andetag/min"),
    "spo2": (Decimal(50), Decimal(100), gettext_lazy("Syremättnad"), "%"),
    "systolic": (Decimal(40), Decimal(300), gettext_lazy("Systoliskt blodtryck"), "mmHg"),
    "diastolic": (Decimal(20), Decimal(200), gettext_lazy("Diastoliskt blodtryck"), "mmHg"),
    "pulse": (Decimal(20), Decimal(250), gettext_lazy("Puls"), "slag/min"),
    "temperature": (Decimal(30), Decimal(45), gettext_lazy("Temperatur"), "°C"),
}
VITALS_REQUIRED = ("respiratory_rate", "spo2", "systolic", "pulse", "temperature")


def _vitals_value(raw: Any, name: str, row: int, *, integer: bool) -> Decimal | None:
    low, high, label, unit = VITALS_RANGES[name]
    where = _("Rad %(r)d: %(l)s") % {"r": row, "l": label}
    if raw in (None, ""):
        if name in VITALS_REQUIRED:
            raise DomainError(_("%(w)s saknas. NEWS2 kräver alla parametrar.") % {"w": where}, field=name, code="missing")
        return None
    value = _decimal(raw, name, where)
    if integer and value != value.to_integral():
        raise DomainError(_("%(w)s: ange ett heltal.") % {"w": where}, field=name)
    _in_range(value, low, high, where, unit, name)
    return value


CLOCK = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


def _vitals_time(raw: Any, row: int, now: dt.datetime) -> dt.datetime:
    if raw in (None, ""):
        return now
    when = raw
    if not isinstance(raw, dt.datetime):
        text = str(raw).strip()
        clock = CLOCK.match(text)
        try:
            if clock:
                # A clock time alone is the latest such time that is not ahead of now: at 01:10,
                # "23:00" is last night.
                local = timezone.localtime(now)
                when = local.replace(hour=int(clock.group(1)), minute=int(clock.group(2)), second=0, microsecond=0)
                if when > local + dt.timedelta(minutes=5):
                    when -= dt.timedelta(days=1)
            else:
                when = dt.datetime.fromisoformat(text)
        except ValueError:
            raise DomainError(
                _("Rad %(r)d: ange tidpunkt som TT:MM eller ÅÅÅÅ-MM-DD TT:MM.") % {"r": row}, field="observed_at"
            ) from None
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    if when > now + dt.timedelta(minutes=5):
        raise DomainError(_("Rad %(r)d: tidpunkten ligger i framtiden.") % {"r": row}, field="observed_at")
    if when < now - VITALS_MAX_AGE:
        raise DomainError(
            _("Rad %(r)d: tidpunkten är mer än %(d)d dygn gammal. Äldre värden förs in som mätvärden.")
            % {"r": row, "d": VITALS_MAX_AGE.days},
            field="observed_at",
        )
    return when


def _clean_vitals(data: Mapping[str, Any], row: int, now: dt.datetime) -> dict[str, Any]:
    values = {
        name: _vitals_value(data.get(name), name, row, integer=name != "temperature")
        for name in ("respiratory_rate", "spo2", "systolic", "diastolic", "pulse", "temperature")
    }
    if values["diastolic"] is not None and values["diastolic"] >= values["systolic"]:  # type: ignore[operator]
        raise DomainError(_("Rad %(r)d: diastoliskt tryck måste vara lägre än systoliskt.") % {"r": row}, field="diastolic")
    scale = str(data.get("spo2_scale") or "1").strip()
    if scale not in ("1", "2"):
        raise DomainError(_("Rad %(r)d: SpO2-skala är 1 eller 2.") % {"r": row}, field="spo2_scale")
    oxygen = data.get("on_oxygen")
    if oxygen is not None and not isinstance(oxygen, bool | str):
        raise DomainError(_("Rad %(r)d: välj luft eller syrgas.") % {"r": row}, field="on_oxygen")
    if isinstance(oxygen, str):
        if oxygen not in ("air", "oxygen", "true", "false", "0", "1"):
            raise DomainError(_("Rad %(r)d: välj luft eller syrgas.") % {"r": row}, field="on_oxygen")
        oxygen = oxygen in ("oxygen", "true", "1")
    if oxygen is None:
        raise DomainError(_("Rad %(r)d: välj luft eller syrgas.") % {"r": row}, field="on_oxygen", code="missing")
    acvpu = str(data.get("consciousness") or "").strip().upper()
    if acvpu not in VitalSigns.Consciousness.values:
        raise DomainError(_("Rad %(r)d: välj medvetandegrad (ACVPU).") % {"r": row}, field="consciousness", code="missing")
    temperature = values["temperature"].quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)  # type: ignore[union-attr]
    return {
        "observed_at": _vitals_time(data.get("observed_at"), row, now),
        "respiratory_rate": int(values["respiratory_rate"]),  # type: ignore[arg-type]
        "spo2": int(values["spo2"]),  # type: ignore[arg-type]
        "spo2_scale": int(scale),
        "on_oxygen": bool(oxygen),
        "systolic": int(values["systolic"]),  # type: ignore[arg-type]
        "diastolic": int(values["diastolic"]) if values["diastolic"] is not None else None,
        "pulse": int(values["pulse"]),  # type: ignore[arg-type]
        "consciousness": acvpu,
        "temperature": temperature,
    }


@transaction.atomic
def vital_signs_record(
    *, actor: Actor, patient_id: int, sets: Sequence[Mapping[str, Any]], submission: str = ""
) -> list[VitalSigns]:
    """One or more sets of vital signs, each scored with NEWS2 (with its escalation and
    the time the next set is due). Every row is checked before anything is stored: one
    bad value refuses the whole form. The form's `submission` token makes a double click
    (or a resent request) return the sets already recorded instead of recording them twice."""
    pa = patient_access(actor, patient_id, action="journal.vitals.record", write=True)
    unit_id = _unit_id(actor)
    submission = (submission or "").strip()[:40]
    if len(sets) > VITALS_MAX_SETS:
        raise DomainError(_("Högst %(n)d rader åt gången.") % {"n": VITALS_MAX_SETS}, field="sets")
    now = timezone.now()
    cleaned = [_clean_vitals(data, i, now) for i, data in enumerate(sets, start=1)]
    if not cleaned:
        raise DomainError(_("Fyll i minst en rad med vitalparametrar."), field="sets", code="missing")
    times = [c["observed_at"] for c in cleaned]
    if len(set(times)) != len(times):
        raise DomainError(_("Två rader har samma tidpunkt."), field="observed_at")
    rows = []
    for row_no, c in enumerate(cleaned, start=1):
        result = news2.score(news2.Vitals(**{k: v for k, v in c.items() if k not in ("observed_at", "diastolic")}))
        rows.append(
            VitalSigns(
                patient_id=pa.patient_id,
                unit_id=unit_id,
                **c,
                news2_score=result.score,
                news2_parts=result.parts,
                news2_single_three=result.single_three,
                news2_escalate=result.escalate,
                news2_risk=result.risk,
                next_due_at=news2.next_due(c["observed_at"], result),
                recorded_by=actor.staff,
                author_name=str(actor.staff)[:200],
                created_at=now,
                submission=submission,
                submission_row=row_no if submission else 0,
            )
        )
    if submission:
        # ON CONFLICT DO NOTHING against the (patient, submission, row) constraint: the second
        # of two identical requests (a double click, even one that arrives while the first is
        # still running) waits for the first and then inserts nothing; both answer its rows.
        VitalSigns.objects.bulk_create(rows, ignore_conflicts=True)
        created = list(VitalSigns.objects.filter(patient_id=pa.patient_id, submission=submission).order_by("submission_row"))
        if any(v.created_at != now for v in created):
            return sorted(created, key=lambda v: v.observed_at)  # recorded (and audited) by the first request
    else:
        created = VitalSigns.objects.bulk_create(rows)
    audit.record(
        actor,
        "journal.vitals.record",
        patient=pa,
        obj=created[0] if len(created) == 1 else None,
        detail={
            "sets": [v.pk for v in created],
            "news2": [v.news2_score for v in created],
            "escalate": any(v.news2_escalate for v in created),
        },
    )
    return sorted(created, key=lambda v: v.observed_at)


@transaction.atomic
def vital_signs_mark_error(*, actor: Actor, vital_signs_id: int, reason: str) -> VitalSigns:
    vs, pa = _lock_row(actor, VitalSigns, vital_signs_id, "journal.vitals.entered_in_error")
    if vs.entered_in_error:
        raise DomainError(_("Raden är redan markerad som felaktigt registrerad."))
    if not reason.strip():
        raise DomainError(_("Ange skälet."), field="reason")
    if vs.unit_id != actor.unit_id:
        raise PermissionDenied(_("Vitalparametrar markeras av personal på den enhet som registrerade dem."))
    vs.entered_in_error, vs.error_reason = True, reason.strip()
    vs.save(update_fields=["entered_in_error", "error_reason"])
    audit.record(actor, "journal.vitals.entered_in_error", patient=pa, obj=vs, reason=vs.error_reason)
    return vs


# --- Nursing: risk assessments and the care plan (VIPS) -------------------


@transaction.atomic
def risk_assessment_record(
    *,
    actor: Actor,
    patient_id: int,
    kind: str,
    answers: Mapping[str, Any],
    comment: str = "",
    submission: str = "",
) -> RiskAssessment:
    """A Modified Norton, Downton or MNA-SF assessment, scored by journal/nursing.py."""
    pa = patient_access(actor, patient_id, action="journal.risk.record", write=True)
    unit_id = _unit_id(actor)
    if kind not in RiskAssessment.Kind.values:
        raise DomainError(_("Okänd riskbedömning."), field="kind")
    submission = (submission or "").strip()[:40]
    if submission:
        done = RiskAssessment.objects.filter(patient_id=pa.patient_id, submission=submission).first()
        if done:
            return done
    result = nursing.assess(kind, dict(answers))
    ra = RiskAssessment(
        patient_id=pa.patient_id,
        unit_id=unit_id,
        kind=kind,
        answers=nursing.clean_answers(kind, dict(answers)),
        score=result.score,
        at_risk=result.at_risk,
        level=str(result.level)[:60],
        comment=(comment or "").strip()[:MAX_TEXT],
        recorded_by=actor.staff,
        author_name=str(actor.staff)[:200],
        submission=submission,
    )
    try:
        with transaction.atomic():
            ra.save()
    except IntegrityError:
        done = RiskAssessment.objects.filter(patient_id=pa.patient_id, submission=submission).first()
        if submission and done:
            return done
        raise
    audit.record(actor, "journal.risk.record", patient=pa, obj=ra, detail={"kind": kind, "score": ra.score})
    return ra


@transaction.atomic
def risk_assessment_mark_error(*, actor: Actor, risk_assessment_id: int, reason: str) -> RiskAssessment:
    ra, pa = _lock_row(actor, RiskAssessment, risk_assessment_id, "journal.risk.entered_in_error")
    if ra.entered_in_error:
        raise DomainError(_("Bedömningen är redan markerad som felaktigt registrerad."))
    if not reason.strip():
        raise DomainError(_("Ange skälet."), field="reason")
    if ra.unit_id != actor.unit_id:
        raise PermissionDenied(_("En bedömning markeras av personal på den enhet som registrerade den."))
    ra.entered_in_error, ra.error_reason = True, reason.strip()
    ra.save(update_fields=["entered_in_error", "error_reason"])
    audit.record(actor, "journal.risk.entered_in_error", patient=pa, obj=ra, reason=ra.error_reason)
    return ra


@transaction.atomic
def care_plan_item_add(
    *, actor: Actor, patient_id: int, keyword: str, diagnosis: str, goal: str, interventions: str
) -> CarePlanItem:
    """A nursing diagnosis under a VIPS keyword, with its goal and interventions."""
    pa = patient_access(actor, patient_id, action="journal.careplan.add", write=True)
    unit_id = _unit_id(actor)
    keyword = (keyword or "").strip()
    if keyword not in codes.VIPS_KEYWORDS:
        raise DomainError(_("Välj ett sökord ur VIPS."), field="keyword")
    texts = {"diagnosis": diagnosis, "goal": goal, "interventions": interventions}
    labels = {"diagnosis": _("omvårdnadsdiagnos"), "goal": _("mål"), "interventions": _("åtgärder")}
    for name, text in texts.items():
        if not (text or "").strip():
            raise DomainError(_("Ange %(f)s.") % {"f": labels[name]}, field=name)
        if len(text) > MAX_TEXT:
            raise DomainError(_("Texten är för lång."), field=name)
    if pa.filter(
        CarePlanItem.objects.filter(status=CarePlanItem.Status.ACTIVE, keyword=keyword, diagnosis=diagnosis.strip())
    ).exists():
        raise DomainError(_("Omvårdnadsdiagnosen finns redan i vårdplanen."), field="diagnosis")
    item = CarePlanItem.objects.create(
        patient_id=pa.patient_id,
        unit_id=unit_id,
        keyword=keyword,
        diagnosis=diagnosis.strip(),
        goal=goal.strip(),
        interventions=interventions.strip(),
        created_by=actor.staff,
        author_name=str(actor.staff)[:200],
    )
    audit.record(actor, "journal.careplan.add", patient=pa, obj=item, detail={"keyword": keyword})
    return item


@transaction.atomic
def care_plan_item_close(*, actor: Actor, item_id: int, evaluation: str) -> CarePlanItem:
    """Evaluate and close a care plan row; the row stays readable."""
    item, pa = _lock_row(actor, CarePlanItem, item_id, "journal.careplan.close")
    if item.status != CarePlanItem.Status.ACTIVE:
        raise DomainError(_("Raden är redan avslutad."), code="closed")
    if not (evaluation or "").strip():
        raise DomainError(_("Skriv en utvärdering innan raden avslutas."), field="evaluation")
    item.status = CarePlanItem.Status.CLOSED
    item.evaluation = evaluation.strip()[:MAX_TEXT]
    item.closed_at = timezone.now()
    item.closed_by = actor.staff
    item.save(update_fields=["status", "evaluation", "closed_at", "closed_by"])
    audit.record(actor, "journal.careplan.close", patient=pa, obj=item)
    return item


# --- Prefilled templates ----------------------------------------------------


def _prefill_nursing_discharge(pa: PatientAccess) -> dict[str, str]:
    """Omvårdnadsepikris: the latest risk assessment of each scale, the active care plan and
    the latest vital signs, read through the access that creates the note; the nurse edits
    and signs as usual."""
    out: dict[str, str] = {}
    latest: dict[str, RiskAssessment] = {}
    for ra in pa.filter(RiskAssessment.objects.filter(entered_in_error=False)).order_by("-assessed_at")[:50]:
        latest.setdefault(ra.kind, ra)
    if latest:
        out["Riskbedömningar"] = "\n".join(
            f"{ra.get_kind_display()}: {ra.score} p – {ra.level} ({timezone.localtime(ra.assessed_at):%Y-%m-%d})"
            for ra in latest.values()
        )
    plan = list(pa.filter(CarePlanItem.objects.filter(status=CarePlanItem.Status.ACTIVE)).order_by("keyword")[:50])
    if plan:
        out["Kvarstående omvårdnadsbehov"] = "\n".join(
            f"{it.keyword}: {it.diagnosis} Mål: {it.goal} Åtgärder: {it.interventions}" for it in plan
        )
    vs = pa.filter(VitalSigns.objects.filter(entered_in_error=False)).order_by("-observed_at", "-pk").first()
    if vs is not None:
        out["Omvårdnadsstatus vid utskrivning"] = _(
            "Senaste vitalparametrar %(t)s: AF %(rr)d/min, SpO2 %(spo2)d %% (%(o2)s), BT %(bp)s mmHg, puls %(p)d/min, "
            "medvetande %(c)s, temp %(temp)s °C. NEWS2 %(n)d (%(risk)s risk)."
        ) % {
            "t": f"{timezone.localtime(vs.observed_at):%Y-%m-%d %H:%M}",
            "rr": vs.respiratory_rate,
            "spo2": vs.spo2,
            "o2": _("syrgas") if vs.on_oxygen else _("luft"),
            "bp": vs.bp_display,
            "p": vs.pulse,
            "c": vs.consciousness,
            "temp": vs.temperature_display,
            "n": vs.news2_score,
            "risk": vs.get_news2_risk_display(),
        }
    return out


# Templates (by name) whose new draft starts from the record instead of empty headings.
PREFILL = {"Omvårdnadsepikris": _prefill_nursing_discharge}
