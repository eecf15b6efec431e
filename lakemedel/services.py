"""Every write of läkemedel: orders (ordinationer) and their versions, the
medication review, prescriptions and renewals. Each service is atomic, checks
access with patient_access(write=True), and writes its audit row in the same
transaction. A refused input raises DomainError and nothing is stored."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lakemedel import queries
from lakemedel.dosage import ROUTES, parse_dose, render_dosage
from lakemedel.models import (
    MedicationOrder,
    MedicationOrderVersion,
    MedicationReview,
    Prescription,
    Product,
    SafetyAlert,
)
from lakemedel.safety import CheckResult, check_order
from vardmiljo import audit, outbox
from vardmiljo.access import PatientAccess, patient_access, record_access
from vardmiljo.actor import Actor
from vardmiljo.errors import Conflict, DomainError, NotFound
from vardmiljo.models import Outbox

Status = MedicationOrder.Status
Kind = MedicationOrderVersion.Kind
T = TypeVar("T")

PRESCRIBER_CODE_RE = re.compile(r"^\d{7}$")
KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_VALIDITY_DAYS = 366
MAX_DISPENSINGS = 12
CHANNEL = "erecept"

_VERSIONED = (
    "product",
    "substance",
    "atc_code",
    "dose",
    "dose_unit",
    "route",
    "frequency",
    "times",
    "period",
    "prn_max_per_day",
    "indication",
    "start_date",
    "planned_end_date",
    "prescriber",
)


def _unit_id(actor: Actor) -> int:
    if actor.unit_id is None:  # patient_access has already refused actors without an assignment
        raise NotFound()
    return actor.unit_id


def _write(actor: Actor, patient_id: int | str, action: str, work: Callable[[PatientAccess], T], obj: Any = None) -> T:
    """Decide access with patient_access(), then make the write in one transaction
    that also holds the access row: one commit (one WAL flush) per act, not two.

    Every attempt is still in the access log: a refusal as patient_access records
    it (deciding again, logged, which costs a query only when refused), and a
    write that fails or is refused by a domain rule gets its access row on its own
    after the rollback, since the actor may have seen the patient's data.
    """
    ref = queries._Ref("lakemedel.medicationorder", obj) if obj is not None else None
    logged = False
    try:
        pa = patient_access(actor, patient_id, action=action, obj=ref, write=True, log=False)
    except NotFound:
        pa = patient_access(actor, patient_id, action=action, obj=ref, write=True)
        logged = True  # only if the ground appeared meanwhile; usually NotFound again, refusal logged
    try:
        with transaction.atomic():
            result = work(pa)
            if not logged:
                record_access(pa, action, obj=ref, write=True)
    except Exception:
        if not logged:
            record_access(pa, action, obj=ref, write=True)
        raise
    return result


def require_prescriber(actor: Actor) -> str:
    code = (getattr(actor.staff, "prescriber_code", "") or "").strip()
    if not PRESCRIBER_CODE_RE.match(code):
        raise DomainError(
            _("Du saknar giltig förskrivarkod och kan inte ordinera eller förskriva läkemedel."), code="no_prescriber_code"
        )
    return code


@dataclass(frozen=True)
class OrderInput:
    """What the prescriber entered; cleaned by `clean_order_input`."""

    product_id: int | str | None
    dose: Any
    dose_unit: str
    frequency: str
    times: int | None = None
    period: str = "day"
    prn_max_per_day: int | None = None
    route: str = ""
    indication: str = ""
    start_date: dt.date | None = None
    planned_end_date: dt.date | None = None


def clean_order_input(data: OrderInput) -> tuple[Product, dict[str, Any]]:
    """The product and the model fields, or DomainError naming the field."""
    product = queries.product_get(data.product_id)
    dose_unit = (data.dose_unit or "").strip()
    # Renders or refuses: a dose without a unit, a frequency that cannot be read back in Swedish.
    render_dosage(data.dose, dose_unit, data.frequency, data.times, data.period or "day", data.prn_max_per_day)
    route = (data.route or product.route).strip()
    if route not in ROUTES:
        raise DomainError(_("Okänd administrationsväg: %(r)s.") % {"r": route}, field="route")
    start = data.start_date or timezone.localdate()
    end = data.planned_end_date
    if end is not None and end < start:
        raise DomainError(_("Planerat slutdatum kan inte vara före startdatum."), field="planned_end_date")
    indication = (data.indication or "").strip()
    if len(indication) > 200:
        raise DomainError(_("Indikationen får vara högst 200 tecken."), field="indication")
    return product, {
        "product": product,
        "substance": product.substance,
        "atc_code": product.atc_code,
        "dose": parse_dose(data.dose),
        "dose_unit": dose_unit,
        "route": route,
        "frequency": data.frequency,
        "times": data.times if data.frequency == "regular" else None,
        "period": data.period or "day",
        "prn_max_per_day": data.prn_max_per_day if data.frequency == "prn" else None,
        "indication": indication,
        "start_date": start,
        "planned_end_date": end,
    }


def _snapshot(order: MedicationOrder, *, kind: str, actor: Actor, reason: str = "") -> MedicationOrderVersion:
    return MedicationOrderVersion.objects.create(
        order=order,
        patient_id=order.patient_id,
        unit_id=order.unit_id,
        version=order.version,
        kind=kind,
        status=order.status,
        reason=reason,
        changed_by=actor.staff,
        changed_at=order.updated_at,
        **{f: getattr(order, f) for f in _VERSIONED},
    )


def _apply_checks(
    pa: PatientAccess, order: MedicationOrder, checks: CheckResult, override_reason: str, actor: Actor
) -> list[SafetyAlert]:
    reason = (override_reason or "").strip()
    if checks.needs_override and not reason:
        raise DomainError(
            _("Allvarlig varning: %(t)s Ange skäl för att ordinera ändå.") % {"t": checks.severe[0].text},
            field="override_reason",
            code="override_required",
        )
    rows = [
        SafetyAlert(
            order=order,
            version=order.version,
            patient_id=order.patient_id,
            unit_id=order.unit_id,
            kind=a.kind,
            severe=a.severe,
            severity=a.severity,
            text=a.text,
            override_reason=reason if a.severe else "",
            recorded_by=actor.staff,
        )
        for a in checks.alerts
    ]
    SafetyAlert.objects.bulk_create(rows)
    if checks.needs_override:
        audit.record(
            actor,
            "lakemedel.safety.override",
            patient=pa,
            obj=order,
            reason=reason,
            flagged=False,
            detail={"alerts": [{"kind": a.kind, "severity": a.severity, "text": a.text} for a in checks.severe]},
        )
    return rows


def order_create(*, actor: Actor, patient_id: int | str, data: OrderInput, override_reason: str = "") -> MedicationOrder:
    require_prescriber(actor)
    return _write(actor, patient_id, "lakemedel.order.create", lambda pa: _order_create(pa, actor, data, override_reason))


def _order_create(pa: PatientAccess, actor: Actor, data: OrderInput, override_reason: str) -> MedicationOrder:
    product, fields = clean_order_input(data)
    checks = check_order(pa, product, indication=fields["indication"])
    now = timezone.now()
    order = MedicationOrder.objects.create(
        patient=pa.patient,
        unit_id=_unit_id(actor),
        prescriber=actor.staff,
        status=Status.ACTIVE,
        version=1,
        created_at=now,
        updated_at=now,
        **fields,
    )
    _snapshot(order, kind=Kind.CREATED, actor=actor)
    _apply_checks(pa, order, checks, override_reason, actor)
    audit.record(
        actor, "lakemedel.order.create", patient=pa, obj=order, detail={"product": product.npl_id, "dosage": order.dosage_text}
    )
    return order


def _expect_version(order: MedicationOrder, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != order.version:
        raise Conflict(
            _("Ordinationen har ändrats av någon annan (version %(v)s). Läs in den på nytt.") % {"v": order.version}, code="stale"
        )


def order_change(
    *,
    actor: Actor,
    patient_id: int | str,
    order_id: int | str,
    data: OrderInput,
    expected_version: int | None = None,
    reason: str = "",
    override_reason: str = "",
) -> MedicationOrder:
    require_prescriber(actor)
    return _write(
        actor,
        patient_id,
        "lakemedel.order.change",
        lambda pa: _order_change(pa, actor, order_id, data, expected_version, reason, override_reason),
        obj=order_id,
    )


def _order_change(
    pa: PatientAccess,
    actor: Actor,
    order_id: int | str,
    data: OrderInput,
    expected_version: int | None,
    reason: str,
    override_reason: str,
) -> MedicationOrder:
    order = queries.order_in(pa, order_id, lock=True)
    if order.status == Status.DISCONTINUED:
        raise DomainError(_("En utsatt ordination kan inte ändras. Sätt in en ny."), code="discontinued")
    _expect_version(order, expected_version)
    product, fields = clean_order_input(data)
    if all(getattr(order, k) == v for k, v in fields.items()):
        raise DomainError(_("Inget är ändrat."), code="unchanged")
    checks = check_order(pa, product, indication=fields["indication"], exclude_order_id=order.pk)
    for k, v in fields.items():
        setattr(order, k, v)
    order.prescriber = actor.staff
    order.version += 1
    order.updated_at = timezone.now()
    order.save()
    _snapshot(order, kind=Kind.CHANGED, actor=actor, reason=reason.strip())
    _apply_checks(pa, order, checks, override_reason, actor)
    audit.record(
        actor, "lakemedel.order.change", patient=pa, obj=order, detail={"version": order.version, "dosage": order.dosage_text}
    )
    return order


TRANSITIONS: dict[str, dict[str, str]] = {
    # action: {from-status: to-status}
    "pause": {Status.ACTIVE: Status.PAUSED},
    "resume": {Status.PAUSED: Status.ACTIVE},
    "discontinue": {Status.ACTIVE: Status.DISCONTINUED, Status.PAUSED: Status.DISCONTINUED},
}
_KIND = {"pause": Kind.PAUSED, "resume": Kind.RESUMED, "discontinue": Kind.DISCONTINUED}


def _order_transition(
    *, actor: Actor, patient_id: int | str, order_id: int | str, action: str, reason: str, expected_version: int | None
) -> MedicationOrder:
    require_prescriber(actor)
    reason = (reason or "").strip()
    if action == "discontinue" and not reason:
        raise DomainError(_("Ange skäl för utsättningen."), field="reason")
    return _write(
        actor,
        patient_id,
        f"lakemedel.order.{action}",
        lambda pa: _transition_locked(pa, actor, order_id, action, reason, expected_version),
        obj=order_id,
    )


def _transition_locked(
    pa: PatientAccess, actor: Actor, order_id: int | str, action: str, reason: str, expected_version: int | None
) -> MedicationOrder:
    order = queries.order_in(pa, order_id, lock=True)
    _expect_version(order, expected_version)
    to = TRANSITIONS[action].get(order.status)
    if to is None:
        raise DomainError(
            _("En ordination med status %(s)s kan inte %(a)s.")
            % {
                "s": order.get_status_display().lower(),
                "a": {"pause": _("pausas"), "resume": _("återupptas"), "discontinue": _("sättas ut")}[action],
            },
            code="transition",
        )
    now = timezone.now()
    order.status = to
    order.version += 1
    order.updated_at = now
    if to == Status.DISCONTINUED:
        order.discontinued_reason = reason
        order.discontinued_at = now
        # Valid prescriptions of a discontinued order are withdrawn (makuleras), and the
        # national service is told through the outbox in this same transaction.
        for rx in Prescription.objects.filter(order=order, status=Prescription.Status.ACTIVE).select_for_update():
            rx.status = Prescription.Status.CANCELLED
            rx.save(update_fields=["status"])
            outbox.enqueue(
                channel=CHANNEL,
                key=f"erecept-makulera:{rx.pk}",
                obj=rx,
                patient=pa.patient,
                payload={
                    "action": "makulera",
                    "prescription_id": rx.pk,
                    "original_key": f"erecept:{rx.idempotency_key}",
                    "reason": reason,
                    "prescriber": {"hsa_id": actor.staff.hsa_id or "", "code": rx.prescriber_code},
                },
            )
    order.save()
    _snapshot(order, kind=_KIND[action], actor=actor, reason=reason)
    audit.record(actor, f"lakemedel.order.{action}", patient=pa, obj=order, reason=reason, detail={"version": order.version})
    return order


def order_pause(
    *, actor: Actor, patient_id: int | str, order_id: int | str, reason: str = "", expected_version: int | None = None
) -> MedicationOrder:
    return _order_transition(
        actor=actor, patient_id=patient_id, order_id=order_id, action="pause", reason=reason, expected_version=expected_version
    )


def order_resume(
    *, actor: Actor, patient_id: int | str, order_id: int | str, reason: str = "", expected_version: int | None = None
) -> MedicationOrder:
    return _order_transition(
        actor=actor, patient_id=patient_id, order_id=order_id, action="resume", reason=reason, expected_version=expected_version
    )


def order_discontinue(
    *, actor: Actor, patient_id: int | str, order_id: int | str, reason: str, expected_version: int | None = None
) -> MedicationOrder:
    return _order_transition(
        actor=actor,
        patient_id=patient_id,
        order_id=order_id,
        action="discontinue",
        reason=reason,
        expected_version=expected_version,
    )


def medication_review_record(*, actor: Actor, patient_id: int | str, note: str = "") -> MedicationReview:
    require_prescriber(actor)
    return _write(actor, patient_id, "lakemedel.review", lambda pa: _review_record(pa, actor, note))


def _review_record(pa: PatientAccess, actor: Actor, note: str) -> MedicationReview:
    review = MedicationReview.objects.create(
        patient=pa.patient, unit_id=_unit_id(actor), reviewed_by=actor.staff, note=(note or "").strip()
    )
    audit.record(actor, "lakemedel.review", patient=pa, obj=review)
    return review


# --- Prescriptions -------------------------------------------------------------


def clean_key(key: str | None) -> str:
    """The form's idempotency key; a fresh one when the caller sent none."""
    key = (key or "").strip()
    if not key:
        return uuid.uuid4().hex
    if not KEY_RE.match(key):
        raise DomainError(_("Ogiltig idempotensnyckel."), field="idempotency_key")
    return key


