from __future__ import annotations

from django.urls import path

from remisser import views

app_name = "remisser"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("utkorg/", views.outbox, name="outbox"),
    path("ej-levererade/", views.undelivered, name="undelivered"),
    path("<int:referral_id>/leverans/forsok-igen/", views.delivery_retry, name="delivery_retry"),
    path("<int:referral_id>/leverans/annan-enhet/", views.redirect_to_unit, name="redirect"),
    path("ny/<int:patient_id>/", views.referral_new, name="new"),
    path("patient/<int:patient_id>/", views.patient_list, name="patient"),
    path("<int:referral_id>/", views.detail, name="detail"),
    path("<int:referral_id>/<slug:action>/", views.act, name="act"),
    path("paminnelse/<int:notification_id>/last/", views.notification_read, name="notification_read"),
]
