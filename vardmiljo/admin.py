"""Django admin for the regional administrator: organisation, staff, assignments.

Every admin of a model linked to a patient derives from PatientDataAdmin (issue 12 item 3):
a regional administrator has no care relationship, so those pages show no clinical text
and no payload (only status, times and ids), and what they do show is in the access log,
so each listed or opened patient finds it in their log extract. Where an administrator
must see a message's payload to fix its delivery, PayloadSupportMixin's page asks for a
reason, needs the `vardmiljo.view_payload` permission, and records the read on its own
ground (support), flagged for review (access.support_access)."""

from __future__ import annotations

import json
from collections import deque
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdmin

from vardmiljo import access, audit
from vardmiljo.actor import Actor
from vardmiljo.errors import DomainError
from vardmiljo.models import (
    AccessLog,
    Assignment,
    Block,
    CareProvider,
    CareRelationship,
    CareUnit,
    Consent,
    EmergencyAccess,
    LogReview,
    Outbox,
    OutboxAttempt,
    OutboxEndpoint,
    Patient,
    Staff,
)


def patient_lookup(model: type[models.Model]) -> str | None:
    """The ORM lookup from a model's rows to their patient's id, following foreign keys
    (`patient`, `note__patient`, ...); "pk" for Patient; None when no path leads there."""
    if model is Patient:
        return "pk"
    queue: deque[tuple[type[models.Model], str]] = deque([(model, "")])
    seen = {model}
    while queue:
        m, prefix = queue.popleft()
        for f in m._meta.concrete_fields:
            if f.is_relation and f.related_model is Patient:
                return f"{prefix}{f.name}"
        for f in m._meta.concrete_fields:
            rm = f.related_model if f.is_relation else None
            if isinstance(rm, type) and rm not in seen:
                seen.add(rm)
                queue.append((rm, f"{prefix}{f.name}__"))
    if any(f.attname == "patient_id" for f in model._meta.concrete_fields):
        return "patient_id"  # the access log: ids without a foreign key
    return None


def clinical_fields(model: type[models.Model]) -> set[str]:
    """Fields an administrator's page must not show: free text (a question, a reason, a
    reply), payloads and receipts (JSON), and the patient object itself (its name and
    personnummer; `patient_id` may be shown)."""
    out: set[str] = set()
    for f in model._meta.get_fields():
        if not getattr(f, "concrete", False):
            continue
        if isinstance(f, models.TextField | models.JSONField):
            out.add(f.name)
        elif f.is_relation and f.related_model is Patient:
            out.add(f.name)
    return out


def admin_actor(request: HttpRequest) -> Actor:
    """The administrator as an actor without a care assignment: rows get ground administration."""
    from vardmiljo.middleware import client_ip

    return Actor(staff=request.user, assignment=None, client_ip=client_ip(request))  # type: ignore[arg-type]


class PatientDataAdmin(admin.ModelAdmin):
    """The base of every admin of a patient-linked model: redacted and logged.

    `shown_fields` are the only fields a page shows (status, times, ids); the test
    tests/test_admin_redaction.py fails when one of them, a list column, a search or a
    filter is clinical. Read-only unless `editable`."""

    shown_fields: tuple[str, ...] = ()
    editable = False

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return list(self.shown_fields)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return list(self.readonly_fields) if self.editable else list(self.shown_fields)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.editable and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def patient_ids_of(self, pks: list[Any]) -> list[int]:
        lookup = patient_lookup(self.model)
        if lookup is None or not pks:
            return []
        if lookup == "pk":
            return [int(pk) for pk in pks]
        rows = self.model._default_manager.filter(pk__in=pks).values_list(lookup, flat=True)
        return [int(pid) for pid in rows if pid is not None]

    def _action(self, what: str) -> str:
        return f"admin.{self.model._meta.label_lower}.{what}"

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        response = super().changelist_view(request, extra_context)
        cl = (getattr(response, "context_data", None) or {}).get("cl")
        if cl is not None:
            access.record_list(admin_actor(request), self._action("list"), self.patient_ids_of([o.pk for o in cl.result_list]))
        return response

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> Any:
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code in (200, 302):
            try:
                pks = [self.model._meta.pk.to_python(object_id)]
            except Exception:
                return response
            patient_ids = self.patient_ids_of(pks)
            audit.record(
                admin_actor(request),
                self._action("change" if request.method == "POST" else "read"),
                patient=patient_ids[0] if patient_ids else None,
                obj=self.model(pk=pks[0]),
                ground=AccessLog.Ground.ADMINISTRATION,
            )
        return response


class SupportReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Varför behöver du se innehållet?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Läsningen loggas i patientens loggutdrag och granskas."),
    )


class PayloadSupportMixin(PatientDataAdmin):
    """A separate page that shows a message's payload and receipt, to fix a delivery: it asks
    for a reason and goes through access.support_access (ground support, flagged)."""

    payload_fields: tuple[str, ...] = ("payload", "receipt")

    def get_urls(self) -> list[Any]:
        info = self.model._meta.app_label, self.model._meta.model_name
        extra = [
            path(
                "<path:object_id>/innehall/",
                self.admin_site.admin_view(self.payload_view),
                name="{}_{}_payload".format(*info),
            )
        ]
        return extra + super().get_urls()

    @admin.display(description=_("innehåll"))
    def payload_link(self, obj: Any) -> str:
        info = self.model._meta.app_label, self.model._meta.model_name
        url = reverse("admin:{}_{}_payload".format(*info), args=[obj.pk], current_app=self.admin_site.name)
        return format_html('<a href="{}">{}</a>', url, _("Visa innehållet (felsökning, loggas)"))

    def payload_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_permission(request, obj):
            raise PermissionDenied
        form = SupportReasonForm(request.POST or None)
        shown: list[tuple[str, str]] | None = None
        if request.method == "POST" and form.is_valid():
            patient_ids = self.patient_ids_of([obj.pk])
            try:
                access.support_access(
                    admin_actor(request),
                    patient_id=patient_ids[0] if patient_ids else None,
                    action=self._action("payload"),
                    obj=obj,
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                form.add_error("reason", exc.message)
            else:
                shown = [
                    (str(self.model._meta.get_field(f).verbose_name), json.dumps(getattr(obj, f), ensure_ascii=False, indent=2))
                    for f in self.payload_fields
                ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": _("Innehåll för felsökning"),
            "form": form,
            "shown": shown,
        }
        return TemplateResponse(request, "admin/vardmiljo/payload.html", context)


admin.site.site_header = _("Vårdmiljö – administration")
admin.site.site_title = _("Vårdmiljö")


@admin.register(CareProvider)
class CareProviderAdmin(admin.ModelAdmin):
    list_display = ("name", "hsa_id", "kind")
    search_fields = ("name", "hsa_id")


@admin.register(CareUnit)
class CareUnitAdmin(GuardedModelAdmin):
    list_display = ("name", "hsa_id", "provider", "active")
    list_filter = ("provider", "active")
    search_fields = ("name", "hsa_id")


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    autocomplete_fields = ("unit",)


@admin.register(Staff)
class StaffAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "hsa_id", "profession", "is_active")
    list_filter = ("profession", "is_active", "is_staff")
    search_fields = ("username", "first_name", "last_name", "hsa_id")
    fieldsets = (*UserAdmin.fieldsets, (_("Vård"), {"fields": ("hsa_id", "profession", "prescriber_code")}))  # type: ignore[misc]
    inlines = [AssignmentInline]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("staff", "unit", "purpose", "role", "valid_from", "valid_to")
    list_filter = ("purpose", "role", "unit")
    autocomplete_fields = ("staff", "unit")


