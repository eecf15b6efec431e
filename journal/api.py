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
from journal.models import Allergy, Diagnosis, Encounter, Note, Observation
from vardmiljo.api import SearchQuery, query
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


class NotesQuery(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, default="", max_length=200, help_text="fritext")
    type = serializers.CharField(required=False, allow_blank=True, default="", max_length=60, help_text="anteckningstyp")
    page = serializers.IntegerField(required=False, default=1, min_value=1, max_value=100_000)


class ObservationsQuery(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Observation.Kind.choices, required=False, allow_blank=True, default="")


# --- Views ----------------------------------------------------------------


class PatientNotesView(APIView):
    serializer_class = NoteOut

    @extend_schema(parameters=[NotesQuery], responses=NotePageOut)
    def get(self, request: Request, patient_id: int) -> Response:
        params = query(request, NotesQuery)
        f = queries.TimelineFilter(q=params["q"], note_type=params["type"], page=params["page"])
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

    @extend_schema(parameters=[ObservationsQuery], responses=ObservationOut(many=True))
    def get(self, request: Request, patient_id: int) -> Response:
        kind = query(request, ObservationsQuery)["kind"]
        pa = queries.access(actor_of(request), patient_id, "api.journal.observations")
        return Response(ObservationOut(queries.observations_all(pa, kind=kind), many=True).data)

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

    @extend_schema(parameters=[SearchQuery], responses=CodeOut(many=True))
    def get(self, request: Request, system: str) -> Response:
        actor_of(request)
        return Response(CodeOut(queries.code_search(system, query(request, SearchQuery)["q"], 20), many=True).data)


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
