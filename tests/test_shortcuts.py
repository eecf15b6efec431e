"""Issue 13 item 10: no page binds a keyboard shortcut twice. Every GET page of every
module is rendered for the personas who use it, and its `data-shortcut` and `accesskey`
attributes are counted; the page's own action wins over the patient header's."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from html.parser import HTMLParser
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from journal import services as journal
from lakemedel import catalogue
from remisser import services as remisser
from remisser.models import Priority
from tests.conftest import World, login
from tests.journal.helpers import VISIT, draft
from tests.lakemedel.conftest import order
from tests.remisser.conftest import deliver_all
from tests.tidbok.helpers import make_resource, make_slot
from tidbok import services as tidbok

pytestmark = pytest.mark.django_db

# Not pages a person reads (REST, admin, simulators of other systems, files).
# invanare: the resident's pages (own session; staff never reach them, tests/invanare checks them).
SKIP_PREFIXES = ("api", "admin", "api-", "fhir", "oauth2_provider", "invanare")
SKIP = {
    "logout",
    "healthz",
    "lakemedel:print_pdf",
    "lakemedel:sim_erecept",
    "tidbok:reminder_simulator",
    "integrations:simulated_registry",
    # POST-only actions: they answer a form, they are not pages.
    "journal:diagnosis_resolve",
    "journal:allergy_inactivate",
    "remisser:act",
    "remisser:notification_read",
    "journal:vitals_error",
    "journal:risk_assessment_error",
    "journal:care_plan_close",
    "driftstopp:after_entry_done",
    "slutenvard:bed_state",
    "slutenvard:stay_action",
    "slutenvard:summary_pdf",
    "resident_inbox_thread",  # a thread of a resident's messages: opened from the inbox in tests/invanare
}


class Shortcuts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.keys: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "data-shortcut" and value:
                self.keys.append(value.lower())
            elif name == "accesskey" and value:
                self.keys.append(f"alt+{value.lower()}")  # how browsers bind an access key


def _names(patterns: list[Any] | None = None, ns: str = "") -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            out += _names(p.url_patterns, f"{ns}{p.namespace}:" if p.namespace else ns)
        elif isinstance(p, URLPattern) and p.name:
            out.append((f"{ns}{p.name}", list(p.pattern.converters)))
    return out


@pytest.fixture
def everything(world: World) -> dict[str, Any]:
    catalogue.ensure_sample()
    pid = world.patient.pk
    note = draft(world)
    signed = journal.note_sign(actor=world.physician, note_id=draft(world).pk, revision=1, headings=VISIT)
    ref = remisser.referral_send(
        actor=world.physician, patient_id=pid, receiver_unit_id=world.med.pk, priority=Priority.TWO_WEEKS, question="Bedömning"
    )
    deliver_all()
    med_order = order(world.physician, pid, "Levaxin", "50 mikrog", times=1)
    resource = make_resource(world.vc)
    slot = make_slot(resource, in_minutes=60 * 24)
    booking = tidbok.booking_create(actor=world.physician, patient_id=pid, slot_id=make_slot(resource, in_minutes=60 * 25).pk)
    entry = tidbok.waitlist_add(
        actor=world.physician,
        patient_id=pid,
        unit_id=world.vc.pk,
        priority="inom_3_manader",
        due_by=timezone.localdate() + dt.timedelta(days=30),
    )
    ack = journal.acknowledgement_request(actor=world.physician, patient_id=pid, summary="Hb 98")
    # Medicinkliniken (the colleague's unit) as a ward with the patient in a bed.
    from slutenvard import services as slutenvard
    from slutenvard.models import Bed, Hospital, Ward

    ward = Ward.objects.create(unit=world.med, hospital=Hospital.objects.create(provider=world.region, name="Sjukhuset"))
    bed = Bed.objects.create(ward=ward, room="1", label="1", order=0)
    stay = slutenvard.stay_admit(
        actor=world.colleague,
        patient_id=pid,
        ward_id=ward.pk,
        bed_id=bed.pk,
        reason="Hjärtsvikt",
        pal_id=world.colleague.staff.pk,
    )
    return {
        "patient_id": pid,
        "note_id": note.pk,
        "referral_id": ref.pk,
        "order_id": med_order.pk,
        "resource_id": resource.pk,
        "slot_id": slot.pk,
        "booking_id": booking.pk,
        "entry_id": entry.pk,
        "acknowledgement_id": ack.pk,
        "signed": signed.pk,
        "stay_id": stay.pk,
    }


def test_13_10_no_shortcut_is_bound_twice_on_any_page(client, world: World, everything: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    # Whose page it is: the receiving unit triages a referral, the sender writes the rest.
    overrides = {
        "journal:note_detail": {"note_id": everything["signed"]},  # signed: "Rätta anteckningen" Alt+R
        "journal:note_correct": {"note_id": everything["signed"]},
        "journal:risk_assessment_new": {"kind": "norton"},
    }
    checked: dict[str, list[str]] = {}
    unknown: list[str] = []
    doubles: dict[str, dict[str, int]] = {}
    for actor in (world.physician, world.colleague):
        login(client, actor)
        for name, params in _names():
            if name in SKIP or name.split(":")[0].startswith(SKIP_PREFIXES) or name.startswith("admin"):
                continue
            kwargs = {p: overrides.get(name, {}).get(p, everything.get(p)) for p in params}
            if any(v is None for v in kwargs.values()):
                unknown.append(name)
                continue
            r = client.get(reverse(name, kwargs=kwargs))
            if r.status_code != 200 or not r["Content-Type"].startswith("text/html"):
                continue
            parser = Shortcuts()
            parser.feed(r.content.decode())
            twice = {k: n for k, n in Counter(parser.keys).items() if n > 1}
            if twice:
                doubles[f"{name} ({actor.unit})"] = twice
            checked.setdefault(name, []).extend(parser.keys)
    assert not unknown, f"pages this test does not know how to open: {unknown}"
    assert not doubles, doubles
    # The pages where the issue found collisions, and the main pages, were really checked.
    for name in (
        "remisser:new",
        "journal:note_detail",
        "journal:note_edit",
        "lakemedel:order_new",
        "remisser:detail",
        "patient_overview",
    ):
        assert name in checked, name
    assert "alt+m" in checked["remisser:new"] and "alt+r" in checked["journal:note_detail"]
    assert len(checked) >= 30, sorted(checked)
