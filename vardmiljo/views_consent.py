"""Consent (samtycke) and blocks (spärr): recorded on the patient's request."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vardmiljo import services
from vardmiljo.errors import DomainError, NotFound, PermissionDenied
from vardmiljo.queries import consent_and_blocks
from vardmiljo.web import actor_required, form_error, get_actor


class ConsentForm(forms.Form):
    valid_until = forms.DateField(label=_("Samtycket gäller till och med"), widget=forms.DateInput(attrs={"type": "date"}))


class BlockForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("Vårdenhet vars uppgifter ska spärras"), coerce=int)
    patient_request = forms.CharField(label=_("Patientens begäran"), widget=forms.TextInput)


class LiftForm(forms.Form):
    block_id = forms.IntegerField(widget=forms.HiddenInput)
    patient_request = forms.CharField(label=_("Patientens begäran om hävning"), widget=forms.TextInput)


@actor_required
def consent_page(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = get_actor(request)
    try:
        pa, consents, blocks, units = consent_and_blocks(actor, patient_id)
    except NotFound:
        return render(request, "vardmiljo/no_access.html", {"patient_id": patient_id}, status=404)
    consent_form = ConsentForm(
        request.POST if request.POST.get("form") == "consent" else None,
        initial={"valid_until": (timezone.localdate() + dt.timedelta(days=365)).isoformat()},
    )
    block_form = BlockForm(request.POST if request.POST.get("form") == "block" else None)
    unit_field: forms.TypedChoiceField = block_form.fields["unit"]  # type: ignore[assignment]
    unit_field.choices = [(u.pk, f"{u.name} ({u.provider.name})") for u in units]
    lift_form = LiftForm(request.POST if request.POST.get("form") == "lift" else None)
    if request.method == "POST":
        try:
            if consent_form.is_bound and consent_form.is_valid():
                until = dt.datetime.combine(
                    consent_form.cleaned_data["valid_until"], dt.time.max, tzinfo=timezone.get_current_timezone()
                )
                services.consent_record(actor=actor, patient_id=patient_id, valid_until=until)
                return redirect("consent_page", patient_id=patient_id)
            if block_form.is_bound and block_form.is_valid():
                services.block_set(
                    actor=actor,
                    patient_id=patient_id,
                    unit_id=block_form.cleaned_data["unit"],
                    patient_request=block_form.cleaned_data["patient_request"],
                )
                return redirect("consent_page", patient_id=patient_id)
            if lift_form.is_bound and lift_form.is_valid():
                services.block_lift(
                    actor=actor,
                    block_id=lift_form.cleaned_data["block_id"],
                    patient_request=lift_form.cleaned_data["patient_request"],
                )
                return redirect("consent_page", patient_id=patient_id)
        except DomainError as exc:
            form_error(consent_form if consent_form.is_bound else block_form if block_form.is_bound else lift_form, exc)
        except PermissionDenied as exc:
            return render(request, "vardmiljo/forbidden.html", {"message": str(exc)}, status=403)
    return render(
        request,
        "vardmiljo/consent.html",
        {
            "pa": pa,
            "patient": pa.patient,
            "consents": consents,
            "blocks": blocks,
            "consent_form": consent_form,
            "block_form": block_form,
            "may_set_block": bool(units),
            "now": timezone.now(),
        },
    )
