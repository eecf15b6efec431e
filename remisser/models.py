"""Remisser: referrals between units and providers, their trail, replies and receipts.

A referral is always in exactly one unit's hands (`owner_unit`) until it is
closed; the database refuses a sent referral without an owner.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vardmiljo.models import CareUnit, Patient, Staff


class Priority(models.TextChoices):
    """Prioritet. Days to the due date are configurable (remisser.conf)."""

    AKUT = "akut", _("Akut")
    TWO_WEEKS = "inom_2_veckor", _("Inom 2 veckor")
    THREE_MONTHS = "inom_3_manader", _("Inom 3 månader")


# Sort order in the inbox: most urgent first.
PRIORITY_RANK: dict[str, int] = {Priority.AKUT: 1, Priority.TWO_WEEKS: 2, Priority.THREE_MONTHS: 3}


class Referral(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Utkast")
        SENT = "sent", _("Skickad")
        RECEIVED = "received", _("Mottagen")
        ACCEPTED = "accepted", _("Accepterad")
        REJECTED = "rejected", _("Avvisad")
        FORWARDED = "forwarded", _("Vidarebefordrad")
        COMPLETION_REQUESTED = "completion_requested", _("Komplettering begärd")
        ANSWERED = "answered", _("Besvarad")
        ACKNOWLEDGED = "acknowledged", _("Vidimerad")
        CLOSED = "closed", _("Avslutad")
        CANCELLED = "cancelled", _("Makulerad")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("patient"))
    sender_unit = models.ForeignKey(CareUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("avsändande enhet"))
    sender_staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("remittent"))
    receiver_unit = models.ForeignKey(CareUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("mottagande enhet"))
    # Whose hands the referral is in: the receiver while it is assessed, the sender when it comes back.
    owner_unit = models.ForeignKey(
        CareUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("ansvarig enhet")
    )
    priority = models.CharField(_("prioritet"), max_length=20, choices=Priority.choices)
    priority_rank = models.PositiveSmallIntegerField(default=3)
    question = models.TextField(_("frågeställning"))
    status = models.CharField(_("status"), max_length=30, choices=Status.choices, default=Status.DRAFT)
    due_date = models.DateField(_("senast"), null=True, blank=True)
    # From the send form: a double click on "Skicka" finds this key and sends once.
    idempotency_key = models.CharField(max_length=100, unique=True, null=True, blank=True)
    # The outbox key of the latest delivery (one per send/forward).
    delivery_key = models.CharField(max_length=100, blank=True)
    deliveries = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("remiss")
        verbose_name_plural = _("remisser")
        constraints = [
            models.CheckConstraint(condition=Q(status="draft") | Q(owner_unit__isnull=False), name="referral_owner_unless_draft"),
            models.CheckConstraint(condition=~Q(question=""), name="referral_needs_question"),
        ]
        indexes = [
            models.Index(
                fields=["owner_unit", "priority_rank", "due_date", "id"],
                name="referral_inbox_idx",
                condition=~Q(status__in=["draft", "closed", "cancelled"]),
            ),
            models.Index(
                fields=["sender_unit", "sent_at"],
                name="referral_outbox_idx",
                condition=~Q(status__in=["draft", "closed", "cancelled"]),
            ),
            models.Index(fields=["patient", "status"], name="referral_patient_idx"),
            # The header counter of referrals not delivered, on every page: only those in transit.
            models.Index(
                fields=["sender_unit", "sent_at"], name="referral_in_transit_idx", condition=Q(status__in=["sent", "forwarded"])
            ),
        ]

    def __str__(self) -> str:
        return f"Remiss {self.pk} ({self.get_status_display()})"

    # Cheaper than get_FOO_display(), which rebuilds and hashes the whole choice list per call.
    @property
    def priority_label(self) -> str:
        return str(Priority(self.priority).label) if self.priority in _PRIORITIES else self.priority

    @property
    def status_label(self) -> str:
        return str(Referral.Status(self.status).label) if self.status in _STATUSES else self.status

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.status in RECEIVER_OPEN and self.due_date is not None and self.due_date < timezone.localdate()

    @property
    def in_transit(self) -> bool:
        return self.status in (self.Status.SENT, self.Status.FORWARDED)

    def age(self, now: dt.datetime | None = None) -> dt.timedelta:
        return (now or timezone.now()) - (self.sent_at or self.created_at)


S = Referral.Status
_PRIORITIES = frozenset(Priority.values)
_STATUSES = frozenset(S.values)
CLOSED_STATUSES = frozenset({S.CLOSED, S.CANCELLED})
# The receiver still owes the patient something: these can be overdue and are escalated.
RECEIVER_OPEN = frozenset({S.SENT, S.FORWARDED, S.RECEIVED, S.ACCEPTED})


class ReferralEvent(models.Model):
    """The trail, visible to both sides: who, when, from which status and unit to which."""

    class Kind(models.TextChoices):
        TRANSITION = "transition", _("Statusändring")
        ESCALATION = "escalation", _("Påminnelse (försenad)")
        DELIVERY = "delivery", _("Leverans")

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TRANSITION)
    at = models.DateTimeField(default=timezone.now)
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    staff_name = models.CharField(max_length=200)
    unit = models.ForeignKey(CareUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30, blank=True)
    from_unit = models.ForeignKey(CareUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    to_unit = models.ForeignKey(CareUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("remisshändelse")
        verbose_name_plural = _("remisshändelser")
        indexes = [models.Index(fields=["referral", "at"])]
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.staff_name}: {self.from_status} → {self.to_status}"

    def from_label(self) -> str:
        return str(S(self.from_status).label) if self.from_status in S.values else self.from_status

    def to_label(self) -> str:
        return str(S(self.to_status).label) if self.to_status in S.values else self.to_status


class ReferralReceipt(models.Model):
    """Mottagningskvitto: one per delivery, keyed on the outbox row. The unique key
    is what makes a delivery count exactly once."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="receipts")
    unit = models.ForeignKey(CareUnit, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=100, unique=True)
    received_at = models.DateTimeField(default=timezone.now)
    remote = models.BooleanField(default=False)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("mottagningskvitto")
        verbose_name_plural = _("mottagningskvitton")

    def __str__(self) -> str:
        return f"Kvitto {self.idempotency_key}"


