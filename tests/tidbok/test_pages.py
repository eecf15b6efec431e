"""Pages and REST API: wiring, status codes, access, audit, flat query counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.conftest import World, login
from tests.tidbok.helpers import make_manager, make_resource, make_slot
from tidbok import services
from tidbok.models import Booking, Resource, Slot, WaitlistEntry
from vardmiljo.models import AccessLog

pytestmark = pytest.mark.django_db


def _booked(world: World, n: int, resource: Resource | None = None, in_minutes: int = 3) -> list[Booking]:
    resource = resource or make_resource(world.vc)
    out = []
    for i in range(n):
        slot = make_slot(resource, in_minutes=in_minutes + i)
        out.append(services.booking_create(actor=world.nurse, patient_id=f.make_patient(unit=world.vc).pk, slot_id=slot.pk))
    return out


@pytest.fixture
def steady_get(settings) -> Callable[..., Any]:  # type: ignore[no-untyped-def]
    """A GET whose query count does not depend on the clock, for comparing counts.

    Two shell caches are timed: the top bar's worklist counts (20 s) and the session's
    expiry renewal (once a minute). A slow machine could let either run out between two
    measured requests (booking 20 patients under load takes a while) and add queries to
    one of them only. So the session is renewed on every request, and the worklist counts
    are computed afresh for every measured request."""
    settings.SESSION_RENEW_SECONDS = 0

    def get(client, *args: Any, **kwargs: Any) -> Any:  # type: ignore[no-untyped-def]
        cache.clear()
        return client.get(*args, **kwargs)

    return get


def test_daylist_shows_bookings_and_logs_patients(client, world: World) -> None:  # type: ignore[no-untyped-def]
    b = _booked(world, 1)[0]
    login(client, world.nurse)
    r = client.get(reverse("tidbok:daylist"), {"datum": timezone.localtime(b.starts_at).date().isoformat()})
    assert r.status_code == 200
    assert b.patient.full_name.encode() in r.content
    assert b"Ankomstregistrera" in r.content
    row = AccessLog.objects.filter(action="tidbok.daylist.read").last()
    assert row is not None and b.patient_id in row.detail["patient_ids"]


def test_daylist_query_count_is_flat(  # type: ignore[no-untyped-def]
    client, world: World, django_assert_max_num_queries, django_assert_num_queries, steady_get
) -> None:
    resource = make_resource(world.vc)
    _booked(world, 2, resource, in_minutes=60 * 24 * 2)
    day = (timezone.localtime() + dt.timedelta(days=2)).date().isoformat()
    login(client, world.nurse)
    client.get(reverse("tidbok:daylist"), {"datum": day})
    # 13: session, assignment, the session's renewal (savepoint, update, release), the five
    # modules' worklist counts (invanare's unit inbox is the fifth), and the day list's own three
    # (see the test below).
    with django_assert_max_num_queries(13) as few:
        steady_get(client, reverse("tidbok:daylist"), {"datum": day})
    _booked(world, 20, resource, in_minutes=60 * 24 * 2 + 10)
    with django_assert_num_queries(len(few.captured_queries)):
        r = steady_get(client, reverse("tidbok:daylist"), {"datum": day})
    assert r.content.count(b"Avboka") >= 22


def test_daylist_is_three_queries_whatever_its_size(world: World, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    """The unit's resources, the day's slots with their active bookings and patients, the log row."""
    from tidbok import queries

    resource = make_resource(world.vc)
    _booked(world, 3, resource, in_minutes=60 * 24 * 2)
    day = (timezone.localtime() + dt.timedelta(days=2)).date()
    with django_assert_num_queries(3):
        dl = queries.daylist_for(world.nurse, day=day)
    assert dl.booked == 3 and len(dl.patient_ids) == 3
    with django_assert_num_queries(3):
        assert queries.daylist_for(world.nurse, day=day, resource_id=resource.pk).booked == 3


def test_daylist_rows_carry_the_models_values(client, world: World) -> None:  # type: ignore[no-untyped-def]
    """The day list reads plain rows in one query; they say what the models say (to the microsecond)."""
    from tidbok import queries
    from tidbok.api import BookingOut, SlotOut

    b = _booked(world, 1)[0]
    b = services.booking_check_in(actor=world.nurse, booking_id=b.pk)
    b.refresh_from_db()
    free = make_slot(b.slot.resource, in_minutes=4)
    day = timezone.localtime(b.starts_at).date()
    dl = queries.daylist_for(world.nurse, day=day)
    rows = {r.slot.id: r for r in dl.rows}
    row, free_row = rows[b.slot_id], rows[free.pk]
    assert row.booking is not None and free_row.booking is None
    assert SlotOut(row.slot).data == SlotOut(b.slot).data and SlotOut(free_row.slot).data == SlotOut(free).data
    assert BookingOut(row.booking).data == BookingOut(b).data
    assert row.booking.checked_in_at == b.checked_in_at and b.checked_in_at is not None
    p = row.booking.patient
    assert (p.full_name, p.display_identifier, p.is_protected) == (
        b.patient.full_name,
        b.patient.display_identifier,
        b.patient.is_protected,
    )
    login(client, world.nurse)
    api = client.get("/api/v1/tidbok/daylist/", {"date": day.isoformat()}).json()
    out = next(r for r in api["rows"] if r["slot"]["id"] == b.slot_id)
    assert out["booking"] == BookingOut(b).data
    assert out["patient"] == {"id": b.patient_id, "identifier": b.patient.display_identifier, "name": b.patient.full_name}


def test_daylist_of_outsider_shows_none_of_our_patients(client, world: World) -> None:  # type: ignore[no-untyped-def]
    b = _booked(world, 1)[0]
    login(client, world.outsider)
    r = client.get(reverse("tidbok:daylist"), {"datum": timezone.localtime(b.starts_at).date().isoformat()})
    assert r.status_code == 200 and b.patient.full_name.encode() not in r.content
    r = client.get(reverse("tidbok:cancel", args=[b.pk]))
    assert r.status_code == 404
    r = client.post(reverse("tidbok:check_in", args=[b.pk]))
    b.refresh_from_db()
    assert b.status == Booking.Status.BOOKED


def test_book_by_personnummer_through_the_page(client, world: World) -> None:  # type: ignore[no-untyped-def]
    slot = make_slot(make_resource(world.vc, "Dr Berg"))
    login(client, world.nurse)
    r = client.get(reverse("tidbok:book"), {"forsta": "1"})
    assert r.status_code == 200 and b"Dr Berg" in r.content
    r = client.post(reverse("tidbok:book_slot", args=[slot.pk]), {"identifier": "19121212-1213", "note": ""})
    assert r.status_code == 200 and b"Kontrollsiffran" in r.content
    assert not Booking.objects.exists()
    r = client.post(reverse("tidbok:book_slot", args=[slot.pk]), {"identifier": world.patient.identifier, "note": "Ont"})
    assert r.status_code == 302
    assert Booking.objects.get().patient_id == world.patient.pk


def test_cancel_page_requires_reason_then_cancels(client, world: World) -> None:  # type: ignore[no-untyped-def]
    b = _booked(world, 1, in_minutes=600)[0]
    login(client, world.nurse)
    r = client.post(reverse("tidbok:cancel", args=[b.pk]), {"by": "patient", "reason": ""})
    assert r.status_code == 200 and b"Ange en orsak" in r.content
    r = client.post(reverse("tidbok:cancel", args=[b.pk]), {"by": "patient", "reason": "Förhindrad"})
    assert r.status_code == 302
    b.refresh_from_db()
    assert b.status == Booking.Status.CANCELLED_PATIENT


def test_check_in_button(client, world: World) -> None:  # type: ignore[no-untyped-def]
    b = _booked(world, 1)[0]
    login(client, world.nurse)
    r = client.post(reverse("tidbok:check_in", args=[b.pk]))
    assert r.status_code == 302
    b.refresh_from_db()
    assert b.status == Booking.Status.CHECKED_IN


def test_week_waitlist_patient_pages_and_panel(client, world: World) -> None:  # type: ignore[no-untyped-def]
    b = _booked(world, 1, in_minutes=600)[0]
    services.waitlist_add(
        actor=world.nurse, patient_id=world.patient.pk, unit_id=world.vc.pk, priority="acute", due_by=timezone.localdate()
    )
    login(client, world.nurse)
    assert client.get(reverse("tidbok:week", args=[b.slot.resource_id])).status_code == 200
    r = client.get(reverse("tidbok:waitlist"))
    assert r.status_code == 200 and b"Karin Karlsson" in r.content
    r = client.get(reverse("tidbok:patient_bookings", args=[b.patient_id]))
    assert r.status_code == 200 and b.slot.resource.name.encode() in r.content
    r = client.get(reverse("patient_overview", args=[b.patient_id]))
    assert r.status_code == 200 and "Kommande besök".encode() in r.content and b.slot.resource.name.encode() in r.content
    r = client.post(reverse("tidbok:waitlist_add", args=[world.patient.pk]), {"priority": "two_weeks", "due_by": "2001-01-01"})
    assert "förflutna".encode() in r.content
    assert WaitlistEntry.objects.count() == 1


def test_patient_overview_panel_is_bounded(client, world: World, django_assert_max_num_queries, steady_get) -> None:  # type: ignore[no-untyped-def]
    resource = make_resource(world.vc)
    login(client, world.nurse)

    def book(n: int, offset: int) -> None:
        for i in range(n):
            services.booking_create(
                actor=world.nurse, patient_id=world.patient.pk, slot_id=make_slot(resource, in_minutes=600 + offset + i * 30).pk
            )

    book(2, 0)
    url = reverse("patient_overview", args=[world.patient.pk])
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        steady_get(client, url)
    book(12, 1000)
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = steady_get(client, url)
    assert b"Visa alla (14)" in r.content


def test_upcoming_panel_is_one_query_with_its_total(world: World, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    from tidbok import queries
    from vardmiljo.access import patient_access

    resource = make_resource(world.vc, "Dr Panel")
    for i in range(7):
        slot = make_slot(resource, in_minutes=600 + i * 30)
        services.booking_create(actor=world.nurse, patient_id=world.patient.pk, slot_id=slot.pk)
    # The patient's visit at another provider is not readable from here (no consent).
    outside = make_slot(make_resource(world.priv, "Dr Privat"), in_minutes=300)
    services.booking_create(actor=world.outsider, patient_id=world.patient.pk, slot_id=outside.pk)
    pa = patient_access(world.nurse, world.patient.pk, action="t", log=False)
    with django_assert_num_queries(1):
        rows, total = queries.upcoming_for_patient(pa)
    assert total == 7 and len(rows) == 5
    assert [r.resource_name for r in rows] == ["Dr Panel"] * 5
    assert [r.starts_at for r in rows] == sorted(r.starts_at for r in rows)
    none_coming = patient_access(world.nurse, f.make_patient(unit=world.vc).pk, action="t", log=False)
    with django_assert_num_queries(1):
        assert queries.upcoming_for_patient(none_coming) == ([], 0)


def test_patient_pages_refuse_outsider(client, world: World) -> None:  # type: ignore[no-untyped-def]
    login(client, world.outsider)
    assert client.get(reverse("tidbok:patient_bookings", args=[world.patient.pk])).status_code == 404
    assert client.get(reverse("tidbok:waitlist_add", args=[world.patient.pk])).status_code == 404


def test_schedule_page_for_manager_only(client, world: World) -> None:  # type: ignore[no-untyped-def]
    login(client, world.nurse)
    assert client.get(reverse("tidbok:schedule")).status_code == 403
    make_manager(world.physician)
    login(client, world.physician)
    assert client.get(reverse("tidbok:schedule")).status_code == 200
    r = client.post(reverse("tidbok:schedule"), {"action": "resource", "r-name": "Rum 3", "r-kind": "room"})
    assert r.status_code == 302
    res = Resource.objects.get(name="Rum 3")
    r = client.post(
        reverse("tidbok:schedule"),
        {
            "action": "template",
            "t-resource": res.pk,
            "t-weekday": 0,
            "t-start_time": "10:00",
            "t-end_time": "09:00",
            "t-slot_type": "phone",
            "t-slot_minutes": 15,
        },
    )
    assert b"Sluttiden" in r.content
    r = client.post(
        reverse("tidbok:schedule"),
        {
            "action": "template",
            "t-resource": res.pk,
            "t-weekday": 0,
            "t-start_time": "08:00",
            "t-end_time": "09:00",
            "t-slot_type": "phone",
            "t-slot_minutes": 15,
        },
    )
    assert r.status_code == 302
    r = client.post(reverse("tidbok:schedule"), {"action": "generate", "g-weeks": 2})
    assert r.status_code == 302
    assert Slot.objects.filter(resource=res).count() >= 4


# --- REST ---------------------------------------------------------------------


def test_api_first_available_book_cancel_check_in_daylist(client, world: World) -> None:  # type: ignore[no-untyped-def]
    resource = make_resource(world.vc)
    later = make_slot(resource, in_minutes=3000, slot_type="phone")
    soon = make_slot(resource, in_minutes=3, slot_type="phone")
    make_slot(resource, in_minutes=2, slot_type="video")
    login(client, world.nurse)
    r = client.get("/api/v1/tidbok/slots/", {"slot_type": "phone", "first_available": "1"})
    assert r.status_code == 200 and [s["id"] for s in r.json()] == [soon.pk]
    r = client.post(
        "/api/v1/tidbok/bookings/", {"patient_id": world.patient.pk, "slot_id": soon.pk}, content_type="application/json"
    )
    assert r.status_code == 201, r.content
    booking_id = r.json()["id"]
    r = client.post(
        "/api/v1/tidbok/bookings/", {"patient_id": world.patient.pk, "slot_id": soon.pk}, content_type="application/json"
    )
    assert r.status_code == 409 and "bokad" in r.json()["detail"]
    r = client.post(f"/api/v1/tidbok/bookings/{booking_id}/check-in/")
    assert r.status_code == 200 and r.json()["status"] == "checked_in"
    r = client.post(
        f"/api/v1/tidbok/bookings/{booking_id}/cancel/", {"by": "unit", "reason": "x"}, content_type="application/json"
    )
    assert r.status_code == 400 and "ankomstregistrerat" in r.json()["detail"]
    r = client.get("/api/v1/tidbok/daylist/", {"date": timezone.localtime(soon.starts_at).date().isoformat()})
    assert r.status_code == 200
    rows = [row for row in r.json()["rows"] if row["booking"]]
    assert rows[0]["patient"]["id"] == world.patient.pk
    r = client.post(
        "/api/v1/tidbok/bookings/", {"patient_id": world.patient.pk, "slot_id": later.pk}, content_type="application/json"
    )
    b2 = r.json()["id"]
    r = client.post(
        f"/api/v1/tidbok/bookings/{b2}/cancel/", {"by": "patient", "reason": "Bortrest"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == "cancelled_patient"


def test_api_refuses_outsider_and_bad_input(client, world: World) -> None:  # type: ignore[no-untyped-def]
    slot = make_slot(make_resource(world.vc))
    login(client, world.outsider)
    r = client.post(
        "/api/v1/tidbok/bookings/", {"patient_id": world.patient.pk, "slot_id": slot.pk}, content_type="application/json"
    )
    assert r.status_code == 404
    login(client, world.nurse)
    r = client.get("/api/v1/tidbok/slots/", {"slot_type": "massage"})
    assert r.status_code == 400 and "tidstyp" in r.json()["detail"]
    r = client.post(
        "/api/v1/tidbok/bookings/",
        {
            "patient_id": world.patient.pk,
            "resource_id": slot.resource_id,
            "starts_at": (slot.starts_at + dt.timedelta(minutes=7)).isoformat(),
        },
        content_type="application/json",
    )
    assert r.status_code == 400 and "utanför" in r.json()["detail"]
    assert not Booking.objects.exists()


def test_api_waitlist(client, world: World) -> None:  # type: ignore[no-untyped-def]
    login(client, world.nurse)
    r = client.post(
        "/api/v1/tidbok/waitlist/",
        {"patient_id": world.patient.pk, "priority": "acute", "due_by": timezone.localdate().isoformat()},
        content_type="application/json",
    )
    assert r.status_code == 201
    r = client.get("/api/v1/tidbok/waitlist/")
    assert r.status_code == 200 and r.json()[0]["patient_id"] == world.patient.pk


def test_api_schema_generates(client, world: World) -> None:  # type: ignore[no-untyped-def]
    login(client, world.nurse)
    r = client.get("/api/v1/schema/")
    assert r.status_code == 200 and b"/api/v1/tidbok/bookings/" in r.content


def test_book_from_waiting_list_and_rebook_through_pages(client, world: World) -> None:  # type: ignore[no-untyped-def]
    resource = make_resource(world.vc, "Dr Al")
    s1, s2 = make_slot(resource, in_minutes=2000), make_slot(resource, in_minutes=4000)
    entry = services.waitlist_add(
        actor=world.nurse,
        patient_id=world.patient.pk,
        unit_id=world.vc.pk,
        priority="inom_3_manader",
        due_by=timezone.localdate() + dt.timedelta(days=30),
    )
    login(client, world.nurse)
    r = client.get(reverse("tidbok:book"), {"vantelista": entry.pk})
    assert f"vantelista={entry.pk}".encode() in r.content
    r = client.get(reverse("tidbok:book_slot", args=[s1.pk]), {"vantelista": entry.pk})
    assert b"Karin Karlsson" in r.content
    r = client.post(reverse("tidbok:book_slot", args=[s1.pk]) + f"?vantelista={entry.pk}", {"note": "Från väntelistan"})
    assert r.status_code == 302
    entry.refresh_from_db()
    booking = Booking.objects.get(slot=s1)
    assert entry.status == WaitlistEntry.Status.BOOKED and booking.source == Booking.Source.WAITLIST
    r = client.post(reverse("tidbok:book_slot", args=[s2.pk]) + f"?omboka={booking.pk}", {"note": "Patienten bad om senare tid"})
    assert r.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REBOOKED
    assert Booking.objects.get(slot=s2, status="booked").rebooked_from_id == booking.pk


def test_protected_patients_phone_is_not_on_the_day_list(client, world: World) -> None:  # type: ignore[no-untyped-def]
    from vardmiljo.models import Patient

    p = f.make_patient(
        unit=world.vc, given_name="Sam", family_name="Skyddad", protection=Patient.Protection.PROTECTED_REGISTRATION
    )
    p.phone = "070-9999999"
    p.save()
    slot = make_slot(make_resource(world.vc), in_minutes=600)
    services.booking_create(actor=world.nurse, patient_id=p.pk, slot_id=slot.pk)
    login(client, world.nurse)
    r = client.get(reverse("tidbok:daylist"), {"datum": timezone.localtime(slot.starts_at).date().isoformat()})
    assert b"Sam Skyddad" in r.content and b"070-9999999" not in r.content


def test_api_rebook_and_colleague_refused(client, world: World) -> None:  # type: ignore[no-untyped-def]
    resource = make_resource(world.vc)
    s1, s2 = make_slot(resource, in_minutes=2000), make_slot(resource, in_minutes=3000)
    b = services.booking_create(actor=world.nurse, patient_id=world.patient.pk, slot_id=s1.pk)
    login(client, world.colleague)
    assert client.get(f"/api/v1/tidbok/bookings/{b.pk}/").status_code == 404
    assert (
        client.post(f"/api/v1/tidbok/bookings/{b.pk}/rebook/", {"slot_id": s2.pk}, content_type="application/json").status_code
        == 404
    )
    assert client.get(reverse("tidbok:week", args=[resource.pk])).status_code == 404
    login(client, world.nurse)
    r = client.post(
        f"/api/v1/tidbok/bookings/{b.pk}/rebook/", {"slot_id": s2.pk, "reason": "Krock"}, content_type="application/json"
    )
    assert r.status_code == 201 and r.json()["slot_id"] == s2.pk
    assert AccessLog.objects.filter(action="tidbok.booking.create", object_id=str(r.json()["id"])).exists()
