"""Efterregistrering: the unit's worklist after a downtime."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from driftstopp import queries, services
from vardmiljo.web import actor_required, get_actor


@actor_required
def after_entry(request: HttpRequest) -> HttpResponse:
    rows = queries.after_entry_for(get_actor(request))
    return render(request, "driftstopp/after_entry.html", {"rows": rows})


@require_POST
@actor_required
def after_entry_done(request: HttpRequest, item_id: int) -> HttpResponse:
    services.after_entry_done(actor=get_actor(request), item_id=item_id, comment=request.POST.get("comment", ""))
    messages.success(request, _("Markerad som efterregistrerad."))
    return redirect("driftstopp:after_entry")
