"""Pages and REST: wiring, status codes, access, flat query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from remisser import services
from remisser.models import Priority, Referral
from tests import factories as f
from tests.conftest import World, login
from tests.remisser.conftest import deliver_all, send
from vardmiljo.models import AccessLog

pytestmark = pytest.mark.django_db
S = Referral.Status


def test_send_page_sends_once_on_double_post(client, world: World) -> None:  # type: ignore[no-untyped-def]
    login(client, world.physician)
    url = reverse("remisser:new", args=[world.patient.pk])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'for="id_receiver_unit"' in body and "Frågeställning" in body and "Alt+E" in body
    key = page.context["form"].initial["idempotency_key"]
    data = {"receiver_unit": world.med.pk, "priority": Priority.AKUT, "question": "Akut bedömning", "idempotency_key": key}
    r1 = client.post(url, data)
    r2 = client.post(url, data)
    assert r1.status_code == r2.status_code == 302 and r1["Location"] == r2["Location"]
    assert Referral.objects.count() == 1


def test_send_page_names_missing_fields(client, world: World) -> None:  # type: ignore[no-untyped-def]
    login(client, world.physician)
    r = client.post(reverse("remisser:new", args=[world.patient.pk]), {"question": ""})
    assert r.status_code == 400
    body = r.content.decode()
    for msg in ("Välj mottagande enhet.", "Välj prioritet.", "Skriv frågeställningen."):
        assert msg in body
    assert not Referral.objects.exists()


def test_outsider_cannot_open_send_page_or_referral(client, world: World) -> None:  # type: ignore[no-untyped-def]
    ref = send(world)
    login(client, world.outsider)
    assert client.get(reverse("remisser:new", args=[world.patient.pk])).status_code == 404
    assert client.get(reverse("remisser:detail", args=[ref.pk])).status_code == 404
    r = client.post(reverse("remisser:act", args=[ref.pk, "acceptera"]), {"version": ref.version})
    assert r.status_code == 404
    ref.refresh_from_db()
    assert ref.status == S.RECEIVED
    assert AccessLog.objects.filter(staff_id=world.outsider.staff.pk, action__endswith=".denied").exists()


def test_triage_page_accept_and_stale_second_click_is_409(client, world: World) -> None:  # type: ignore[no-untyped-def]
    ref = send(world)
    login(client, world.colleague)
    page = client.get(reverse("remisser:detail", args=[ref.pk]))
    assert page.status_code == 200 and "Acceptera" in page.content.decode()
    url = reverse("remisser:act", args=[ref.pk, "acceptera"])
    assert client.post(url, {"version": ref.version}).status_code == 302
    r = client.post(reverse("remisser:act", args=[ref.pk, "avvisa"]), {"version": ref.version, "note": "nej"})
    assert r.status_code == 409 and "ändrats av någon annan" in r.content.decode()
    ref.refresh_from_db()
    assert ref.status == S.ACCEPTED


def test_reject_without_reason_is_400_and_changes_nothing(client, world: World) -> None:  # type: ignore[no-untyped-def]
    ref = send(world)
    login(client, world.colleague)
    r = client.post(reverse("remisser:act", args=[ref.pk, "avvisa"]), {"version": ref.version, "note": ""})
    assert r.status_code == 400 and "Ange skäl" in r.content.decode()
    ref.refresh_from_db()
    assert ref.status == S.RECEIVED


def _many(world: World, n: int) -> None:
    for i in range(n):
        p = f.make_patient(unit=world.vc)
        services.referral_send(
            actor=world.physician,
            patient_id=p.pk,
            receiver_unit_id=world.med.pk,
            priority=[Priority.AKUT, Priority.TWO_WEEKS, Priority.THREE_MONTHS][i % 3],
            question=f"Fråga {i}",
        )
    deliver_all()


def test_inbox_sorted_by_priority_overdue_highlighted_and_flat_queries(
    client, world: World, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    _many(world, 3)
    old = Referral.objects.filter(priority=Priority.THREE_MONTHS).get()
    Referral.objects.filter(pk=old.pk).update(due_date=timezone.localdate() - dt.timedelta(days=2))
    login(client, world.colleague)
    r = client.get(reverse("remisser:inbox"))
    assert r.status_code == 200
    rows = r.context["page"].rows
    assert [x["priority"] for x in rows] == [Priority.AKUT, Priority.TWO_WEEKS, Priority.THREE_MONTHS]
    assert 'class="overdue"' in r.content.decode() and "Försenad" in r.content.decode()
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("remisser:inbox"))
    _many(world, 12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = client.get(reverse("remisser:inbox"))
    assert r.context["page"].total == 15
    assert AccessLog.objects.filter(action="referral.inbox", staff_id=world.colleague.staff.pk).exists()


def test_outbox_shows_owner_and_queued_delivery(client, world: World) -> None:  # type: ignore[no-untyped-def]
    send(world, deliver=False)
    login(client, world.physician)
    r = client.get(reverse("remisser:outbox"))
    assert r.status_code == 200
    body = r.content.decode()
    assert world.med.name in body and "Väntar på leverans" in body and "Ingen ännu" in body


def test_patient_panel_and_worklist_count(client, world: World, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    send(world)
    login(client, world.physician)
    r = client.get(reverse("patient_overview", args=[world.patient.pk]))
    assert r.status_code == 200 and "Remisser" in r.content.decode() and world.med.name in r.content.decode()
    with django_assert_max_num_queries(60) as few:
        client.get(reverse("patient_overview", args=[world.patient.pk]))
    for _ in range(8):
        send(world)
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = client.get(reverse("patient_overview", args=[world.patient.pk]))
    assert "Visa alla (9)" in r.content.decode()
    login(client, world.colleague)
    home = client.get(reverse("remisser:outbox"))
    assert any(w["title"] == "Remisser" and w["count"] == 9 for w in home.context["worklists"])


def test_api_send_missing_fields_and_lifecycle(client, world: World) -> None:  # type: ignore[no-untyped-def]
    login(client, world.physician)
    base = "/api/v1/remisser/"
    r = client.post(base, {"patient_id": world.patient.pk}, content_type="application/json")
    assert r.status_code == 400 and r.json()["detail"] == "Remissen saknar: mottagande enhet, frågeställning, prioritet."
    body = {
        "patient_id": world.patient.pk,
        "receiver_unit_id": world.med.pk,
        "priority": "akut",
        "question": "?",
        "idempotency_key": "api-1",
    }
    r = client.post(base, body, content_type="application/json")
    assert r.status_code == 201
    ref_id = r.json()["referral"]["id"]
    assert client.post(base, body, content_type="application/json").json()["referral"]["id"] == ref_id
    deliver_all()
    login(client, world.colleague)
    inbox = client.get(base + "inbox/").json()
    assert [x["id"] for x in inbox["results"]] == [ref_id]
    version = inbox["results"][0]["version"]
    r = client.post(f"{base}{ref_id}/answer/", {"text": "Svar"}, content_type="application/json")
    assert r.status_code == 400 and "kan inte bli" in r.json()["detail"]
    r = client.post(f"{base}{ref_id}/transition/", {"to": "accepted", "version": version}, content_type="application/json")
    assert r.status_code == 200 and r.json()["referral"]["status"] == "accepted"
    r = client.post(
        f"{base}{ref_id}/transition/", {"to": "rejected", "version": version, "note": "x"}, content_type="application/json"
    )
    assert r.status_code == 409
    r = client.post(f"{base}{ref_id}/answer/", {"text": "Svar"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["reply"]["text"] == "Svar"
    login(client, world.outsider)
    assert client.get(f"{base}{ref_id}/").status_code == 404
    login(client, world.physician)
    detail = client.get(f"{base}{ref_id}/").json()
    assert [e["to_status"] for e in detail["events"]] == ["draft", "sent", "received", "accepted", "answered"]


def test_outbox_query_count_is_flat(client, world: World, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    _many(world, 2)
    login(client, world.physician)
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("remisser:outbox"))
    _many(world, 10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = client.get(reverse("remisser:outbox"))
    assert r.context["page"].total == 12


def test_escalation_reminder_shows_in_inbox_and_can_be_marked_read(client, world: World) -> None:  # type: ignore[no-untyped-def]
    ref = send(world)
    Referral.objects.filter(pk=ref.pk).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    services.referral_escalate_overdue()
    login(client, world.physician)
    r = client.get(reverse("remisser:inbox"))
    assert "Påminnelser" in r.content.decode() and "försenad" in r.content.decode()
    note = r.context["page"].notifications[0]
    assert client.post(reverse("remisser:notification_read", args=[note.pk])).status_code == 302
    assert client.get(reverse("remisser:inbox")).context["page"].notifications == []


def test_forward_page_reads_the_chosen_unit_and_an_error_shows_the_units_again(client, world: World) -> None:  # type: ignore[no-untyped-def]
    ref = send(world)
    login(client, world.colleague)
    url = reverse("remisser:act", args=[ref.pk, "vidarebefordra"])
    r = client.post(url, {"version": ref.version, "to_unit": 999999})
    assert r.status_code == 400 and world.priv.name in r.content.decode()  # the list is there to choose again
    r = client.post(reverse("remisser:act", args=[ref.pk, "avvisa"]), {"version": ref.version, "note": ""})
    assert r.status_code == 400 and world.priv.name in r.content.decode()
    assert client.post(url, {"version": ref.version, "to_unit": world.priv.pk}).status_code == 302
    ref.refresh_from_db()
    assert ref.status == S.FORWARDED and ref.receiver_unit_id == world.priv.pk


def test_refused_write_through_a_page_leaves_its_access_log_row(client, world: World) -> None:  # type: ignore[no-untyped-def]
    """The outsider's accept is refused inside the service's transaction; the row stays."""
    ref = send(world)
    login(client, world.outsider)
    before = AccessLog.objects.filter(staff_id=world.outsider.staff.pk, action__endswith=".denied").count()
    r = client.post(f"/remisser/{ref.pk}/acceptera/", {"version": ref.version, "note": ""})
    assert r.status_code in (403, 404)
    assert AccessLog.objects.filter(staff_id=world.outsider.staff.pk, action__endswith=".denied").count() == before + 1
