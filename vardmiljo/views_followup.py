"""Pages for the people who check the log: loggutdrag and loggkontroll."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from vardmiljo import followup
from vardmiljo.errors import DomainError, NotFound
from vardmiljo.models import LogReview
from vardmiljo.web import actor_required, form_error, get_actor


class ExtractForm(forms.Form):
    identifier = forms.CharField(label=_("Personnummer"), max_length=20)


@actor_required
def log_extract(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    form = ExtractForm(request.GET or None)
    patient, rows = None, None
    try:
        if form.is_bound and form.is_valid():
            patient, qs = followup.log_extract(actor, form.cleaned_data["identifier"])
            rows = list(qs[:1000])
    except DomainError as exc:
        form_error(form, exc)
    except NotFound:
        form.add_error("identifier", _("Ingen patient med det personnumret."))
    except PermissionDenied as exc:
        return render(request, "vardmiljo/forbidden.html", {"message": str(exc)}, status=403)
    return render(request, "vardmiljo/log_extract.html", {"form": form, "patient": patient, "rows": rows})


class ReviewForm(forms.Form):
    access_log_id = forms.IntegerField(widget=forms.HiddenInput)
    verdict = forms.ChoiceField(label=_("Bedömning"), choices=LogReview.Verdict.choices)
    comment = forms.CharField(label=_("Kommentar"), required=False, widget=forms.TextInput)


@actor_required
def log_review(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    error = ""
    try:
        if request.method == "POST":
            form = ReviewForm(request.POST)
            if form.is_valid():
                try:
                    followup.review_mark(actor, **form.cleaned_data)
                    return redirect(request.get_full_path())
                except DomainError as exc:
                    error = exc.message
        days = int(request.GET.get("days", "30") or 30)
        rows = followup.review_sample(
            actor, sample=int(request.GET.get("sample", "50") or 50), since=dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
        )
    except PermissionDenied as exc:
        return render(request, "vardmiljo/forbidden.html", {"message": str(exc)}, status=403)
    reviewed = followup.reviewed_ids([r.pk for r in rows])
    return render(
        request,
        "vardmiljo/log_review.html",
        {
            "rows": rows,
            "reviewed": reviewed,
            "error": error,
            "verdicts": LogReview.Verdict.choices,
        },
    )
