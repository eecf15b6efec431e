"""The demo seed imports the sample files against the demo organisation."""

from __future__ import annotations

import pytest

from integrations import demo as integrations_demo
from integrations.models import ImportJob, RegistryTransfer
from vardmiljo import demo
from vardmiljo.access import patient_access
from vardmiljo.actor import Actor
from vardmiljo.models import Patient

pytestmark = pytest.mark.django_db


def test_demo_seed_imports_samples_and_queues_transfers():
    from journal.models import Note

    ctx = demo.seed_core(3, progress=lambda m: None)
    integrations_demo.seed(ctx)
    astrid = Patient.objects.get(identifier="195001019826")
    assert Note.objects.filter(patient=astrid, status=Note.Status.IMPORTED).count() == 2
    assert set(RegistryTransfer.objects.values_list("registry", flat=True)) == {"ndr", "hjartsvikt"}
    # Anna (physician at Vårdcentral Centrum) may read the imported record: the import gave a care relationship.
    anna = Actor(staff=ctx.staff["anna"], assignment=ctx.assignments["anna"])
    pa = patient_access(anna, astrid.pk, action="test.read")
    assert pa.filter(Note.objects.all()).count() == 2
    jobs = ImportJob.objects.count()
    integrations_demo.seed(ctx)  # idempotent
    assert ImportJob.objects.count() == jobs
