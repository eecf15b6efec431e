from __future__ import annotations

from django.urls import path

from integrations import views

app_name = "integrations"
urlpatterns = [
    path("patient/<int:patient_id>/kvalitetsregister/", views.patient_registries, name="patient_registries"),
    path("sim/registry/<slug:name>/", views.simulated_registry, name="simulated_registry"),
]
