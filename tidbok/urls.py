from __future__ import annotations

from django.urls import path

from tidbok import views

app_name = "tidbok"
urlpatterns = [
    path("", views.daylist, name="daylist"),
    path("vecka/<int:resource_id>/", views.week, name="week"),
    path("boka/", views.book_search, name="book"),
    path("boka/<int:slot_id>/", views.book_slot, name="book_slot"),
    path("bokning/<int:booking_id>/avboka/", views.cancel, name="cancel"),
    path("bokning/<int:booking_id>/ankomst/", views.check_in, name="check_in"),
    path("vantelista/", views.waitlist, name="waitlist"),
    path("vantelista/ny/<int:patient_id>/", views.waitlist_add, name="waitlist_add"),
    path("vantelista/<int:entry_id>/ta-bort/", views.waitlist_remove, name="waitlist_remove"),
    path("patient/<int:patient_id>/", views.patient_bookings, name="patient_bookings"),
    path("schema/", views.schedule, name="schedule"),
    path("simulator/paminnelse/", views.reminder_simulator, name="reminder_simulator"),
]
