from __future__ import annotations

from django.urls import path

from tidbok import api

urlpatterns = [
    path("slots/", api.FreeSlotsView.as_view(), name="api-tidbok-slots"),
    path("bookings/", api.BookingsView.as_view(), name="api-tidbok-bookings"),
    path("bookings/<int:booking_id>/", api.BookingDetailView.as_view(), name="api-tidbok-booking"),
    path("bookings/<int:booking_id>/cancel/", api.CancelView.as_view(), name="api-tidbok-cancel"),
    path("bookings/<int:booking_id>/rebook/", api.RebookView.as_view(), name="api-tidbok-rebook"),
    path("bookings/<int:booking_id>/check-in/", api.CheckInView.as_view(), name="api-tidbok-check-in"),
    path("daylist/", api.DayListView.as_view(), name="api-tidbok-daylist"),
    path("waitlist/", api.WaitlistView.as_view(), name="api-tidbok-waitlist"),
]
