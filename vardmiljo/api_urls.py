from __future__ import annotations

from django.urls import include, path

from vardmiljo import api

urlpatterns = [
    path("patients/", api.PatientSearchView.as_view(), name="api-patient-search"),
    path("patients/<int:patient_id>/", api.PatientDetailView.as_view(), name="api-patient-detail"),
    path("journal/", include("journal.api_urls")),
    path("lakemedel/", include("lakemedel.api_urls")),
    path("remisser/", include("remisser.api_urls")),
    path("tidbok/", include("tidbok.api_urls")),
    path("slutenvard/", include("slutenvard.api_urls")),
    path("integrations/", include("integrations.api_urls")),
]
