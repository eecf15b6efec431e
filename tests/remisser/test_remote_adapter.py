"""Delivery to another system: idempotency key on the wire, receipts, retries, visibly queued."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from remisser import services
from remisser.conf import endpoint_env_name
from remisser.models import Priority, Referral, ReferralReceipt, ReferralRoute
from tests import factories as f
from tests.conftest import World
from tests.remisser.conftest import deliver_all
from vardmiljo import outbox
from vardmiljo.models import CareRelationship, Outbox

pytestmark = pytest.mark.django_db


class Receiver(BaseHTTPRequestHandler):
    """A stand-in for another provider's system: de-duplicates on Idempotency-Key."""

    seen: dict[str, int] = {}
    answer = 200

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        key = self.headers["Idempotency-Key"]
        assert body["idempotency_key"] == key
        if Receiver.answer != 200:
            self.send_response(Receiver.answer)
            self.end_headers()
            return
        Receiver.seen.setdefault(key, len(Receiver.seen) + 1)
        out = json.dumps({"receipt": f"R-{Receiver.seen[key]}", "received": True}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    Receiver.seen, Receiver.answer = {}, 200
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{server.server_port}/remiss"
    server.shutdown()


def _ext(endpoint: str = "") -> object:
    unit = f.make_unit(f.make_provider("Privat AB"), "Extern klinik")
    ReferralRoute.objects.create(unit=unit, mode=ReferralRoute.Mode.REMOTE, endpoint=endpoint)
    return unit


def _send(world: World, unit: object) -> Referral:
    return services.referral_send(
        actor=world.physician,
        patient_id=world.patient.pk,
        receiver_unit_id=unit.pk,  # type: ignore[attr-defined]
        priority=Priority.TWO_WEEKS,
        question="Bedömning",
    )


def test_remote_delivery_posts_once_per_key_and_records_receipt(world: World, receiver: str) -> None:
    unit = _ext(receiver)
    ref = _send(world, unit)
    deliver_all()
    ref.refresh_from_db()
    row = Outbox.objects.get(idempotency_key=ref.delivery_key)
    assert row.channel == "referral.remote" and row.status == Outbox.Status.DELIVERED
    assert ref.status == Referral.Status.RECEIVED and ref.owner_unit_id == unit.pk  # type: ignore[attr-defined]
    receipt = ReferralReceipt.objects.get(referral=ref)
    assert receipt.remote and receipt.detail["receipt"] == "R-1"
    # The other system keeps its own record: no care relationship here.
    assert not CareRelationship.objects.filter(unit=unit, patient=world.patient).exists()
    # A retry after a crash between the POST and the receipt posts the same key again and changes nothing.
    from remisser.handlers import deliver_remote

    deliver_remote(row)
    assert list(Receiver.seen) == [ref.delivery_key] and ReferralReceipt.objects.filter(referral=ref).count() == 1


def test_remote_server_error_backs_off_and_client_error_needs_a_person(world: World, receiver: str) -> None:
    unit = _ext(receiver)
    Receiver.answer = 503
    ref = _send(world, unit)
    deliver_all()
    row = Outbox.objects.get(idempotency_key=ref.delivery_key)
    assert row.status == Outbox.Status.FAILED and row.attempts == 1 and row.next_attempt_at > row.created_at
    Receiver.answer = 422
    outbox.deliver(row.pk)
    row.refresh_from_db()
    assert row.status == Outbox.Status.DEAD and "422" in row.last_error
    ref.refresh_from_db()
    assert ref.status == Referral.Status.SENT and ref.owner_unit_id == unit.pk  # type: ignore[attr-defined]


def test_endpoint_from_environment(world: World, receiver: str, monkeypatch: pytest.MonkeyPatch) -> None:
    unit = _ext("")
    monkeypatch.setenv(endpoint_env_name(unit.hsa_id), receiver)  # type: ignore[attr-defined]
    ref = _send(world, unit)
    deliver_all()
    ref.refresh_from_db()
    assert ref.status == Referral.Status.RECEIVED


def test_without_endpoint_stays_visibly_queued(world: World) -> None:
    unit = _ext("")
    ref = _send(world, unit)
    deliver_all()
    row = Outbox.objects.get(idempotency_key=ref.delivery_key)
    assert row.status == Outbox.Status.QUEUED and "ingen mottagaradress" in row.last_error
    assert endpoint_env_name(unit.hsa_id) in row.last_error  # type: ignore[attr-defined]
