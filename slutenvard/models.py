"""Slutenvård: hospitals, wards, beds and stays (vårdtillfällen) with their events.

A ward is a care unit (`vardmiljo.CareUnit`) with a `Ward` row beside it, so the
core needs no notion of wards. A bed's `state` is a denormalised copy kept by the
services in the same transaction as the stay that fills or empties it; the
guarantee of one patient per bed is the partial unique index
`slutenvard_stay_one_per_bed`, as for bookings in tidbok.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vardmiljo.models import CareProvider, CareRelationship, CareUnit, Patient, Staff

ACTIVE_STAY = ("admitted", "leave")


class Hospital(models.Model):
    """Sjukhus: groups the wards shown together on one bed board."""

    provider = models.ForeignKey(CareProvider, on_delete=models.PROTECT, related_name="+", verbose_name=_("vårdgivare"))
    name = models.CharField(_("namn"), max_length=200)

    class Meta:
        verbose_name = _("sjukhus")
        verbose_name_plural = _("sjukhus")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Ward(models.Model):
    """Vårdavdelning: a care unit of kind ward."""

    unit = models.OneToOneField(CareUnit, on_delete=models.PROTECT, related_name="ward", verbose_name=_("vårdenhet"))
    hospital = models.ForeignKey(Hospital, on_delete=models.PROTECT, related_name="wards", verbose_name=_("sjukhus"))
    short_name = models.CharField(_("kortnamn"), max_length=20, blank=True)
    order = models.PositiveIntegerField(_("ordning"), default=100)

    class Meta:
        verbose_name = _("vårdavdelning")
        verbose_name_plural = _("vårdavdelningar")
        ordering = ["hospital", "order", "pk"]

    def __str__(self) -> str:
        return self.unit.name


class Bed(models.Model):
    """A bed (vårdplats) in a room of a ward. Extra beds (överbeläggningsplatser) are
    not counted among the ward's available beds."""

    class State(models.TextChoices):
        FREE = "free", _("Ledig")
        OCCUPIED = "occupied", _("Belagd")
        CLEANING = "cleaning", _("Ska städas")
        CLOSED = "closed", _("Stängd")

    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="beds", verbose_name=_("avdelning"))
    room = models.CharField(_("sal"), max_length=20)
    label = models.CharField(_("säng"), max_length=20)
    order = models.PositiveIntegerField(_("ordning"), default=0)
    extra = models.BooleanField(_("överbeläggningsplats"), default=False)
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.FREE)

    class Meta:
        verbose_name = _("säng")
        verbose_name_plural = _("sängar")
        ordering = ["ward", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["ward", "label"], name="slutenvard_bed_label_uniq")]
        indexes = [models.Index(fields=["ward", "state"], name="slutenvard_bed_ward_state")]

    def __str__(self) -> str:
        return f"{self.label} ({_('sal')} {self.room})"