def _payload(rx: Prescription, order: MedicationOrder, pa: PatientAccess, actor: Actor) -> dict[str, Any]:
    p = pa.patient
    return {
        "prescription_id": rx.pk,
        "patient": {"identifier": p.identifier, "given_name": p.given_name, "family_name": p.family_name},
        "product": {
            "npl_id": rx.product.npl_id,
            "name": rx.product.name,
            "strength": rx.product.strength,
            "form": rx.product.form,
            "atc_code": rx.product.atc_code,
        },
        "dosage": rx.dosage_text,
        "indication": order.indication,
        "packages": rx.packages,
        "package_size": rx.package_size,
        "dispensings": rx.dispensings,
        "interval_days": rx.interval_days,
        "valid_until": rx.valid_until.isoformat(),
        "pharmacy_message": rx.pharmacy_message,
        "prescriber": {"hsa_id": actor.staff.hsa_id or "", "name": str(actor.staff), "code": rx.prescriber_code},
        "unit": {"hsa_id": actor.unit.hsa_id if actor.unit else "", "name": actor.unit.name if actor.unit else ""},
        "renewal_of": rx.renewed_from_id,
    }


def _send(new: list[tuple[Prescription, MedicationOrder]], pa: PatientAccess, actor: Actor) -> None:
    """Queue new prescriptions for the national service: one outbox row each, in
    the caller's transaction, delivered after commit. Sets `rx.outbox`; the caller
    saves it."""
    for rx, order in new:
        rx.outbox = outbox.enqueue(
            channel=CHANNEL,
            key=f"erecept:{rx.idempotency_key}",
            obj=rx,
            payload=_payload(rx, order, pa, actor),
            patient=pa.patient_id,
        )


