from __future__ import annotations

from django.urls import path

from lakemedel import api

urlpatterns = [
    path("products/", api.ProductSearchView.as_view(), name="api-lakemedel-products"),
    path("patients/<int:patient_id>/orders/", api.MedicationListView.as_view(), name="api-lakemedel-list"),
    path("patients/<int:patient_id>/orders/<int:order_id>/", api.OrderChangeView.as_view(), name="api-lakemedel-order-change"),
    path(
        "patients/<int:patient_id>/orders/<int:order_id>/discontinue/",
        api.OrderDiscontinueView.as_view(),
        name="api-lakemedel-order-discontinue",
    ),
    path(
        "patients/<int:patient_id>/orders/<int:order_id>/prescribe/", api.PrescribeView.as_view(), name="api-lakemedel-prescribe"
    ),
    path(
        "patients/<int:patient_id>/orders/<int:order_id>/pause/",
        api.OrderPauseView.as_view(verb="pause"),
        name="api-lakemedel-order-pause",
    ),
    path(
        "patients/<int:patient_id>/orders/<int:order_id>/resume/",
        api.OrderPauseView.as_view(verb="resume"),
        name="api-lakemedel-order-resume",
    ),
    path(
        "patients/<int:patient_id>/orders/<int:order_id>/history/",
        api.OrderHistoryView.as_view(),
        name="api-lakemedel-order-history",
    ),
    path("patients/<int:patient_id>/review/", api.ReviewView.as_view(), name="api-lakemedel-review"),
    path("patients/<int:patient_id>/renew/", api.RenewView.as_view(), name="api-lakemedel-renew"),
]
