"""REST API of slutenvård under /api/v1/slutenvard/: stays (admit, and each event on
a stay), beds, the bed board and the ward worklist. Thin: queries and services do the work."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from slutenvard import queries, services
from slutenvard.models import Bed, Stay
from vardmiljo.api_auth import actor_of
from vardmiljo.errors import DomainError


class BedOut(serializers.Serializer):
    id = serializers.IntegerField()
    ward_id = serializers.IntegerField()
    room = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    extra = serializers.BooleanField()
    state = serializers.CharField()


class StayOut(serializers.Serializer):
    id = serializers.IntegerField()
    patient_id = serializers.IntegerField()
    ward_id = serializers.IntegerField()
    ward = serializers.CharField(source="ward.unit.name")
    bed_id = serializers.IntegerField(allow_null=True)
    bed = serializers.CharField(source="bed.label", allow_null=True, default=None)
    outlying = serializers.BooleanField(source="is_outlying")
    status = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]
    reason = serializers.CharField()
    admitted_at = serializers.DateTimeField()
    pal_id = serializers.IntegerField(allow_null=True)
    pas_id = serializers.IntegerField(allow_null=True)
    expected_discharge = serializers.DateField(allow_null=True)
    plan = serializers.CharField()
    leave_until = serializers.DateTimeField(allow_null=True)
    discharged_at = serializers.DateTimeField(allow_null=True)
    destination = serializers.CharField()
    encounter_id = serializers.IntegerField(allow_null=True)
    summary_note_id = serializers.IntegerField(allow_null=True)


class AdmitIn(serializers.Serializer):
    patient_id = serializers.IntegerField()
    ward_id = serializers.IntegerField()
    reason = serializers.CharField(max_length=500)
    source = serializers.ChoiceField(choices=Stay.Source.choices, default=Stay.Source.EMERGENCY)  # type: ignore[assignment]
    bed_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    admitted_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    pal_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    pas_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    expected_discharge = serializers.DateField(required=False, allow_null=True, default=None)
    plan = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    primary_care_unit_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    referral_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    waitlist_entry_id = serializers.IntegerField(required=False, allow_null=True, default=None)


class TransferIn(serializers.Serializer):
    to_ward_id = serializers.IntegerField()
    bed_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class MoveIn(serializers.Serializer):
    bed_id = serializers.IntegerField()
    outlying = serializers.BooleanField(default=False)


class LeaveIn(serializers.Serializer):
    until = serializers.DateTimeField()


class DischargeIn(serializers.Serializer):
    destination = serializers.ChoiceField(choices=Stay.Destination.choices)
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class StayCancelIn(serializers.Serializer):
    what = serializers.ChoiceField(choices=["admit", "transfer", "discharge"])
    reason = serializers.CharField(max_length=500)


class BedStateIn(serializers.Serializer):
    state = serializers.ChoiceField(choices=[Bed.State.FREE, Bed.State.CLEANING, Bed.State.CLOSED])


class News2Out(serializers.Serializer):
    score = serializers.IntegerField()
    trend = serializers.CharField()
    taken_at = serializers.DateTimeField()
    next_due_at = serializers.DateTimeField()
    escalate = serializers.BooleanField()


class WorklistRowOut(serializers.Serializer):
    stay = StayOut()
    patient_name = serializers.CharField(source="patient.full_name")
    identifier = serializers.CharField(source="patient.display_identifier")
    age = serializers.IntegerField(source="patient.age", allow_null=True)
    bed = serializers.CharField(source="bed_label")
    days = serializers.IntegerField()
    signals = serializers.ListField(child=serializers.CharField())
    unacknowledged = serializers.IntegerField()
    news2 = News2Out(allow_null=True)
    observations_due = serializers.BooleanField()


class WorklistOut(serializers.Serializer):
    ward_id = serializers.IntegerField(source="ward.pk")
    ward = serializers.CharField(source="ward.unit.name")
    rows = WorklistRowOut(many=True)


class WardFiguresOut(serializers.Serializer):
    ward_id = serializers.IntegerField(source="ward.pk")
    ward = serializers.CharField(source="ward.unit.name")
    beds = serializers.IntegerField()
    free = serializers.IntegerField()
    occupied = serializers.IntegerField()
    cleaning = serializers.IntegerField()
    closed = serializers.IntegerField()
    patients = serializers.IntegerField()
    over_occupancy = serializers.IntegerField()
    outlying = serializers.IntegerField()
    waiting = serializers.IntegerField()
    expected_discharges = serializers.IntegerField()


class BedBoardOut(serializers.Serializer):
    hospital_id = serializers.IntegerField(source="hospital.pk")
    hospital = serializers.CharField(source="hospital.name")
    day = serializers.DateField()
    wards = WardFiguresOut(many=True)
    waiting_stay_ids = serializers.SerializerMethodField()

    def get_waiting_stay_ids(self, obj: Any) -> list[int]:
        return [s.pk for s in obj.waiting_patients]


def _valid(serializer: serializers.Serializer) -> dict[str, Any]:
    if not serializer.is_valid():
        field, errors = next(iter(serializer.errors.items()))
        raise DomainError(f"{field}: {errors[0]}", field=str(field))
    return dict(serializer.validated_data)


class StaysView(APIView):
    serializer_class = StayOut

    @extend_schema(responses=WorklistOut, operation_id="slutenvard_stays_list")
    def get(self, request: Request) -> Response:
        """The stays of the caller's ward (the worklist's rows)."""
        return Response(WorklistOut(queries.worklist_for(actor_of(request))).data)

    @extend_schema(request=AdmitIn, responses={201: StayOut})
    def post(self, request: Request) -> Response:
        stay = services.stay_admit(actor=actor_of(request), **_valid(AdmitIn(data=request.data)))
        return Response(StayOut(stay).data, status=status.HTTP_201_CREATED)


class StayDetailView(APIView):
    serializer_class = StayOut

    def get(self, request: Request, stay_id: int) -> Response:
        stay, _pa = queries.stay_for(actor_of(request), stay_id)
        return Response(StayOut(stay).data)


class TransferView(APIView):
    serializer_class = StayOut

    @extend_schema(request=TransferIn, responses=StayOut)
    def post(self, request: Request, stay_id: int) -> Response:
        stay = services.stay_transfer(actor=actor_of(request), stay_id=stay_id, **_valid(TransferIn(data=request.data)))
        return Response(StayOut(stay).data)


class MoveBedView(APIView):
    serializer_class = StayOut

    @extend_schema(request=MoveIn, responses=StayOut)
    def post(self, request: Request, stay_id: int) -> Response:
        stay = services.stay_move_bed(actor=actor_of(request), stay_id=stay_id, **_valid(MoveIn(data=request.data)))
        return Response(StayOut(stay).data)


class LeaveView(APIView):
    serializer_class = StayOut

    @extend_schema(request=LeaveIn, responses=StayOut)
    def post(self, request: Request, stay_id: int) -> Response:
        stay = services.stay_leave(actor=actor_of(request), stay_id=stay_id, **_valid(LeaveIn(data=request.data)))
        return Response(StayOut(stay).data)

    @extend_schema(request=None, responses=StayOut)
    def delete(self, request: Request, stay_id: int) -> Response:
        """The patient is back from leave."""
        stay = services.stay_leave_end(actor=actor_of(request), stay_id=stay_id)
        return Response(StayOut(stay).data)


class DischargeView(APIView):
    serializer_class = StayOut

    @extend_schema(request=DischargeIn, responses=StayOut)
    def post(self, request: Request, stay_id: int) -> Response:
        stay = services.stay_discharge(actor=actor_of(request), stay_id=stay_id, **_valid(DischargeIn(data=request.data)))
        return Response(StayOut(stay).data)


class CancelView(APIView):
    serializer_class = StayOut

    @extend_schema(request=StayCancelIn, responses=StayOut)
    def post(self, request: Request, stay_id: int) -> Response:
        data = _valid(StayCancelIn(data=request.data))
        fn = {
            "admit": services.stay_cancel_admit,
            "transfer": services.stay_cancel_transfer,
            "discharge": services.stay_cancel_discharge,
        }[data["what"]]
        stay = fn(actor=actor_of(request), stay_id=stay_id, reason=data["reason"])
        return Response(StayOut(stay).data)


class BedsView(APIView):
    serializer_class = BedOut

    @extend_schema(responses=BedOut(many=True))
    def get(self, request: Request) -> Response:
        """The beds of the caller's ward with their state (no patient data)."""
        ward = queries.require_ward(actor_of(request))
        return Response(BedOut(queries.beds_of(ward), many=True).data)