class Stay(models.Model):
    """Vårdtillfälle: one admission of a patient, owned by one ward (`ward`) while it
    lies in a bed (`bed`) that may belong to another ward (utlokaliserad)."""

    class Status(models.TextChoices):
        ADMITTED = "admitted", _("Inskriven")
        LEAVE = "leave", _("Permission")
        DISCHARGED = "discharged", _("Utskriven")
        CANCELLED = "cancelled", _("Makulerad")

    class Source(models.TextChoices):
        EMERGENCY = "emergency", _("Akutmottagning")
        REFERRAL = "referral", _("Remiss")
        PLANNED = "planned", _("Planerad (väntelista)")
        WARD = "ward", _("Annan avdelning")
        OTHER = "other", _("Annat")

    class Destination(models.TextChoices):
        HOME = "home", _("Hemmet")
        MUNICIPAL = "municipal", _("Kommunal vård och omsorg")
        HOSPITAL = "hospital", _("Annat sjukhus")
        DECEASED = "deceased", _("Avliden")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+", verbose_name=_("patient"))
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="stays", verbose_name=_("ansvarig avdelning"))
    bed = models.ForeignKey(Bed, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("säng"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ADMITTED)
    source = models.CharField(_("inskriven från"), max_length=20, choices=Source.choices, default=Source.EMERGENCY)
    reason = models.CharField(_("inskrivningsorsak"), max_length=500)
    admitted_at = models.DateTimeField(_("inskriven"), default=timezone.now)
    pal = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("patientansvarig läkare")
    )
    pas = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("patientansvarig sjuksköterska")
    )
    expected_discharge = models.DateField(_("beräknad utskrivning"), null=True, blank=True)
    plan = models.CharField(_("plan"), max_length=200, blank=True)
    leave_until = models.DateTimeField(_("permission till"), null=True, blank=True)
    discharged_at = models.DateTimeField(_("utskriven"), null=True, blank=True)
    destination = models.CharField(_("utskriven till"), max_length=20, choices=Destination.choices, blank=True)
    # Where the discharge summary goes: the patient's listed health centre (vårdcentral).
    primary_care_unit = models.ForeignKey(
        CareUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("listad vårdcentral")
    )
    encounter_id = models.BigIntegerField(_("kontakt"), null=True, blank=True)
    # The relationship this admission created (ended again if the admission is cancelled).
    care_relationship = models.ForeignKey(CareRelationship, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    summary_note_id = models.BigIntegerField(_("epikris"), null=True, blank=True)
    referral_id = models.BigIntegerField(_("remiss"), null=True, blank=True)
    waitlist_entry_id = models.BigIntegerField(_("väntelistepost"), null=True, blank=True)
    # An admission from another system (HL7 PV1-19 visit number) is found again by it.
    source_system = models.CharField(_("källsystem"), max_length=60, blank=True)
    source_id = models.CharField(_("id i källsystemet"), max_length=100, blank=True)
    created_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vårdtillfälle")
        verbose_name_plural = _("vårdtillfällen")
        constraints = [
            # One patient per bed, whatever the application does.
            models.UniqueConstraint(
                fields=["bed"], condition=Q(status__in=ACTIVE_STAY, bed__isnull=False), name="slutenvard_stay_one_per_bed"
            ),
            # A patient lies at one ward at a time.
            models.UniqueConstraint(
                fields=["patient"], condition=Q(status__in=ACTIVE_STAY), name="slutenvard_stay_one_active_per_patient"
            ),
            models.CheckConstraint(
                condition=Q(discharged_at__isnull=True) | Q(discharged_at__gte=models.F("admitted_at")),
                name="slutenvard_stay_discharge_after_admission",
            ),
            models.CheckConstraint(
                condition=~Q(status="discharged") | (Q(discharged_at__isnull=False) & ~Q(destination="")),
                name="slutenvard_stay_discharge_has_destination",
            ),
        ]
        indexes = [
            models.Index(fields=["ward", "status"], name="slutenvard_stay_ward_active", condition=Q(status__in=ACTIVE_STAY)),
            models.Index(fields=["patient", "-admitted_at"], name="slutenvard_stay_patient"),
            models.Index(fields=["source_system", "source_id"], name="slutenvard_stay_source"),
        ]

    def __str__(self) -> str:
        return f"{self.patient_id} {self.ward_id} {self.status}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STAY

    @property
    def is_outlying(self) -> bool:
        return self.bed is not None and self.bed.ward_id != self.ward_id

    @property
    def waiting_for_bed(self) -> bool:
        return self.is_active and self.bed_id is None


class StayEvent(models.Model):
    """One event of a stay. Never changed except `cancelled_by`: a wrong event is
    cancelled by a later event that points back at it, so the trail stays readable."""

    class Kind(models.TextChoices):
        ADMIT = "admit", _("Inskrivning")
        PLACE = "place", _("Placerad i säng")
        TRANSFER = "transfer", _("Överflyttning")
        BED_MOVE = "bed_move", _("Sängbyte")
        OUTLIE = "outlie", _("Utlokalisering")
        LEAVE = "leave", _("Permission")
        LEAVE_END = "leave_end", _("Åter från permission")
        DISCHARGE = "discharge", _("Utskrivning")
        UPDATE = "update", _("Uppgifter ändrade")
        CANCEL_ADMIT = "cancel_admit", _("Inskrivning makulerad")
        CANCEL_TRANSFER = "cancel_transfer", _("Överflyttning makulerad")
        CANCEL_DISCHARGE = "cancel_discharge", _("Utskrivning makulerad")

    stay = models.ForeignKey(Stay, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("händelse"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("tidpunkt"), default=timezone.now)
    from_ward = models.ForeignKey(Ward, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    to_ward = models.ForeignKey(Ward, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    from_bed = models.ForeignKey(Bed, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    to_bed = models.ForeignKey(Bed, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    detail = models.JSONField(default=dict, blank=True)
    cancels = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    cancelled_by = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vårdtillfällehändelse")
        verbose_name_plural = _("vårdtillfällehändelser")
        ordering = ["stay", "recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class WardDayFigures(models.Model):
    """The day's figures of a ward as the regions report them (beläggning,
    överbeläggningar, utlokaliserade), recorded once a day by `bed_board --record`
    and the beat job; the bed board shows live figures beside them."""

    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    beds_available = models.PositiveIntegerField(default=0)
    occupied = models.PositiveIntegerField(default=0)
    free = models.PositiveIntegerField(default=0)
    cleaning = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    over_occupancy = models.PositiveIntegerField(default=0)
    outlying = models.PositiveIntegerField(default=0)
    waiting = models.PositiveIntegerField(default=0)
    expected_discharges = models.PositiveIntegerField(default=0)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("avdelningens dagssiffror")
        verbose_name_plural = _("avdelningarnas dagssiffror")
        constraints = [models.UniqueConstraint(fields=["ward", "day"], name="slutenvard_dayfigures_uniq")]
