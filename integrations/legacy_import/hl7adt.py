"""HL7 v2 ADT: A04 (register), A08 (update), A40 (merge two identities) and the
inpatient events A01 (admit), A02 (transfer), A03 (discharge), A11 (cancel admit),
A12 (cancel transfer), A13 (cancel discharge), applied through slutenvard's services.

Parsed with hl7apy. A file holds messages one after another, segments
separated by CR, LF or CRLF, optionally MLLP-framed; each message starts at an
MSH segment and its line number (for the error report) is that of its MSH.

Fields used:
- MSH-3 sending application, MSH-9 message type, MSH-10 control id
  (idempotency key: sending application + control id);
- PID-3 identifier (personnummer/samordningsnummer/reservnummer; the first
  repetition that parses), PID-5 name (family^given), PID-8 sex,
  PID-11 address, PID-13 phone;
- PV1-3 location: the unit's HSA-id in PL-4 (facility) or PL-1 (point of care);
  the patient gets a care relationship there (ground "import");
- A40: PID-3 is the surviving identity, MRG-1 the identity merged into it;
- A01–A13: PV1-3 the ward (PL-4 facility, else PL-1 point of care: a unit with a
  ward) and bed (PL-3, on the ward of PL-1), PV1-19 the visit number (the stay is
  found again by sending application + visit number, else the patient's active
  stay), PV1-44/PV1-45 admit/discharge time (else EVN-2), PV1-36 discharge
  disposition, PV2-3 admit reason. A01 for a visit already admitted is skipped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.parser import parse_message

from integrations.legacy_import.runner import BatchResult, Item, JobContext
from integrations.models import ImportedRecord
from slutenvard import services as stay_services
from slutenvard.models import Bed, Stay, Ward
from vardmiljo.errors import DomainError, NotFound
from vardmiljo.identifiers import PersonId, parse_patient_id
from vardmiljo.models import CareRelationship, Patient
from vardmiljo.services import care_relationship_ensure

SUPPORTED = {"A01", "A02", "A03", "A04", "A08", "A11", "A12", "A13", "A40"}
INPATIENT = {"A01", "A02", "A03", "A11", "A12", "A13"}
# PV1-36 discharge disposition (HL7 table 0112 as the regions' systems use it) → destination.
DISPOSITIONS = {"01": "home", "02": "hospital", "03": "municipal", "20": "deceased"}
_SEGMENT_SPLIT = re.compile(r"\r\n|\r|\n")


class BadMessage(Exception):
    """The message is rejected; the text is the Swedish reason for the error report."""


def _items(path: Path) -> Iterator[Item]:
    text = path.read_bytes().decode("utf-8", errors="replace").replace("\x0b", "").replace("\x1c", "")
    start = 0
    segments: list[str] = []
    for n, seg in enumerate(_SEGMENT_SPLIT.split(text), start=1):
        if seg.startswith("MSH"):
            if segments:
                yield Item(line=start, text="\r".join(segments))
            start, segments = n, [seg]
        elif seg.strip():
            if not segments:
                # Text before the first MSH: its own (bad) item, reported.
                yield Item(line=n, text=seg)
                continue
            segments.append(seg)
    if segments:
        yield Item(line=start, text="\r".join(segments))


def _field(seg: Any, name: str) -> str:
    """The field in ER7, repetitions joined with ~ (hl7apy keeps each repetition as its own child)."""
    try:
        reps = [str(c.to_er7() or "") for c in seg.children if c.name == name.upper()]
    except Exception:  # noqa: BLE001 - absent optional field
        return ""
    return "~".join(reps)


def _segment(msg: Any, name: str) -> Any:
    for child in msg.children:
        if child.name == name:
            return child
    return None


def _component(value: str, index: int) -> str:
    parts = value.split("^")
    return parts[index].strip() if len(parts) > index else ""


def _person_id(cx_list: str, what: str) -> PersonId:
    reasons: list[str] = []
    reps = cx_list.split("~")
    # The national identity first: identifier type PN (personnummer) or the tax agency (SKV) as authority.
    reps.sort(key=lambda rep: 0 if _component(rep, 4).upper() in ("PN", "NNSWE") or _component(rep, 3).upper() == "SKV" else 1)
    for rep in reps:
        ident = _component(rep, 0)
        if not ident:
            continue
        try:
            return parse_patient_id(ident)
        except ValidationError as exc:
            reasons.append(f"{ident}: {exc.messages[0]}")
    if not reasons:
        raise BadMessage(f"{what} saknar identitet.")
    raise BadMessage(f"Ogiltigt personnummer i {what} ({'; '.join(reasons)})")


class Hl7AdtFormat:
    def items(self, path: Path) -> Iterator[Item]:
        return _items(path)

    def prepare(self, ctx: JobContext, items: list[Item]) -> list[Item]:
        return items  # each message is parsed inside its own savepoint in process()

    def process(self, ctx: JobContext, items: list[Item]) -> BatchResult:
        result = BatchResult()
        ctx.scratch["merges"] = []
        for item in items:
            try:
                # One message, one savepoint: a bad message leaves the rest of the batch.
                with transaction.atomic():
                    self._one(ctx, item, result)
            except BadMessage as exc:
                result.error(item, str(exc))
            except IntegrityError as exc:
                result.error(item, f"Meddelandet kunde inte sparas: {str(exc).splitlines()[0]}")
        if ctx.scratch["merges"]:
            # The batch's one access-log row names each merge and what moved.
            result.detail["merges"] = ctx.scratch["merges"]
        return result

    def _one(self, ctx: JobContext, item: Item, result: BatchResult) -> None:
        if not item.text.startswith("MSH"):
            raise BadMessage("Felaktigt HL7-meddelande: börjar inte med MSH.")
        if "\x00" in item.text:
            # PostgreSQL stores no NUL in text: refused here, as a bad message, not by the
            # database in the middle of the batch (which failed the whole import).
            segments = item.text.split("\r")
            n = next(n for n, seg in enumerate(segments) if "\x00" in seg)
            raise BadMessage(f"Felaktigt HL7-meddelande: NUL-tecken (0x00) i segment {n + 1} ({segments[n][:3]}).")
        try:
            msg = parse_message(item.text, find_groups=False, validation_level=VALIDATION_LEVEL.TOLERANT)
        except Exception as exc:  # noqa: BLE001 - hl7apy raises several parser errors
            raise BadMessage(f"Felaktigt HL7-meddelande: {exc}") from None
        msh = msg.msh
        if not _field(msh, "msh_9") or not _field(msh, "msh_12"):
            raise BadMessage("Felaktigt HL7-meddelande: meddelandetyp (MSH-9) eller version (MSH-12) saknas.")
        event = _component(_field(msh, "msh_9"), 1)
        if event not in SUPPORTED:
            raise BadMessage(f"Meddelandetypen ADT^{event or '?'} stöds inte (A01, A02, A03, A04, A08, A11, A12, A13, A40).")
        control_id = _field(msh, "msh_10")
        sender = _component(_field(msh, "msh_3"), 0) or "okand"
        key = f"hl7:{sender}:{control_id}" if control_id else "hl7:sha:" + hashlib.sha256(item.text.encode()).hexdigest()
        if ImportedRecord.objects.filter(source=ctx.source, key=key[:120]).exists():
            result.skipped += 1
            return
        pid = _segment(msg, "PID")
        if pid is None:
            raise BadMessage("Felaktigt HL7-meddelande: PID-segment saknas.")
        if event == "A40":
            patient = self._merge(ctx, msg, pid)
        elif event in INPATIENT:
            patient = self._register(ctx, msg, pid, event, result, relate=False)
            if patient is not None:
                inpatient_event(ctx, msg, event, patient.merged_into or patient, sender)
        else:
            patient = self._register(ctx, msg, pid, event, result)
        if ctx.dry_run:
            result.counts[f"adt_{event.lower()}"] += 1
            return
        ImportedRecord.objects.create(
            source=ctx.source,
            key=key[:120],
            kind=f"adt_{event.lower()}",
            job=ctx.job,
            object_type="vardmiljo.patient",
            object_id=patient.pk if patient else None,
        )
        result.counts[f"adt_{event.lower()}"] += 1

    def _unit_id(self, ctx: JobContext, msg: Any) -> int | None:
        pv1 = _segment(msg, "PV1")
        if pv1 is None:
            return None
        location = _field(pv1, "pv1_3")
        hsa = _component(location, 3) or _component(location, 0)
        if not hsa:
            return None
        unit_id = ctx.units.get(hsa.upper())
        if unit_id is None:
            raise BadMessage(f"Okänd vårdenhet {hsa} (PV1-3).")
        return unit_id

    def _register(
        self, ctx: JobContext, msg: Any, pid: Any, event: str, result: BatchResult, *, relate: bool = True
    ) -> Patient | None:
        person = _person_id(_field(pid, "pid_3"), "PID-3")
        name = _field(pid, "pid_5").split("~")[0]
        family, given = _component(name, 0), _component(name, 1)
        if not family or not given:
            raise BadMessage("PID-5 saknar för- eller efternamn.")
        unit_id = self._unit_id(ctx, msg) if relate else None
        sex = _field(pid, "pid_8")[:1].upper()
        sex = sex if sex in ("F", "M") else person.sex
        addr = _field(pid, "pid_11").split("~")[0]
        address = ", ".join(
            p for p in (_component(addr, 0), " ".join(x for x in (_component(addr, 4), _component(addr, 2)) if x)) if p
        )
        phone = _component(_field(pid, "pid_13").split("~")[0], 0)
        values = {"given_name": given[:100], "family_name": family[:100], "sex": sex or "", "id_kind": person.kind}
        if address:
            values["address"] = address
        if phone:
            values["phone"] = phone[:30]
        if ctx.dry_run:
            ctx.scratch.setdefault("registered", set()).add(person.value)
            return None
        patient = Patient.objects.select_for_update().filter(identifier=person.value).first()
        if patient is None:
            patient = Patient.objects.create(identifier=person.value, birth_date=person.birth_date, **values)
            result.created += 1
        else:
            changed = [k for k, v in values.items() if getattr(patient, k) != v]
            for k in changed:
                setattr(patient, k, values[k])
            if changed:
                patient.save(update_fields=[*changed, "updated_at"])
                result.updated += 1
            else:
                result.skipped += 1
        if unit_id is not None:
            target = patient.merged_into_id or patient.pk
            care_relationship_ensure(actor=ctx.actor, patient=target, unit=unit_id, ground=CareRelationship.Ground.IMPORT)
        return patient

    def _merge(self, ctx: JobContext, msg: Any, pid: Any) -> Patient | None:
        survivor_id = _person_id(_field(pid, "pid_3"), "PID-3")
        mrg = _segment(msg, "MRG")
        if mrg is None:
            raise BadMessage("A40 saknar MRG-segment.")
        old_id = _person_id(_field(mrg, "mrg_1"), "MRG-1")
        if old_id.value == survivor_id.value:
            raise BadMessage("A40: MRG-1 och PID-3 är samma identitet.")
        patients = {
            p.identifier: p for p in Patient.objects.select_for_update().filter(identifier__in=[survivor_id.value, old_id.value])
        }
        survivor, old = patients.get(survivor_id.value), patients.get(old_id.value)
        if ctx.dry_run:
            # Identities an earlier message of this dry run would have registered count as present.
            for ident in (survivor_id.value, old_id.value):
                if ident not in patients and ident in ctx.scratch.setdefault("registered", set()):
                    patients[ident] = Patient(identifier=ident)
            survivor, old = patients.get(survivor_id.value), patients.get(old_id.value)
        if survivor is None:
            raise BadMessage(f"A40: den kvarstående patienten {survivor_id.display} finns inte.")
        if old is None:
            raise BadMessage(f"A40: patienten {old_id.display} som ska slås samman finns inte.")
        if survivor.merged_into_id:
            raise BadMessage(f"A40: {survivor_id.display} är själv sammanslagen med en annan identitet.")
        if ctx.dry_run:
            return None
        moved = merge_identity(old=old, survivor=survivor)
        ctx_merges = result_detail(ctx)
        ctx_merges.append({"from": old.pk, "to": survivor.pk, "moved": moved})
        return survivor


def _hl7_time(value: str) -> dt.datetime | None:
    digits = re.sub(r"[^0-9]", "", value.split("+")[0].split("-")[0])
    if len(digits) < 8:
        return None
    try:
        naive = dt.datetime.strptime(digits[:14].ljust(14, "0"), "%Y%m%d%H%M%S")
    except ValueError:
        raise BadMessage(f"Ogiltig tidpunkt {value}.") from None
    return timezone.make_aware(naive)


def inpatient_event(ctx: JobContext, msg: Any, event: str, patient: Patient, sender: str) -> None:
    """A01–A13 through slutenvard's services, as the system actor: the same rules as a
    click on the ward, each refusal a line in the error report."""
    pv1 = _segment(msg, "PV1")
    if pv1 is None:
        raise BadMessage(f"A{event[1:]} saknar PV1-segment.")
    location = _field(pv1, "pv1_3")
    ward_hsa = (_component(location, 3) or _component(location, 0)).upper()
    bed_ward_hsa = (_component(location, 0) or ward_hsa).upper()
    bed_label = _component(location, 2)
    visit = _component(_field(pv1, "pv1_19"), 0)
    evn = _segment(msg, "EVN")
    event_time = _hl7_time(_field(evn, "evn_2")) if evn is not None else None
    if ctx.dry_run:
        return
    stay = None
    if visit:
        stay = Stay.objects.filter(source_system=sender[:60], source_id=visit[:100]).order_by("-pk").first()
    if stay is None and event != "A01":
        stay = Stay.objects.filter(patient=patient).order_by("-admitted_at", "-pk").first()
        if stay is None:
            raise BadMessage(f"ADT^{event}: patienten har inget vårdtillfälle.")

    def ward_and_bed() -> tuple[int, int | None]:
        ward = Ward.objects.filter(unit__hsa_id__iexact=ward_hsa).first() if ward_hsa else None
        if ward is None:
            raise BadMessage(f"PV1-3: {ward_hsa or '(tomt)'} är ingen känd vårdavdelning.")
        bed = None
        if bed_label:
            bed = Bed.objects.filter(ward__unit__hsa_id__iexact=bed_ward_hsa, label=bed_label).first()
            if bed is None:
                raise BadMessage(f"PV1-3: säng {bed_label} finns inte på {bed_ward_hsa}.")
        return ward.pk, bed.pk if bed else None

    actor = ctx.actor
    try:
        if event == "A01":
            if stay is not None:
                return  # this visit is already admitted
            ward_id, bed_id = ward_and_bed()
            pv2 = _segment(msg, "PV2")
            reason = _component(_field(pv2, "pv2_3"), 1) or _component(_field(pv2, "pv2_3"), 0) if pv2 is not None else ""
            admitted = _hl7_time(_field(pv1, "pv1_44")) or event_time
            stay_services.stay_admit(
                actor=actor,
                patient_id=patient.pk,
                ward_id=ward_id,
                bed_id=bed_id,
                reason=reason or "Inskriven (HL7 ADT från källsystemet)",
                source=Stay.Source.OTHER,
                admitted_at=admitted,
                source_system=sender,
                source_id=visit,
            )
            return
        if stay is None:  # an invariant of the code above
            raise RuntimeError("invariant broken: stay is not None")
        if event == "A02":
            ward_id, bed_id = ward_and_bed()
            if ward_id == stay.ward_id:
                if bed_id is not None and bed_id != stay.bed_id:
                    stay_services.stay_move_bed(actor=actor, stay_id=stay.pk, bed_id=bed_id, outlying=False)
                return
            stay_services.stay_transfer(actor=actor, stay_id=stay.pk, to_ward_id=ward_id, bed_id=bed_id, at=event_time)
        elif event == "A03":
            destination = DISPOSITIONS.get(_field(pv1, "pv1_36").strip(), "home")
            at = _hl7_time(_field(pv1, "pv1_45")) or event_time
            stay_services.stay_discharge(actor=actor, stay_id=stay.pk, destination=destination, at=at)
        else:
            cancel = {
                "A11": stay_services.stay_cancel_admit,
                "A12": stay_services.stay_cancel_transfer,
                "A13": stay_services.stay_cancel_discharge,
            }[event]
            cancel(actor=actor, stay_id=stay.pk, reason=f"Makulerad i källsystemet (HL7 {event})")
    except DomainError as exc:
        raise BadMessage(f"ADT^{event}: {exc.message}") from None
    except NotFound:
        raise BadMessage(f"ADT^{event}: vårdtillfället finns inte.") from None


# Rows that record what happened to the old identity stay with it.
_HISTORY = {"vardmiljo.outbox", "vardmiljo.emergencyaccess", "integrations.registrytransfer"}


def merge_identity(*, old: Patient, survivor: Patient) -> dict[str, int]:
    """The old identity (a reservnummer, a legacy number) points at the survivor, and its record
    moves with it (A40, and `manage.py patient_merge` after a downtime). Idempotent."""
    if old.merged_into_id != survivor.pk:
        old.merged_into = survivor
        old.save(update_fields=["merged_into", "updated_at"])
        # Earlier merges into the old identity now point at the survivor too.
        Patient.objects.filter(merged_into=old).update(merged_into=survivor)
    return move_patient_rows(old=old, survivor=survivor)


def move_patient_rows(*, old: Patient, survivor: Patient) -> dict[str, int]:
    """The record follows the person: every row of every app that points at the
    merged identity (care relationships, consents, blocks, notes, diagnoses,
    orders, referrals, bookings …, found through Django's model registry) now
    points at the survivor, so nothing of the old identity's record is hidden
    and its blocks keep protecting it. Historical rows (outbox messages,
    emergency accesses, registry transfers) stay as they were."""
    from django.apps import apps

    moved: dict[str, int] = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in _HISTORY or model is Patient or not model._meta.managed:
            continue
        for f in model._meta.get_fields():
            if getattr(f, "many_to_one", False) and getattr(f, "related_model", None) is Patient and f.concrete:
                n = model._default_manager.filter(**{f.name: old}).update(**{f.name: survivor})
                if n:
                    moved[f"{label}.{f.name}"] = n
    return moved


def result_detail(ctx: JobContext) -> list[dict[str, Any]]:
    return ctx.scratch.setdefault("merges", [])


FORMAT = Hl7AdtFormat()
