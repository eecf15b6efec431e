"""Models of integrations: legacy import jobs with their error reports and the
ledger that makes imports idempotent, and registry transfers.

The clinical rows an import creates live in the clinical apps (journal,
lakemedel); `ImportedRecord` remembers, per source system and natural key,
which row a legacy record became, so that importing a file twice changes
nothing and a resumed job never duplicates a record.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vardmiljo.models import Outbox, Patient, Staff


class ImportJob(models.Model):
    """One run over one file. Committed batch by batch: `lines_done` is the
    last file line whose batch committed, where a resumed run continues."""

    class Source(models.TextChoices):
        HL7_ADT = "hl7_adt", _("HL7 v2 ADT (A04/A08/A40)")
        LEGACY_JSONL = "legacy_jsonl", _("Journalexport (JSON-rader)")
        LEGACY_CSV = "legacy_csv", _("Journalexport (CSV)")

    class Status(models.TextChoices):
        PENDING = "pending", _("Väntar")
        RUNNING = "running", _("Pågår")
        DONE = "done", _("Klar")
        FAILED = "failed", _("Avbruten (kan återupptas)")

    source = models.CharField(_("format"), max_length=20, choices=Source.choices)
    source_system = models.CharField(
        _("källsystem"),
        max_length=60,
        default="legacy",
        help_text=_("Namnet på systemet som exporterade filen, t.ex. ELVIS eller Melior."),
    )
    file_name = models.CharField(_("fil"), max_length=500)
    file_sha256 = models.CharField(_("filens SHA-256"), max_length=64, db_index=True)
    dry_run = models.BooleanField(_("endast kontroll"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    lines_total = models.PositiveIntegerField(_("rader i filen"), default=0)
    lines_done = models.PositiveIntegerField(_("sista bekräftade rad"), default=0)
    batches_done = models.PositiveIntegerField(_("bekräftade omgångar"), default=0)
    records_seen = models.PositiveIntegerField(_("lästa poster"), default=0)
    created_count = models.PositiveIntegerField(_("skapade"), default=0)
    updated_count = models.PositiveIntegerField(_("uppdaterade"), default=0)
    skipped_count = models.PositiveIntegerField(_("redan importerade"), default=0)
    error_count = models.PositiveIntegerField(_("fel"), default=0)
    counts = models.JSONField(_("skapade per typ"), default=dict, blank=True)
    last_error = models.TextField(_("senaste avbrott"), blank=True)
    seconds = models.FloatField(_("körtid (s)"), default=0)
    created_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(_("startad"), null=True, blank=True)
    finished_at = models.DateTimeField(_("klar"), null=True, blank=True)

    class Meta:
        verbose_name = _("importjobb")
        verbose_name_plural = _("importjobb")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["source", "file_sha256", "status"])]

    def __str__(self) -> str:
        return f"{self.get_source_display()}: {self.file_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def notes_per_s(self) -> int:
        notes = int(self.counts.get("note", 0))
        return int(notes / self.seconds) if self.seconds else 0


class ImportErrorRow(models.Model):
    """The error report: every rejected record with its line and reason."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="errors")
    line = models.PositiveIntegerField(_("rad"))
    reason = models.TextField(_("orsak"))
    excerpt = models.CharField(_("utdrag"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("importfel")
        verbose_name_plural = _("importfel")
        ordering = ["job", "line"]
        indexes = [models.Index(fields=["job", "line"])]

    def __str__(self) -> str:
        return f"rad {self.line}: {self.reason}"


class ImportedRecord(models.Model):
    """The idempotency ledger: a legacy record (by source system and natural
    key, or content hash when the export has no id) and what it became here.
    Batches insert here first with ON CONFLICT DO NOTHING; only keys that were
    new are written to the clinical tables."""

    source = models.CharField(max_length=60)
    key = models.CharField(max_length=120)
    kind = models.CharField(max_length=20)
    # Few indexes on purpose: every imported record writes one row here.
    job = models.ForeignKey(ImportJob, on_delete=models.PROTECT, related_name="+", db_index=False)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.BigIntegerField(null=True, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("importerad post")
        verbose_name_plural = _("importerade poster")
        constraints = [models.UniqueConstraint(fields=["source", "key"], name="imported_record_natural_key")]


class RegistryTransfer(models.Model):
    """One patient's data for one quality registry, as sent (or to be sent).
    The same content is never sent twice: (registry, patient, payload hash)
    is unique; new data gives a new transfer."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Köad")
        DELIVERED = "delivered", _("Levererad")
        CANCELLED = "cancelled", _("Stoppad (patienten motsätter sig)")

    registry = models.CharField(_("register"), max_length=40)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    payload_sha256 = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    outbox = models.ForeignKey(Outbox, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    receipt = models.JSONField(_("kvitto"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("registeröverföring")
        verbose_name_plural = _("registeröverföringar")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["registry", "patient", "payload_sha256"], name="registry_transfer_once"),
        ]
        indexes = [models.Index(fields=["registry", "status"])]

    def __str__(self) -> str:
        return f"{self.registry} → patient {self.patient_id} ({self.get_status_display()})"


class SimulatedRegistryMessage(models.Model):
    """What the local simulated registry endpoint received (tests and demo only)."""

    registry = models.CharField(max_length=40)
    idempotency_key = models.CharField(max_length=100, unique=True)
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("simulerat registermottagande")
        verbose_name_plural = _("simulerade registermottaganden")


from integrations.fhir.models import GrantContext, SmartClient, TokenContext, UsedAssertion  # noqa: E402,F401  (the app's tables)
