from __future__ import annotations

from django.urls import path

from slutenvard import views

app_name = "slutenvard"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("belaggning/", views.bed_board, name="bed_board"),
    path("inskrivning/", views.admit, name="admit"),
    path("sang/<int:bed_id>/status/", views.bed_state, name="bed_state"),
    path("vardtillfalle/<int:stay_id>/", views.stay_detail, name="stay"),
    path("vardtillfalle/<int:stay_id>/<str:action>/", views.stay_action, name="stay_action"),
    path("vardtillfalle/<int:stay_id>/overrapportering/sbar/", views.handover, name="handover"),
    path("vardtillfalle/<int:stay_id>/epikris.pdf", views.summary_pdf, name="summary_pdf"),
]
