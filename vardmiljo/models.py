"""Identity, organisation, patients and the grounds for access (PDL).

Clinical modules link their rows to `Patient` and to the `CareUnit` that owns
the data; the access module decides from these tables who may read what.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import OpClass
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vardmiljo.fields import EncryptedTextField
from vardmiljo.identifiers import parse_patient_id, validate_hsa_id


class CareProvider(models.Model):
    """Vårdgivare: a region, a municipality or a private company."""

    class Kind(models.TextChoices):
        REGION = "region", _("Region")
        MUNICIPALITY = "municipality", _("Kommun")
        PRIVATE = "private", _("Privat vårdgivare")

    hsa_id = models.CharField(_("HSA-id"), max_length=31, unique=True, validators=[validate_hsa_id])
    name = models.CharField(_("namn"), max_length=200)
    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices, default=Kind.REGION)

    class Meta:
        verbose_name = _("vårdgivare")
        verbose_name_plural = _("vårdgivare")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CareUnit(models.Model):
    """Vårdenhet: a clinic, ward or health centre of a provider."""

    provider = models.ForeignKey(CareProvider, on_delete=models.PROTECT, related_name="units", verbose_name=_("vårdgivare"))
    hsa_id = models.CharField(_("HSA-id"), max_length=31, unique=True, validators=[validate_hsa_id])
    name = models.CharField(_("namn"), max_length=200)
    active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("vårdenhet")
        verbose_name_plural = _("vårdenheter")
        ordering = ["name"]
        permissions = [
            ("manage_unit", _("Får administrera enhetens tidböcker, inkorg och mallar")),
        ]

    def __str__(self) -> str:
        return self.name


class Staff(AbstractUser):
    """A member of staff. Acts through one Assignment at a time."""

    class Profession(models.TextChoices):
        PHYSICIAN = "physician", _("Läkare")
        NURSE = "nurse", _("Sjuksköterska")
        ASSISTANT_NURSE = "assistant_nurse", _("Undersköterska")
        PHYSIOTHERAPIST = "physiotherapist", _("Fysioterapeut")
        SECRETARY = "secretary", _("Medicinsk sekreterare")
        ADMINISTRATOR = "administrator", _("Administratör")
        SYSTEM = "system", _("System")

    hsa_id = models.CharField(_("HSA-id"), max_length=31, unique=True, null=True, blank=True, validators=[validate_hsa_id])
    profession = models.CharField(_("yrke"), max_length=30, choices=Profession.choices, default=Profession.PHYSICIAN)
    prescriber_code = models.CharField(_("förskrivarkod"), max_length=7, blank=True)

    class Meta:
        verbose_name = _("personal")
        verbose_name_plural = _("personal")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def active_assignments(self, at: dt.datetime | None = None) -> models.QuerySet[Assignment]:
        return Assignment.objects.active(at).filter(staff=self).select_related("unit__provider")


class AssignmentQuerySet(models.QuerySet["Assignment"]):
    def active(self, at: dt.datetime | None = None) -> AssignmentQuerySet:
        at = at or timezone.now()
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=at), valid_from__lte=at)


class Assignment(models.Model):
    """Medarbetaruppdrag: staff × unit × purpose × role × validity."""

    class Purpose(models.TextChoices):
        CARE = "care", _("Vård och behandling")
        ADMINISTRATION = "administration", _("Administration")
        FOLLOW_UP = "follow_up", _("Kvalitetssäkring och uppföljning")

    class Role(models.TextChoices):
        CLINICIAN = "clinician", _("Vårdpersonal")
        REGISTRATION = "registration", _("Vårdadministratör (folkbokföring, kallelser)")
        COORDINATOR = "coordinator", _("Remisskoordinator")
        UNIT_ADMIN = "unit_admin", _("Enhetsadministratör")
        LOG_REVIEWER = "log_reviewer", _("Logggranskare")

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("personal"))
    unit = models.ForeignKey(CareUnit, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("vårdenhet"))
    purpose = models.CharField(_("syfte"), max_length=20, choices=Purpose.choices, default=Purpose.CARE)
    role = models.CharField(_("roll"), max_length=20, choices=Role.choices, default=Role.CLINICIAN)
    valid_from = models.DateTimeField(_("giltigt från"), default=timezone.now)
    valid_to = models.DateTimeField(_("giltigt till"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("medarbetaruppdrag")
        verbose_name_plural = _("medarbetaruppdrag")
        indexes = [models.Index(fields=["staff", "valid_from"])]

    def __str__(self) -> str:
        return f"{self.unit} – {self.get_purpose_display()} ({self.get_role_display()})"

    def is_active(self, at: dt.datetime | None = None) -> bool:
        at = at or timezone.now()
        return self.valid_from <= at and (self.valid_to is None or self.valid_to > at)

    def clean(self) -> None:
        if self.valid_to and self.valid_to <= self.valid_from:
            raise ValidationError({"valid_to": _("Slutdatum måste komma efter startdatum.")})


class Patient(models.Model):
    class IdKind(models.TextChoices):
        PERSONNUMMER = "personnummer", _("Personnummer")
        SAMORDNINGSNUMMER = "samordningsnummer", _("Samordningsnummer")
        RESERVNUMMER = "reservnummer", _("Reservnummer")

    class Sex(models.TextChoices):
        FEMALE = "F", _("Kvinna")
        MALE = "M", _("Man")
        UNKNOWN = "", _("Okänt")

    class Protection(models.TextChoices):
        NONE = "none", _("Ingen")
        CONFIDENTIALITY = "sekretessmarkering", _("Sekretessmarkering")
        PROTECTED_REGISTRATION = "skyddad_folkbokforing", _("Skyddad folkbokföring")

    identifier = models.CharField(_("identitet"), max_length=20, unique=True)
    id_kind = models.CharField(_("identitetstyp"), max_length=20, choices=IdKind.choices)
    given_name = models.CharField(_("förnamn"), max_length=100)
    family_name = models.CharField(_("efternamn"), max_length=100)
    birth_date = models.DateField(_("födelsedatum"), null=True, blank=True)
    sex = models.CharField(_("kön"), max_length=1, choices=Sex.choices, blank=True)
    protection = models.CharField(_("skyddad identitet"), max_length=30, choices=Protection.choices, default=Protection.NONE)
    # Only ever read through access.patient_address(); encrypted at rest.
    address = EncryptedTextField(_("adress"), blank=True)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    # PDL 7 kap. 2 §: the patient objects to registration in quality registries.
    registry_objection = models.BooleanField(_("motsätter sig registrering i kvalitetsregister"), default=False)
    # A legacy identity merged into another (HL7 A40) points to the survivor.
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("patient")
        verbose_name_plural = _("patienter")
        indexes = [
            models.Index(fields=["family_name", "given_name"], name="patient_name_idx"),
            # Prefix search on either name ("upper(x) LIKE 'KAR%'"): pattern ops so the
            # planner can combine both indexes with a bitmap OR.
            models.Index(OpClass(Upper("family_name"), name="varchar_pattern_ops"), name="patient_ufamily_idx"),
            models.Index(OpClass(Upper("given_name"), name="varchar_pattern_ops"), name="patient_ugiven_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.display_identifier})"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def display_identifier(self) -> str:
        if self.id_kind == self.IdKind.RESERVNUMMER:
            return self.identifier
        return f"{self.identifier[:8]}-{self.identifier[8:]}"

    @property
    def is_protected(self) -> bool:
        return self.protection != self.Protection.NONE

    @property
    def age(self) -> int | None:
        if not self.birth_date:
            return None
        today = dt.date.today()
        b = self.birth_date
        return today.year - b.year - ((today.month, today.day) < (b.month, b.day))

    def clean(self) -> None:
        try:
            pid = parse_patient_id(self.identifier)
        except ValidationError as exc:
            raise ValidationError({"identifier": exc.messages}) from None
        self.identifier = pid.value
        self.id_kind = pid.kind
        self.birth_date = self.birth_date or pid.birth_date
        self.sex = self.sex or pid.sex


class CareRelationship(models.Model):
    """Vårdrelation: the link that allows a unit to read the patient's record."""

    class Ground(models.TextChoices):
        BOOKING = "booking", _("Bokning")
        VISIT = "visit", _("Besök")
        ADMISSION = "admission", _("Inskrivning")
        REFERRAL = "referral", _("Mottagen remiss")
        MANUAL = "manual", _("Manuell (med skäl)")
        IMPORT = "import", _("Migrerad från tidigare system")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="care_relationships")
    unit = models.ForeignKey(CareUnit, on_delete=models.PROTECT, related_name="care_relationships")
    ground = models.CharField(_("grund"), max_length=20, choices=Ground.choices)
    reason = models.TextField(_("skäl"), blank=True)
    valid_from = models.DateTimeField(_("från"), default=timezone.now)
    valid_to = models.DateTimeField(_("till"), null=True, blank=True)
    created_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vårdrelation")
        verbose_name_plural = _("vårdrelationer")
        indexes = [models.Index(fields=["patient", "unit", "valid_to"])]
        constraints = [
            models.CheckConstraint(condition=~Q(ground="manual") | ~Q(reason=""), name="care_relationship_manual_needs_reason")
        ]


