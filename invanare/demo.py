"""Demo data of the e-services: three demo residents (README), the demo identity
provider's login clients and identities, and web-bookable times."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from invanare.idp import demo_identity_for
from vardmiljo.actor import Actor
from vardmiljo.demo import DemoContext
from vardmiljo.identifiers import luhn_digit
from vardmiljo.models import CareRelationship, Guardianship, Patient

# personnummer without its check digit, given name, family name, sex
RESIDENTS = {
    "ingrid": ("19750505981", "Ingrid", "Invånare", "F"),
    "gustav": ("19820808982", "Gustav", "Förälder", "M"),
    "klara": (None, "Klara", "Förälder", "F"),  # the child: born seven years ago
}
VISIT = [
    {"heading": "Aktuellt", "text": "Återbesök för blodtrycket. Mår bra."},
    {"heading": "Status", "text": "Blodtryck 132/84. Puls 68."},
    {"heading": "Bedömning", "text": "Välbehandlad hypertoni."},
    {"heading": "Åtgärd", "text": "Fortsätter med Enalapril. Nytt besök om ett år."},
]


def _pnr(stem: str) -> str:
    """YYYYMMDDNNN plus its Luhn digit (serials 980–999: nobody's real number)."""
    return stem + str(luhn_digit(stem[2:11]))


def _patient(pnr: str, given: str, family: str, sex: str) -> Patient:
    p, _ = Patient.objects.get_or_create(
        identifier=pnr,
        defaults={
            "id_kind": Patient.IdKind.PERSONNUMMER,
            "given_name": given,
            "family_name": family,
            "birth_date": dt.date(int(pnr[:4]), int(pnr[4:6]), int(pnr[6:8])),
            "sex": sex,
            "address": "Storgatan 5, 123 45 Staden",
        },
    )
    return p


def login_clients(base_urls: list[str]) -> None:
    """The demo identity provider's two login clients (the e-services, staff SITHS login)."""
    from oauth2_provider.models import Application

    for conf, path in ((settings.INVANARE_OIDC, "/invanare/logga-in/klar/"), (settings.STAFF_OIDC, "/login/siths/klar/")):
        if not conf["client_id"]:
            continue
        app = Application.objects.filter(client_id=conf["client_id"]).first() or Application(client_id=conf["client_id"])
        app.name = conf["client_id"]
        app.client_secret = conf["client_secret"]
        app.client_type = Application.CLIENT_CONFIDENTIAL
        app.authorization_grant_type = Application.GRANT_AUTHORIZATION_CODE
        app.redirect_uris = " ".join(f"{b.rstrip('/')}{path}" for b in base_urls)
        app.skip_authorization = True
        app.algorithm = Application.RS256_ALGORITHM
        app.save()


def seed(ctx: DemoContext) -> None:
    from journal.models import Note, NoteTemplate, NoteVersion, headings_text
    from lakemedel import catalogue
    from lakemedel import services as lakemedel
    from lakemedel.models import Product
    from tidbok import services as tidbok
    from tidbok.models import Resource, Slot
    from vardmiljo import services as core
    from vardmiljo.access import patient_access

    login_clients(sorted({settings.OIDC_BASE_URL or "http://127.0.0.1:8000", "http://127.0.0.1:8000", "http://localhost:8000"}))
    vc = ctx.units["vc"]
    Resource.objects.filter(unit=vc, staff=ctx.staff["anna"]).update(web_booking=True)
    if Patient.objects.filter(identifier=_pnr(RESIDENTS["ingrid"][0] or "")).exists():
        return
    anna = Actor(staff=ctx.staff["anna"], assignment=ctx.assignments["anna"], client_ip="127.0.0.1")
    bo = Actor(staff=ctx.staff["bo"], assignment=ctx.assignments["bo"], client_ip="127.0.0.1")
    david = Actor(staff=ctx.staff["david"], assignment=ctx.assignments["david"], client_ip="127.0.0.1")
    child_birth = timezone.localdate().replace(year=timezone.localdate().year - 7, month=3, day=14)
    klara_pnr = _pnr(f"{child_birth:%Y%m%d}983")
    with transaction.atomic():
        ingrid = _patient(_pnr(RESIDENTS["ingrid"][0] or ""), *RESIDENTS["ingrid"][1:])
        gustav = _patient(_pnr(RESIDENTS["gustav"][0] or ""), *RESIDENTS["gustav"][1:])
        klara = _patient(klara_pnr, *RESIDENTS["klara"][1:])
        for p in (ingrid, gustav, klara):
            CareRelationship.objects.create(patient=p, unit=vc, ground=CareRelationship.Ground.VISIT)
        Guardianship.objects.create(guardian=gustav, child=klara)
        # Ingrid: signed notes (published after 14 days), a medication, a booking, an emergency access.
        tpl = NoteTemplate.objects.filter(note_type="Läkaranteckning").first()
        # Written as if signed 40, 20 and 3 days ago (a signed note can never be changed
        # afterwards, so the demo inserts them signed, with their version, as an import does).
        for days in (40, 20, 3):
            past = timezone.now() - dt.timedelta(days=days)
            n = Note.objects.create(
                patient=ingrid,
                unit=vc,
                template=tpl,
                note_type="Läkaranteckning",
                headings=VISIT,
                text=headings_text(VISIT),
                status=Note.Status.SIGNED,
                author=anna.staff,
                author_name=str(anna.staff)[:200],
                author_profession=anna.staff.profession,
                event_at=past,
                created_at=past,
                updated_at=past,
                signed_at=past,
                signed_by=anna.staff,
            )
            NoteVersion.objects.create(
                note=n,
                version_no=1,
                headings=n.headings,
                note_type=n.note_type,
                signed_by=anna.staff,
                signed_by_name=str(anna.staff)[:200],
                signed_at=past,
            )
        catalogue.ensure_sample()
        enalapril = Product.objects.filter(name="Enalapril Sandoz").first()
        if enalapril is not None:
            lakemedel.order_create(
                actor=anna,
                patient_id=ingrid.pk,
                override_reason="Demodata",
                data=lakemedel.OrderInput(
                    product_id=enalapril.pk,
                    dose="1",
                    dose_unit=enalapril.dose_unit,
                    frequency="regular",
                    times=1,
                    indication="Hypertoni",
                ),
            )
        slot = (
            Slot.objects.filter(unit=vc, resource__staff=ctx.staff["anna"], status=Slot.Status.FREE, starts_at__gt=timezone.now())
            .order_by("starts_at")
            .first()
        )
        if slot is not None:
            tidbok.booking_create(actor=bo, patient_id=ingrid.pk, slot_id=slot.pk)
        core.emergency_access_open(actor=david, patient_id=ingrid.pk, reason="Inkom medvetslös till jourmottagningen")
        patient_access(david, ingrid.pk, action="journal.overview")
    demo_identity_for(patient=ingrid, label="Ingrid Invånare (journal, läkemedel, bokning, nödåtkomst i loggen)")
    demo_identity_for(patient=gustav, label="Gustav Förälder (vårdnadshavare till Klara, 7 år)")
    if "protected" in ctx.special:
        demo_identity_for(patient=ctx.special["protected"], label="Sam Skyddad (skyddad identitet)")
    ctx.progress("Demodata: invånare Ingrid, Gustav (med Klara) och Sam")
