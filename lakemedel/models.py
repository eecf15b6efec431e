"""Läkemedel: drug catalogue, interaction table, medication orders (ordinationer)
with versions, medication reviews and prescriptions (e-recept).

Every clinical row carries `patient` and the owning `unit`, so the access
module can narrow it (`PatientAccess.filter`).
"""

from __future__ import annotations

from django.contrib.postgres.indexes import OpClass
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vardmiljo.models import CareUnit, Outbox, Patient, Staff


class Product(models.Model):
    """Läkemedelsprodukt from the national product register (NPL)."""

    npl_id = models.CharField(_("NPL-id"), max_length=14, unique=True)
    name = models.CharField(_("namn"), max_length=200)
    substance = models.CharField(_("substans"), max_length=200)
    strength = models.CharField(_("styrka"), max_length=60, blank=True)
    form = models.CharField(_("beredningsform"), max_length=80)
    atc_code = models.CharField(_("ATC-kod"), max_length=7)
    package_sizes = models.JSONField(_("förpackningsstorlekar"), default=list)
    # The natural dose unit ("tablett", "ml", "puff") offered first when ordering.
    dose_unit = models.CharField(_("dosenhet"), max_length=30, default="tablett")
    route = models.CharField(_("administrationsväg"), max_length=30, default="oral")
    requires_indication = models.BooleanField(_("indikation krävs"), default=False)
    active = models.BooleanField(_("aktiv"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("läkemedelsprodukt")
        verbose_name_plural = _("läkemedelsprodukter")
        ordering = ["name", "strength"]
        indexes = [
            # Prefix search as you type: upper(x) LIKE 'ABC%' uses these.
            models.Index(OpClass(Upper("name"), name="varchar_pattern_ops"), name="lm_product_uname_idx"),
            models.Index(OpClass(Upper("substance"), name="varchar_pattern_ops"), name="lm_product_usubst_idx"),
            models.Index(OpClass("atc_code", name="varchar_pattern_ops"), name="lm_product_atc_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.strength} {self.form}".strip()

    @property
    def label(self) -> str:
        return str(self)


class Interaction(models.Model):
    """A drug–drug interaction between two ATC prefixes (a substance or a class).

    Severity follows the Swedish grading: A (ingen klinisk betydelse) to D
    (klinisk betydelse, bör undvikas). D needs an explicit override.
    """

    class Severity(models.TextChoices):
        A = "A", _("A – sannolikt utan klinisk betydelse")
        B = "B", _("B – oklar klinisk betydelse")
        C = "C", _("C – kliniskt relevant, kan hanteras")
        D = "D", _("D – kliniskt relevant, bör undvikas")

    atc_a = models.CharField(_("ATC A"), max_length=7, db_index=True)
    atc_b = models.CharField(_("ATC B"), max_length=7, db_index=True)
    severity = models.CharField(_("allvarlighetsgrad"), max_length=1, choices=Severity.choices)
    description = models.TextField(_("beskrivning"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("interaktion")
        verbose_name_plural = _("interaktioner")
        constraints = [models.UniqueConstraint(fields=["atc_a", "atc_b"], name="lm_interaction_pair_uniq")]

    def __str__(self) -> str:
        return f"{self.atc_a} + {self.atc_b} ({self.severity})"


class Frequency(models.TextChoices):
    REGULAR = "regular", _("Regelbundet")
    PRN = "prn", _("Vid behov")


class Period(models.TextChoices):
    DAY = "day", _("dygn")
    WEEK = "week", _("vecka")


class OrderFields(models.Model):
    """The clinical content of an ordination, shared by the order and its versions."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("produkt"))
    substance = models.CharField(_("substans"), max_length=200)
    atc_code = models.CharField(_("ATC-kod"), max_length=7)
    dose = models.DecimalField(_("dos"), max_digits=8, decimal_places=3)
    dose_unit = models.CharField(_("dosenhet"), max_length=30)
    route = models.CharField(_("administrationsväg"), max_length=30)
    frequency = models.CharField(_("dosering"), max_length=10, choices=Frequency.choices)
    times = models.PositiveSmallIntegerField(_("antal gånger"), null=True, blank=True)
    period = models.CharField(_("per"), max_length=10, choices=Period.choices, default=Period.DAY)
    prn_max_per_day = models.PositiveSmallIntegerField(_("högst per dygn"), null=True, blank=True)
    indication = models.CharField(_("indikation"), max_length=200, blank=True)
    start_date = models.DateField(_("startdatum"))
    planned_end_date = models.DateField(_("planerat slutdatum"), null=True, blank=True)
    prescriber = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("ordinatör"))

    class Meta:
        abstract = True

    @property
    def dosage_text(self) -> str:
        from lakemedel.dosage import render_dosage

        return render_dosage(self.dose, self.dose_unit, self.frequency, self.times, self.period, self.prn_max_per_day)


class MedicationOrder(OrderFields):
    """Ordination: what, how much, how often, why, from when to when. Every
    change writes a MedicationOrderVersion; this row holds the current version."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Aktuell")
        PAUSED = "paused", _("Pausad")
        DISCONTINUED = "discontinued", _("Utsatt")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(CareUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("vårdenhet"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    version = models.PositiveIntegerField(_("version"), default=1)
    discontinued_reason = models.TextField(_("skäl för utsättning"), blank=True)
    discontinued_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ordination")
        verbose_name_plural = _("ordinationer")
        indexes = [
            models.Index(fields=["patient", "status", "-start_date"], name="lm_order_patient_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end_date__isnull=True) | Q(planned_end_date__gte=models.F("start_date")),
                name="lm_order_end_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(status="discontinued") | ~Q(discontinued_reason=""), name="lm_order_discontinue_needs_reason"
            ),
            models.CheckConstraint(condition=~Q(dose_unit=""), name="lm_order_dose_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.product} – {self.dosage_text}"

    @property
    def is_current(self) -> bool:
        return self.status != self.Status.DISCONTINUED

    def can_prescribe(self) -> bool:
        return self.status == self.Status.ACTIVE


class MedicationOrderVersion(OrderFields):
    """One version of an ordination, written by the service that made the change."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Insatt")
        CHANGED = "changed", _("Ändrad")
        PAUSED = "paused", _("Pausad")
        RESUMED = "resumed", _("Återupptagen")
        DISCONTINUED = "discontinued", _("Utsatt")

    order = models.ForeignKey(MedicationOrder, on_delete=models.PROTECT, related_name="versions")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(CareUnit, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField()
    kind = models.CharField(_("ändring"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=MedicationOrder.Status.choices)
    reason = models.TextField(_("skäl"), blank=True)
    changed_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ordinationsversion")
        verbose_name_plural = _("ordinationsversioner")
        ordering = ["order", "-version"]
        constraints = [models.UniqueConstraint(fields=["order", "version"], name="lm_version_uniq")]

    def __str__(self) -> str:
        return f"{self.order_id} v{self.version} ({self.kind})"


class SafetyAlert(models.Model):
    """A safety check result present when an order was saved, with the
    prescriber's override reason when it was severe."""

    class Kind(models.TextChoices):
        INTERACTION = "interaction", _("Interaktion")
        ALLERGY = "allergy", _("Allergi")
        DUPLICATE = "duplicate", _("Dubbelmedicinering")
        INDICATION = "indication", _("Indikation saknas")

    order = models.ForeignKey(MedicationOrder, on_delete=models.PROTECT, related_name="alerts")
    version = models.PositiveIntegerField()
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(CareUnit, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    severe = models.BooleanField(default=False)
    severity = models.CharField(max_length=1, blank=True)
    text = models.TextField()
    override_reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("säkerhetsvarning")
        verbose_name_plural = _("säkerhetsvarningar")
        constraints = [
            models.CheckConstraint(condition=Q(severe=False) | ~Q(override_reason=""), name="lm_alert_override_reason")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:60]}"


class MedicationReview(models.Model):
    """Läkemedelsgenomgång: the list was reviewed, by whom and when."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(CareUnit, on_delete=models.PROTECT, related_name="+")
    reviewed_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(_("kommentar"), blank=True)

    class Meta:
        verbose_name = _("läkemedelsgenomgång")
        verbose_name_plural = _("läkemedelsgenomgångar")
        indexes = [models.Index(fields=["patient", "-reviewed_at"], name="lm_review_patient_idx")]

    def __str__(self) -> str:
        return f"{self.reviewed_at:%Y-%m-%d} {self.reviewed_by}"


class Prescription(models.Model):
    """E-recept made from an ordination, sent through the outbox."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Giltigt")
        RENEWED = "renewed", _("Förnyat")
        CANCELLED = "cancelled", _("Makulerat")

    order = models.ForeignKey(MedicationOrder, on_delete=models.PROTECT, related_name="prescriptions")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(CareUnit, on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    prescriber = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("förskrivare"))
    prescriber_code = models.CharField(_("förskrivarkod"), max_length=7)
    dosage_text = models.CharField(_("dosering"), max_length=300)
    packages = models.PositiveSmallIntegerField(_("antal förpackningar"))
    package_size = models.PositiveIntegerField(_("förpackningsstorlek"))
    dispensings = models.PositiveSmallIntegerField(_("antal uttag"), default=1)
    interval_days = models.PositiveSmallIntegerField(_("expeditionsintervall (dagar)"), null=True, blank=True)
    valid_until = models.DateField(_("giltigt till"))
    pharmacy_message = models.CharField(_("meddelande till apoteket"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    renewed_from = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="renewal")
    idempotency_key = models.CharField(max_length=100, unique=True)
    outbox = models.ForeignKey(Outbox, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    receipt_id = models.CharField(_("kvittens"), max_length=100, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("e-recept")
        verbose_name_plural = _("e-recept")
        indexes = [
            models.Index(fields=["patient", "status"], name="lm_rx_patient_idx"),
            models.Index(fields=["order", "status"], name="lm_rx_order_idx"),
            models.Index(fields=["prescriber", "outbox"], name="lm_rx_prescriber_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(dispensings__gte=1) & Q(packages__gte=1), name="lm_rx_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.product} × {self.packages}"

    @property
    def total_amount(self) -> int:
        return self.packages * self.package_size

    @property
    def delivery_status(self) -> str:
        if self.outbox_id is None:
            return "sent" if self.sent_at else "none"
        return self.outbox.status if self.outbox else "none"


class SimulatedEreceptMessage(models.Model):
    """What the local simulated national prescription service has received
    (demo and tests only). De-duplicates on the idempotency key."""

    idempotency_key = models.CharField(max_length=100, unique=True)
    receipt_id = models.CharField(max_length=100)
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(default=timezone.now)
    times_received = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("simulerat e-receptmeddelande")
        verbose_name_plural = _("simulerade e-receptmeddelanden")

    def __str__(self) -> str:
        return self.idempotency_key