class Consent(models.Model):
    """Samtycke to sammanhållen journalföring, given to one reading provider."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consents")
    provider = models.ForeignKey(CareProvider, on_delete=models.PROTECT, related_name="+", verbose_name=_("läsande vårdgivare"))
    # Empty when the resident gave it themselves in the e-services (by_resident).
    recorded_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    by_resident = models.BooleanField(_("av invånaren i e-tjänsten"), default=False)
    recorded_at = models.DateTimeField(default=timezone.now)
    valid_until = models.DateTimeField(_("giltigt till"))
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("samtycke")
        verbose_name_plural = _("samtycken")
        indexes = [models.Index(fields=["patient", "provider"])]


class Block(models.Model):
    """Spärr: the patient blocks a unit's (or a whole provider's) data from all others.

    Set and lifted only on the patient's request, with who and when.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="blocks")
    provider = models.ForeignKey(
        CareProvider, on_delete=models.PROTECT, related_name="+", verbose_name=_("vårdgivare vars uppgifter spärras")
    )
    unit = models.ForeignKey(
        CareUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enhet vars uppgifter spärras (tomt = hela vårdgivaren)"),
    )
    requested_by_patient_note = models.TextField(_("patientens begäran"), blank=True)
    # Empty when the resident set it themselves in the e-services (by_resident).
    set_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    by_resident = models.BooleanField(_("av invånaren i e-tjänsten"), default=False)
    set_at = models.DateTimeField(default=timezone.now)
    lifted_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("spärr")
        verbose_name_plural = _("spärrar")
        indexes = [models.Index(fields=["patient", "lifted_at"])]