class ReferralReply(models.Model):
    """Remissvar: signed by its author, never changed afterwards."""

    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="reply")
    unit = models.ForeignKey(CareUnit, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("svar"))
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("remissvar")
        verbose_name_plural = _("remissvar")
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="referral_reply_needs_text")]

    def __str__(self) -> str:
        return f"Remissvar {self.referral_id}"


class ReferralNotification(models.Model):
    """A reminder in a unit's inbox (to one person, or the whole unit): overdue referrals."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="notifications")
    unit = models.ForeignKey(CareUnit, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("remisspåminnelse")
        verbose_name_plural = _("remisspåminnelser")
        indexes = [models.Index(fields=["unit", "created_at"], name="referral_notif_unit_idx", condition=Q(read_at__isnull=True))]

    def __str__(self) -> str:
        return self.text


class ReferralRoute(models.Model):
    """How referrals reach a unit: in this installation (default) or through an
    adapter to another system (endpoint here or in REMISS_ENDPOINT_<HSA-id>)."""

    class Mode(models.TextChoices):
        LOCAL = "local", _("I denna installation")
        REMOTE = "remote", _("Annat system (adapter)")

    unit = models.OneToOneField(CareUnit, on_delete=models.PROTECT, related_name="referral_route")
    mode = models.CharField(_("leveranssätt"), max_length=10, choices=Mode.choices, default=Mode.LOCAL)
    endpoint = models.URLField(_("mottagarens adress"), blank=True)

    class Meta:
        verbose_name = _("remissväg")
        verbose_name_plural = _("remissvägar")

    def __str__(self) -> str:
        return f"{self.unit}: {self.get_mode_display()}"
