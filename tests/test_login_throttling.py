"""Item 6: login throttling (django-axes) per user name and per address, lifted by an
administrator in Django admin; the API throttles each member of staff (429 in Swedish)."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client

from tests import factories as f
from tests.conftest import World, login

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str, ip: str = "10.1.2.3"):  # type: ignore[no-untyped-def]
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_12_6_thirty_wrong_passwords_then_the_right_one_does_not_log_in(client: Client, world: World) -> None:
    username = world.nurse.staff.username
    for _ in range(30):
        assert not _logged_in(client)
        _login(client, username, "fel-lösenord")
    response = _login(client, username, "demo")
    assert response.status_code == 429 and not _logged_in(client)
    page = response.content.decode()
    assert "tillfälligt spärrad" in page
    # The page does not say whether the user name or the password was wrong.
    assert "lösenordet" not in page.lower() and username not in page
    # The user name is locked from another address too: per user.
    assert _login(client, username, "demo", ip="10.9.9.9").status_code == 429 and not _logged_in(client)


def test_12_6_an_address_trying_many_user_names_is_locked_out(client: Client, world: World) -> None:
    for n in range(10):
        _login(client, f"gissning{n}", "fel", ip="10.6.6.6")
    # Per address: even a right password for another user is refused from there.
    assert _login(client, world.physician.staff.username, "demo", ip="10.6.6.6").status_code == 429
    assert not _logged_in(client)
    assert _login(client, world.physician.staff.username, "demo", ip="10.7.7.7").status_code == 302
    assert _logged_in(client)


def test_12_6_wrong_password_and_unknown_user_get_the_same_swedish_message(client: Client, world: World) -> None:
    wrong_password = _login(client, world.nurse.staff.username, "fel").content.decode()
    unknown_user = _login(client, "finns.inte", "fel").content.decode()
    assert "Ange ett korrekt användarnamn och lösenord" in wrong_password
    assert "Ange ett korrekt användarnamn och lösenord" in unknown_user


def test_12_6_administrator_sees_and_lifts_the_lock_out_in_admin(client: Client, world: World) -> None:
    username = world.nurse.staff.username
    for _ in range(10):
        _login(client, username, "fel")
    assert _login(client, username, "demo").status_code == 429
    attempt = AccessAttempt.objects.get(username=username)
    assert attempt.failures_since_start >= 10 and attempt.ip_address == "10.1.2.3"

    admin = Client()
    admin.force_login(f.make_staff("admin.person", is_staff=True, is_superuser=True))
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and username in listing.content.decode()
    lifted = admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert lifted.status_code == 302 and not AccessAttempt.objects.exists()

    assert _login(client, username, "demo").status_code == 302 and _logged_in(client)


def test_12_6_api_throttle_per_member_of_staff_answers_429_in_swedish(client: Client, world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.API_THROTTLE_RATE = "3/minute"
    login(client, world.physician)
    for _ in range(3):
        assert client.get("/api/v1/patients/", {"q": "Karlsson"}).status_code == 200
    response = client.get("/api/v1/patients/", {"q": "Karlsson"})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    body = response.json()
    assert body["code"] == "throttled" and body["detail"].startswith("För många anrop")
    # Another member of staff has a quota of their own.
    other = Client()
    login(other, world.nurse)
    assert other.get("/api/v1/patients/", {"q": "Karlsson"}).status_code == 200
