"""Safety checks at the moment of ordering. They run locally against our own
tables (and the journal's allergy list), so an outside service being down can
never silently switch them off.

Severe alerts (interaction grade D, allergy, duplicate therapy, missing
required indication) need an explicit override with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from journal.models import Allergy
from journal.queries import active_allergies
from lakemedel.models import Interaction, MedicationOrder, Product, SafetyAlert
from vardmiljo.access import PatientAccess

Kind = SafetyAlert.Kind


@dataclass(frozen=True)
class Alert:
    kind: str
    severe: bool
    text: str
    severity: str = ""

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label)


@dataclass
class CheckResult:
    alerts: list[Alert] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def severe(self) -> list[Alert]:
        return [a for a in self.alerts if a.severe]

    @property
    def needs_override(self) -> bool:
        return bool(self.severe)


def atc_prefixes(code: str) -> list[str]:
    """C09AA05 -> [C, C09, C09A, C09AA, C09AA05] (the ATC levels)."""
    code = (code or "").upper()
    return [code[:n] for n in (1, 3, 4, 5, 7) if len(code) >= n]


def _other_current_orders(pa: PatientAccess, exclude_order_id: int | None) -> list[MedicationOrder]:
    qs = pa.filter(MedicationOrder.objects.exclude(status=MedicationOrder.Status.DISCONTINUED))
    if exclude_order_id:
        qs = qs.exclude(pk=exclude_order_id)
    return list(
        qs.select_related("product").only(
            "id", "atc_code", "substance", "product__name", "product__strength", "product__form", "status"
        )
    )


def check_order(
    pa: PatientAccess,
    product: Product,
    *,
    indication: str = "",
    exclude_order_id: int | None = None,
) -> CheckResult:
    result = CheckResult()
    atc = product.atc_code.upper()
    others = _other_current_orders(pa, exclude_order_id)

    # Duplicate therapy: same ATC level 4 (chemical subgroup, 5 characters).
    for o in others:
        if len(atc) >= 5 and o.atc_code[:5].upper() == atc[:5]:
            result.alerts.append(
                Alert(
                    Kind.DUPLICATE,
                    True,
                    _("Dubbelmedicinering: patienten har redan %(o)s i samma läkemedelsgrupp (%(g)s).")
                    % {"o": o.product.label, "g": atc[:5]},
                )
            )

    # Interactions from the local table, matched on any ATC level in either direction.
    mine = atc_prefixes(atc)
    if others:
        rows = list(Interaction.objects.filter(Q(atc_a__in=mine) | Q(atc_b__in=mine)))
        seen: set[tuple[int, int]] = set()
        for row in rows:
            for own, other_code in ((row.atc_a, row.atc_b), (row.atc_b, row.atc_a)):
                if own not in mine:
                    continue
                for o in others:
                    if o.atc_code.upper().startswith(other_code) and (row.pk, o.pk) not in seen:
                        seen.add((row.pk, o.pk))
                        result.alerts.append(
                            Alert(
                                Kind.INTERACTION,
                                row.severity == Interaction.Severity.D,
                                _("Interaktion %(s)s med %(o)s: %(t)s")
                                % {"s": row.severity, "o": o.product.label, "t": row.description},
                                severity=row.severity,
                            )
                        )
        result.alerts.sort(key=lambda a: (not a.severe, a.kind != Kind.INTERACTION, -ord(a.severity) if a.severity else 0))

    # Allergy against the ATC class (or the substance name when no code is recorded).
    # The journal's allergy list is read plainly: when it cannot be read the order fails
    # with the error, it never goes through unchecked.
    for al in active_allergies(pa):
        if al.kind != Allergy.Kind.ALLERGY:
            continue  # serious conditions and infections are signals, not hypersensitivities
        code = (al.atc_code or "").upper()
        substance = (al.substance or "").strip()
        hit = (code and atc.startswith(code)) or (not code and substance and substance.lower() in product.substance.lower())
        if hit:
            sev = str(al.get_severity_display() or "").lower()
            result.alerts.insert(
                0,
                Alert(
                    Kind.ALLERGY,
                    True,
                    _("Allergi: patienten har registrerad överkänslighet mot %(s)s%(c)s%(v)s.")
                    % {"s": substance or code, "c": f" ({code})" if code else "", "v": f", {sev}" if sev else ""},
                ),
            )

    if product.requires_indication and not (indication or "").strip():
        result.alerts.append(
            Alert(Kind.INDICATION, True, _("Indikation saknas: %(p)s kräver att indikation anges.") % {"p": product.label})
        )
    return result
