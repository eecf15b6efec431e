"""REST under /api/v1/remisser/: thin views over the same queries and services as the pages."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from remisser import queries, services
from remisser.models import Priority, Referral
from vardmiljo.api import query
from vardmiljo.api_auth import actor_of


class UnitOut(serializers.Serializer):
    id = serializers.IntegerField()
    hsa_id = serializers.CharField()
    name = serializers.CharField()


class ReferralOut(serializers.Serializer):
    id = serializers.IntegerField()
    patient_id = serializers.IntegerField()
    patient_name = serializers.CharField(source="patient.full_name")
    sender_unit = UnitOut()
    receiver_unit = UnitOut()
    owner_unit = UnitOut(allow_null=True)
    priority = serializers.CharField()
    question = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    due_date = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField(source="is_overdue")
    sent_at = serializers.DateTimeField(allow_null=True)
    received_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()


class EventOut(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    staff_name = serializers.CharField()
    unit_id = serializers.IntegerField(allow_null=True)
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    from_unit_id = serializers.IntegerField(allow_null=True)
    to_unit_id = serializers.IntegerField(allow_null=True)
    note = serializers.CharField()


class ReplyOut(serializers.Serializer):
    text = serializers.CharField()
    author = serializers.CharField()
    signed_at = serializers.DateTimeField()


class ReferralDetailOut(serializers.Serializer):
    referral = ReferralOut()
    events = EventOut(many=True)
    reply = ReplyOut(allow_null=True)
    delivery_status = serializers.CharField(allow_blank=True)


class ListOut(serializers.Serializer):
    total = serializers.IntegerField()
    offset = serializers.IntegerField()
    results = ReferralOut(many=True)


class SendIn(serializers.Serializer):
    patient_id = serializers.IntegerField()
    receiver_unit_id = serializers.IntegerField(required=False, allow_null=True)
    priority = serializers.CharField(required=False, allow_blank=True, help_text=", ".join(Priority.values))
    question = serializers.CharField(required=False, allow_blank=True)
    idempotency_key = serializers.CharField(required=False, allow_blank=True, max_length=100)


class TransitionIn(serializers.Serializer):
    to = serializers.ChoiceField(choices=[s for s in Referral.Status.values if s not in ("draft", "received")])
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, allow_null=True)
    to_unit_id = serializers.IntegerField(required=False, allow_null=True)
    waitlist = serializers.BooleanField(required=False, default=False)
    text = serializers.CharField(required=False, allow_blank=True, default="", help_text="the signed reply (to=answered)")


class AnswerIn(serializers.Serializer):
    text = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField(required=False, allow_null=True)


class PageQuery(serializers.Serializer):
    offset = serializers.IntegerField(required=False, default=0, min_value=0, max_value=10_000_000)


def _offset(request: Request) -> int:
    return int(query(request, PageQuery)["offset"])


class InboxView(APIView):
    """The actor's unit's inbox, most urgent first."""

    serializer_class = ListOut

    @extend_schema(parameters=[PageQuery])
    def get(self, request: Request) -> Response:
        page = queries.inbox(actor_of(request), offset=_offset(request))
        return Response(ListOut({"total": page.total, "offset": page.offset, "results": page.rows}).data)


class OutboxView(APIView):
    """Open referrals the actor's unit sent, with their current owner."""

    serializer_class = ListOut

    @extend_schema(parameters=[PageQuery])
    def get(self, request: Request) -> Response:
        page = queries.outbox(actor_of(request), offset=_offset(request))
        return Response(ListOut({"total": page.total, "offset": page.offset, "results": page.rows}).data)


def _detail(actor: Any, referral_id: int) -> dict[str, Any]:
    ctx = queries.referral_detail(actor, referral_id)
    reply = ctx["reply"]
    return ReferralDetailOut(
        {
            "referral": ctx["referral"],
            "events": ctx["events"],
            "reply": {"text": reply.text, "author": str(reply.author), "signed_at": reply.signed_at} if reply else None,
            "delivery_status": ctx["delivery"].status if ctx["delivery"] else "",
        }
    ).data


class ReferralSendView(APIView):
    """Send a referral. Missing receiving unit, question or priority is refused and named.
    The same `idempotency_key` sends once."""

    serializer_class = ReferralDetailOut

    @extend_schema(request=SendIn, responses={201: ReferralDetailOut})
    def post(self, request: Request) -> Response:
        actor = actor_of(request)
        data = SendIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        ref = services.referral_send(
            actor=actor,
            patient_id=d["patient_id"],
            receiver_unit_id=d.get("receiver_unit_id"),
            priority=d.get("priority", ""),
            question=d.get("question", ""),
            idempotency_key=d.get("idempotency_key", ""),
        )
        return Response(_detail(actor, ref.pk), status=status.HTTP_201_CREATED)


class ReferralDetailView(APIView):
    serializer_class = ReferralDetailOut

    def get(self, request: Request, referral_id: int) -> Response:
        return Response(_detail(actor_of(request), referral_id))


class ReferralTransitionView(APIView):
    """Accept, reject (note = reason), forward (to_unit_id), request completion, resend,
    acknowledge, close, cancel (note = reason). `version` from the last read: a stale one is 409."""

    serializer_class = ReferralDetailOut

    @extend_schema(request=TransitionIn, responses={200: ReferralDetailOut})
    def post(self, request: Request, referral_id: int) -> Response:
        actor = actor_of(request)
        data = TransitionIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        if d["to"] == Referral.Status.ACCEPTED:
            services.referral_accept(
                actor=actor, referral_id=referral_id, expected_version=d.get("version"), note=d["note"], waitlist=d["waitlist"]
            )
        else:
            services.referral_transition(
                actor=actor,
                referral_id=referral_id,
                to=d["to"],
                note=d["note"],
                expected_version=d.get("version"),
                to_unit_id=d.get("to_unit_id"),
                reply_text=d["text"],
            )
        return Response(_detail(actor, referral_id))


class ReferralAnswerView(APIView):
    """Remissvar, signed by the calling staff member."""

    serializer_class = ReferralDetailOut

    @extend_schema(request=AnswerIn, responses={200: ReferralDetailOut})
    def post(self, request: Request, referral_id: int) -> Response:
        actor = actor_of(request)
        data = AnswerIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.referral_answer(
            actor=actor,
            referral_id=referral_id,
            text=data.validated_data["text"],
            expected_version=data.validated_data.get("version"),
        )
        return Response(_detail(actor, referral_id))
