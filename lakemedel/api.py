"""REST API of läkemedel under /api/v1/lakemedel/: thin views, serializers beside them."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lakemedel import queries, services
from vardmiljo.api import StrictBooleanField, actor_of, query

# --- Serializers --------------------------------------------------------------


class ProductOut(serializers.Serializer):
    id = serializers.IntegerField()
    npl_id = serializers.CharField()
    name = serializers.CharField()
    substance = serializers.CharField()
    strength = serializers.CharField()
    form = serializers.CharField()
    atc_code = serializers.CharField()
    package_sizes = serializers.ListField(child=serializers.IntegerField())
    dose_unit = serializers.CharField()
    route = serializers.CharField()
    requires_indication = serializers.BooleanField()


class PrescriptionOut(serializers.Serializer):
    id = serializers.IntegerField()
    order_id = serializers.IntegerField()
    product = ProductOut()
    dosage_text = serializers.CharField()
    packages = serializers.IntegerField()
    package_size = serializers.IntegerField()
    dispensings = serializers.IntegerField()
    interval_days = serializers.IntegerField(allow_null=True)
    valid_until = serializers.DateField()
    pharmacy_message = serializers.CharField()
    status = serializers.CharField()
    renewed_from_id = serializers.IntegerField(allow_null=True)
    delivery_status = serializers.CharField()
    receipt_id = serializers.CharField()
    prescriber_code = serializers.CharField()


class OrderOut(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()
    status = serializers.CharField()
    product = ProductOut()
    dose = serializers.DecimalField(max_digits=8, decimal_places=3)
    dose_unit = serializers.CharField()
    route = serializers.CharField()
    frequency = serializers.CharField()
    times = serializers.IntegerField(allow_null=True)
    period = serializers.CharField()
    prn_max_per_day = serializers.IntegerField(allow_null=True)
    dosage_text = serializers.CharField()
    indication = serializers.CharField()
    start_date = serializers.DateField()
    planned_end_date = serializers.DateField(allow_null=True)
    prescriber = serializers.CharField()
    discontinued_reason = serializers.CharField()
    active_prescriptions = PrescriptionOut(many=True, required=False)


class ReviewOut(serializers.Serializer):
    reviewed_at = serializers.DateTimeField()
    reviewed_by = serializers.CharField()
    note = serializers.CharField()


class MedicationListOut(serializers.Serializer):
    patient_id = serializers.IntegerField(source="pa.patient_id")
    current = OrderOut(many=True)
    past = OrderOut(many=True)
    review = ReviewOut(allow_null=True)


class OrderIn(serializers.Serializer):
    """Structured dosage; the service refuses what cannot be read back in Swedish."""

    product_id = serializers.IntegerField(required=False)
    npl_id = serializers.CharField(required=False)
    dose = serializers.CharField(required=False, allow_blank=True, default="")
    dose_unit = serializers.CharField(required=False, allow_blank=True, default="")
    frequency = serializers.ChoiceField(choices=["regular", "prn"])
    times = serializers.IntegerField(required=False, allow_null=True)
    period = serializers.ChoiceField(choices=["day", "week"], default="day")
    prn_max_per_day = serializers.IntegerField(required=False, allow_null=True)
    route = serializers.CharField(required=False, allow_blank=True, default="")
    indication = serializers.CharField(required=False, allow_blank=True, default="")
    start_date = serializers.DateField(required=False, allow_null=True)
    planned_end_date = serializers.DateField(required=False, allow_null=True)
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")


class OrderChangeIn(OrderIn):
    version = serializers.IntegerField(help_text="the version you read; a stale one answers 409")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class VersionOut(serializers.Serializer):
    version = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    changed_at = serializers.DateTimeField()
    changed_by = serializers.CharField()
    reason = serializers.CharField()
    dosage_text = serializers.CharField()
    indication = serializers.CharField()
    start_date = serializers.DateField()
    planned_end_date = serializers.DateField(allow_null=True)
    product = ProductOut()


class ReviewIn(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PauseIn(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, allow_null=True)


class DiscontinueIn(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField(required=False, allow_null=True)


class PrescribeIn(serializers.Serializer):
    packages = serializers.IntegerField(default=1)
    package_size = serializers.IntegerField(required=False, allow_null=True)
    dispensings = serializers.IntegerField(default=1)
    interval_days = serializers.IntegerField(required=False, allow_null=True)
    valid_until = serializers.DateField(required=False, allow_null=True)
    pharmacy_message = serializers.CharField(required=False, allow_blank=True, default="")
    idempotency_key = serializers.CharField(required=False, allow_blank=True, default="")


class RenewIn(serializers.Serializer):
    prescription_ids = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)
    idempotency_key = serializers.CharField(required=False, allow_blank=True, default="")


def _valid(ser_cls: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    ser = ser_cls(data=request.data)
    ser.is_valid(raise_exception=True)
    return dict(ser.validated_data)


def _order_input(d: dict[str, Any]) -> services.OrderInput:
    product_id: Any = d.get("product_id")
    if product_id is None and d.get("npl_id"):
        product_id = queries.product_by_npl(d["npl_id"]).pk
    return services.OrderInput(
        product_id=product_id,
        dose=d.get("dose", ""),
        dose_unit=d.get("dose_unit", ""),
        frequency=d["frequency"],
        times=d.get("times"),
        period=d.get("period", "day"),
        prn_max_per_day=d.get("prn_max_per_day"),
        route=d.get("route", ""),
        indication=d.get("indication", ""),
        start_date=d.get("start_date"),
        planned_end_date=d.get("planned_end_date"),
    )


def _order_out(order: Any) -> dict[str, Any]:
    if not hasattr(order, "active_prescriptions"):
        order.active_prescriptions = []
    return dict(OrderOut(order).data)


# --- Views -------------------------------------------------------------------


class ProductQuery(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200, help_text="namn, substans eller ATC-prefix (minst 2 tecken)"
    )


class MedicationListQuery(serializers.Serializer):
    past = StrictBooleanField(required=False, default=False, help_text="ta med utsatta")


class ProductSearchView(APIView):
    serializer_class = ProductOut

    @extend_schema(parameters=[ProductQuery], responses=ProductOut(many=True))
    def get(self, request: Request) -> Response:
        actor_of(request)
        return Response(ProductOut(queries.product_search(query(request, ProductQuery)["q"]), many=True).data)


class MedicationListView(APIView):
    serializer_class = MedicationListOut

    @extend_schema(parameters=[MedicationListQuery], responses=MedicationListOut)
    def get(self, request: Request, patient_id: int) -> Response:
        include_past = query(request, MedicationListQuery)["past"]
        ml = queries.medication_list(
            actor_of(request),
            patient_id,
            include_past=include_past,
            action="api.lakemedel.list.read",
        )
        for o in ml.past:
            o.active_prescriptions = []  # type: ignore[attr-defined]
        return Response(MedicationListOut(ml).data)

    @extend_schema(request=OrderIn, responses={201: OrderOut})
    def post(self, request: Request, patient_id: int) -> Response:
        d = _valid(OrderIn, request)
        order = services.order_create(
            actor=actor_of(request), patient_id=patient_id, data=_order_input(d), override_reason=d.get("override_reason", "")
        )
        return Response(_order_out(order), status=status.HTTP_201_CREATED)


class OrderChangeView(APIView):
    serializer_class = OrderOut

    @extend_schema(request=OrderChangeIn, responses=OrderOut)
    def put(self, request: Request, patient_id: int, order_id: int) -> Response:
        d = _valid(OrderChangeIn, request)
        order = services.order_change(
            actor=actor_of(request),
            patient_id=patient_id,
            order_id=order_id,
            data=_order_input(d),
            expected_version=d["version"],
            reason=d.get("reason", ""),
            override_reason=d.get("override_reason", ""),
        )
        return Response(_order_out(order))


class OrderDiscontinueView(APIView):
    serializer_class = OrderOut

    @extend_schema(request=DiscontinueIn, responses=OrderOut)
    def post(self, request: Request, patient_id: int, order_id: int) -> Response:
        d = _valid(DiscontinueIn, request)
        order = services.order_discontinue(
            actor=actor_of(request),
            patient_id=patient_id,
            order_id=order_id,
            reason=d["reason"],
            expected_version=d.get("version"),
        )
        return Response(_order_out(order))


class PrescribeView(APIView):
    serializer_class = PrescriptionOut

    @extend_schema(request=PrescribeIn, responses={201: PrescriptionOut})
    def post(self, request: Request, patient_id: int, order_id: int) -> Response:
        d = _valid(PrescribeIn, request)
        rx = services.prescription_create(
            actor=actor_of(request),
            patient_id=patient_id,
            order_id=order_id,
            idempotency_key=d.get("idempotency_key"),
            data=services.PrescriptionInput(
                packages=d["packages"],
                package_size=d.get("package_size"),
                dispensings=d["dispensings"],
                interval_days=d.get("interval_days"),
                valid_until=d.get("valid_until"),
                pharmacy_message=d.get("pharmacy_message", ""),
            ),
        )
        return Response(PrescriptionOut(rx).data, status=status.HTTP_201_CREATED)


class RenewView(APIView):
    serializer_class = PrescriptionOut

    @extend_schema(request=RenewIn, responses={201: PrescriptionOut(many=True)})
    def post(self, request: Request, patient_id: int) -> Response:
        d = _valid(RenewIn, request)
        out = services.prescriptions_renew(
            actor=actor_of(request),
            patient_id=patient_id,
            prescription_ids=d["prescription_ids"],
            idempotency_key=d.get("idempotency_key"),
        )
        return Response(PrescriptionOut(out, many=True).data, status=status.HTTP_201_CREATED)


class OrderPauseView(APIView):
    """POST …/pause/ or …/resume/ (the URL names the action)."""

    serializer_class = OrderOut
    verb = "pause"

    @extend_schema(request=PauseIn, responses=OrderOut)
    def post(self, request: Request, patient_id: int, order_id: int) -> Response:
        d = _valid(PauseIn, request)
        service = services.order_pause if self.verb == "pause" else services.order_resume
        order = service(
            actor=actor_of(request),
            patient_id=patient_id,
            order_id=order_id,
            reason=d.get("reason", ""),
            expected_version=d.get("version"),
        )
        return Response(_order_out(order))


class OrderHistoryView(APIView):
    serializer_class = VersionOut

    @extend_schema(responses=VersionOut(many=True))
    def get(self, request: Request, patient_id: int, order_id: int) -> Response:
        _pa, _order, versions = queries.order_history(actor_of(request), patient_id, order_id)
        return Response(VersionOut(versions, many=True).data)


class ReviewView(APIView):
    serializer_class = ReviewOut

    @extend_schema(request=ReviewIn, responses={201: ReviewOut})
    def post(self, request: Request, patient_id: int) -> Response:
        d = _valid(ReviewIn, request)
        review = services.medication_review_record(actor=actor_of(request), patient_id=patient_id, note=d.get("note", ""))
        return Response(ReviewOut(review).data, status=status.HTTP_201_CREATED)
