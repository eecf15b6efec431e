"""Every read of läkemedel data. Patient data starts with patient_access()
(which decides and logs); the catalogue is not patient data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lakemedel.dosage import render_dosage
from lakemedel.models import (
    MedicationOrder,
    MedicationOrderVersion,
    MedicationReview,
    Prescription,
    Product,
    SafetyAlert,
)
from vardmiljo import db
from vardmiljo.access import PatientAccess, patient_access
from vardmiljo.actor import Actor
from vardmiljo.errors import DomainError, NotFound
from vardmiljo.models import Outbox, Staff
from vardmiljo.queries import RowFilter, page_rows

SEARCH_LIMIT = 20
PANEL_LIMIT = 12
LIST_LIMIT = 200


# --- Catalogue -----------------------------------------------------------------


def product_search(query: str, limit: int = SEARCH_LIMIT) -> list[Product]:
    """Prefix search on name, substance or ATC code, as you type."""
    q = (query or "").strip()
    if len(q) < 2:
        return []
    up = q.upper()
    qs = Product.objects.filter(active=True).alias(_n=Upper("name"), _s=Upper("substance"))
    cond = Q(_n__startswith=up) | Q(_s__startswith=up)
    if up[0].isalpha() and (len(up) == 1 or up[1:3].isdigit()):
        cond |= Q(atc_code__startswith=up)
    return list(qs.filter(cond).order_by("name", "strength")[:limit])


def product_get(product_id: int | str | None) -> Product:
    try:
        pk = int(product_id)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise DomainError(_("Välj ett läkemedel ur produktregistret."), field="product")
    product = Product.objects.filter(pk=pk, active=True).first()
    if product is None:
        raise DomainError(_("Okänt läkemedel: produkten finns inte i produktregistret."), field="product")
    return product


def product_by_npl(npl_id: str) -> Product:
    product = Product.objects.filter(npl_id=(npl_id or "").strip(), active=True).first()
    if product is None:
        raise DomainError(_("Okänt läkemedel: NPL-id %(n)s finns inte i produktregistret.") % {"n": npl_id}, field="product")
    return product


# --- Medication list -------------------------------------------------------------


def access_for(actor: Actor, patient_id: int | str, *, action: str) -> PatientAccess:
    return patient_access(actor, patient_id, action=action)


def _active_rx() -> Prefetch:
    return Prefetch(
        "prescriptions",
        queryset=Prescription.objects.filter(status=Prescription.Status.ACTIVE).select_related("outbox").order_by("-created_at"),
        to_attr="active_prescriptions",
    )


def orders_qs(pa: PatientAccess) -> QuerySet[MedicationOrder]:
    return pa.filter(MedicationOrder.objects.all()).select_related("product", "prescriber")


@dataclass
class MedicationList:
    pa: PatientAccess
    current: list[MedicationOrder]
    past: list[MedicationOrder] = field(default_factory=list)
    review: MedicationReview | None = None
    current_total: int = 0


def latest_review(pa: PatientAccess) -> MedicationReview | None:
    return pa.filter(MedicationReview.objects.select_related("reviewed_by")).order_by("-reviewed_at").first()


def medication_list(
    actor: Actor, patient_id: int | str, *, include_past: bool = False, action: str = "lakemedel.list.read"
) -> MedicationList:
    pa = patient_access(actor, patient_id, action=action)
    return medication_list_for(pa, include_past=include_past)


def medication_list_for(pa: PatientAccess, *, include_past: bool = False, limit: int = LIST_LIMIT) -> MedicationList:
    base = orders_qs(pa)
    current = list(
        base.exclude(status=MedicationOrder.Status.DISCONTINUED)
        .prefetch_related(_active_rx())
        .order_by("product__name", "pk")[:limit]
    )
    past: list[MedicationOrder] = []
    if include_past:
        past = list(base.filter(status=MedicationOrder.Status.DISCONTINUED).order_by("-discontinued_at")[:limit])
    return MedicationList(pa=pa, current=current, past=past, review=latest_review(pa), current_total=len(current))


def panel_context(pa: PatientAccess) -> dict[str, Any]:
    """The medication panel on the patient overview: bounded (latest N + "visa alla").
    Every overview runs it, so it is read in SQL (filtered with PatientAccess.sql()), in
    one query: the latest review, and the current orders as the columns shown, one row
    each (one row of NULLs when there are none). The template gets ready-made strings."""
    o_cond, o_params = pa.sql(MedicationOrder, "o")
    r_cond, r_params = pa.sql(MedicationReview, "r")
    found = db.rows(
        f"""SELECT rv.reviewed_at, rv.first_name, rv.last_name, rv.username,
                   cur.id, cur.name, cur.strength, cur.dose, cur.dose_unit, cur.frequency, cur.times, cur.period,
                   cur.prn_max_per_day, cur.status
            FROM (SELECT 1) AS one
            LEFT JOIN LATERAL (
                SELECT r.reviewed_at, s.first_name, s.last_name, s.username
                FROM {MedicationReview._meta.db_table} r JOIN {Staff._meta.db_table} s ON s.id = r.reviewed_by_id
                WHERE {r_cond}
                ORDER BY r.reviewed_at DESC LIMIT 1
            ) rv ON true
            LEFT JOIN LATERAL (
                SELECT o.id, p.name, p.strength, o.dose, o.dose_unit, o.frequency, o.times, o.period,
                       o.prn_max_per_day, o.status
                FROM {MedicationOrder._meta.db_table} o JOIN {Product._meta.db_table} p ON p.id = o.product_id
                WHERE {o_cond} AND o.status = ANY(%s)
                ORDER BY p.name, o.id LIMIT %s
            ) cur ON true
            ORDER BY cur.name, cur.id""",
        [*r_params, *o_params, [MedicationOrder.Status.ACTIVE, MedicationOrder.Status.PAUSED], PANEL_LIMIT + 1],
    )
    current = [r for r in found if r["id"] is not None]
    orders = [
        {
            "label": f"{r['name']} {r['strength']}",
            "dosage": render_dosage(r["dose"], r["dose_unit"], r["frequency"], r["times"], r["period"], r["prn_max_per_day"]),
            "paused": r["status"] == MedicationOrder.Status.PAUSED,
        }
        for r in current[:PANEL_LIMIT]
    ]
    first = found[0]
    review: dict[str, Any] | None = None
    if first["reviewed_at"] is not None:
        # As str(Staff): the full name, else the user name.
        name = f"{first['first_name']} {first['last_name']}".strip() or first["username"]
        review = {"reviewed_at": first["reviewed_at"], "reviewed_by": name}
    return {
        "orders": orders,
        "more": len(current) > PANEL_LIMIT,
        "review": review,
        "patient_id": pa.patient_id,
        "list_url": reverse("lakemedel:list", args=[pa.patient_id]),
    }


def order_for(
    actor: Actor, patient_id: int | str, order_id: int | str, *, action: str, write: bool = False, lock: bool = False
) -> tuple[PatientAccess, MedicationOrder]:
    pa = patient_access(actor, patient_id, action=action, obj=_Ref("lakemedel.medicationorder", order_id), write=write)
    return pa, order_in(pa, order_id, lock=lock)


def order_in(
    pa: PatientAccess, order_id: int | str, *, lock: bool = False, related: tuple[str, ...] = ("product", "prescriber")
) -> MedicationOrder:
    try:
        pk = int(order_id)
    except (TypeError, ValueError):
        raise NotFound()
    qs = pa.filter(MedicationOrder.objects.all()).select_related(*related)
    if lock:
        qs = qs.select_for_update(of=("self",))
    order = qs.filter(pk=pk).first()
    if order is None:
        raise NotFound()
    return order


def order_history(
    actor: Actor, patient_id: int | str, order_id: int | str
) -> tuple[PatientAccess, MedicationOrder, list[MedicationOrderVersion]]:
    pa, order = order_for(actor, patient_id, order_id, action="lakemedel.order.history")
    versions = list(
        MedicationOrderVersion.objects.filter(order=order)
        .select_related("product", "changed_by", "prescriber")
        .order_by("-version")
    )
    return pa, order, versions


def alerts_of_order(pa: PatientAccess, order: MedicationOrder) -> list[SafetyAlert]:
    return list(pa.filter(SafetyAlert.objects.filter(order=order)).select_related("recorded_by").order_by("-version", "pk"))


def prescriptions_of_order(pa: PatientAccess, order: MedicationOrder, limit: int = 20) -> list[Prescription]:
    return list(
        pa.filter(Prescription.objects.filter(order=order)).select_related("prescriber", "outbox").order_by("-created_at")[:limit]
    )


def handout(actor: Actor, patient_id: int | str) -> MedicationList:
    """The medication list for printing; recorded in the access log as a print."""
    return medication_list(actor, patient_id, action="lakemedel.print")


# --- Worklist ------------------------------------------------------------------

FAILED = (Outbox.Status.FAILED, Outbox.Status.DEAD)


def _needs_attention_q() -> Q:
    """Failed or dead, or still queued after OUTBOX_STUCK_MINUTES (e.g. no endpoint configured)."""
    from django.conf import settings

    stuck = timezone.now() - dt.timedelta(minutes=settings.OUTBOX_STUCK_MINUTES)
    return Q(outbox__status__in=FAILED) | Q(outbox__status=Outbox.Status.QUEUED, outbox__created_at__lt=stuck)


def failed_prescriptions_count(actor: Actor) -> int:
    """The prescriber's prescriptions that the national service has not accepted."""
    if actor.assignment is None:
        return 0
    return Prescription.objects.filter(_needs_attention_q(), prescriber=actor.staff).count()


