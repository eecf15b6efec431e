from __future__ import annotations

from django.urls import path

from remisser import views

app_name = "remisser"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("utkorg/", views.outbox, name="outbox"),
    path("ny/<int:patient_id>/", views.referral_new, name="new"),
    path("patient/<int:patient_id>/", views.patient_list, name="patient"),
    path("<int:referral_id>/", views.detail, name="detail"),
    path("<int:referral_id>/<slug:action>/", views.act, name="act"),
    path("paminnelse/<int:notification_id>/last/", views.notification_read, name="notification_read"),
]
