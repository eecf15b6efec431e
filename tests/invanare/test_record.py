"""Issue 19, my record and "vem har läst min journal": what a resident sees, that every
read goes through the access module with a resident ground and lands in the log extract,
and that no other resident (nor staff) reaches it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from invanare.models import UnitPublishing
from journal.models import Note
from tests.conftest import World, login
from tests.invanare.conftest import Residents, resident_login
from tests.journal.helpers import draft, signed_as_of
from vardmiljo import services as core
from vardmiljo.models import AccessLog

pytestmark = pytest.mark.django_db


def signed_note(world: World, days_ago: int, note_type: str = "") -> Note:
    return signed_as_of(world, timezone.now() - dt.timedelta(days=days_ago), note_type or "Läkaranteckning")


def test_19_3_record_shows_signed_notes_after_the_units_delay_never_withheld_types(
    client, world: World, residents: Residents
) -> None:  # type: ignore[no-untyped-def]
    old = signed_note(world, 20)
    fresh = signed_note(world, 2)
    secret = signed_note(world, 30, note_type="Psykoterapianteckning")
    UnitPublishing.objects.create(unit=world.vc, note_delay_days=14, withheld_note_types=["Psykoterapianteckning"])
    resident_login(client, residents.adult)
    resp = client.get(f"/invanare/journal/{residents.adult.pk}/")
    assert resp.status_code == 200
    shown = {n.pk for n in resp.context["rec"].notes}
    assert old.pk in shown and fresh.pk not in shown and secret.pk not in shown
    assert "Hosta sedan en vecka" in resp.content.decode()
    # The unit publishes at once: the fresh note shows, the withheld type still never does.
    UnitPublishing.objects.filter(unit=world.vc).update(note_delay_days=0)
    shown = {n.pk for n in client.get(f"/invanare/journal/{residents.adult.pk}/").context["rec"].notes}
    assert fresh.pk in shown and secret.pk not in shown


def test_19_3_default_delay_is_14_days_and_drafts_never_show(client, world: World, residents: Residents) -> None:  # type: ignore[no-untyped-def]
    d = draft(world)
    n13, n15 = signed_note(world, 13), signed_note(world, 15)
    resident_login(client, residents.adult)
    shown = {n.pk for n in client.get(f"/invanare/journal/{residents.adult.pk}/").context["rec"].notes}
    assert shown == {n15.pk} and d.pk not in shown and n13.pk not in shown


def test_19_3_record_read_is_logged_with_resident_ground_and_pdf_works(client, world: World, residents: Residents) -> None:  # type: ignore[no-untyped-def]
    signed_note(world, 20)
    resident_login(client, residents.adult)
    client.get(f"/invanare/journal/{residents.adult.pk}/")
    row = AccessLog.objects.filter(action="invanare.record.read").get()
    assert row.patient_id == residents.adult.pk and row.ground == "patient_self" and row.staff_id is None
    resp = client.get(f"/invanare/journal/{residents.adult.pk}/pdf/")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf" and resp.content.startswith(b"%PDF")
    assert AccessLog.objects.filter(action="invanare.record.pdf", patient_id=residents.adult.pk).exists()


def test_19_3_log_extract_shows_who_where_profession_ground_and_marks_emergency(
    client, world: World, residents: Residents
) -> None:  # type: ignore[no-untyped-def]
    from vardmiljo.access import patient_access

    patient_access(world.physician, residents.adult.pk, action="journal.overview")
    core.emergency_access_open(actor=world.outsider, patient_id=residents.adult.pk, reason="Medvetslös på akuten")
    patient_access(world.outsider, residents.adult.pk, action="journal.timeline")
    resident_login(client, residents.adult)
    resp = client.get(f"/invanare/journal/{residents.adult.pk}/vem-har-last/")
    assert resp.status_code == 200
    html = resp.content.decode()
    lines = resp.context["page"].lines
    phys = next(ln for ln in lines if ln.unit == world.vc.name)
    assert phys.profession == "Läkare" and phys.provider == world.region.name and phys.ground == "Vårdrelation"
    emerg = [ln for ln in lines if ln.emergency]
    assert emerg and all(ln.unit == world.priv.name for ln in emerg)
    assert "Nödåtkomst" in html and "Medvetslös på akuten" in html
    # The extract is itself logged, with the resident's ground; the resident's own reads are not listed.
    assert (
        AccessLog.objects.filter(action="invanare.log_extract", patient_id=residents.adult.pk, ground="patient_self").count() == 1
    )
    assert not any(ln.by_resident for ln in lines)


def test_19_3_log_extract_pages_by_month(client, world: World, residents: Residents) -> None:  # type: ignore[no-untyped-def]
    from invanare import queries
    from vardmiljo.access import patient_access

    for _ in range(queries.PAGE + 1):
        patient_access(world.physician, residents.adult.pk, action="journal.overview")
    resident_login(client, residents.adult)
    first = client.get(f"/invanare/journal/{residents.adult.pk}/vem-har-last/").context["page"]
    assert len(first.lines) == queries.PAGE and first.more
    second = client.get(f"/invanare/journal/{residents.adult.pk}/vem-har-last/?manad={first.month:%Y-%m}&sida=2").context["page"]
    assert len(second.lines) == 1 and not second.more
    resp = client.get(f"/invanare/journal/{residents.adult.pk}/vem-har-last/")
    page = resp.context["page"]
    assert page.newer is None and page.older is not None
    older = client.get(f"/invanare/journal/{residents.adult.pk}/vem-har-last/?manad={page.older:%Y-%m}")
    assert older.status_code == 200 and older.context["page"].lines == []
    assert "Ingen har läst journalen den här månaden" in older.content.decode()
    assert client.get(f"/invanare/journal/{residents.adult.pk}/vem-har-last/?manad=trams").status_code == 200


RESIDENT_PAGES = ["/invanare/journal/{pk}/", "/invanare/journal/{pk}/pdf/", "/invanare/journal/{pk}/vem-har-last/"]


@pytest.mark.parametrize("url", RESIDENT_PAGES)
def test_19_5_resident_matrix(client, world: World, residents: Residents, url: str) -> None:  # type: ignore[no-untyped-def]
    r = residents
    allowed = [(r.adult, r.adult), (r.guardian, r.child), (r.protected, r.protected)]
    refused = [
        (r.adult, r.other),  # a second resident
        (r.guardian, r.other_child),  # a guardian of another child
        (r.other_guardian, r.child),
        (r.teen, r.teen),  # a 14-year-old: not their own yet
        (r.teen_guardian, r.teen),  # nor their guardian
        (r.child, r.child),
        (r.adult, r.child),
    ]
    for who, whose in allowed:
        client.cookies.clear()
        resident_login(client, who)
        assert client.get(url.format(pk=whose.pk)).status_code == 200, (who, whose)
    for who, whose in refused:
        client.cookies.clear()
        resident_login(client, who)
        before = AccessLog.objects.filter(ground="denied", patient_id=whose.pk).count()
        assert client.get(url.format(pk=whose.pk)).status_code == 404, (who, whose)
        assert AccessLog.objects.filter(ground="denied", patient_id=whose.pk).count() == before + 1
    # A record that does not exist answers as one that is not yours.
    assert client.get(url.format(pk=987654)).status_code == 404
    # No session, an expired session, a staff session: the resident login page.
    client.cookies.clear()
    assert client.get(url.format(pk=r.adult.pk))["Location"] == "/invanare/logga-in/"
    resident_login(client, r.adult)
    from invanare.models import ResidentSession

    ResidentSession.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(url.format(pk=r.adult.pk))["Location"] == "/invanare/logga-in/"
    client.cookies.clear()
    login(client, world.physician)
    assert client.get(url.format(pk=r.adult.pk))["Location"] == "/invanare/logga-in/"


def test_19_1_resident_session_never_reaches_staff_pages_or_api_and_vice_versa(
    client, world: World, residents: Residents
) -> None:  # type: ignore[no-untyped-def]
    from django.conf import settings

    resident_login(client, residents.adult)
    assert client.get("/invanare/").status_code == 200
    for url in ["/", f"/patient/{residents.adult.pk}/", "/uppfoljning/loggutdrag/", "/tidbok/"]:
        resp = client.get(url)
        assert resp.status_code == 302 and resp["Location"].startswith("/login/"), url
    assert client.get(f"/api/v1/patients/{residents.adult.pk}/").status_code in (401, 403, 404)
    assert client.get("/admin/").status_code == 302
    # The resident's session key presented as a staff cookie is no staff session (another store).
    key = client.cookies[settings.INVANARE_SESSION_COOKIE_NAME].value
    client.cookies.clear()
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    assert client.get("/")["Location"].startswith("/login/")
    # A staff session does not open the resident's pages, even under the resident's cookie name.
    client.cookies.clear()
    login(client, world.physician)
    staff_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get("/invanare/")["Location"] == "/invanare/logga-in/"
    client.cookies[settings.INVANARE_SESSION_COOKIE_NAME] = staff_key
    assert client.get("/invanare/")["Location"] == "/invanare/logga-in/"


def test_19_3_start_page_lists_own_record_and_children_within_age(client, world: World, residents: Residents) -> None:  # type: ignore[no-untyped-def]
    resident_login(client, residents.guardian)
    html = client.get("/invanare/").content.decode()
    assert f"/invanare/journal/{residents.child.pk}/" in html and f"/invanare/journal/{residents.guardian.pk}/" in html
    client.cookies.clear()
    resident_login(client, residents.teen_guardian)
    assert f"/invanare/journal/{residents.teen.pk}/" not in client.get("/invanare/").content.decode()
    client.cookies.clear()
    resident_login(client, residents.teen)
    html = client.get("/invanare/").content.decode()
    assert f"/invanare/journal/{residents.teen.pk}/" not in html and "från det år du fyller 16" in html


def test_19_3_protected_identity_sees_own_record_never_an_address(client, world: World, residents: Residents) -> None:  # type: ignore[no-untyped-def]
    resident_login(client, residents.protected)
    html = client.get(f"/invanare/journal/{residents.protected.pk}/").content.decode()
    assert "Sam" in html and "Hemlig väg" not in html


def test_19_1_password_login_can_be_turned_off(client, world: World, settings) -> None:  # type: ignore[no-untyped-def]
    world.physician.staff.set_password("ett-bra-losenord-1")
    world.physician.staff.save()
    settings.STAFF_PASSWORD_LOGIN = False
    resp = client.post("/login/", {"username": world.physician.staff.username, "password": "ett-bra-losenord-1"})
    assert resp.status_code == 403 and "_auth_user_id" not in client.session
    assert "Logga in med SITHS-kort" in resp.content.decode()
    settings.STAFF_PASSWORD_LOGIN = True
    assert (
        client.post("/login/", {"username": world.physician.staff.username, "password": "ett-bra-losenord-1"}).status_code == 302
    )


def test_19_3_pages_show_who_is_logged_in_and_a_logout(client, world: World, residents: Residents) -> None:  # type: ignore[no-untyped-def]
    resident_login(client, residents.adult)
    html = client.get("/invanare/").content.decode()
    assert 'action="/invanare/logga-ut/"' in html
    assert client.post("/invanare/logga-ut/").status_code == 302
    assert client.get("/invanare/")["Location"] == "/invanare/logga-in/"
