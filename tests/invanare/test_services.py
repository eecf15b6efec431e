"""Issue 19: bookings, messages and the resident's own choices (consent, blocks, registry
objection) — through the modules' services, effective at once, logged with resident grounds."""

from __future__ import annotations

import pytest
from django.conf import settings

from invanare.models import Thread
from tests.conftest import World, login
from tests.invanare.conftest import Residents, resident_login
from tests.tidbok.helpers import make_resource, make_slot
from tidbok.models import Booking, Slot
from vardmiljo.access import patient_access
from vardmiljo.errors import NotFound
from vardmiljo.models import AccessLog, Block, Consent

pytestmark = pytest.mark.django_db


def web_resource(world: World):  # type: ignore[no-untyped-def]
    r = make_resource(world.vc, "Dr Webb")
    r.web_booking = True
    r.save()
    return r


def test_19_3_book_cancel_rebook_only_web_opened_times_of_own_units(client, world: World, residents: Residents) -> None:  # type: ignore[no-untyped-def]
    r = web_resource(world)
    s1, s2 = make_slot(r, in_minutes=2000), make_slot(r, in_minutes=3000)
    closed = make_slot(make_resource(world.vc, "Dr Telefon"), in_minutes=2000)
    elsewhere = web_resource(World(**{**world.__dict__, "vc": world.priv}))  # a unit without a relationship
    far = make_slot(elsewhere, in_minutes=2000)
    resident_login(client, residents.adult)
    url = f"/invanare/journal/{residents.adult.pk}/tider/"
    page = client.get(url)
    free = {s.pk for s in page.context["free"]}
    assert s1.pk in free and closed.pk not in free and far.pk not in free
    assert client.post(url, {"op": "book", "slot": s1.pk}).status_code == 302
    b = Booking.objects.get(slot=s1, status=Booking.Status.BOOKED)
    assert b.source == Booking.Source.WEB and b.booked_by is None and b.unit_id == world.vc.pk
    assert AccessLog.objects.filter(action="tidbok.booking.create", patient_id=residents.adult.pk, ground="patient_self").exists()
    # The unit sees it as any other booking (its day list reads the same table).
    assert Slot.objects.get(pk=s1.pk).status == Slot.Status.BOOKED
    # Times not opened for the web, or at a unit without a relationship: as if absent.
    for slot in (closed, far):
        assert client.post(url, {"op": "book", "slot": slot.pk}).status_code == 404
    assert client.post(url, {"op": "book", "slot": s1.pk}).status_code == 400  # taken
    assert client.post(url, {"op": "rebook", "booking": b.pk, "slot": s2.pk}).status_code == 302
    new = Booking.objects.get(slot=s2, status=Booking.Status.BOOKED)
    assert new.rebooked_from_id == b.pk and Slot.objects.get(pk=s1.pk).status == Slot.Status.FREE
    assert client.post(url, {"op": "cancel", "booking": new.pk}).status_code == 302
    assert Booking.objects.get(pk=new.pk).status == Booking.Status.CANCELLED_PATIENT
    # Another resident cannot cancel it (nor see it).
    client.cookies.clear()
    resident_login(client, residents.other)
    b3 = Booking.objects.create(
        slot=s2, unit=world.vc, patient=residents.adult, starts_at=s2.starts_at, source="web", booked_by=None
    )
    Slot.objects.filter(pk=s2.pk).update(status=Slot.Status.BOOKED)
    assert client.post(f"/invanare/journal/{residents.other.pk}/tider/", {"op": "cancel", "booking": b3.pk}).status_code == 404
    assert Booking.objects.get(pk=b3.pk).status == Booking.Status.BOOKED


def test_19_3_messages_to_unit_inbox_with_counter_and_answer_back(client, world: World, residents: Residents) -> None:  # type: ignore[no-untyped-def]
    from vardmiljo.registry import WORKLISTS

    resident_login(client, residents.adult)
    url = f"/invanare/journal/{residents.adult.pk}/meddelanden/"
    assert client.post(url, {"unit": world.vc.pk, "subject": "Recept", "body": ""}).status_code == 400
    assert client.post(url, {"unit": world.priv.pk, "subject": "Recept", "body": "Hej"}).status_code == 400  # no relationship
    assert Thread.objects.count() == 0
    resp = client.post(url, {"unit": world.vc.pk, "subject": "Recept", "body": "Kan jag få förnyat?"})
    assert resp.status_code == 302
    thread = Thread.objects.get()
    assert WORKLISTS["invanare.inbox"].count(world.nurse) == 1
    assert WORKLISTS["invanare.inbox"].count(world.colleague) == 0
    staff = client_for_staff(world)
    inbox = staff.get("/meddelanden/")
    assert "Recept" in inbox.content.decode()
    listed = AccessLog.objects.filter(action="invanare.inbox.list").last()
    assert listed is not None and residents.adult.pk in (listed.patient_ids or [])
    assert staff.post(f"/meddelanden/{thread.pk}/", {"body": "Ja, förnyat."}).status_code == 302
    assert WORKLISTS["invanare.inbox"].count(world.nurse) == 0
    page = client.get(f"/invanare/meddelanden/{thread.pk}/")
    assert "Ja, förnyat." in page.content.decode()
    # The colleague at another unit does not reach the unit's thread.
    other = client_for_staff(world, world.colleague)
    assert other.get(f"/meddelanden/{thread.pk}/").status_code == 404
    # Another resident does not either.
    client.cookies.clear()
    resident_login(client, residents.other)
    assert client.get(f"/invanare/meddelanden/{thread.pk}/").status_code == 404