@dataclass(frozen=True)
class PrescriptionInput:
    packages: int
    package_size: int | None = None
    dispensings: int = 1
    interval_days: int | None = None
    valid_until: dt.date | None = None
    pharmacy_message: str = ""


def _clean_rx(data: PrescriptionInput, product: Product) -> dict[str, Any]:
    today = timezone.localdate()
    sizes = [int(s) for s in (product.package_sizes or [])]
    size = data.package_size or (sizes[0] if sizes else None)
    if not size or (sizes and size not in sizes):
        raise DomainError(
            _("Välj en förpackningsstorlek som finns för produkten (%(s)s).") % {"s": ", ".join(str(s) for s in sizes)},
            field="package_size",
        )
    if not data.packages or data.packages < 1 or data.packages > 99:
        raise DomainError(_("Antal förpackningar ska vara mellan 1 och 99."), field="packages")
    if not data.dispensings or data.dispensings < 1 or data.dispensings > MAX_DISPENSINGS:
        raise DomainError(_("Antal uttag ska vara mellan 1 och %(n)s.") % {"n": MAX_DISPENSINGS}, field="dispensings")
    interval = data.interval_days
    if data.dispensings > 1 and not interval:
        raise DomainError(_("Ange expeditionsintervall (dagar) när receptet har flera uttag."), field="interval_days")
    if interval is not None and (interval < 1 or interval > 365):
        raise DomainError(_("Expeditionsintervallet ska vara 1–365 dagar."), field="interval_days")
    valid_until = data.valid_until or today + dt.timedelta(days=365)
    if valid_until <= today:
        raise DomainError(_("Giltighetstiden måste sluta efter i dag."), field="valid_until")
    if valid_until > today + dt.timedelta(days=MAX_VALIDITY_DAYS):
        raise DomainError(_("Ett recept kan gälla högst ett år."), field="valid_until")
    msg = (data.pharmacy_message or "").strip()
    if len(msg) > 500:
        raise DomainError(_("Meddelandet till apoteket får vara högst 500 tecken."), field="pharmacy_message")
    return {
        "packages": data.packages,
        "package_size": size,
        "dispensings": data.dispensings,
        "interval_days": interval,
        "valid_until": valid_until,
        "pharmacy_message": msg,
    }


