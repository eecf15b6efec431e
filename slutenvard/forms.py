"""Forms of the ward pages: real labels, Swedish errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from slutenvard.models import Bed, Stay

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_ERR = {"invalid": _("Ange datumet som ÅÅÅÅ-MM-DD.")}
DATETIME_ERR = {"invalid": _("Ange datum och klockslag.")}


def _choices(rows: list[Any], label: Any = str, empty: Any = None) -> list[tuple[Any, str]]:
    out: list[tuple[Any, str]] = [("", str(empty))] if empty is not None else []
    return out + [(r.pk, label(r)) for r in rows]


def bed_label(b: Bed) -> str:
    return f"{b.ward.short_name or b.ward.unit.name}: {b.label} ({_('sal')} {b.room})"


class AdmitForm(forms.Form):
    identifier = forms.CharField(label=_("Patientens personnummer"), max_length=20, required=False)
    ward = forms.TypedChoiceField(label=_("Avdelning"), coerce=int)
    bed = forms.TypedChoiceField(label=_("Säng"), coerce=int, required=False, empty_value=None)
    source = forms.ChoiceField(label=_("Inskriven från"), choices=Stay.Source.choices)
    reason = forms.CharField(label=_("Orsak till inskrivning"), max_length=500, required=False)
    admitted_at = forms.DateTimeField(label=_("Inskrivningstid"), required=False, widget=DATETIME, error_messages=DATETIME_ERR)
    pal = forms.TypedChoiceField(label=_("Patientansvarig läkare (PAL)"), coerce=int, required=False, empty_value=None)
    pas = forms.TypedChoiceField(label=_("Patientansvarig sjuksköterska (PAS)"), coerce=int, required=False, empty_value=None)
    expected_discharge = forms.DateField(label=_("Beräknad utskrivning"), required=False, widget=DATE, error_messages=DATE_ERR)
    plan = forms.CharField(label=_("Plan (en rad)"), max_length=200, required=False)
    primary_care_unit = forms.TypedChoiceField(label=_("Listad vårdcentral"), coerce=int, required=False, empty_value=None)

    def __init__(
        self, *args: Any, wards: list[Any], beds: list[Bed], physicians: list[Any], nurses: list[Any], units: list[Any], **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.fields["ward"].choices = _choices(wards)  # type: ignore[attr-defined]
        self.fields["bed"].choices = _choices(beds, bed_label, _("Ingen säng ännu (väntar på säng)"))  # type: ignore[attr-defined]
        self.fields["pal"].choices = _choices(physicians, empty=_("Välj senare"))  # type: ignore[attr-defined]
        self.fields["pas"].choices = _choices(nurses, empty=_("Välj senare"))  # type: ignore[attr-defined]
        self.fields["primary_care_unit"].choices = _choices(units, empty=_("Okänd"))  # type: ignore[attr-defined]


class SbarForm(forms.Form):
    situation = forms.CharField(label=_("S – Situation"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    background = forms.CharField(label=_("B – Bakgrund"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    assessment = forms.CharField(label=_("A – Aktuellt tillstånd"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    recommendation = forms.CharField(label=_("R – Rekommendation"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
