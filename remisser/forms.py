"""Forms of the referral pages: real labels, Swedish errors."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from remisser.models import Priority
from vardmiljo.models import CareUnit


class SendForm(forms.Form):
    receiver_unit = forms.ModelChoiceField(
        label=_("Mottagande enhet"),
        queryset=CareUnit.objects.none(),
        empty_label=_("– välj enhet –"),
        error_messages={"required": _("Välj mottagande enhet."), "invalid_choice": _("Okänd mottagande enhet.")},
        widget=forms.Select(attrs={"data-shortcut": "alt+m", "data-autofocus": ""}),
    )
    priority = forms.ChoiceField(
        label=_("Prioritet"),
        choices=Priority.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj prioritet."), "invalid_choice": _("Okänd prioritet.")},
    )
    question = forms.CharField(
        label=_("Frågeställning"),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Skriv frågeställningen.")},
    )
    # One key per rendered form: a double click on "Skicka" sends once.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: object, units: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if units is not None:
            self.fields["receiver_unit"].queryset = units  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial["idempotency_key"] = uuid.uuid4().hex


class TriageForm(forms.Form):
    note = forms.CharField(
        label=_("Kommentar eller skäl"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Krävs för att avvisa eller begära komplettering."),
    )
    to_unit = forms.ModelChoiceField(
        label=_("Vidarebefordra till"), queryset=CareUnit.objects.none(), required=False, empty_label=_("– välj enhet –")
    )
    waitlist = forms.BooleanField(label=_("Sätt patienten på enhetens väntelista"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: object, units: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if units is not None:
            self.fields["to_unit"].queryset = units  # type: ignore[attr-defined]


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Remissvar"), widget=forms.Textarea(attrs={"rows": 8}), error_messages={"required": _("Skriv remissvaret.")}
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class SenderForm(forms.Form):
    note = forms.CharField(
        label=_("Komplettering, kommentar eller skäl"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Krävs för att makulera. Vid komplettering läggs texten till frågeställningen."),
    )
    to_unit = forms.ModelChoiceField(
        label=_("Skicka till annan enhet (valfritt)"),
        queryset=CareUnit.objects.none(),
        required=False,
        empty_label=_("– samma enhet –"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: object, units: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if units is not None:
            self.fields["to_unit"].queryset = units  # type: ignore[attr-defined]
