from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from vardmiljo import views, views_consent, views_errors, views_followup

handler500 = views_errors.server_error

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("uppdrag/", views.choose_assignment, name="choose_assignment"),
    path("patient/<int:patient_id>/", views.patient_overview, name="patient_overview"),
    path("patient/<int:patient_id>/nodatkomst/", views.emergency_access, name="emergency_access"),
    path("patient/<int:patient_id>/vardrelation/", views.care_relationship_new, name="care_relationship_new"),
    path("patient/<int:patient_id>/samtycke/", views_consent.consent_page, name="consent_page"),
    path("uppfoljning/loggutdrag/", views_followup.log_extract, name="log_extract"),
    path("uppfoljning/loggkontroll/", views_followup.log_review, name="log_review"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/", include("vardmiljo.api_urls")),
    path("journal/", include("journal.urls")),
    path("lakemedel/", include("lakemedel.urls")),
    path("remisser/", include("remisser.urls")),
    path("tidbok/", include("tidbok.urls")),
    path("slutenvard/", include("slutenvard.urls")),
    path("integrationer/", include("integrations.urls")),
    path("driftstopp/", include("driftstopp.urls")),
    path("invanare/", include("invanare.urls")),
    path("", include("invanare.urls_root")),
    path("fhir/R4/", include("integrations.fhir.urls")),
    path("oauth/", include("integrations.fhir.oauth_urls")),
]

handler400 = "vardmiljo.error_pages.bad_request"
handler403 = "vardmiljo.error_pages.permission_denied"
handler404 = "vardmiljo.error_pages.page_not_found"