class EmergencyAccess(models.Model):
    """Nödåtkomst: time-limited, with a stated reason, always flagged for review."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="emergency_accesses")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("skäl"))
    started_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("nödåtkomst")
        verbose_name_plural = _("nödåtkomster")
        indexes = [models.Index(fields=["patient", "assignment", "expires_at"])]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="emergency_access_needs_reason")]


class Guardianship(models.Model):
    """Vårdnad: a guardian's right to act for a child in the e-services, within the
    age the region sets (INVANARE_GUARDIAN_MAX_AGE). From the population register."""

    guardian = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="children_links", verbose_name=_("vårdnadshavare")
    )
    child = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="guardian_links", verbose_name=_("barn"))
    valid_from = models.DateTimeField(_("från"), default=timezone.now)
    valid_to = models.DateTimeField(_("till"), null=True, blank=True)

    class Meta:
        verbose_name = _("vårdnad")
        verbose_name_plural = _("vårdnader")
        indexes = [models.Index(fields=["guardian", "child"])]
        constraints = [models.CheckConstraint(condition=~Q(guardian=models.F("child")), name="guardianship_not_self")]


class AccessLog(models.Model):
    """Åtkomstlogg. Append-only: the table is created by migration SQL as a
    monthly-partitioned table with triggers that refuse UPDATE/DELETE/TRUNCATE
    and chain each row's SHA-256 to the previous row of its chain. It has no
    foreign keys on purpose: the log must outlive any row it speaks of.
    """

    class Ground(models.TextChoices):
        CARE_RELATIONSHIP = "care_relationship", _("Vårdrelation")
        CONSENT = "consent", _("Samtycke (sammanhållen journalföring)")
        EMERGENCY = "emergency", _("Nödåtkomst")
        SYSTEM = "system", _("Systemåtgärd")
        ADMINISTRATION = "administration", _("Administration")
        # An administrator reads a message's payload to fix its delivery (always flagged).
        SUPPORT = "support", _("Felsökning av leverans")
        DENIED = "denied", _("Nekad")
        # The resident reads their own record, or a guardian their child's (e-tjänster).
        PATIENT_SELF = "patient_self", _("Invånaren själv")
        GUARDIAN = "guardian", _("Vårdnadshavare")

    id = models.BigAutoField(primary_key=True)
    logged_at = models.DateTimeField()
    chain = models.SmallIntegerField()
    seq = models.BigIntegerField()
    prev_hash = models.CharField(max_length=64)
    row_hash = models.CharField(max_length=64)
    staff_id = models.BigIntegerField(null=True)
    staff_hsa_id = models.CharField(max_length=31, blank=True)
    staff_name = models.CharField(max_length=200, blank=True)
    assignment_id = models.BigIntegerField(null=True)
    unit_id = models.BigIntegerField(null=True)
    unit_name = models.CharField(max_length=200, blank=True)
    provider_id = models.BigIntegerField(null=True)
    provider_name = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=60, blank=True)
    patient_id = models.BigIntegerField(null=True)
    ground = models.CharField(max_length=30, choices=Ground.choices)
    reason = models.TextField(blank=True)
    flagged = models.BooleanField(default=False)
    protected_patient = models.BooleanField(default=False)
    client_ip = models.GenericIPAddressField(null=True)
    detail = models.JSONField(default=dict)
    # Every patient a list read showed (search, inbox, day list, ...): the patient's log
    # extract finds the row here (GIN-indexed); patient_id stays the one-patient read.
    patient_ids = ArrayField(models.BigIntegerField(), null=True)

    class Meta:
        managed = False
        db_table = "vardmiljo_accesslog"
        verbose_name = _("åtkomstloggrad")
        verbose_name_plural = _("åtkomstlogg")
        default_permissions = ("view",)


class LogReview(models.Model):
    """Loggkontroll: a reviewer's mark on one access-log row."""

    class Verdict(models.TextChoices):
        OK = "ok", _("Befogad")
        QUESTION = "question", _("Behöver utredas")
        IMPROPER = "improper", _("Obefogad")

    access_log_id = models.BigIntegerField(db_index=True)
    reviewer = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField(_("bedömning"), max_length=20, choices=Verdict.choices)
    comment = models.TextField(_("kommentar"), blank=True)
    reviewed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("loggkontroll")
        verbose_name_plural = _("loggkontroller")


