"""Issue 13 items 4 and 5: an undelivered referral is easy for its sender to find and act on,
and every delivery status a person reads is in Swedish."""

from __future__ import annotations

import pytest
from django.urls import reverse

from remisser import queries, services
from remisser.models import Priority, Referral, ReferralEvent, ReferralReceipt, ReferralRoute
from tests import factories as f
from tests.conftest import World, login
from tests.remisser.conftest import deliver_all
from tests.remisser.test_remote_adapter import Receiver, receiver  # noqa: F401 - the fixture
from vardmiljo.errors import DomainError, NotFound
from vardmiljo.models import AccessLog, CareUnit, Outbox, delivery_error_label, delivery_status_text

pytestmark = pytest.mark.django_db
S = Referral.Status


def _remote(name: str, endpoint: str = "") -> CareUnit:
    unit = f.make_unit(f.make_provider(f"{name} AB"), name)
    ReferralRoute.objects.create(unit=unit, mode=ReferralRoute.Mode.REMOTE, endpoint=endpoint)
    return unit


def _send(world: World, unit: CareUnit, question: str = "Bedömning") -> Referral:
    return services.referral_send(
        actor=world.physician,
        patient_id=world.patient.pk,
        receiver_unit_id=unit.pk,
        priority=Priority.TWO_WEEKS,
        question=question,
    )


@pytest.fixture
def rejected(world: World, receiver: str) -> Referral:  # noqa: F811
    """A referral the receiving system answered 400 (permanently rejected)."""
    Receiver.answer = 400
    ref = _send(world, _remote("Privatläkarna Syd", receiver))
    deliver_all()
    ref.refresh_from_db()
    assert Outbox.objects.get(idempotency_key=ref.delivery_key).status == Outbox.Status.DEAD
    return ref


def test_13_5_status_words_are_swedish() -> None:
    assert delivery_status_text("dead", "PermanentFailure: mottagaren svarade 400") == "Inte levererad – mottagaren svarade 400"
    assert delivery_status_text("failed", "TemporaryFailure: <urlopen error [Errno 111] Connection refused>") == (
        "Inte levererad – kunde inte nå mottagaren"
    )
    assert delivery_error_label("TemporaryFailure: HTTP 503: upptagen") == "mottagaren svarade 503: upptagen"
    assert "inställd" in delivery_error_label("NotConfigured: no handler for channel x")
    assert delivery_error_label("TimeoutError: timed out") == "mottagaren svarade inte i tid"
    assert delivery_status_text("delivered", "") == "Levererad"


def test_13_4_worklist_lists_failing_first_with_truthful_status(client, world: World, rejected: Referral) -> None:  # type: ignore[no-untyped-def]
    waiting = _send(world, _remote("Extern klinik"))  # no endpoint: stays queued
    deliver_all()
    delivered = _send(world, world.med)
    deliver_all()
    page = queries.undelivered(world.physician)
    assert [r.pk for r in page.rows] == [rejected.pk, waiting.pk] and page.total == 2
    assert delivered.pk not in [r.pk for r in page.rows]
    assert AccessLog.objects.filter(action="referral.undelivered", staff_id=world.physician.staff.pk).exists()
    login(client, world.physician)
    body = client.get(reverse("remisser:undelivered")).content.decode()
    assert "Inte levererad – mottagaren svarade 400" in body
    assert body.index("Privatläkarna Syd") < body.index("Extern klinik")
    assert "PermanentFailure" not in body and "NotConfigured" not in body
    # Colleagues at another unit do not see the sender's list.
    assert queries.undelivered(world.colleague).total == 0


def test_13_4_header_counter_on_every_page(client, world: World, rejected: Referral) -> None:  # type: ignore[no-untyped-def]
    assert queries.undelivered_count(world.physician) == 1
    assert queries.undelivered_count(world.colleague) == 0
    login(client, world.physician)
    for url in (reverse("home"), reverse("remisser:inbox"), reverse("patient_overview", args=[world.patient.pk])):
        body = client.get(url).content.decode()
        assert f'href="{reverse("remisser:undelivered")}">Remisser som inte gått fram <span class="badge">1</span>' in body, url


