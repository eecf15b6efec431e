from __future__ import annotations

from django.urls import path

from integrations import views

app_name = "integrations"
urlpatterns = [
    path("sim/registry/<slug:name>/", views.simulated_registry, name="simulated_registry"),
]