def prescription_create(
    *, actor: Actor, patient_id: int | str, order_id: int | str, data: PrescriptionInput, idempotency_key: str | None = None
) -> Prescription:
    """E-recept from an ordination, in one step. The outbox row is written in
    the same transaction as the prescription; delivery happens after commit."""
    code = require_prescriber(actor)
    key = f"p:{clean_key(idempotency_key)}"
    return _write(
        actor,
        patient_id,
        "lakemedel.prescribe",
        lambda pa: _prescription_create(pa, actor, code, key, order_id, data),
        obj=order_id,
    )


def _prescription_create(
    pa: PatientAccess, actor: Actor, code: str, key: str, order_id: int | str, data: PrescriptionInput
) -> Prescription:
    # Lock the order first: a double submit waits here and then finds the first one's prescription.
    order = queries.order_in(pa, order_id, lock=True, related=("product",))
    existing = Prescription.objects.filter(idempotency_key=key).first()
    if existing is not None:
        if existing.order_id != order.pk:
            raise Conflict(_("Idempotensnyckeln används redan för ett annat recept."))
        return existing
    if not order.can_prescribe():
        raise DomainError(
            _("Ordinationen är %(s)s och kan inte förskrivas.") % {"s": order.get_status_display().lower()}, code="transition"
        )
    fields = _clean_rx(data, order.product)
    rx = Prescription.objects.create(
        order=order,
        patient_id=order.patient_id,
        unit_id=_unit_id(actor),
        product=order.product,
        prescriber=actor.staff,
        prescriber_code=code,
        dosage_text=order.dosage_text,
        idempotency_key=key,
        **fields,
    )
    _send([(rx, order)], pa, actor)
    Prescription.objects.filter(pk=rx.pk).update(outbox=rx.outbox)
    audit.record(
        actor,
        "lakemedel.prescribe",
        patient=pa,
        obj=rx,
        detail={"order": order.pk, "packages": rx.packages, "dispensings": rx.dispensings},
    )
    return rx