class BedStateView(APIView):
    serializer_class = BedOut

    @extend_schema(request=BedStateIn, responses=BedOut)
    def post(self, request: Request, bed_id: int) -> Response:
        bed = services.bed_set_state(actor=actor_of(request), bed_id=bed_id, **_valid(BedStateIn(data=request.data)))
        return Response(BedOut(bed).data)


class BedBoardView(APIView):
    serializer_class = BedBoardOut

    @extend_schema(
        parameters=[OpenApiParameter("hospital", int), OpenApiParameter("date", str, description="ÅÅÅÅ-MM-DD")],
        responses=BedBoardOut,
    )
    def get(self, request: Request) -> Response:
        import datetime as dt

        q = request.query_params
        try:
            hospital_id = int(q["hospital"]) if q.get("hospital") else None
            day = dt.date.fromisoformat(q["date"]) if q.get("date") else None
        except ValueError:
            raise DomainError("Ange sjukhus som id och datum som ÅÅÅÅ-MM-DD.") from None
        board = queries.bed_board(actor_of(request), hospital_id=hospital_id, day=day)
        return Response(BedBoardOut(board).data)


class WorklistView(APIView):
    serializer_class = WorklistOut

    @extend_schema(responses=WorklistOut)
    def get(self, request: Request) -> Response:
        return Response(WorklistOut(queries.worklist_for(actor_of(request))).data)
