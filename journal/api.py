"""REST API of the journal (/api/v1/journal/). Thin: serializers in, one
service or query, serializers out. Errors are mapped by vardmiljo.api."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from journal import queries, services
from journal.models import Allergy, CarePlanItem, Diagnosis, Encounter, Note, Observation, RiskAssessment, VitalSigns
from vardmiljo.api_auth import actor_of

# --- Serializers ----------------------------------------------------------


class HeadingSerializer(serializers.Serializer):
    heading = serializers.CharField(max_length=80)
    text = serializers.CharField(allow_blank=True, trim_whitespace=False)


class NoteOut(serializers.ModelSerializer):
    headings = HeadingSerializer(many=True)
    unit = serializers.CharField(source="unit.name")

    class Meta:
        model = Note
        fields = [
            "id",
            "patient_id",
            "unit",
            "note_type",
            "status",
            "headings",
            "author_name",
            "author_profession",
            "event_at",
            "signed_at",
            "version_no",
            "revision",
            "entered_in_error",
            "error_reason",
            "source_system",
        ]


class NotePageOut(serializers.Serializer):
    results = NoteOut(many=True)
    has_next = serializers.BooleanField()


class NoteCreateIn(serializers.Serializer):
    template = serializers.IntegerField(required=False, allow_null=True)
    note_type = serializers.CharField(required=False, allow_blank=True, max_length=60)
    headings = HeadingSerializer(many=True, required=False)
    encounter = serializers.IntegerField(required=False, allow_null=True)


class NoteSaveIn(serializers.Serializer):
    revision = serializers.IntegerField()
    headings = HeadingSerializer(many=True)


class NoteSignIn(serializers.Serializer):
    revision = serializers.IntegerField()
    headings = HeadingSerializer(many=True, required=False)


class DiagnosisOut(serializers.ModelSerializer):
    kind = serializers.CharField()

    class Meta:
        model = Diagnosis
        fields = [
            "id",
            "patient_id",
            "unit_id",
            "note_id",
            "code",
            "code_text",
            "kind",
            "status",
            "onset_date",
            "recorded_at",
            "author_name",
            "entered_in_error",
            "source_system",
        ]


class DiagnosisIn(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    note = serializers.IntegerField(required=False, allow_null=True)
    kind = serializers.CharField(default=Diagnosis.Kind.MAIN, help_text="main | secondary")
    onset_date = serializers.DateField(required=False, allow_null=True)


class ObservationOut(serializers.ModelSerializer):
    kind = serializers.CharField()

    class Meta:
        model = Observation
        fields = [
            "id",
            "patient_id",
            "unit_id",
            "kind",
            "value",
            "value2",
            "value_text",
            "unit_text",
            "display",
            "observed_at",
            "author_name",
            "entered_in_error",
            "source_system",
        ]


class ObservationIn(serializers.Serializer):
    kind = serializers.CharField(help_text="bp | pulse | temp | weight | height | spo2 | hba1c | smoking")
    value = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    value2 = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    value_text = serializers.CharField(required=False, allow_blank=True)
    observed_at = serializers.DateTimeField(required=False, allow_null=True)
    note = serializers.IntegerField(required=False, allow_null=True)


class AllergyOut(serializers.ModelSerializer):
    kind = serializers.CharField()

    class Meta:
        model = Allergy
        fields = ["id", "patient_id", "kind", "substance", "atc_code", "severity", "reaction", "active", "recorded_at"]


class EncounterIn(serializers.Serializer):
    kind = serializers.CharField(help_text="visit | phone | video | admission")
    unit = serializers.IntegerField(required=False, allow_null=True)
    started_at = serializers.DateTimeField(required=False, allow_null=True)
    booking_id = serializers.IntegerField(required=False, allow_null=True)


class EncounterOut(serializers.ModelSerializer):
    kind = serializers.CharField()

    class Meta:
        model = Encounter
        fields = ["id", "patient_id", "unit_id", "kind", "responsible_id", "started_at", "ended_at", "booking_id"]


class CodeOut(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()


def _valid(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    s = serializer_class(data=data)
    s.is_valid(raise_exception=True)
    return dict(s.validated_data)


# --- Views ----------------------------------------------------------------


class PatientNotesView(APIView):
    serializer_class = NoteOut

    @extend_schema(responses=NotePageOut)
    def get(self, request: Request, patient_id: int) -> Response:
        f = queries.TimelineFilter(q=request.query_params.get("q", ""), note_type=request.query_params.get("type", ""))
        try:
            f.page = max(int(request.query_params.get("page", 1)), 1)
        except ValueError:
            f.page = 1
        tl = queries.timeline(actor_of(request), patient_id, f)
        return Response({"results": NoteOut(tl.notes, many=True).data, "has_next": tl.has_next})

    @extend_schema(request=NoteCreateIn, responses={201: NoteOut})
    def post(self, request: Request, patient_id: int) -> Response:
        data = _valid(NoteCreateIn, request.data)
        note = services.note_create(
            actor=actor_of(request),
            patient_id=patient_id,
            template_id=data.get("template"),
            note_type=data.get("note_type", ""),
            encounter_id=data.get("encounter"),
            headings=data.get("headings"),
        )
        return Response(NoteOut(note).data, status=status.HTTP_201_CREATED)


class NoteDetailView(APIView):
    serializer_class = NoteOut

    def get(self, request: Request, note_id: int) -> Response:
        note, _pa = queries.note_for(actor_of(request), note_id)
        return Response(NoteOut(note).data)

    @extend_schema(request=NoteSaveIn, responses=NoteOut)
    def patch(self, request: Request, note_id: int) -> Response:
        """Save the draft; a stale `revision` answers 409."""
        data = _valid(NoteSaveIn, request.data)
        note = services.note_save_draft(
            actor=actor_of(request), note_id=note_id, revision=data["revision"], headings=[dict(h) for h in data["headings"]]
        )
        return Response(NoteOut(note).data)


class NoteSignView(APIView):
    serializer_class = NoteOut

    @extend_schema(request=NoteSignIn, responses=NoteOut)
    def post(self, request: Request, note_id: int) -> Response:
        data = _valid(NoteSignIn, request.data)
        headings = [dict(h) for h in data["headings"]] if "headings" in data else None
        note = services.note_sign(actor=actor_of(request), note_id=note_id, revision=data["revision"], headings=headings)
        return Response(NoteOut(note).data)


class PatientDiagnosesView(APIView):
    serializer_class = DiagnosisOut

    @extend_schema(responses=DiagnosisOut(many=True))
    def get(self, request: Request, patient_id: int) -> Response:
        pa = queries.access(actor_of(request), patient_id, "api.journal.diagnoses")
        return Response(DiagnosisOut(queries.diagnoses_all(pa), many=True).data)

    @extend_schema(request=DiagnosisIn, responses={201: DiagnosisOut})
    def post(self, request: Request, patient_id: int) -> Response:
        data = _valid(DiagnosisIn, request.data)
        dx = services.diagnosis_add(
            actor=actor_of(request),
            patient_id=patient_id,
            code=data["code"],
            note_id=data.get("note"),
            kind=data["kind"],
            onset_date=data.get("onset_date"),
        )
        return Response(DiagnosisOut(dx).data, status=status.HTTP_201_CREATED)


class PatientObservationsView(APIView):
    serializer_class = ObservationOut

    @extend_schema(responses=ObservationOut(many=True))
    def get(self, request: Request, patient_id: int) -> Response:
        pa = queries.access(actor_of(request), patient_id, "api.journal.observations")
        return Response(ObservationOut(queries.observations_all(pa, kind=request.query_params.get("kind", "")), many=True).data)

    @extend_schema(request=ObservationIn, responses={201: ObservationOut})
    def post(self, request: Request, patient_id: int) -> Response:
        data = _valid(ObservationIn, request.data)
        obs = services.observation_record(
            actor=actor_of(request),
            patient_id=patient_id,
            kind=data["kind"],
            value=data.get("value"),
            value2=data.get("value2"),
            value_text=data.get("value_text", ""),
            observed_at=data.get("observed_at"),
            note_id=data.get("note"),
        )
        return Response(ObservationOut(obs).data, status=status.HTTP_201_CREATED)


class PatientAllergiesView(APIView):
    serializer_class = AllergyOut

    @extend_schema(responses=AllergyOut(many=True))
    def get(self, request: Request, patient_id: int) -> Response:
        pa = queries.access(actor_of(request), patient_id, "api.journal.allergies")
        return Response(AllergyOut(queries.active_allergies(pa), many=True).data)


class CodeSearchView(APIView):
    serializer_class = CodeOut

    @extend_schema(responses=CodeOut(many=True))
    def get(self, request: Request, system: str) -> Response:
        actor_of(request)
        return Response(CodeOut(queries.code_search(system, request.query_params.get("q", ""), 20), many=True).data)


class PatientEncountersView(APIView):
    serializer_class = EncounterOut

    @extend_schema(request=EncounterIn, responses={201: EncounterOut})
    def post(self, request: Request, patient_id: int) -> Response:
        data = _valid(EncounterIn, request.data)
        enc = services.encounter_create(
            actor=actor_of(request),
            patient_id=patient_id,
            kind=data["kind"],
            unit_id=data.get("unit"),
            started_at=data.get("started_at"),
            booking_id=data.get("booking_id"),
        )
        return Response(EncounterOut(enc).data, status=status.HTTP_201_CREATED)


# --- Vital signs (NEWS2), risk assessments, care plan ----------------------


class VitalSignsOut(serializers.ModelSerializer):
    class Meta:
        model = VitalSigns
        fields = [
            "id",
            "patient_id",
            "unit_id",
            "observed_at",
            "respiratory_rate",
            "spo2",
            "spo2_scale",
            "on_oxygen",
            "systolic",
            "diastolic",
            "pulse",
            "consciousness",
            "temperature",
            "news2_score",
            "news2_parts",
            "news2_escalate",
            "news2_risk",
            "next_due_at",
            "author_name",
            "entered_in_error",
            "error_reason",
        ]


class VitalSetIn(serializers.Serializer):
    # Values are checked (with Swedish messages) by the service, not here.
    observed_at = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    respiratory_rate = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    spo2 = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    spo2_scale = serializers.CharField(required=False, allow_blank=True, allow_null=True, help_text="1 | 2")
    on_oxygen = serializers.JSONField(required=False, help_text='"air" | "oxygen" (or false | true)')
    systolic = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    diastolic = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    pulse = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    consciousness = serializers.CharField(required=False, allow_blank=True, help_text="A | C | V | P | U")
    temperature = serializers.CharField(required=False, allow_blank=True, allow_null=True)


class VitalSignsIn(serializers.Serializer):
    sets = VitalSetIn(many=True)
    submission = serializers.CharField(
        required=False, allow_blank=True, max_length=40, help_text="one-time token: a resent request records nothing twice"
    )


class RiskAssessmentOut(serializers.ModelSerializer):
    class Meta:
        model = RiskAssessment
        fields = [
            "id",
            "patient_id",
            "unit_id",
            "kind",
            "answers",
            "score",
            "at_risk",
            "level",
            "comment",
            "assessed_at",
            "author_name",
            "entered_in_error",
        ]


class RiskAssessmentIn(serializers.Serializer):
    kind = serializers.CharField(help_text="norton | downton | mna_sf")
    answers = serializers.DictField(help_text="item key → option value (a list for the Downton multiple-choice items)")
    comment = serializers.CharField(required=False, allow_blank=True)
    submission = serializers.CharField(required=False, allow_blank=True, max_length=40)


class CarePlanItemOut(serializers.ModelSerializer):
    class Meta:
        model = CarePlanItem
        fields = [
            "id",
            "patient_id",
            "unit_id",
            "keyword",
            "diagnosis",
            "goal",
            "interventions",
            "status",
            "evaluation",
            "created_at",
            "author_name",
            "closed_at",
        ]


class CarePlanItemIn(serializers.Serializer):
    keyword = serializers.CharField(help_text="a VIPS keyword, e.g. Nutrition")
    diagnosis = serializers.CharField(allow_blank=True)
    goal = serializers.CharField(allow_blank=True)
    interventions = serializers.CharField(allow_blank=True)


class CarePlanCloseIn(serializers.Serializer):
    evaluation = serializers.CharField(allow_blank=True)


class PatientVitalSignsView(APIView):
    serializer_class = VitalSignsOut

    @extend_schema(responses=VitalSignsOut(many=True))
    def get(self, request: Request, patient_id: int) -> Response:
        pa = queries.access(actor_of(request), patient_id, "api.journal.vitals")
        return Response(VitalSignsOut(queries.vital_signs_for(pa), many=True).data)

    @extend_schema(request=VitalSignsIn, responses={201: VitalSignsOut(many=True)})
    def post(self, request: Request, patient_id: int) -> Response:
        """One or more sets, each scored with NEWS2; a bad value in any set records none."""
        data = _valid(VitalSignsIn, request.data)
        sets = services.vital_signs_record(
            actor=actor_of(request),
            patient_id=patient_id,
            sets=[dict(s) for s in data["sets"]],
            submission=data.get("submission", ""),
        )
        return Response(VitalSignsOut(sets, many=True).data, status=status.HTTP_201_CREATED)


class PatientRiskAssessmentsView(APIView):
    serializer_class = RiskAssessmentOut

    @extend_schema(responses=RiskAssessmentOut(many=True))
    def get(self, request: Request, patient_id: int) -> Response:
        pa = queries.access(actor_of(request), patient_id, "api.journal.risk")
        return Response(RiskAssessmentOut(queries.risk_assessments_for(pa), many=True).data)

    @extend_schema(request=RiskAssessmentIn, responses={201: RiskAssessmentOut})
    def post(self, request: Request, patient_id: int) -> Response:
        data = _valid(RiskAssessmentIn, request.data)
        ra = services.risk_assessment_record(
            actor=actor_of(request),
            patient_id=patient_id,
            kind=data["kind"],
            answers=data["answers"],
            comment=data.get("comment", ""),
            submission=data.get("submission", ""),
        )
        return Response(RiskAssessmentOut(ra).data, status=status.HTTP_201_CREATED)


class PatientCarePlanView(APIView):
    serializer_class = CarePlanItemOut

    @extend_schema(responses=CarePlanItemOut(many=True))
    def get(self, request: Request, patient_id: int) -> Response:
        pa = queries.access(actor_of(request), patient_id, "api.journal.careplan")
        return Response(CarePlanItemOut(queries.care_plan_for(pa), many=True).data)

    @extend_schema(request=CarePlanItemIn, responses={201: CarePlanItemOut})
    def post(self, request: Request, patient_id: int) -> Response:
        data = _valid(CarePlanItemIn, request.data)
        item = services.care_plan_item_add(actor=actor_of(request), patient_id=patient_id, **data)
        return Response(CarePlanItemOut(item).data, status=status.HTTP_201_CREATED)


class CarePlanCloseView(APIView):
    serializer_class = CarePlanItemOut

    @extend_schema(request=CarePlanCloseIn, responses=CarePlanItemOut)
    def post(self, request: Request, item_id: int) -> Response:
        data = _valid(CarePlanCloseIn, request.data)
        item = services.care_plan_item_close(actor=actor_of(request), item_id=item_id, evaluation=data["evaluation"])
        return Response(CarePlanItemOut(item).data)
