from __future__ import annotations

from django.urls import path

from remisser import api

urlpatterns = [
    path("", api.ReferralSendView.as_view(), name="api-remisser-send"),
    path("inbox/", api.InboxView.as_view(), name="api-remisser-inbox"),
    path("outbox/", api.OutboxView.as_view(), name="api-remisser-outbox"),
    path("<int:referral_id>/", api.ReferralDetailView.as_view(), name="api-remisser-detail"),
    path("<int:referral_id>/transition/", api.ReferralTransitionView.as_view(), name="api-remisser-transition"),
    path("<int:referral_id>/answer/", api.ReferralAnswerView.as_view(), name="api-remisser-answer"),
]
