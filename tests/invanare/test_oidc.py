"""Issue 19, login: OpenID Connect (authorization code + PKCE, discovery, signed ID
token) over real HTTP against the app's own demo provider (django-oauth-toolkit) on a
live server. The client is a requests.Session, as a browser without JavaScript."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests
from authlib.integrations.django_client.apps import DjangoOAuth2App
from joserfc import jwt
from joserfc.jwk import RSAKey
from oauth2_provider.models import Application

from invanare import oidc
from invanare.idp import demo_identity_for
from invanare.models import ResidentSession, UsedIdToken
from tests import factories as f
from tests.conftest import World
from tests.invanare.conftest import Residents
from vardmiljo.models import AccessLog, Staff

pytestmark = pytest.mark.django_db(transaction=True)
LOG_START = 0


def log(**filters: Any) -> Any:
    return AccessLog.objects.filter(id__gt=LOG_START, **filters)


@pytest.fixture
def idp(live_server, settings, world: World):  # type: ignore[no-untyped-def]
    base = live_server.url
    settings.DEMO_IDP = True
    settings.ALLOWED_HOSTS = ["*"]
    discovery = f"{base}/oauth/.well-known/openid-configuration"
    settings.INVANARE_OIDC = {
        **settings.INVANARE_OIDC,
        "discovery_url": discovery,
        "client_id": "inv-test",
        "client_secret": "inv-hemlig",
    }
    settings.STAFF_OIDC = {
        **settings.STAFF_OIDC,
        "discovery_url": discovery,
        "client_id": "siths-test",
        "client_secret": "siths-hemlig",
    }
    for cid, secret, path in (
        ("inv-test", "inv-hemlig", "/invanare/logga-in/klar/"),
        ("siths-test", "siths-hemlig", "/login/siths/klar/"),
    ):
        Application.objects.create(
            client_id=cid,
            client_secret=secret,
            name=cid,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=f"{base}{path}",
            skip_authorization=True,
            algorithm=Application.RS256_ALGORITHM,
        )
    oidc._client.cache_clear()
    # The access log refuses TRUNCATE: rows of earlier transactional tests stay; count from here.
    global LOG_START
    LOG_START = AccessLog.objects.order_by("-id").values_list("id", flat=True).first() or 0
    yield base
    oidc._client.cache_clear()


def _pick(http: requests.Session, resp: requests.Response, user_id: int) -> requests.Response:
    """At the demo provider's picker: choose the identity, as a tester does."""
    assert "/demo-idp/login/" in resp.url, resp.url
    html = resp.text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    nxt = re.search(r'name="next" value="([^"]+)"', html)
    assert token and nxt
    return http.post(
        resp.url,
        data={"csrfmiddlewaretoken": token.group(1), "next": nxt.group(1).replace("&amp;", "&"), "identity": str(user_id)},
        headers={"Referer": resp.url},
    )


def resident_flow(base: str, user_id: int, http: requests.Session | None = None) -> requests.Response:
    http = http or requests.Session()
    first = http.get(f"{base}/invanare/logga-in/start/")
    return _pick(http, first, user_id)


def test_19_1_resident_logs_in_by_oidc_with_pkce_and_gets_own_session(idp: str, residents: Residents) -> None:
    ident = demo_identity_for(patient=residents.adult, label="Karin")
    http = requests.Session()
    start = http.get(f"{idp}/invanare/logga-in/start/", allow_redirects=False)
    location = start.headers["Location"]
    assert "code_challenge_method=S256" in location and "code_challenge=" in location and "nonce=" in location
    resp = resident_flow(idp, ident.user_id, http)
    assert resp.status_code == 200 and resp.url == f"{idp}/invanare/", resp.text[:500]
    assert "Hej Karin" in resp.text
    # Its own cookie and store; no staff session was made.
    assert "invanare_session" in http.cookies and "sessionid" not in http.cookies
    assert ResidentSession.objects.count() == 1
    assert log(action="invanare.login", patient_id=residents.adult.pk, ground="patient_self").exists()
    assert UsedIdToken.objects.count() == 1


def _logged_in() -> int:
    return sum(1 for s in ResidentSession.objects.all() if s.get_decoded().get("resident_id"))


def _refused(resp: requests.Response, logged_in_before: int = 0) -> None:
    assert resp.status_code == 403, resp.status_code
    assert "Inloggningen" in resp.text or "Vi hittar inga uppgifter" in resp.text
    assert _logged_in() == logged_in_before


