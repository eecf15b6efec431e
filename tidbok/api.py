"""REST API of tidbok under /api/v1/tidbok/: free slots (and first available), book,
cancel, rebook, check-in, day list, waiting list. Thin: queries and services do the work."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tidbok import queries, services
from tidbok.models import Booking, SlotType, WaitlistEntry
from vardmiljo.api import StrictBooleanField, query
from vardmiljo.api_auth import actor_of
from vardmiljo.errors import DomainError


class SlotOut(serializers.Serializer):
    id = serializers.IntegerField()
    resource_id = serializers.IntegerField()
    resource = serializers.CharField(source="resource.name")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    slot_type = serializers.CharField()
    status = serializers.CharField()


class BookingOut(serializers.Serializer):
    id = serializers.IntegerField()
    slot_id = serializers.IntegerField()
    patient_id = serializers.IntegerField()
    unit_id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    status = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]
    referral_id = serializers.IntegerField(allow_null=True)
    note = serializers.CharField()
    cancel_reason = serializers.CharField()
    checked_in_at = serializers.DateTimeField(allow_null=True)
    encounter_id = serializers.IntegerField(allow_null=True)


class BookIn(serializers.Serializer):
    patient_id = serializers.IntegerField()
    slot_id = serializers.IntegerField(required=False)
    resource_id = serializers.IntegerField(required=False)
    starts_at = serializers.DateTimeField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    waitlist_entry_id = serializers.IntegerField(required=False)
    referral_id = serializers.IntegerField(required=False)


class CancelIn(serializers.Serializer):
    by = serializers.ChoiceField(choices=["unit", "patient"])
    reason = serializers.CharField(max_length=500)


class RebookIn(serializers.Serializer):
    slot_id = serializers.IntegerField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class DayListPatientOut(serializers.Serializer):
    id = serializers.IntegerField()
    identifier = serializers.CharField(source="display_identifier")
    name = serializers.CharField(source="full_name")


class DayListRowOut(serializers.Serializer):
    slot = SlotOut()
    booking = BookingOut(allow_null=True)
    patient = DayListPatientOut(source="booking.patient", allow_null=True, default=None)


class DayListOut(serializers.Serializer):
    unit_id = serializers.IntegerField(source="unit.pk")
    day = serializers.DateField()
    resource_id = serializers.IntegerField(source="resource.pk", allow_null=True, default=None)
    rows = DayListRowOut(many=True)


class WaitlistIn(serializers.Serializer):
    patient_id = serializers.IntegerField()
    priority = serializers.ChoiceField(choices=WaitlistEntry.Priority.choices)
    due_by = serializers.DateField()
    referral_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class WaitlistEntryOut(serializers.Serializer):
    id = serializers.IntegerField()
    patient_id = serializers.IntegerField()
    unit_id = serializers.IntegerField()
    priority = serializers.CharField()
    due_by = serializers.DateField()
    referral_id = serializers.IntegerField(allow_null=True)
    status = serializers.CharField()


class WaitlistOut(serializers.Serializer):
    id = serializers.IntegerField(source="entry.pk")
    patient_id = serializers.IntegerField(source="entry.patient_id")
    priority = serializers.CharField(source="entry.priority")
    due_by = serializers.DateField(source="entry.due_by")
    referral_id = serializers.IntegerField(source="entry.referral_id", allow_null=True)
    guarantee_date = serializers.DateField()
    past_guarantee = serializers.BooleanField()
    past_due = serializers.BooleanField()


def _valid(serializer: serializers.Serializer) -> dict:
    if not serializer.is_valid():
        field, errors = next(iter(serializer.errors.items()))
        raise DomainError(f"{field}: {errors[0]}", field=str(field))
    return dict(serializer.validated_data)


class SlotsQuery(serializers.Serializer):
    slot_type = serializers.ChoiceField(
        choices=SlotType.choices,
        required=False,
        allow_blank=True,
        default="",
        error_messages={"invalid_choice": _("Okänd tidstyp.")},
    )
    resource = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    date = serializers.DateField(required=False, help_text="ÅÅÅÅ-MM-DD")
    first_available = StrictBooleanField(required=False, default=False, help_text="bara den första lediga tiden")


class DayListQuery(serializers.Serializer):
    date = serializers.DateField(required=False, help_text="ÅÅÅÅ-MM-DD (standard: i dag)")
    resource = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class FreeSlotsView(APIView):
    """Free slots of the caller's unit; `first_available=1` gives the earliest only."""

    serializer_class = SlotOut

    @extend_schema(parameters=[SlotsQuery], responses=SlotOut(many=True))
    def get(self, request: Request) -> Response:
        actor = actor_of(request)
        q = query(request, SlotsQuery)
        slot_type, first, resource_id = q["slot_type"], q["first_available"], q.get("resource")
        day = q.get("date") if not first else None
        slots = queries.free_slots(
            actor, slot_type=slot_type, resource_id=resource_id, day=day, limit=1 if first else queries.SEARCH_LIMIT
        )
        return Response(SlotOut(slots, many=True).data)