def failed_prescriptions(actor: Actor, limit: int = 100) -> list[Prescription]:
    if actor.assignment is None:
        return []
    return list(
        Prescription.objects.filter(_needs_attention_q(), prescriber=actor.staff)
        .select_related("product", "patient", "outbox")
        .order_by("-created_at")[:limit]
    )


class _Ref:
    """An object reference for the access log before the object is loaded."""

    def __init__(self, label: str, pk: object) -> None:
        class _Meta:
            label_lower = label

        self._meta = _Meta
        self.pk = pk


# --- Reads for other channels (the FHIR API) --------------------------------


def order_by_id(actor: Actor, order_id: int | str, *, action: str) -> tuple[PatientAccess, MedicationOrder]:
    """One medication order by its id alone: its patient is decided (and the read logged)
    first; absent and not readable answer the same."""
    try:
        pk = int(order_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 0 < pk < 2**63:
        raise NotFound()
    patient_id = MedicationOrder.objects.filter(pk=pk).values_list("patient_id", flat=True).first()
    if patient_id is None:
        raise NotFound()
    return order_for(actor, patient_id, pk, action=action)


def orders_page(pa: PatientAccess, f: RowFilter) -> tuple[list[MedicationOrder], int]:
    """A page of the patient's medication orders (current and past), by ATC code and status."""
    return page_rows(orders_qs(pa), f, date_field="created_at", code_field="atc_code", status_field="status")
