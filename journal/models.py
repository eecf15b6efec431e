"""The patient record (journal): care contacts, notes with versions, coded
diagnoses and procedures, measurements, allergies/alerts and acknowledgements.

Every clinical row carries `patient` and the owning `unit`, so the access
module can narrow it (`PatientAccess.filter`). Rows are never deleted: a
mistaken row is marked "entered in error" with a reason.

Imported rows (legacy migration) have a non-blank `source_system`, a free-text
`author_name` and, for notes, status IMPORTED; they are kept simple to
`bulk_create` (see journal/README.md).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vardmiljo.models import CareUnit, Patient, Staff


def headings_text(headings: list[dict[str, Any]] | None) -> str:
    """The plain text of a note's headings, as stored in Note.text for search and print."""
    parts = []
    for h in headings or []:
        text = (h.get("text") or "").strip()
        if text:
            parts.append(f"{h.get('heading', '')}: {text}")
    return "\n".join(parts)


class Encounter(models.Model):
    """Kontakt: a care contact (visit, phone, video, admission)."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("Besök")
        PHONE = "phone", _("Telefon")
        VIDEO = "video", _("Video")
        ADMISSION = "admission", _("Inskrivning")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(CareUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("vårdenhet"))
    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices, default=Kind.VISIT)
    responsible = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("ansvarig")
    )
    started_at = models.DateTimeField(_("start"), default=timezone.now)
    ended_at = models.DateTimeField(_("slut"), null=True, blank=True)
    booking_id = models.BigIntegerField(_("bokning"), null=True, blank=True, db_index=True)
    source_system = models.CharField(_("källsystem"), max_length=60, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("kontakt")
        verbose_name_plural = _("kontakter")
        indexes = [models.Index(fields=["patient", "-started_at"], name="journal_enc_patient_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_at:%Y-%m-%d}"


class NoteTemplate(models.Model):
    """Mall: a list of keyword headings (sökord), per profession and unit (blank = all)."""

    name = models.CharField(_("namn"), max_length=100)
    note_type = models.CharField(
        _("anteckningstyp"), max_length=60, help_text=_("Visas i journalen och används för filtrering, t.ex. Läkaranteckning.")
    )
    profession = models.CharField(
        _("yrke"), max_length=30, choices=Staff.Profession.choices, blank=True, help_text=_("Tomt = alla yrken.")
    )
    unit = models.ForeignKey(
        CareUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vårdenhet"),
        help_text=_("Tomt = alla enheter."),
    )
    active = models.BooleanField(_("aktiv"), default=True)
    order = models.PositiveIntegerField(_("ordning"), default=100)

    class Meta:
        verbose_name = _("anteckningsmall")
        verbose_name_plural = _("anteckningsmallar")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class TemplateHeading(models.Model):
    """Sökord in a template."""

    template = models.ForeignKey(NoteTemplate, on_delete=models.CASCADE, related_name="headings")
    title = models.CharField(_("sökord"), max_length=80)
    order = models.PositiveIntegerField(_("ordning"), default=0)
    required = models.BooleanField(_("krävs vid signering"), default=False)
    help_text = models.CharField(_("hjälptext"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("sökord")
        verbose_name_plural = _("sökord")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title


class Note(models.Model):
    """Journalanteckning. The row holds the current version; earlier signed
    versions live in NoteVersion. `revision` goes up on every write and is
    sent back with every form (optimistic concurrency)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Osignerad")
        SIGNED = "signed", _("Signerad")
        IMPORTED = "imported", _("Migrerad (ej signerad i detta system)")

    # Few indexes on purpose: every signing rewrites the row. (patient, -event_at) serves
    # the patient's record; the partial index serves the unsigned list.
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+", db_index=False)
    unit = models.ForeignKey(CareUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("vårdenhet"), db_index=False)
    encounter = models.ForeignKey(Encounter, on_delete=models.PROTECT, null=True, blank=True, related_name="notes")
    template = models.ForeignKey(NoteTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False)
    note_type = models.CharField(_("anteckningstyp"), max_length=60)
    # headings: [{"heading": "Aktuellt", "text": "..."}, ...] in display order.
    headings = models.JSONField(_("sökord"), default=list)
    # Plain text of all headings (headings_text()); what search and print read. Set when the
    # note is created, signed or corrected (autosaves of a draft change only `headings`).
    text = models.TextField(blank=True)
    search = models.GeneratedField(
        expression=SearchVector("note_type", "text", config="swedish"),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("författare")
    )
    author_name = models.CharField(_("författare (namn)"), max_length=200, blank=True)
    author_profession = models.CharField(_("yrke"), max_length=30, blank=True)
    event_at = models.DateTimeField(_("händelsetid"), default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    signed_at = models.DateTimeField(_("signerad"), null=True, blank=True)
    signed_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False)
    version_no = models.PositiveIntegerField(_("version"), default=1)
    revision = models.PositiveIntegerField(default=1)
    # The editor tab that wrote last: a tab may overwrite its own autosaves, never another's.
    edit_session = models.CharField(max_length=40, blank=True)
    entered_in_error = models.BooleanField(_("felaktigt registrerad"), default=False)
    error_reason = models.TextField(_("skäl"), blank=True)
    error_at = models.DateTimeField(null=True, blank=True)
    error_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False)
    source_system = models.CharField(_("källsystem"), max_length=60, blank=True, help_text=_("Tomt = detta system."))
    source_id = models.CharField(_("id i källsystemet"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("journalanteckning")
        verbose_name_plural = _("journalanteckningar")
        indexes = [
            models.Index(fields=["patient", "-event_at"], name="journal_note_patient_idx"),
            models.Index(fields=["author", "unit"], name="journal_note_unsigned_idx", condition=Q(status="draft")),
            GinIndex(fields=["search"], name="journal_note_search_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(entered_in_error=True) | ~Q(error_reason=""), name="journal_note_error_needs_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status="imported") | ~Q(source_system=""), name="journal_note_imported_has_source"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.note_type} {self.event_at:%Y-%m-%d}"

    @property
    def author_display(self) -> str:
        if self.author_id and self.author:
            return str(self.author)
        return self.author_name

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def can_edit(self) -> bool:
        return self.status == self.Status.DRAFT and not self.entered_in_error

    def can_correct(self) -> bool:
        return self.status in (self.Status.SIGNED, self.Status.IMPORTED) and not self.entered_in_error


class NoteVersion(models.Model):
    """A signed (or imported) version of a note, kept for ever. The newest
    version equals the note's current text; earlier ones are what a
    correction (rättelse) replaced."""

    note = models.ForeignKey(Note, on_delete=models.PROTECT, related_name="versions")
    version_no = models.PositiveIntegerField()
    headings = models.JSONField(default=list)
    note_type = models.CharField(max_length=60)
    signed_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    signed_by_name = models.CharField(max_length=200, blank=True)
    signed_at = models.DateTimeField(default=timezone.now)
    correction_reason = models.TextField(_("skäl till rättelse"), blank=True)

    class Meta:
        verbose_name = _("anteckningsversion")
        verbose_name_plural = _("anteckningsversioner")
        ordering = ["note", "version_no"]
        constraints = [models.UniqueConstraint(fields=["note", "version_no"], name="journal_noteversion_unique")]

    def __str__(self) -> str:
        return f"{self.note_id} v{self.version_no}"


class CodeBase(models.Model):
    code = models.CharField(_("kod"), max_length=12, unique=True)
    text = models.CharField(_("text"), max_length=300)
    active = models.BooleanField(_("aktiv"), default=True)
    common = models.BooleanField(_("vanlig"), default=False, help_text=_("Ingår i den kurerade listan; visas först."))

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class DiagnosisCode(CodeBase):
    """ICD-10-SE."""

    class Meta(CodeBase.Meta):
        verbose_name = _("diagnoskod (ICD-10-SE)")
        verbose_name_plural = _("diagnoskoder (ICD-10-SE)")


class ProcedureCode(CodeBase):
    """KVÅ (klassifikation av vårdåtgärder)."""

    class Meta(CodeBase.Meta):
        verbose_name = _("åtgärdskod (KVÅ)")
        verbose_name_plural = _("åtgärdskoder (KVÅ)")


class CodedEntry(models.Model):
    """What a diagnosis and a procedure share."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+", db_index=False)
    unit = models.ForeignKey(CareUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("vårdenhet"))
    note = models.ForeignKey(Note, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    encounter = models.ForeignKey(Encounter, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    code = models.CharField(_("kod"), max_length=12)
    code_text = models.CharField(_("text"), max_length=300, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False)
    author_name = models.CharField(max_length=200, blank=True)
    entered_in_error = models.BooleanField(default=False)
    error_reason = models.TextField(blank=True)
    source_system = models.CharField(_("källsystem"), max_length=60, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.code} {self.code_text}"


class Diagnosis(CodedEntry):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Aktuell")
        RESOLVED = "resolved", _("Inaktuell")

    class Kind(models.TextChoices):
        MAIN = "main", _("Huvuddiagnos")
        SECONDARY = "secondary", _("Bidiagnos")

    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices, default=Kind.MAIN)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    onset_date = models.DateField(_("debut"), null=True, blank=True)

    class Meta:
        verbose_name = _("diagnos")
        verbose_name_plural = _("diagnoser")
        indexes = [models.Index(fields=["patient", "-recorded_at"], name="journal_dx_patient_idx")]


class Procedure(CodedEntry):
    performed_at = models.DateTimeField(_("utförd"), default=timezone.now)

    class Meta:
        verbose_name = _("åtgärd")
        verbose_name_plural = _("åtgärder")
        indexes = [models.Index(fields=["patient", "-performed_at"], name="journal_proc_patient_idx")]


class Observation(models.Model):
    """Mätvärde. Blood pressure keeps systolic in `value` and diastolic in `value2`;
    smoking status keeps its code in `value_text`."""

    class Kind(models.TextChoices):
        BLOOD_PRESSURE = "bp", _("Blodtryck")
        PULSE = "pulse", _("Puls")
        TEMPERATURE = "temp", _("Temperatur")
        WEIGHT = "weight", _("Vikt")
        HEIGHT = "height", _("Längd")
        BMI = "bmi", _("BMI")
        SPO2 = "spo2", _("Syremättnad")
        HBA1C = "hba1c", _("HbA1c")
        SMOKING = "smoking", _("Rökning")

    class Smoking(models.TextChoices):
        NEVER = "never", _("Aldrig rökt")
        FORMER = "former", _("Före detta rökare")
        CURRENT = "current", _("Röker")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+", db_index=False)
    unit = models.ForeignKey(CareUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("vårdenhet"))
    note = models.ForeignKey(Note, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kind = models.CharField(_("mätvärde"), max_length=20, choices=Kind.choices)
    value = models.DecimalField(_("värde"), max_digits=7, decimal_places=2, null=True, blank=True)
    value2 = models.DecimalField(_("diastoliskt"), max_digits=7, decimal_places=2, null=True, blank=True)
    value_text = models.CharField(_("värde (text)"), max_length=20, blank=True)
    unit_text = models.CharField(_("enhet"), max_length=20, blank=True)
    observed_at = models.DateTimeField(_("tidpunkt"), default=timezone.now)
    recorded_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False)
    author_name = models.CharField(max_length=200, blank=True)
    entered_in_error = models.BooleanField(default=False)
    error_reason = models.TextField(blank=True)
    source_system = models.CharField(_("källsystem"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("mätvärde")
        verbose_name_plural = _("mätvärden")
        indexes = [models.Index(fields=["patient", "kind", "-observed_at"], name="journal_obs_patient_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.display}"

    @property
    def display(self) -> str:
        if self.kind == self.Kind.BLOOD_PRESSURE:
            return f"{_fmt(self.value)}/{_fmt(self.value2)} {self.unit_text}".strip()
        if self.kind == self.Kind.SMOKING:
            return str(dict(self.Smoking.choices).get(self.value_text, self.value_text))
        return f"{_fmt(self.value)} {self.unit_text}".strip()


def _fmt(v: Decimal | None) -> str:
    if v is None:
        return ""
    return format(v.normalize(), "f").replace(".", ",") if v != v.to_integral() else str(int(v))


class Allergy(models.Model):
    """Allergies and other alerts (uppmärksamhetssignal)."""

    class Kind(models.TextChoices):
        ALLERGY = "allergy", _("Överkänslighet")
        CONDITION = "condition", _("Allvarlig sjukdom")
        INFECTION = "infection", _("Smitta")
        TREATMENT = "treatment", _("Behandling")
        OTHER = "other", _("Annan")

    class Severity(models.TextChoices):
        MILD = "mild", _("Lindrig")
        MODERATE = "moderate", _("Måttlig")
        SEVERE = "severe", _("Allvarlig")
        LIFE_THREATENING = "life_threatening", _("Livshotande")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(CareUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("vårdenhet"))
    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices, default=Kind.ALLERGY)
    substance = models.CharField(_("ämne/tillstånd"), max_length=200)
    atc_code = models.CharField(
        _("ATC-kod"), max_length=10, blank=True, help_text=_("Klass eller substans, t.ex. J01C för penicilliner.")
    )
    severity = models.CharField(_("allvarlighetsgrad"), max_length=20, choices=Severity.choices, default=Severity.MODERATE)
    reaction = models.TextField(_("reaktion/kommentar"), blank=True)
    active = models.BooleanField(_("aktuell"), default=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    author_name = models.CharField(max_length=200, blank=True)
    inactivated_at = models.DateTimeField(null=True, blank=True)
    inactivated_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    inactivated_reason = models.TextField(blank=True)
    source_system = models.CharField(_("källsystem"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("uppmärksamhetssignal")
        verbose_name_plural = _("uppmärksamhetssignaler")
        indexes = [models.Index(fields=["patient"], name="journal_allergy_active_idx", condition=Q(active=True))]

    def __str__(self) -> str:
        return self.substance


class Acknowledgement(models.Model):
    """Vidimering: an item (a result, a referral reply) a clinician must confirm having seen."""

    class Kind(models.TextChoices):
        RESULT = "result", _("Provsvar")
        REFERRAL_REPLY = "referral_reply", _("Remissvar")
        NOTE = "note", _("Anteckning")
        OTHER = "other", _("Övrigt")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(CareUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("vårdenhet"))
    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices, default=Kind.RESULT)
    summary = models.CharField(_("sammanfattning"), max_length=300)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=60, blank=True)
    responsible = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ansvarig"),
        help_text=_("Tomt = hela enheten."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    comment = models.TextField(_("kommentar"), blank=True)

    class Meta:
        verbose_name = _("vidimering")
        verbose_name_plural = _("vidimeringar")
        indexes = [
            models.Index(fields=["unit", "responsible"], name="journal_ack_open_idx", condition=Q(acknowledged_at__isnull=True))
        ]

    def __str__(self) -> str:
        return self.summary


class VitalSigns(models.Model):
    """One set of vital signs (one time point) on the observation chart, with the NEWS2
    score computed when it was recorded (journal/news2.py). A wrong set is marked
    "entered in error", never changed or deleted."""

    class Consciousness(models.TextChoices):
        ALERT = "A", _("A – vaken")
        CONFUSION = "C", _("C – nytillkommen förvirring")
        VOICE = "V", _("V – reagerar på tilltal")
        PAIN = "P", _("P – reagerar på smärta")
        UNRESPONSIVE = "U", _("U – reagerar inte")

    class Risk(models.TextChoices):
        LOW = "low", _("låg")
        LOW_MEDIUM = "low_medium", _("låg–medel")
        MEDIUM = "medium", _("medel")
        HIGH = "high", _("hög")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+", db_index=False)
    unit = models.ForeignKey(CareUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("vårdenhet"), db_index=False)
    observed_at = models.DateTimeField(_("tidpunkt"))
    respiratory_rate = models.PositiveSmallIntegerField(_("andningsfrekvens"))
    spo2 = models.PositiveSmallIntegerField(_("syremättnad (SpO2)"))
    spo2_scale = models.PositiveSmallIntegerField(_("SpO2-skala"), default=1)
    on_oxygen = models.BooleanField(_("syrgas"), default=False)
    systolic = models.PositiveSmallIntegerField(_("systoliskt blodtryck"))
    diastolic = models.PositiveSmallIntegerField(_("diastoliskt blodtryck"), null=True, blank=True)
    pulse = models.PositiveSmallIntegerField(_("puls"))
    consciousness = models.CharField(_("medvetandegrad (ACVPU)"), max_length=1, choices=Consciousness.choices)
    temperature = models.DecimalField(_("temperatur"), max_digits=3, decimal_places=1)
    news2_score = models.PositiveSmallIntegerField(_("NEWS2"))
    news2_parts = models.JSONField(default=dict)
    news2_single_three = models.BooleanField(default=False)
    news2_escalate = models.BooleanField(_("eskalering"), default=False)
    news2_risk = models.CharField(_("klinisk risk"), max_length=12, choices=Risk.choices)
    next_due_at = models.DateTimeField(_("nästa kontroll"))
    recorded_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False)
    author_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The form's one-time token and the row's place in that form: a double click (or a
    # resent request) records nothing twice, even when the time was left blank (= now).
    submission = models.CharField(max_length=40, blank=True)
    submission_row = models.PositiveSmallIntegerField(default=0)
    entered_in_error = models.BooleanField(default=False)
    error_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("vitalparametrar")
        verbose_name_plural = _("vitalparametrar")
        indexes = [models.Index(fields=["patient", "-observed_at"], name="journal_vitals_patient_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "submission", "submission_row"],
                condition=~Q(submission=""),
                name="journal_vitals_submission_once",
            ),
            models.CheckConstraint(condition=Q(spo2_scale__in=[1, 2]), name="journal_vitals_spo2_scale"),
        ]

    def __str__(self) -> str:
        return f"NEWS2 {self.news2_score} {self.observed_at:%Y-%m-%d %H:%M}"

    @property
    def bp_display(self) -> str:
        return f"{self.systolic}/{self.diastolic}" if self.diastolic is not None else str(self.systolic)

    @property
    def temperature_display(self) -> str:
        return _fmt(self.temperature)


class RiskAssessment(models.Model):
    """A structured nursing risk assessment: Modified Norton (pressure ulcer), Downton
    (falls) or MNA-SF (nutrition). `answers` holds the chosen option per item; the score
    and the risk are computed by journal/nursing.py when it is recorded."""

    class Kind(models.TextChoices):
        NORTON = "norton", _("Modifierad Nortonskala (trycksår)")
        DOWNTON = "downton", _("Downton fall risk index (fall)")
        MNA_SF = "mna_sf", _("MNA-SF (nutrition)")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+", db_index=False)
    unit = models.ForeignKey(CareUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("vårdenhet"), db_index=False)
    kind = models.CharField(_("bedömning"), max_length=20, choices=Kind.choices)
    answers = models.JSONField(default=dict)
    score = models.PositiveSmallIntegerField(_("poäng"))
    at_risk = models.BooleanField(_("risk"))
    level = models.CharField(_("bedömning"), max_length=60)
    comment = models.TextField(_("kommentar"), blank=True)
    assessed_at = models.DateTimeField(_("tidpunkt"), default=timezone.now)
    recorded_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False)
    author_name = models.CharField(max_length=200, blank=True)
    submission = models.CharField(max_length=40, blank=True)
    entered_in_error = models.BooleanField(default=False)
    error_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("riskbedömning")
        verbose_name_plural = _("riskbedömningar")
        indexes = [models.Index(fields=["patient", "kind", "-assessed_at"], name="journal_risk_patient_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "submission"], condition=~Q(submission=""), name="journal_risk_submission_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.score}"


class CarePlanItem(models.Model):
    """One row of the nursing care plan (vårdplan): a nursing diagnosis under a VIPS
    keyword, its goal and the interventions; evaluated and closed, never deleted."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Aktuell")
        CLOSED = "closed", _("Avslutad")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+", db_index=False)
    unit = models.ForeignKey(CareUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("vårdenhet"), db_index=False)
    keyword = models.CharField(_("sökord (VIPS)"), max_length=60)
    diagnosis = models.TextField(_("omvårdnadsdiagnos"))
    goal = models.TextField(_("mål"))
    interventions = models.TextField(_("åtgärder"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    evaluation = models.TextField(_("utvärdering"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False)
    author_name = models.CharField(max_length=200, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False)

    class Meta:
        verbose_name = _("vårdplansrad")
        verbose_name_plural = _("vårdplan")
        indexes = [models.Index(fields=["patient", "status"], name="journal_careplan_patient_idx")]

    def __str__(self) -> str:
        return f"{self.keyword}: {self.diagnosis[:40]}"