@admin.register(Patient)
class PatientAdmin(PatientDataAdmin):
    """Identity administration only (never the address); the record itself is read in the
    clinical UI. Every list and every opened identity is logged to the patient's extract."""

    editable = True
    list_display = ("display_identifier", "family_name", "given_name", "protection")
    search_fields = ("=identifier", "family_name")
    shown_fields = (
        "identifier",
        "id_kind",
        "given_name",
        "family_name",
        "birth_date",
        "sex",
        "protection",
        "phone",
        "registry_objection",
        "merged_into_id",
        "created_at",
        "updated_at",
    )
    # The registry objection is recorded through its service, with the patient's statement.
    readonly_fields = ("registry_objection", "merged_into_id", "created_at", "updated_at")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AccessLog)
class AccessLogAdmin(PatientDataAdmin):
    """Who, when, what and on which ground; reasons and details are read on the follow-up
    pages (log extract, log review), where reading them is itself logged."""

    list_display = ("logged_at", "staff_name", "unit_name", "action", "patient_id", "ground", "flagged")
    shown_fields = (
        "id",
        "logged_at",
        "chain",
        "seq",
        "staff_id",
        "staff_name",
        "unit_name",
        "provider_name",
        "action",
        "object_type",
        "object_id",
        "patient_id",
        "patient_ids",
        "ground",
        "flagged",
        "protected_patient",
    )
    list_filter = ("ground", "flagged")
    search_fields = ("=patient_id", "=staff_id", "action")
    date_hierarchy = None
    show_full_result_count = False


@admin.register(LogReview)
class LogReviewAdmin(ReadOnlyAdmin):
    """Set on the log review page so every review is logged."""


class TrustAdmin(PatientDataAdmin):
    """Set through the clinical UI and services so every change is logged; reasons and the
    patient's requests stay there."""


@admin.register(CareRelationship)
class CareRelationshipAdmin(TrustAdmin):
    list_display = ("id", "patient_id", "unit", "ground", "valid_from", "valid_to")
    shown_fields = ("id", "patient_id", "unit", "ground", "valid_from", "valid_to", "created_by")


@admin.register(Consent)
class ConsentAdmin(TrustAdmin):
    list_display = ("id", "patient_id", "provider", "recorded_at", "valid_until", "revoked_at")
    shown_fields = ("id", "patient_id", "provider", "recorded_by", "recorded_at", "valid_until", "revoked_at", "revoked_by")


@admin.register(Block)
class BlockAdmin(TrustAdmin):
    list_display = ("id", "patient_id", "provider", "unit", "set_at", "lifted_at")
    shown_fields = ("id", "patient_id", "provider", "unit", "set_by", "set_at", "lifted_by", "lifted_at")


@admin.register(EmergencyAccess)
class EmergencyAccessAdmin(TrustAdmin):
    list_display = ("id", "patient_id", "staff", "started_at", "expires_at")
    shown_fields = ("id", "patient_id", "staff", "assignment", "started_at", "expires_at")


@admin.register(Outbox)
class OutboxAdmin(PayloadSupportMixin):
    list_display = ("created_at", "channel", "object_type", "object_id", "status", "attempts", "next_attempt_at", "last_error")
    list_filter = ("channel", "status")
    shown_fields = (
        "id",
        "channel",
        "object_type",
        "object_id",
        "patient_id",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "delivered_at",
        "payload_link",
    )
    actions = ["requeue"]

    @admin.action(description=_("Försök leverera igen"))
    def requeue(self, request: HttpRequest, queryset: Any) -> None:
        from vardmiljo import outbox

        for row in queryset:
            outbox.requeue(row.pk)
            outbox.schedule(row.pk, row.channel)


@admin.register(OutboxAttempt)
class OutboxAttemptAdmin(PatientDataAdmin):
    """Delivery attempts: who tried and how it ended. The error text may quote a receiver's
    answer about a patient, so it stays out of admin (`manage.py outbox` shows the status)."""

    list_display = ("started_at", "outbox", "worker", "finished_at", "result")
    list_filter = ("result",)
    shown_fields = ("id", "outbox", "worker", "started_at", "lease_until", "finished_at", "result")


@admin.register(OutboxEndpoint)
class OutboxEndpointAdmin(ReadOnlyAdmin):
    list_display = ("key", "channel", "failures", "open_until", "last_error", "updated_at")
