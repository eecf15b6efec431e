"""Tidbok: resources, weekly templates, exceptions, slots, bookings and the waiting list.

Slots are generated from templates (`services.slots_generate`). A slot's
`status` is a denormalised copy kept by the booking services in the same
transaction, so "first available" is an index scan; the guarantee against
double booking is the partial unique index `tidbok_booking_one_active_per_slot`.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vardmiljo.models import CareUnit, Patient, Staff


class SlotType(models.TextChoices):
    NEW_VISIT = "new_visit", _("Nybesök")
    RETURN_VISIT = "return_visit", _("Återbesök")
    PHONE = "phone", _("Telefon")
    VIDEO = "video", _("Video")


class Resource(models.Model):
    """A bookable resource of a unit: a member of staff, a room or a piece of equipment."""

    class Kind(models.TextChoices):
        STAFF = "staff", _("Personal")
        ROOM = "room", _("Rum")
        EQUIPMENT = "equipment", _("Utrustning")

    unit = models.ForeignKey(CareUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("vårdenhet"))
    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices, default=Kind.STAFF)
    name = models.CharField(_("namn"), max_length=200)
    staff = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("personal")
    )
    active = models.BooleanField(_("aktiv"), default=True)
    # The unit opens the resource's free times to residents in the e-services (webbtidbok).
    web_booking = models.BooleanField(_("bokningsbar på webben"), default=False)

    class Meta:
        verbose_name = _("resurs")
        verbose_name_plural = _("resurser")
        ordering = ["unit", "name"]
        indexes = [models.Index(fields=["unit", "active"])]

    def __str__(self) -> str:
        return self.name


class ScheduleTemplate(models.Model):
    """One row of a resource's weekly template: on `weekday`, from `start_time` to
    `end_time`, slots of `slot_type`, each `slot_minutes` long."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="templates", verbose_name=_("resurs"))
    weekday = models.PositiveSmallIntegerField(
        _("veckodag"),
        choices=[
            (0, _("måndag")),
            (1, _("tisdag")),
            (2, _("onsdag")),
            (3, _("torsdag")),
            (4, _("fredag")),
            (5, _("lördag")),
            (6, _("söndag")),
        ],
    )
    start_time = models.TimeField(_("från"))
    end_time = models.TimeField(_("till"))
    slot_type = models.CharField(_("tidstyp"), max_length=20, choices=SlotType.choices)
    slot_minutes = models.PositiveSmallIntegerField(_("längd (minuter)"), default=30)
    valid_from = models.DateField(_("gäller från"), default=dt.date.today)
    valid_to = models.DateField(_("gäller till"), null=True, blank=True)

    class Meta:
        verbose_name = _("schemamall")
        verbose_name_plural = _("schemamallar")
        ordering = ["resource", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(condition=Q(end_time__gt=models.F("start_time")), name="tidbok_template_end_after_start"),
            models.CheckConstraint(condition=Q(slot_minutes__gte=5) & Q(slot_minutes__lte=480), name="tidbok_template_length"),
        ]

    def __str__(self) -> str:
        return f"{self.resource} {self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class ScheduleException(models.Model):
    """Holiday (whole unit, resource empty) or absence (one resource): no slots then."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Helgdag")
        ABSENCE = "absence", _("Frånvaro")
        OTHER = "other", _("Övrigt")

    unit = models.ForeignKey(CareUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("vårdenhet"))
    resource = models.ForeignKey(
        Resource,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="exceptions",
        verbose_name=_("resurs (tomt = hela enheten)"),
    )
    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices, default=Kind.ABSENCE)
    starts_at = models.DateTimeField(_("från"))
    ends_at = models.DateTimeField(_("till"))
    reason = models.CharField(_("anledning"), max_length=200, blank=True)
    created_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("schemaundantag")
        verbose_name_plural = _("schemaundantag")
        indexes = [models.Index(fields=["unit", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="tidbok_exception_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"


class Slot(models.Model):
    """One bookable time of one resource, generated from its template."""

    class Status(models.TextChoices):
        FREE = "free", _("Ledig")
        BOOKED = "booked", _("Bokad")
        BLOCKED = "blocked", _("Spärrad (undantag)")

    # Both foreign keys are served by the composite indexes below (no single-column ones on 2M rows).
    resource = models.ForeignKey(
        Resource, on_delete=models.PROTECT, related_name="slots", verbose_name=_("resurs"), db_index=False
    )
    unit = models.ForeignKey(CareUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("vårdenhet"), db_index=False)
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("slut"))
    slot_type = models.CharField(_("tidstyp"), max_length=20, choices=SlotType.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.FREE)

    class Meta:
        verbose_name = _("tid")
        verbose_name_plural = _("tider")
        constraints = [
            models.UniqueConstraint(fields=["resource", "starts_at"], name="tidbok_slot_resource_start_uniq"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="tidbok_slot_end_after_start"),
        ]
        indexes = [
            models.Index(fields=["unit", "starts_at"], name="tidbok_slot_unit_start"),
            # First available: only free slots are in these, so the scan stops at the first hit.
            models.Index(fields=["unit", "slot_type", "starts_at"], name="tidbok_slot_free_type", condition=Q(status="free")),
            models.Index(fields=["resource", "starts_at"], name="tidbok_slot_free_res", condition=Q(status="free")),
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.resource} {local:%Y-%m-%d %H:%M} ({self.get_slot_type_display()})"


ACTIVE_BOOKING = ("booked", "checked_in")


class Booking(models.Model):
    """A patient's appointment in one slot."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Bokad")
        CHECKED_IN = "checked_in", _("Ankomstregistrerad")
        CANCELLED_UNIT = "cancelled_unit", _("Avbokad av enheten")
        CANCELLED_PATIENT = "cancelled_patient", _("Återbud från patienten")
        REBOOKED = "rebooked", _("Ombokad")

    class Source(models.TextChoices):
        DIRECT = "direct", _("Direktbokning")
        REFERRAL = "referral", _("Från remiss")
        WAITLIST = "waitlist", _("Från väntelistan")
        REBOOKING = "rebooking", _("Ombokning")
        WEB = "web", _("Invånaren via e-tjänsten")

    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("tid"))
    unit = models.ForeignKey(CareUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("vårdenhet"))
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+", verbose_name=_("patient"))
    # Copied from the slot so lists never need the slot to sort a patient's visits.
    starts_at = models.DateTimeField(_("start"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.BOOKED)
    source = models.CharField(_("källa"), max_length=20, choices=Source.choices, default=Source.DIRECT)
    referral_id = models.BigIntegerField(_("remiss"), null=True, blank=True)
    waitlist_entry = models.ForeignKey("WaitlistEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    rebooked_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("kommentar"), max_length=500, blank=True)
    # Empty when the resident booked (or cancelled) in the e-services themselves.
    booked_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    booked_at = models.DateTimeField(default=timezone.now)
    cancelled_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(_("orsak"), max_length=500, blank=True)
    checked_in_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    checked_in_at = models.DateTimeField(null=True, blank=True)
    # The journal's visit contact (journal.Encounter), once the journal module is present.
    encounter_id = models.BigIntegerField(null=True, blank=True)
    reminder_queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bokning")
        verbose_name_plural = _("bokningar")
        constraints = [
            # No double booking, whatever the application does: at most one active booking per slot.
            models.UniqueConstraint(
                fields=["slot"], condition=Q(status__in=ACTIVE_BOOKING), name="tidbok_booking_one_active_per_slot"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["cancelled_unit", "cancelled_patient"]) | ~Q(cancel_reason=""),
                name="tidbok_booking_cancel_needs_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "starts_at"], name="tidbok_booking_patient"),
            models.Index(fields=["unit", "starts_at"], name="tidbok_booking_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.patient_id} {self.slot_id} {self.status}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_BOOKING

    def can_cancel(self) -> bool:
        return self.status == self.Status.BOOKED

    def can_check_in(self) -> bool:
        return self.status == self.Status.BOOKED


class WaitlistEntry(models.Model):
    """A patient waiting for a time at a unit (often from an accepted referral)."""

    class Priority(models.TextChoices):
        ACUTE = "acute", _("Akut")
        TWO_WEEKS = "two_weeks", _("Inom 2 veckor")
        THREE_MONTHS = "three_months", _("Inom 3 månader")
        ROUTINE = "routine", _("Ingen brådska")

    class Status(models.TextChoices):
        WAITING = "waiting", _("Väntar")
        BOOKED = "booked", _("Bokad")
        REMOVED = "removed", _("Borttagen")

    unit = models.ForeignKey(CareUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("vårdenhet"))
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+", verbose_name=_("patient"))
    priority = models.CharField(_("prioritet"), max_length=20, choices=Priority.choices)
    # 1 = most urgent; kept beside `priority` so the list sorts in the database.
    priority_rank = models.PositiveSmallIntegerField(default=3)
    due_by = models.DateField(_("ska ha fått tid senast"))
    referral_id = models.BigIntegerField(_("remiss"), null=True, blank=True)
    note = models.CharField(_("kommentar"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.WAITING)
    added_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    booking = models.ForeignKey(Booking, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("väntelistepost")
        verbose_name_plural = _("väntelista")
        indexes = [
            models.Index(fields=["unit", "priority_rank", "due_by"], name="tidbok_wait_open", condition=Q(status="waiting")),
            models.Index(fields=["patient", "status"], name="tidbok_wait_patient"),
        ]
        constraints = [
            # A referral puts its patient on the list once, however often it is accepted or retried.
            models.UniqueConstraint(
                fields=["referral_id"],
                condition=Q(status="waiting", referral_id__isnull=False),
                name="tidbok_wait_one_per_referral",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient_id} {self.get_priority_display()} {self.due_by}"
