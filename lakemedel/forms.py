"""Browser forms. They only parse; the rules live in services (one place)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lakemedel.dosage import ROUTES, UNITS
from lakemedel.models import Frequency, Period


class OrderForm(forms.Form):
    dose = forms.CharField(
        label=_("Dos"), required=False, max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6})
    )
    dose_unit = forms.ChoiceField(label=_("Enhet"), required=False, choices=[("", _("– välj enhet –"))] + [(u, u) for u in UNITS])
    frequency = forms.ChoiceField(
        label=_("Dosering"), choices=Frequency.choices, initial=Frequency.REGULAR, widget=forms.RadioSelect
    )
    times = forms.IntegerField(
        label=_("Antal gånger (regelbundet)"),
        required=False,
        min_value=1,
        max_value=99,
        widget=forms.NumberInput(attrs={"size": 4}),
    )
    period = forms.ChoiceField(
        label=_("Per"), choices=[(Period.DAY, _("dygn (dagligen)")), (Period.WEEK, _("vecka"))], initial=Period.DAY
    )
    prn_max_per_day = forms.IntegerField(
        label=_("Högst antal per dygn (vid behov)"),
        required=False,
        min_value=1,
        max_value=99,
        widget=forms.NumberInput(attrs={"size": 4}),
    )
    route = forms.ChoiceField(
        label=_("Administrationsväg"),
        required=False,
        choices=[("", _("– enligt produkt –"))] + [(k, f"{k} ({v})") for k, v in ROUTES.items()],
    )
    indication = forms.CharField(label=_("Indikation"), required=False, max_length=200)
    start_date = forms.DateField(label=_("Startdatum"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    planned_end_date = forms.DateField(
        label=_("Planerat slutdatum"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    override_reason = forms.CharField(
        label=_("Skäl att ordinera trots allvarlig varning"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Fylls i bara om en allvarlig varning visas. Skälet sparas."),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ChangeForm(OrderForm):
    reason = forms.CharField(label=_("Skäl för ändringen"), required=False, max_length=500)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Skäl"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class DiscontinueForm(ReasonForm):
    reason = forms.CharField(
        label=_("Skäl för utsättning"),
        required=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Ange skäl för utsättningen.")},
    )


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=_("Kommentar till läkemedelsgenomgången"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def _year_ahead() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=365)


class PrescriptionForm(forms.Form):
    packages = forms.IntegerField(
        label=_("Antal förpackningar"),
        min_value=1,
        max_value=99,
        initial=1,
        error_messages={"required": _("Ange antal förpackningar.")},
    )
    package_size = forms.TypedChoiceField(label=_("Förpackningsstorlek"), coerce=int, choices=[])
    dispensings = forms.IntegerField(label=_("Antal uttag"), min_value=1, max_value=12, initial=1)
    interval_days = forms.IntegerField(label=_("Expeditionsintervall (dagar)"), required=False, min_value=1, max_value=365)
    valid_until = forms.DateField(label=_("Giltigt till"), initial=_year_ahead, widget=forms.DateInput(attrs={"type": "date"}))
    pharmacy_message = forms.CharField(
        label=_("Meddelande till apoteket"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: object, sizes: list[int] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if sizes is None:
            # Parsing a POST before the order is loaded: the service checks the size against the product.
            self.fields["package_size"] = forms.IntegerField(label=_("Förpackningsstorlek"), min_value=1)
        else:
            self.fields["package_size"].choices = [(s, f"{s} st") for s in sizes]  # type: ignore[attr-defined]
