from django.urls import path

from invanare import views

app_name = "invanare"

urlpatterns = [
    path("", views.start, name="start"),
    path("logga-in/", views.login_page, name="login"),
    path("logga-in/start/", views.login_start, name="login_start"),
    path("logga-in/klar/", views.login_done, name="login_done"),
    path("logga-ut/", views.logout_view, name="logout"),
    path("journal/<int:patient_id>/", views.record, name="record"),
    path("journal/<int:patient_id>/pdf/", views.record_pdf, name="record_pdf"),
    path("journal/<int:patient_id>/vem-har-last/", views.log_extract, name="log_extract"),
    path("journal/<int:patient_id>/tider/", views.bookings, name="bookings"),
    path("journal/<int:patient_id>/meddelanden/", views.messages_page, name="messages"),
    path("meddelanden/<int:thread_id>/", views.thread, name="thread"),
    path("mina-val/", views.choices, name="choices"),
]