def _swap_token(monkeypatch: pytest.MonkeyPatch, change: Any) -> list[str]:
    """The token endpoint's real answer, with its ID token changed by `change` on the way in."""
    original = DjangoOAuth2App.fetch_access_token
    seen: list[str] = []

    def fetch(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        token = original(self, *args, **kwargs)
        seen.append(token["id_token"])
        token["id_token"] = change(token["id_token"])
        return token

    monkeypatch.setattr(DjangoOAuth2App, "fetch_access_token", fetch)
    return seen


def _resign(raw: str, settings: Any, **changes: Any) -> str:
    key = RSAKey.import_key(settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"])
    token = jwt.decode(raw, key)
    claims = {**token.claims, **changes}
    return jwt.encode(token.header, claims, key)


def test_19_1_tampered_id_token_is_refused_and_only_logged(idp: str, residents: Residents, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ident = demo_identity_for(patient=residents.adult, label="Karin")

    def tamper(raw: str) -> str:
        head, body, sig = raw.split(".")
        return ".".join([head, body, ("A" if sig[5] != "A" else "B").join([sig[:5], sig[6:]])])

    _swap_token(monkeypatch, tamper)
    http = requests.Session()
    resp = resident_flow(idp, ident.user_id, http)
    _refused(resp)
    assert "inte giltigt" in resp.text
    row = log().get(action="invanare.login.refused")
    assert row.ground == "denied"
    assert not log(action="invanare.login").exists()
    assert UsedIdToken.objects.count() == 0


@pytest.mark.parametrize("claim,value", [("aud", "someone-else"), ("iss", "https://fel.example/o")])
def test_19_1_wrong_audience_or_issuer_is_refused(idp: str, residents: Residents, monkeypatch, settings, claim, value) -> None:  # type: ignore[no-untyped-def]
    ident = demo_identity_for(patient=residents.adult, label="Karin")
    _swap_token(monkeypatch, lambda raw: _resign(raw, settings, **{claim: value}))
    resp = resident_flow(idp, ident.user_id)
    _refused(resp)
    assert log(action="invanare.login.refused").count() == 1
    assert not log(action="invanare.login").exists()


def test_19_1_expired_id_token_is_refused(idp: str, residents: Residents, monkeypatch, settings) -> None:  # type: ignore[no-untyped-def]
    ident = demo_identity_for(patient=residents.adult, label="Karin")
    _swap_token(monkeypatch, lambda raw: _resign(raw, settings, exp=1_000_000_000))
    _refused(resident_flow(idp, ident.user_id))


def test_19_1_replayed_callback_and_replayed_token_are_refused(idp: str, residents: Residents, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ident = demo_identity_for(patient=residents.adult, label="Karin")
    http = requests.Session()
    first = http.get(f"{idp}/invanare/logga-in/start/")
    picked = _pick(http, first, ident.user_id)
    assert picked.url == f"{idp}/invanare/"
    callback = next(r.headers["Location"] for r in picked.history if "/invanare/logga-in/klar/" in r.headers.get("Location", ""))
    # The same callback (code and state) again, from an attacker's browser and from the same one.
    for replayer in (requests.Session(), http):
        again = replayer.get(callback if callback.startswith("http") else f"{idp}{callback}")
        assert again.status_code == 403
        assert "Inloggningen kunde inte godkännas" in again.text
    # A token seen once, presented again in another login.
    kept = _swap_token(monkeypatch, lambda raw: raw)
    resident_flow(idp, ident.user_id)
    token = kept[0]
    monkeypatch.undo()
    _swap_token(monkeypatch, lambda raw: token)
    _refused(resident_flow(idp, ident.user_id), logged_in_before=2)
    assert log(action="invanare.login").count() == 2
    assert log(action="invanare.login.refused").count() >= 3


def test_19_1_replayed_token_with_matching_nonce_is_refused_by_its_hash(db) -> None:  # type: ignore[no-untyped-def]
    oidc._remember("header.body.sig", {"iss": "x", "sub": "1"})
    with pytest.raises(oidc.LoginRefused, match="redan använts"):
        oidc._remember("header.body.sig", {"iss": "x", "sub": "1"})


def test_19_1_unknown_personnummer_is_refused_with_swedish_message(idp: str, world: World) -> None:
    from invanare.models import DemoIdentity

    user = Staff.objects.create(username="idp.okand", is_active=True)
    DemoIdentity.objects.create(
        user=user, label="Okänd", personnummer=f.make_personnummer(__import__("datetime").date(1970, 5, 5), 981)
    )
    resp = resident_flow(idp, user.pk)
    _refused(resp)
    assert "Vi hittar inga uppgifter om dig" in resp.text
    row = log().get(action="invanare.login.refused")
    assert row.patient_id is None and row.ground == "denied"


def test_19_1_staff_log_in_through_siths_by_hsa_id_then_choose_assignment(idp: str, world: World) -> None:
    staff = world.physician.staff
    assert staff.hsa_id
    http = requests.Session()
    first = http.get(f"{idp}/login/siths/")
    resp = _pick(http, first, staff.pk)
    assert resp.status_code == 200
    assert resp.url.startswith(f"{idp}/") and "/login/" not in resp.url  # one assignment: chosen at once
    assert "sessionid" in http.cookies and "invanare_session" not in http.cookies
    # The staff session is not a resident's.
    assert http.get(f"{idp}/invanare/", allow_redirects=False).status_code == 302


def test_19_1_staff_without_hsa_match_is_refused(idp: str, world: World) -> None:
    from invanare.models import DemoIdentity

    user = Staff.objects.create(username="idp.fel", is_active=True)
    DemoIdentity.objects.create(user=user, label="Fel", hsa_id="SE2321000131-E000000099999")
    Staff.objects.filter(pk=user.pk).update(hsa_id=None)
    http = requests.Session()
    first = http.get(f"{idp}/login/siths/")
    resp = _pick(http, first, user.pk) if "demo-idp" in first.url else first
    assert resp.status_code == 403 and "SITHS" in resp.text
    assert log(action="staff.login.refused").exists()