def prescriptions_renew(
    *, actor: Actor, patient_id: int | str, prescription_ids: list[int] | list[str], idempotency_key: str | None = None
) -> list[Prescription]:
    """Renew one or many prescriptions in one act. The same form key renews
    each prescription at most once (a double click returns the first result)."""
    code = require_prescriber(actor)
    base_key = clean_key(idempotency_key)
    try:
        ids = sorted({int(i) for i in prescription_ids})
    except (TypeError, ValueError):
        raise DomainError(_("Ogiltigt urval av recept."), field="prescriptions")
    if not ids:
        raise DomainError(_("Välj minst ett recept att förnya."), field="prescriptions")
    return _write(actor, patient_id, "lakemedel.renew", lambda pa: _renew(pa, actor, code, base_key, ids))


def _renew(pa: PatientAccess, actor: Actor, code: str, base_key: str, ids: list[int]) -> list[Prescription]:
    # Row locks in id order: a double click waits here instead of renewing twice.
    sources = list(
        pa.filter(Prescription.objects.filter(pk__in=ids))
        .select_for_update(of=("self",))
        .select_related("order", "product")
        .order_by("pk")
    )
    if len(sources) != len(ids):
        raise NotFound()
    keys = {rx.pk: f"r:{base_key}:{rx.pk}" for rx in sources}
    done: dict[int | None, Prescription] = {}
    if any(src.status != Prescription.Status.ACTIVE for src in sources):
        # A renewal sets its source to renewed in the same transaction, and the lock above
        # reads the latest committed row: only a source that is no longer active can have
        # been renewed already with this form's key (the double click).
        done = {r.renewed_from_id: r for r in Prescription.objects.filter(idempotency_key__in=list(keys.values()))}
    todo = [src for src in sources if src.pk not in done]
    # Every refusal comes before the first write: a selection is renewed whole or not at all.
    for src in todo:
        if src.status != Prescription.Status.ACTIVE:
            raise DomainError(
                _("Receptet på %(p)s är redan %(s)s.") % {"p": src.product, "s": src.get_status_display().lower()},
                field="prescriptions",
                code="transition",
            )
        if not src.order.can_prescribe():
            raise DomainError(
                _("Ordinationen för %(p)s är %(s)s och kan inte förnyas.")
                % {"p": src.product, "s": src.order.get_status_display().lower()},
                code="transition",
            )
    renewed: dict[int, Prescription] = {}
    if todo:
        valid_until = timezone.localdate() + dt.timedelta(days=365)
        unit_id = _unit_id(actor)
        new = Prescription.objects.bulk_create(
            [
                Prescription(
                    order=src.order,
                    patient_id=src.patient_id,
                    unit_id=unit_id,
                    product=src.product,
                    prescriber=actor.staff,
                    prescriber_code=code,
                    dosage_text=src.order.dosage_text,
                    packages=src.packages,
                    package_size=src.package_size,
                    dispensings=src.dispensings,
                    interval_days=src.interval_days,
                    valid_until=valid_until,
                    pharmacy_message=src.pharmacy_message,
                    renewed_from=src,
                    idempotency_key=keys[src.pk],
                )
                for src in todo
            ]
        )
        for src in todo:
            src.status = Prescription.Status.RENEWED
        _send([(rx, src.order) for rx, src in zip(new, todo, strict=True)], pa, actor)
        # One UPDATE for the sources' status and the new prescriptions' outbox link. Every
        # row's both fields are current in memory: the sources are locked, the others new.
        Prescription.objects.bulk_update([*todo, *new], ["status", "outbox"])
        renewed = {rx.renewed_from_id: rx for rx in new}  # type: ignore[misc]
    out = [done[src.pk] if src.pk in done else renewed[src.pk] for src in sources]
    audit.record(
        actor,
        "lakemedel.renew",
        patient=pa,
        obj=out[0] if len(out) == 1 else None,
        detail={"renewed": {str(r.renewed_from_id): r.pk for r in out}},
    )
    return out


