from __future__ import annotations

from django.urls import path

from journal import api

urlpatterns = [
    path("patients/<int:patient_id>/notes/", api.PatientNotesView.as_view(), name="api-journal-notes"),
    path("patients/<int:patient_id>/diagnoses/", api.PatientDiagnosesView.as_view(), name="api-journal-diagnoses"),
    path("patients/<int:patient_id>/observations/", api.PatientObservationsView.as_view(), name="api-journal-observations"),
    path("patients/<int:patient_id>/allergies/", api.PatientAllergiesView.as_view(), name="api-journal-allergies"),
    path("patients/<int:patient_id>/encounters/", api.PatientEncountersView.as_view(), name="api-journal-encounters"),
    path("patients/<int:patient_id>/vital-signs/", api.PatientVitalSignsView.as_view(), name="api-journal-vitals"),
    path("patients/<int:patient_id>/risk-assessments/", api.PatientRiskAssessmentsView.as_view(), name="api-journal-risk"),
    path("patients/<int:patient_id>/care-plan/", api.PatientCarePlanView.as_view(), name="api-journal-careplan"),
    path("care-plan/<int:item_id>/close/", api.CarePlanCloseView.as_view(), name="api-journal-careplan-close"),
    path("notes/<int:note_id>/", api.NoteDetailView.as_view(), name="api-journal-note"),
    path("notes/<int:note_id>/sign/", api.NoteSignView.as_view(), name="api-journal-note-sign"),
    path("codes/<str:system>/", api.CodeSearchView.as_view(), name="api-journal-codes"),
]
