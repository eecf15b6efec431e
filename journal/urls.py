from __future__ import annotations

from django.urls import path

from journal import views, views_nursing

app_name = "journal"
urlpatterns = [
    path("patient/<int:patient_id>/anteckning/ny/", views.note_new, name="note_new"),
    path("patient/<int:patient_id>/journal/", views.timeline, name="timeline"),
    path("patient/<int:patient_id>/utskrift/", views.print_view, name="print"),
    path("patient/<int:patient_id>/matvarden/", views.observations, name="observations"),
    path("patient/<int:patient_id>/diagnoser/", views.diagnoses, name="diagnoses"),
    path("patient/<int:patient_id>/signaler/", views.allergies, name="allergies"),
    path("patient/<int:patient_id>/vitalparametrar/", views_nursing.vitals, name="vitals"),
    path("patient/<int:patient_id>/vitalparametrar/ny/", views_nursing.vitals_new, name="vitals_new"),
    path(
        "patient/<int:patient_id>/vitalparametrar/<int:vital_signs_id>/felregistrerad/",
        views_nursing.vitals_error,
        name="vitals_error",
    ),
    path("patient/<int:patient_id>/riskbedomning/", views_nursing.risk_assessments, name="risk_assessments"),
    path("patient/<int:patient_id>/riskbedomning/<str:kind>/ny/", views_nursing.risk_assessment_new, name="risk_assessment_new"),
    path(
        "patient/<int:patient_id>/riskbedomning/<int:risk_assessment_id>/felregistrerad/",
        views_nursing.risk_assessment_error,
        name="risk_assessment_error",
    ),
    path("patient/<int:patient_id>/vardplan/", views_nursing.care_plan, name="care_plan"),
    path("patient/<int:patient_id>/vardplan/<int:item_id>/avsluta/", views_nursing.care_plan_close, name="care_plan_close"),
    path("anteckning/<int:note_id>/", views.note_detail, name="note_detail"),
    path("anteckning/<int:note_id>/skriv/", views.note_edit, name="note_edit"),
    path("anteckning/<int:note_id>/autospara/", views.note_autosave, name="note_autosave"),
    path("anteckning/<int:note_id>/signera/", views.note_sign, name="note_sign"),
    path("anteckning/<int:note_id>/rattelse/", views.note_correct, name="note_correct"),
    path("anteckning/<int:note_id>/felregistrerad/", views.note_error, name="note_error"),
    path("anteckning/<int:note_id>/kod/", views.note_diagnosis_add, name="note_diagnosis_add"),
    path("diagnos/<int:diagnosis_id>/inaktuell/", views.diagnosis_resolve, name="diagnosis_resolve"),
    path("signal/<int:allergy_id>/inaktuell/", views.allergy_inactivate, name="allergy_inactivate"),
    path("koder/", views.code_search, name="code_search"),
    path("osignerade/", views.unsigned, name="unsigned"),
    path("vidimering/", views.acknowledgements, name="acknowledgements"),
    path("vidimering/<int:acknowledgement_id>/", views.acknowledge, name="acknowledge"),
]
