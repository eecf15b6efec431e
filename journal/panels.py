"""What the journal adds to the shell: overview panels, the attention signal,
worklists and links in the patient's navigation bar. Every panel is bounded:
the same number of queries for 5 notes as for 5,000."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from journal import news2, queries
from journal.models import Allergy, NoteTemplate, TemplateHeading
from vardmiljo.access import PatientAccess
from vardmiljo.actor import Actor
from vardmiljo.registry import header_signal, patient_link, patient_panel, worklist
from vardmiljo.web import id_url


@patient_panel("journal.notes", title=str(_("Senaste anteckningar")), template="journal/panels/notes.html", order=10)
def notes_panel(pa: PatientAccess) -> dict[str, Any]:
    notes = queries.latest_notes(pa)
    detail, edit = id_url("journal:note_detail"), id_url("journal:note_edit")
    for n in notes:
        n["url"] = edit(n["id"]) if n["status"] == "draft" else detail(n["id"])
        n["excerpt"] = excerpt(n["excerpt"])
    return {
        "notes": notes,
        "unsigned": sum(1 for n in notes if n["status"] == "draft" and n["author_id"] == pa.staff_actor.staff.pk),
        "templates": queries.template_choices(pa.staff_actor),
        "patient_id": pa.patient_id,
    }


@patient_panel("journal.diagnoses", title=str(_("Aktuella diagnoser")), template="journal/panels/diagnoses.html", order=20)
def diagnoses_panel(pa: PatientAccess) -> dict[str, Any]:
    return {"diagnoses": queries.panel_diagnoses(pa), "patient_id": pa.patient_id}


@patient_panel("journal.observations", title=str(_("Senaste mätvärden")), template="journal/panels/observations.html", order=60)
def observations_panel(pa: PatientAccess) -> dict[str, Any]:
    return {"observations": queries.panel_observations(pa), "patient_id": pa.patient_id}


@patient_panel("journal.news2", title=str(_("NEWS2")), template="journal/panels/news2.html", order=15)
def news2_panel(pa: PatientAccess) -> dict[str, Any]:
    latest = _news2(pa)
    return {
        "latest": latest,
        "risk_label": news2.RISK_LABELS[latest.risk] if latest else "",
        "overdue": latest is not None and latest.next_due_at < timezone.now(),
        "patient_id": pa.patient_id,
    }


def _news2(pa: PatientAccess) -> queries.News2Summary | None:
    # The panel and the header signal both show it: one query per decided access (the
    # cache holds the access itself, so a later decision for the same patient reads again).
    cache: dict[int, tuple[PatientAccess, queries.News2Summary | None]] = pa.actor.__dict__.setdefault("_journal_news2", {})
    hit = cache.get(pa.patient_id)
    if hit is None or hit[0] is not pa:
        hit = cache[pa.patient_id] = (pa, queries.news2_latest(pa))
    return hit[1]


@header_signal("journal.news2")
def news2_signal(pa: PatientAccess) -> list[dict[str, str]]:
    """The escalation, on every page of the patient, while the latest set asks for it."""
    if not isinstance(pa, PatientAccess):
        return []
    latest = _news2(pa)
    if latest is None or not latest.escalate:
        return []
    text = str(_("NEWS2 %(s)d, klinisk risk %(r)s – eskalera")) % {"s": latest.score, "r": news2.RISK_LABELS[latest.risk]}
    return [{"kind": "news2", "label": str(_("Eskalering")), "text": text}]


def excerpt(text: str, limit: int = queries.EXCERPT_CHARS) -> str:
    """The start of a note, cut with an ellipsis as `truncatechars` does."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


SEVERE = {Allergy.Severity.SEVERE, Allergy.Severity.LIFE_THREATENING}


@header_signal("journal.alerts")
def alerts_signal(pa: PatientAccess) -> list[dict[str, str]]:
    if not isinstance(pa, PatientAccess):
        return []  # a page that shows a patient header without a decided access (e.g. log extract)
    out = []
    for a in queries.alert_rows(pa):
        text = a["substance"] + (f" ({a['atc_code']})" if a["atc_code"] else "")
        if a["severity"] in SEVERE:
            text += f" – {Allergy.Severity(a['severity']).label}"
        out.append({"kind": a["kind"], "label": str(Allergy.Kind(a["kind"]).label), "text": text})
    return out


def _counts(actor: Actor) -> tuple[int, int]:
    # Both top-bar counters come from one query, remembered on this request's actor
    # (the middleware makes a new Actor for every request).
    cached = actor.__dict__.get("_journal_worklists")
    if cached is None:
        cached = actor.__dict__["_journal_worklists"] = queries.worklist_counts(actor)
    return cached


@worklist("journal.unsigned", title=str(_("Osignerade")), url_name="journal:unsigned")
def unsigned_worklist(actor: Actor) -> int:
    return _counts(actor)[0]


@worklist("journal.acknowledgements", title=str(_("Vidimering")), url_name="journal:acknowledgements")
def ack_worklist(actor: Actor) -> int:
    return _counts(actor)[1]


patient_link("journal.timeline", title=str(_("Journal")), url_name="journal:timeline", order=10, shortcut="alt+j")
patient_link("journal.observations", title=str(_("Mätvärden")), url_name="journal:observations", order=20, shortcut="alt+m")
patient_link("journal.diagnoses", title=str(_("Diagnoser")), url_name="journal:diagnoses", order=25)
patient_link("journal.alerts", title=str(_("Uppmärksamhetssignal")), url_name="journal:allergies", order=30)
patient_link("journal.vitals", title=str(_("Vitalparametrar")), url_name="journal:vitals", order=22)
patient_link("journal.risk", title=str(_("Riskbedömning")), url_name="journal:risk_assessments", order=26)
patient_link("journal.care_plan", title=str(_("Vårdplan")), url_name="journal:care_plan", order=27)
patient_link("journal.print", title=str(_("Utskrift")), url_name="journal:print", order=90)

for _model in (NoteTemplate, TemplateHeading):
    post_save.connect(queries.clear_template_cache, sender=_model, dispatch_uid=f"journal.tplcache.save.{_model.__name__}")
    post_delete.connect(queries.clear_template_cache, sender=_model, dispatch_uid=f"journal.tplcache.del.{_model.__name__}")
