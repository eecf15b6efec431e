"""A receptionist books a patient into the first free phone slot, by label and role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.browser_support import browser_login
from tests.conftest import World
from tests.tidbok.helpers import make_resource, make_slot
from tidbok import services
from tidbok.models import Booking

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_book_first_available_phone_slot_and_check_in(page, world: World) -> None:  # type: ignore[no-untyped-def]
    resource = make_resource(world.vc, "Dr Berg")
    now = timezone.localtime()
    same_day = (now + dt.timedelta(minutes=90)).date() == now.date()
    slot = make_slot(resource, in_minutes=90 if same_day else 24 * 60, slot_type="phone")
    make_slot(resource, in_minutes=60 * 24 * 3, slot_type="phone")
    make_slot(resource, in_minutes=30, slot_type="video")
    local = timezone.localtime(slot.starts_at)

    browser_login(page, world.nurse.staff.username)
    page.goto("/tidbok/boka/")
    page.get_by_label("Tidstyp").select_option(label="Telefon")
    page.keyboard.press("Alt+f")  # Första lediga
    page.get_by_role("caption").filter(has_text="Första lediga tid").wait_for()
    page.get_by_role("link", name=f"Välj {local:%Y-%m-%d} {local:%H:%M} hos Dr Berg").click()
    page.get_by_label("Patientens personnummer").fill(world.patient.display_identifier)
    page.get_by_label("Kommentar (besöksorsak)").fill("Provsvar")
    page.get_by_role("button", name="Boka tiden").click()
    page.get_by_role("status").filter(has_text="Tiden är bokad").wait_for()
    row = page.get_by_role("row").filter(has_text="Karin Karlsson")
    assert "Provsvar" in row.inner_text() and "Bokad" in row.inner_text()
    if same_day:
        row.get_by_role("button", name="Ankomstregistrera Karin Karlsson").click()
        page.get_by_role("status").filter(has_text="ankomstregistrerad").wait_for()

    booking = Booking.objects.get(slot=slot)
    assert booking.patient_id == world.patient.pk
    assert booking.status == (Booking.Status.CHECKED_IN if same_day else Booking.Status.BOOKED)


def test_booking_a_taken_slot_shows_a_swedish_error(page, world: World) -> None:  # type: ignore[no-untyped-def]
    slot = make_slot(make_resource(world.vc, "Dr Ek"))

    browser_login(page, world.nurse.staff.username)
    page.goto(f"/tidbok/boka/{slot.pk}/")
    # Someone else books the slot while the form is open.
    services.booking_create(actor=world.physician, patient_id=world.patient.pk, slot_id=slot.pk)
    page.get_by_label("Patientens personnummer").fill(world.patient.display_identifier)
    page.get_by_role("button", name="Boka tiden").click()
    assert "redan bokad" in page.get_by_role("alert").first.inner_text()

    assert Booking.objects.filter(slot=slot).count() == 1