class Outbox(models.Model):
    """One outbox for every message that must leave a transaction: referrals,
    prescriptions, registry transfers, reminders. Written in the same
    transaction as the act; delivered by a Celery task after commit; retried
    with backoff; never deleted, so anything undelivered stays visible.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Köad")
        DELIVERED = "delivered", _("Levererad")
        FAILED = "failed", _("Misslyckad (försöker igen)")
        DEAD = "dead", _("Misslyckad (kräver åtgärd)")

    channel = models.CharField(max_length=40, db_index=True)
    idempotency_key = models.CharField(max_length=100, unique=True)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=60)
    patient = models.ForeignKey(Patient, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    receipt = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # The lease of the attempt in flight: while it lasts no other worker (nor the sweep) starts
    # another one; a worker that died mid-call leaves it to expire and be taken over.
    claimed_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("utkorgsmeddelande")
        verbose_name_plural = _("utkorg")
        # Reading a payload in Django admin (support ground, logged in the patient's extract).
        permissions = [("view_payload", _("Kan se meddelandens innehåll vid felsökning"))]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_pending_idx", condition=~Q(status="delivered")),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.idempotency_key} ({self.status})"

    # What a person reads about a delivery: one place, used by every module's pages
    # (the raw status and exception text stay for operators: `manage.py outbox`, admin).
    @property
    def status_label(self) -> str:
        return delivery_status_label(self.status)

    @property
    def error_label(self) -> str:
        return delivery_error_label(self.last_error) if self.status != self.Status.DELIVERED else ""

    @property
    def status_text(self) -> str:
        return delivery_status_text(self.status, self.last_error)


class OutboxAttempt(models.Model):
    """One delivery attempt of an outbox row: who tried, when, and how it ended.
    An attempt whose worker died stays open until its lease is taken over (then: abandoned)."""

    class Result(models.TextChoices):
        DELIVERED = "delivered", _("Levererad")
        TEMPORARY = "temporary", _("Tillfälligt fel")
        PERMANENT = "permanent", _("Avvisad av mottagaren")
        NOT_CONFIGURED = "not_configured", _("Ingen mottagaradress")
        ABANDONED = "abandoned", _("Avbruten (workern svarade inte inom sin lease)")

    outbox = models.ForeignKey(Outbox, on_delete=models.PROTECT, related_name="attempt_log")
    worker = models.CharField(max_length=200)
    started_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=20, choices=Result.choices, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("leveransförsök")
        verbose_name_plural = _("leveransförsök")
        indexes = [models.Index(fields=["outbox", "started_at"])]


class OutboxEndpoint(models.Model):
    """Circuit breaker of one receiver (an endpoint of a channel): after OUTBOX_BREAKER_FAILURES
    temporary failures in a row it is open for OUTBOX_BREAKER_OPEN_SECONDS; meanwhile its messages
    wait, visibly queued, without using a worker or an attempt. Then one message probes it."""

    key = models.CharField(max_length=300, unique=True)
    channel = models.CharField(max_length=40)
    failures = models.PositiveIntegerField(default=0)
    open_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mottagare (kretsbrytare)")
        verbose_name_plural = _("mottagare (kretsbrytare)")


_DELIVERY_LABELS: dict[str, Any] = {
    Outbox.Status.QUEUED: _("Väntar på leverans"),
    Outbox.Status.DELIVERED: _("Levererad"),
    Outbox.Status.FAILED: _("Inte levererad, nytt försök görs automatiskt"),
    Outbox.Status.DEAD: _("Inte levererad, kräver åtgärd"),
}

# Exception texts that adapters pass on from the network, in words a clinician reads.
_ERROR_PATTERNS = (
    ("timed out", _("mottagaren svarade inte i tid")),
    ("timeout", _("mottagaren svarade inte i tid")),
    ("connection refused", _("kunde inte nå mottagaren")),
    ("urlopen error", _("kunde inte nå mottagaren")),
    ("name or service not known", _("kunde inte nå mottagaren")),
    ("remote end closed", _("mottagaren avbröt förbindelsen")),
    ("does not exist", _("det som skulle skickas finns inte längre")),
)


def delivery_status_label(status: str | None) -> str:
    """A delivery status (Outbox.Status) in Swedish; empty when there is no delivery."""
    if not status:
        return ""
    return str(_DELIVERY_LABELS.get(status, _("Okänd leveransstatus")))


def delivery_error_label(last_error: str | None) -> str:
    """The outbox's last error (`ExceptionName: message`) as a person reads it."""
    if not last_error:
        return ""
    kind, sep, message = last_error.partition(": ")
    if not sep:
        kind, message = "", last_error
    if kind == "NotConfigured":
        return str(_("ingen leveransväg är inställd för mottagaren; meddelandet väntar"))
    lowered = message.lower()
    for pattern, text in _ERROR_PATTERNS:
        if pattern in lowered:
            return str(text)
    if kind in ("TemporaryFailure", "PermanentFailure"):
        # Our adapters word these themselves (in Swedish): "mottagaren svarade 400".
        message = message.strip()
        if message.startswith("HTTP "):
            message = str(_("mottagaren svarade %(rest)s")) % {"rest": message[5:]}
        return message
    return str(_("tekniskt fel vid leveransen"))


def delivery_status_text(status: str | None, last_error: str | None = "") -> str:
    """One line: "Inte levererad – mottagaren svarade 400", or just the status."""
    if status in (Outbox.Status.FAILED, Outbox.Status.DEAD, Outbox.Status.QUEUED) and last_error:
        reason = delivery_error_label(last_error)
        if status == Outbox.Status.QUEUED:
            return f"{delivery_status_label(status)} – {reason}"
        return str(_("Inte levererad – %(reason)s")) % {"reason": reason}
    return delivery_status_label(status)
