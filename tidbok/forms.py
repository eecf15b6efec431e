"""Forms of the tidbok pages: real labels, Swedish errors."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tidbok.models import Resource, ScheduleException, SlotType, WaitlistEntry

REQUIRED = {"required": _("Fältet måste fyllas i.")}


class SearchForm(forms.Form):
    slot_type = forms.ChoiceField(label=_("Tidstyp"), required=False, choices=[("", _("Alla"))] + list(SlotType.choices))
    resource = forms.TypedChoiceField(label=_("Resurs"), required=False, coerce=int, empty_value=None)
    day = forms.DateField(
        label=_("Datum"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Ange datumet som ÅÅÅÅ-MM-DD.")},
    )

    def __init__(self, *args: object, resources: list[Resource], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["resource"].choices = [("", _("Alla"))] + [(r.pk, r.name) for r in resources]  # type: ignore[attr-defined]


class BookForm(forms.Form):
    identifier = forms.CharField(
        label=_("Patientens personnummer"), max_length=20, required=False, help_text=_("ÅÅÅÅMMDD-NNNN eller samordningsnummer")
    )
    note = forms.CharField(label=_("Kommentar (besöksorsak)"), max_length=500, required=False)


class CancelForm(forms.Form):
    by = forms.ChoiceField(
        label=_("Vem avbokar"),
        widget=forms.RadioSelect,
        initial="patient",
        choices=[("patient", _("Patienten lämnar återbud")), ("unit", _("Enheten avbokar"))],
        error_messages=REQUIRED,
    )
    reason = forms.CharField(label=_("Orsak"), max_length=500, error_messages={"required": _("Ange en orsak till avbokningen.")})


class WaitlistForm(forms.Form):
    priority = forms.ChoiceField(label=_("Prioritet"), choices=WaitlistEntry.Priority.choices, initial="three_months")
    due_by = forms.DateField(
        label=_("Ska ha fått tid senast"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Ange ett datum."), "invalid": _("Ange datumet som ÅÅÅÅ-MM-DD.")},
    )
    note = forms.CharField(label=_("Kommentar"), max_length=500, required=False)

    def clean_due_by(self) -> dt.date:
        value: dt.date = self.cleaned_data["due_by"]
        if value < timezone.localdate():
            raise forms.ValidationError(_("Datumet kan inte ligga i det förflutna."))
        return value


class RemoveForm(forms.Form):
    reason = forms.CharField(
        label=_("Orsak"), max_length=300, error_messages={"required": _("Ange varför patienten tas bort från väntelistan.")}
    )


class ResourceForm(forms.Form):
    name = forms.CharField(label=_("Namn"), max_length=200, error_messages=REQUIRED)
    kind = forms.ChoiceField(label=_("Typ"), choices=Resource.Kind.choices)


class TemplateForm(forms.Form):
    resource = forms.TypedChoiceField(label=_("Resurs"), coerce=int, error_messages=REQUIRED)
    weekday = forms.TypedChoiceField(
        label=_("Veckodag"),
        coerce=int,
        choices=[
            (0, _("måndag")),
            (1, _("tisdag")),
            (2, _("onsdag")),
            (3, _("torsdag")),
            (4, _("fredag")),
            (5, _("lördag")),
            (6, _("söndag")),
        ],
    )
    start_time = forms.TimeField(
        label=_("Från klockan"),
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={"required": _("Ange en tid."), "invalid": _("Ange tiden som TT:MM.")},
    )
    end_time = forms.TimeField(
        label=_("Till klockan"),
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={"required": _("Ange en tid."), "invalid": _("Ange tiden som TT:MM.")},
    )
    slot_type = forms.ChoiceField(label=_("Tidstyp"), choices=SlotType.choices)
    slot_minutes = forms.IntegerField(label=_("Längd (minuter)"), initial=30, min_value=5, max_value=480)

    def __init__(self, *args: object, resources: list[Resource], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["resource"].choices = [(r.pk, r.name) for r in resources]  # type: ignore[attr-defined]


class ExceptionForm(forms.Form):
    resource = forms.TypedChoiceField(label=_("Resurs"), coerce=int, required=False, empty_value=None)
    kind = forms.ChoiceField(label=_("Typ"), choices=ScheduleException.Kind.choices)
    starts_at = forms.DateTimeField(
        label=_("Från"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        error_messages={"required": _("Ange en tidpunkt."), "invalid": _("Ange datum och tid.")},
    )
    ends_at = forms.DateTimeField(
        label=_("Till"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        error_messages={"required": _("Ange en tidpunkt."), "invalid": _("Ange datum och tid.")},
    )
    reason = forms.CharField(label=_("Anledning"), max_length=200, required=False)

    def __init__(self, *args: object, resources: list[Resource], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["resource"].choices = [("", _("Hela enheten"))] + [(r.pk, r.name) for r in resources]  # type: ignore[attr-defined]


class GenerateForm(forms.Form):
    weeks = forms.IntegerField(label=_("Antal veckor framåt"), initial=12, min_value=1, max_value=104)