class BookingsView(APIView):
    serializer_class = BookingOut

    @extend_schema(request=BookIn, responses={201: BookingOut})
    def post(self, request: Request) -> Response:
        data = _valid(BookIn(data=request.data))
        booking = services.booking_create(actor=actor_of(request), **data)
        return Response(BookingOut(booking).data, status=status.HTTP_201_CREATED)


class BookingDetailView(APIView):
    serializer_class = BookingOut

    def get(self, request: Request, booking_id: int) -> Response:
        booking, _pa = queries.booking_for(actor_of(request), booking_id)
        return Response(BookingOut(booking).data)


class CancelView(APIView):
    serializer_class = BookingOut

    @extend_schema(request=CancelIn, responses=BookingOut)
    def post(self, request: Request, booking_id: int) -> Response:
        data = _valid(CancelIn(data=request.data))
        booking = services.booking_cancel(actor=actor_of(request), booking_id=booking_id, **data)
        return Response(BookingOut(booking).data)


class RebookView(APIView):
    serializer_class = BookingOut

    @extend_schema(request=RebookIn, responses={201: BookingOut})
    def post(self, request: Request, booking_id: int) -> Response:
        data = _valid(RebookIn(data=request.data))
        booking = services.booking_rebook(actor=actor_of(request), booking_id=booking_id, **data)
        return Response(BookingOut(booking).data, status=status.HTTP_201_CREATED)


class CheckInView(APIView):
    serializer_class = BookingOut

    @extend_schema(request=None, responses=BookingOut)
    def post(self, request: Request, booking_id: int) -> Response:
        booking: Booking = services.booking_check_in(actor=actor_of(request), booking_id=booking_id)
        return Response(BookingOut(booking).data)


class DayListView(APIView):
    serializer_class = DayListOut

    @extend_schema(parameters=[DayListQuery], responses=DayListOut)
    def get(self, request: Request) -> Response:
        q = query(request, DayListQuery)
        day = q.get("date") or timezone.localdate()
        dl = queries.daylist_for(actor_of(request), day=day, resource_id=q.get("resource"))
        return Response(DayListOut(dl).data)


class WaitlistView(APIView):
    serializer_class = WaitlistOut

    @extend_schema(responses=WaitlistOut(many=True))
    def get(self, request: Request) -> Response:
        rows, _total = queries.waitlist_for(actor_of(request))
        return Response(WaitlistOut(rows, many=True).data)

    @extend_schema(request=WaitlistIn, responses={201: WaitlistEntryOut})
    def post(self, request: Request) -> Response:
        actor = actor_of(request)
        data = _valid(WaitlistIn(data=request.data))
        entry = services.waitlist_add(actor=actor, unit_id=actor.unit_id or 0, **data)
        return Response(WaitlistEntryOut(entry).data, status=status.HTTP_201_CREATED)
