"""The unit's inbox of residents' messages (staff pages, under /meddelanden/)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from invanare import queries, services
from vardmiljo.errors import DomainError, NotFound
from vardmiljo.web import actor_required, get_actor


@actor_required
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "invanare/inbox.html", {"threads": queries.unit_inbox(get_actor(request))})


@require_http_methods(["GET", "POST"])
@actor_required
def thread(request: HttpRequest, thread_id: int) -> HttpResponse:
    actor = get_actor(request)
    error = ""
    try:
        if request.method == "POST":
            try:
                services.message_reply_by_staff(actor=actor, thread_id=thread_id, body=request.POST.get("body", ""))
                messages.success(request, _("Svaret är skickat till invånaren."))
                return redirect("resident_inbox_thread", thread_id=thread_id)
            except DomainError as exc:
                error = exc.message
        pa, t, msgs = queries.staff_thread(actor, thread_id)
    except NotFound:
        return render(request, "invanare/inbox_not_found.html", status=404)
    return render(
        request,
        "invanare/inbox_thread.html",
        {"thread": t, "msgs": msgs, "error": error, "subject": pa.patient},
        status=400 if error else 200,
    )
