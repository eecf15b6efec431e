from __future__ import annotations

from django.urls import path

from slutenvard import api

urlpatterns = [
    path("stays/", api.StaysView.as_view(), name="api-sv-stays"),
    path("stays/<int:stay_id>/", api.StayDetailView.as_view(), name="api-sv-stay"),
    path("stays/<int:stay_id>/transfer/", api.TransferView.as_view(), name="api-sv-transfer"),
    path("stays/<int:stay_id>/move-bed/", api.MoveBedView.as_view(), name="api-sv-move"),
    path("stays/<int:stay_id>/leave/", api.LeaveView.as_view(), name="api-sv-leave"),
    path("stays/<int:stay_id>/discharge/", api.DischargeView.as_view(), name="api-sv-discharge"),
    path("stays/<int:stay_id>/cancel/", api.CancelView.as_view(), name="api-sv-cancel"),
    path("beds/", api.BedsView.as_view(), name="api-sv-beds"),
    path("beds/<int:bed_id>/state/", api.BedStateView.as_view(), name="api-sv-bed-state"),
    path("bed-board/", api.BedBoardView.as_view(), name="api-sv-bed-board"),
    path("worklist/", api.WorklistView.as_view(), name="api-sv-worklist"),
]