def test_13_4_13_5_detail_does_not_claim_the_receiver_has_it(client, world: World, rejected: Referral) -> None:  # type: ignore[no-untyped-def]
    login(client, world.physician)
    body = client.get(reverse("remisser:detail", args=[rejected.pk])).content.decode()
    assert "Ingen ännu – remissen har inte kommit fram till Privatläkarna Syd" in body
    assert "Inte levererad – mottagaren svarade 400" in body
    assert "PermanentFailure" not in body
    assert reverse("remisser:delivery_retry", args=[rejected.pk]) in body
    assert reverse("remisser:redirect", args=[rejected.pk]) in body


def test_13_4_sender_retries_delivery_after_the_receiver_is_fixed(client, world: World, rejected: Referral) -> None:  # type: ignore[no-untyped-def]
    Receiver.answer = 200
    login(client, world.physician)
    r = client.post(reverse("remisser:delivery_retry", args=[rejected.pk]), {"back": "undelivered"})
    assert r.status_code == 302 and r["Location"] == reverse("remisser:undelivered")
    deliver_all()
    rejected.refresh_from_db()
    assert rejected.status == S.RECEIVED
    assert ReferralReceipt.objects.filter(referral=rejected).count() == 1
    assert ReferralEvent.objects.filter(referral=rejected, kind=ReferralEvent.Kind.DELIVERY).exists()
    assert AccessLog.objects.filter(
        action="referral.delivery_retry", staff_id=world.physician.staff.pk, detail__was=Outbox.Status.DEAD
    ).exists()
    assert queries.undelivered_count(world.physician) == 0
    # Arrived: nothing left to retry, and nothing changes.
    with pytest.raises(DomainError):
        services.referral_delivery_retry(actor=world.physician, referral_id=rejected.pk)


def test_13_4_sender_sends_to_another_unit(client, world: World, rejected: Referral) -> None:  # type: ignore[no-untyped-def]
    old_key = rejected.delivery_key
    login(client, world.physician)
    r = client.post(reverse("remisser:redirect", args=[rejected.pk]), {"to_unit": world.med.pk, "note": "Prova länet"})
    assert r.status_code == 302
    deliver_all()
    rejected.refresh_from_db()
    assert rejected.status == S.RECEIVED and rejected.receiver_unit_id == world.med.pk and rejected.owner_unit_id == world.med.pk
    event = ReferralEvent.objects.filter(referral=rejected, note="Prova länet").get()
    assert event.to_unit_id == world.med.pk
    assert AccessLog.objects.filter(
        action="referral.redirect", staff_id=world.physician.staff.pk, detail__to_unit_id=world.med.pk
    ).exists()
    # The first delivery, tried again by an operator, reaches nobody.
    Receiver.answer = 200
    Outbox.objects.filter(idempotency_key=old_key).update(status=Outbox.Status.QUEUED)
    deliver_all()
    assert Receiver.seen == {}
    assert ReferralReceipt.objects.filter(referral=rejected).count() == 1


def test_13_4_redirect_needs_a_unit_and_changes_nothing(client, world: World, rejected: Referral) -> None:  # type: ignore[no-untyped-def]
    login(client, world.physician)
    r = client.post(reverse("remisser:redirect", args=[rejected.pk]), {"to_unit": ""}, follow=True)
    assert "Välj enheten att skicka remissen till." in r.content.decode()
    with pytest.raises(DomainError):
        services.referral_redirect(actor=world.physician, referral_id=rejected.pk, to_unit_id=rejected.receiver_unit_id)
    before = Referral.objects.get(pk=rejected.pk)
    assert (before.receiver_unit_id, before.version) == (rejected.receiver_unit_id, rejected.version)


def test_13_4_only_the_sender_acts_on_delivery(client, world: World, rejected: Referral) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound):
        services.referral_delivery_retry(actor=world.outsider, referral_id=rejected.pk)
    with pytest.raises(NotFound):
        services.referral_redirect(actor=world.outsider, referral_id=rejected.pk, to_unit_id=world.med.pk)
    login(client, world.outsider)
    assert client.post(reverse("remisser:delivery_retry", args=[rejected.pk])).status_code == 404
    assert Outbox.objects.get(idempotency_key=rejected.delivery_key).status == Outbox.Status.DEAD
