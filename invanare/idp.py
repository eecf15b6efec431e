"""The demo identity provider: django-oauth-toolkit's OpenID Connect provider at /o/
with a login picker in place of BankID/SITHS. A tester picks a demo resident or a member
of staff; the ID token then carries the personnummer or the HSA-id claim, as the region's
providers do. Only when DEMO_IDP is on (the demo); in production the settings point at
the region's providers and none of this answers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from oauth2_provider.views import AuthorizationView

from invanare.models import DemoIdentity
from vardmiljo.models import Staff

# The login clients' scopes (the claim each carries is named in settings).
LOGIN_SCOPES = {"openid": _("Inloggning"), "personnummer": _("Personnummer"), "hsa": _("HSA-id")}


def is_login_client(client_id: str) -> bool:
    """The demo identity provider's own clients: the e-services' and the staff login."""
    if not settings.DEMO_IDP or not client_id:
        return False
    return client_id in (settings.INVANARE_OIDC["client_id"], settings.STAFF_OIDC["client_id"])


def demo_claims(user: Any) -> dict[str, str]:
    """What the demo provider's ID token says about the identity picked: a personnummer
    (a resident) or an HSA-id (a member of staff)."""
    identity = DemoIdentity.objects.filter(user_id=user.pk).first()
    claims: dict[str, str] = {}
    if identity is not None and identity.personnummer:
        claims["personnummer"] = identity.personnummer
    hsa = (identity.hsa_id if identity else "") or getattr(user, "hsa_id", "") or ""
    if hsa:
        claims["hsa_id"] = hsa
    return claims


class DemoAuthorizationView(AuthorizationView):
    """The authorisation endpoint for the login clients, logging in through the demo picker
    (in the provider's own session, never the staff one)."""

    login_url = "/demo-idp/login/"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.DEMO_IDP:
            raise Http404()
        return super().dispatch(request, *args, **kwargs)


def _identities() -> tuple[list[DemoIdentity], list[Staff]]:
    residents = list(DemoIdentity.objects.select_related("patient"))
    staff = list(
        Staff.objects.filter(is_active=True, hsa_id__isnull=False, demo_identity__isnull=True)
        .exclude(profession=Staff.Profession.SYSTEM)
        .order_by("last_name", "first_name")
    )
    return residents, staff


@require_http_methods(["GET", "POST"])
def picker(request: HttpRequest) -> HttpResponse:
    if not settings.DEMO_IDP:
        raise Http404()
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}) or not nxt.startswith("/oauth/authorize/"):
        nxt = ""
    residents, staff = _identities()
    if request.method == "POST":
        user_id = request.POST.get("identity", "")
        allowed = {str(r.user_id) for r in residents} | {str(s.pk) for s in staff}
        if user_id in allowed and nxt:
            user = Staff.objects.get(pk=int(user_id))
            request.session.cycle_key()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(nxt)
    return render(request, "invanare/idp_picker.html", {"residents": residents, "staff": staff, "next": nxt})


def demo_identity_for(*, patient: Any, label: str) -> DemoIdentity:
    """The demo provider's identity for a resident (an account that logs in nowhere else:
    no password, no assignment)."""
    user, _ = Staff.objects.get_or_create(
        username=f"idp.{patient.identifier}",
        defaults={"first_name": patient.given_name, "last_name": patient.family_name, "is_active": True},
    )
    if user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    identity, _ = DemoIdentity.objects.update_or_create(
        user=user, defaults={"label": label, "personnummer": patient.identifier, "patient": patient}
    )
    return identity