def client_for_staff(world: World, actor=None):  # type: ignore[no-untyped-def]
    from django.test import Client

    c = Client()
    login(c, actor or world.nurse)
    return c


def test_19_3_message_rate_limit(client, world: World, residents: Residents, settings) -> None:  # type: ignore[no-untyped-def]
    settings.INVANARE_MESSAGE_RATE = 2
    resident_login(client, residents.adult)
    url = f"/invanare/journal/{residents.adult.pk}/meddelanden/"
    codes = [client.post(url, {"unit": world.vc.pk, "subject": "x", "body": "y"}).status_code for _ in range(3)]
    assert codes == [302, 302, 400] and Thread.objects.count() == 2


def test_19_3_consent_and_blocks_by_resident_take_effect_at_once_for_staff(client, world: World, residents: Residents) -> None:  # type: ignore[no-untyped-def]
    from tests import factories as f

    p = residents.adult
    f.relate(p, world.priv)
    resident_login(client, p)
    # Consent for the private provider: its staff now read the region's data.
    assert client.post("/invanare/mina-val/", {"op": "consent", "provider": world.private.pk}).status_code == 302
    c = Consent.objects.get(patient=p)
    assert c.by_resident and c.recorded_by is None
    assert patient_access(world.outsider, p.pk, action="t").consent
    assert client.post("/invanare/mina-val/", {"op": "withdraw", "consent": c.pk}).status_code == 302
    assert not patient_access(world.outsider, p.pk, action="t").consent
    # Block Medicinkliniken's data.
    f.relate(p, world.med)
    assert client.post("/invanare/mina-val/", {"op": "block", "unit": world.med.pk}).status_code == 302
    b = Block.objects.get(patient=p, lifted_at__isnull=True)
    assert b.by_resident and world.med.pk in patient_access(world.physician, p.pk, action="t").blocked_unit_ids
    assert client.post("/invanare/mina-val/", {"op": "lift", "block": b.pk}).status_code == 302
    assert not patient_access(world.physician, p.pk, action="t").blocked_unit_ids
    assert AccessLog.objects.filter(action="block.set", patient_id=p.pk, ground="patient_self").exists()
    # Registry objection through the registered integrations service.
    assert client.post("/invanare/mina-val/", {"op": "object"}).status_code == 302
    p.refresh_from_db()
    assert p.registry_objection
    assert client.post("/invanare/mina-val/", {"op": "object"}).status_code == 400  # already objected: nothing changes


def test_19_3_guardian_cannot_consent_for_a_child_and_nobody_for_another(client, world: World, residents: Residents) -> None:  # type: ignore[no-untyped-def]
    from vardmiljo import services as core
    from vardmiljo.actor import ResidentActor

    teen = ResidentActor(patient=residents.teen)
    with pytest.raises(NotFound):
        core.block_set_by_resident(actor=teen, unit_id=world.vc.pk)
    assert not Block.objects.exists()


@pytest.mark.parametrize("url", ["/invanare/journal/{pk}/tider/", "/invanare/journal/{pk}/meddelanden/"])
def test_19_5_resident_matrix_bookings_and_messages(client, world: World, residents: Residents, url: str) -> None:  # type: ignore[no-untyped-def]
    r = residents
    for who, whose, code in [
        (r.adult, r.adult, 200),
        (r.guardian, r.child, 200),
        (r.adult, r.other, 404),
        (r.guardian, r.other_child, 404),
        (r.teen, r.teen, 404),
        (r.teen_guardian, r.teen, 404),
    ]:
        client.cookies.clear()
        resident_login(client, who)
        assert client.get(url.format(pk=whose.pk)).status_code == code, (who, whose)
        assert client.post(
            url.format(pk=whose.pk), {"op": "book", "slot": 1, "unit": world.vc.pk, "subject": "x", "body": "y"}
        ).status_code in ((302, 400, 404) if code == 200 else (404,))
    client.cookies.clear()
    login(client, world.physician)
    assert client.get(url.format(pk=r.adult.pk))["Location"] == "/invanare/logga-in/"
    assert client.get("/invanare/mina-val/")["Location"] == "/invanare/logga-in/"
    assert settings.INVANARE_SESSION_COOKIE_NAME != settings.SESSION_COOKIE_NAME
