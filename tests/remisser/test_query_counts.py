"""Pinned query counts of the benchmarked clicks (send, triage, inbox) and of the patient
panel. Each number is the whole cost of the act; lower it when a query goes away, never raise
it without a reason. Inside a test's transaction every outermost atomic block is a SAVEPOINT
and a RELEASE (in a request it is BEGIN and COMMIT), counted below."""

from __future__ import annotations

import pytest
from django.urls import reverse

from remisser import panels, queries, services
from remisser.models import Priority, Referral, ReferralEvent, ReferralNotification
from remisser.templatetags.remisser_tags import display_identifier
from tests import factories as f
from tests.conftest import World, login
from tests.remisser.conftest import deliver_all, send
from vardmiljo.access import patient_access
from vardmiljo.models import AccessLog, CareUnit, Outbox, Patient

pytestmark = pytest.mark.django_db
S = Referral.Status


def _send(world: World, receiver: int | CareUnit, key: str = "") -> Referral:
    return services.referral_send(
        actor=world.physician,
        patient_id=world.patient.pk,
        receiver_unit_id=receiver,
        priority=Priority.TWO_WEEKS,
        question="Bedömning?",
        idempotency_key=key,
    )


def test_send_queries(world: World, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    # The send form has read the receiving unit (with its route): not read again.
    unit = CareUnit.objects.select_related("referral_route").get(pk=world.med.pk)
    # atomic 2, idempotency key 1, access check 1 + its log row 1, referral in a savepoint 3,
    # outbox row 1 (INSERT … ON CONFLICT), referral sent 1, both events 1, log row of the send 1.
    with django_assert_num_queries(12):
        ref = _send(world, unit, key="k-1")
    assert list(ReferralEvent.objects.filter(referral=ref).order_by("at", "id").values_list("to_status", flat=True)) == [
        S.DRAFT,
        S.SENT,
    ]
    assert Outbox.objects.filter(idempotency_key=ref.delivery_key, channel=services.CHANNEL_LOCAL).exists()
    assert AccessLog.objects.filter(action="referral.send", object_id="", detail__write=True).count() == 1
    assert AccessLog.objects.filter(action="referral.sent", object_id=str(ref.pk)).count() == 1
    # By id (REST): the unit and its route in one query.
    with django_assert_num_queries(12):
        _send(world, world.med.pk)
    # The double click: one lookup, nothing written.
    with django_assert_num_queries(3):
        assert _send(world, unit, key="k-1").pk == ref.pk


def test_triage_queries(world: World, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    ref = send(world)
    # atomic 2, lock 1, access check 1 + its log row 1, update 1, event 1, log row of the step 1.
    with django_assert_num_queries(8):
        services.referral_accept(actor=world.colleague, referral_id=ref.pk, expected_version=ref.version)
    ref.refresh_from_db()
    assert ref.status == S.ACCEPTED and ref.owner_unit_id == world.med.pk
    assert AccessLog.objects.filter(action="referral.accepted", object_id=str(ref.pk)).count() == 2


def test_inbox_page_queries_and_total(world: World, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    for i in range(4):
        services.referral_send(
            actor=world.physician,
            patient_id=f.make_patient(unit=world.vc).pk,
            receiver_unit_id=world.med.pk,
            priority=Priority.AKUT,
            question=f"Fråga {i}",
        )
    deliver_all()
    # Rows with their total and "any reminders?" 1, the list's log row 1.
    with django_assert_num_queries(2):
        page = queries.inbox_page(world.colleague, limit=3)
    assert page.total == 4 and len(page.rows) == 3 and page.next_offset == 3 and page.notifications == []
    # An unread reminder: read as well.
    ref = Referral.objects.filter(owner_unit=world.med).first()
    assert ref is not None
    ReferralNotification.objects.create(referral=ref, unit=world.med, text="Försenad")
    ReferralNotification.objects.create(referral=ref, unit=world.vc, text="Inte min enhet")
    with django_assert_num_queries(3):
        page = queries.inbox_page(world.colleague, limit=3)
    assert [n.text for n in page.notifications] == ["Försenad"]
    # Past the end: no row to carry the total, so it is counted on its own (and nothing is logged).
    with django_assert_num_queries(3):
        page = queries.inbox_page(world.colleague, offset=10)
    assert page.total == 4 and page.rows == []
    assert queries.inbox_count(world.colleague) == 4


def test_patient_panel_is_one_query(world: World, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    pa = patient_access(world.physician, world.patient.pk, action="patient.overview")
    with django_assert_num_queries(1):
        assert panels.open_referrals(pa)["rows"] == []
    for _ in range(7):
        send(world)
    cancelled = send(world, deliver=False)
    services.referral_cancel(actor=world.physician, referral_id=cancelled.pk, reason="Fel patient")
    with django_assert_num_queries(1):
        ctx = panels.open_referrals(pa)
    assert ctx["total"] == 7 and len(ctx["rows"]) == panels.PANEL_ROWS and ctx["more"]
    row = ctx["rows"][0]
    assert row["receiver"] == world.med.name and row["status"] == "Mottagen" and row["priority"] == "inom 2 veckor"
    assert row["url"] == f"/remisser/{Referral.objects.exclude(pk=cancelled.pk).order_by('-sent_at', '-id')[0].pk}/"


@pytest.mark.parametrize("kind", list(Patient.IdKind.values))
def test_inbox_identifier_is_the_patients(kind: str) -> None:
    p = Patient(identifier="199001011234" if kind != Patient.IdKind.RESERVNUMMER else "R-1990-0001", id_kind=kind)
    assert display_identifier(p.identifier, p.id_kind) == p.display_identifier


def test_api_inbox_query_count_is_flat(client, world: World, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    def many(n: int) -> None:
        for i in range(n):
            services.referral_send(
                actor=world.physician,
                patient_id=f.make_patient(unit=world.vc).pk,
                receiver_unit_id=world.med.pk,
                priority=Priority.AKUT,
                question=f"Fråga {i}",
            )
        deliver_all()

    many(1)
    login(client, world.colleague)
    with django_assert_max_num_queries(40) as few:
        assert len(client.get("/api/v1/remisser/inbox/").json()["results"]) == 1
    many(6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get("/api/v1/remisser/inbox/").json()["results"]) == 7


def test_patient_list_page_counts_with_its_rows(client, world: World, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        send(world)
    cancelled = send(world, deliver=False)
    services.referral_cancel(actor=world.physician, referral_id=cancelled.pk, reason="Fel patient")
    pa = patient_access(world.physician, world.patient.pk, action="referral.patient_list")
    with django_assert_num_queries(1):
        rows, total = queries.patient_referrals(pa, open_only=False, limit=200)
    assert total == 4 and rows[0].pk == cancelled.pk and rows[0].receiver_unit.name == world.med.name
    assert queries.patient_referrals(pa, limit=2)[1] == 3  # open only, more than shown
    login(client, world.physician)
    r = client.get(reverse("remisser:patient", args=[world.patient.pk]))
    assert r.status_code == 200 and "4 remisser" in r.content.decode() and "Makulerad" in r.content.decode()
