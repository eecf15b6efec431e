from __future__ import annotations

import pytest

from slutenvard import demo as sv_demo
from slutenvard import queries
from slutenvard.models import Bed, Stay
from vardmiljo import demo
from vardmiljo.actor import Actor

pytestmark = pytest.mark.django_db


def test_demo_hospital_wards_patients_and_personas() -> None:
    ctx = demo.seed_core(patients=300, progress=lambda s: None)
    sv_demo.seed(ctx)
    counts = (Bed.objects.count(), Stay.objects.count())
    assert Bed.objects.filter(ward__unit__name="Medicinavdelning 3", extra=False).count() == 24
    assert Bed.objects.filter(ward__unit__name="Kirurgavdelning 5", extra=False).count() == 20
    siv = Actor(staff=ctx.staff["siv"], assignment=ctx.assignments["siv"])
    wl = queries.worklist_for(siv)
    assert len(wl.rows) == 23 and sum(r.stay.is_outlying for r in wl.rows) == 1 and sum(r.stay.bed is None for r in wl.rows) == 1
    assert sum(1 for r in wl.rows if r.news2 and r.news2.escalate) == 1
    board = queries.bed_board(siv)
    med = next(w for w in board.wards if w.ward.unit.name == "Medicinavdelning 3")
    assert (med.outlying, med.waiting, med.cleaning, med.closed) == (1, 1, 1, 1)
    sv_demo.seed(ctx)  # idempotent
    assert (Bed.objects.count(), Stay.objects.count()) == counts