def prescription_receipt_store(*, outbox_row: Outbox, receipt: dict[str, Any]) -> None:
    """Called by the delivery handler (outside any transaction) when the national
    service has answered; idempotent."""
    if outbox_row.object_type != "lakemedel.prescription" or outbox_row.payload.get("action") == "makulera":
        return
    Prescription.objects.filter(pk=int(outbox_row.object_id)).update(
        receipt_id=str(receipt.get("receipt_id", ""))[:100], sent_at=timezone.now()
    )


def simulated_receive(*, key: str, payload: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The local simulated national service: stores the message once per key."""
    from lakemedel.models import SimulatedEreceptMessage

    if not key:
        raise DomainError("Idempotency-Key saknas.")
    with transaction.atomic():
        try:
            with transaction.atomic():
                msg = SimulatedEreceptMessage.objects.create(
                    idempotency_key=key[:100], receipt_id=f"SIM-{uuid.uuid4().hex[:12].upper()}", payload=payload
                )
            duplicate = False
        except IntegrityError:
            msg = SimulatedEreceptMessage.objects.select_for_update().get(idempotency_key=key[:100])
            msg.times_received += 1
            msg.save(update_fields=["times_received"])
            duplicate = True
    return {
        "receipt_id": msg.receipt_id,
        "status": "mottaget",
        "received_at": msg.received_at.isoformat(),
        "duplicate": duplicate,
    }, duplicate


def order_input_from(order: MedicationOrder) -> OrderInput:
    return OrderInput(
        product_id=order.product_id,
        dose=order.dose,
        dose_unit=order.dose_unit,
        frequency=order.frequency,
        times=order.times,
        period=order.period,
        prn_max_per_day=order.prn_max_per_day,
        route=order.route,
        indication=order.indication,
        start_date=order.start_date,
        planned_end_date=order.planned_end_date,
    )
