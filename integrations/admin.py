"""Django admin: start legacy imports (upload a file or name one on the
server), follow their progress and error report, run or resume jobs, and see
registry transfers with their receipts."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from integrations import services
from integrations.legacy_import import import_dir, import_file
from integrations.models import ImportJob, RegistryTransfer
from vardmiljo.admin import PatientDataAdmin, PayloadSupportMixin
from vardmiljo.errors import DomainError

MAX_ERRORS_SHOWN = 500


class ImportJobAddForm(forms.ModelForm):
    upload = forms.FileField(label=_("Ladda upp fil"), required=False)
    server_path = forms.CharField(
        label=_("… eller fil i importkatalogen"),
        required=False,
        help_text=_("För stora filer som redan ligger i serverns importkatalog (VARDMILJO_IMPORT_DIR): ange filens namn där."),
    )

    class Meta:
        model = ImportJob
        fields = ("source", "source_system", "dry_run")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload, server_path = data.get("upload"), (data.get("server_path") or "").strip()
        if bool(upload) == bool(server_path):
            raise forms.ValidationError(_("Ladda upp en fil eller ange en sökväg på servern (en av dem)."))
        if server_path:
            try:
                data["server_file"] = import_file(server_path)
            except DomainError as exc:
                self.add_error("server_path", exc.message)
        return data

    def stored_path(self) -> Path:
        upload = self.cleaned_data.get("upload")
        if not upload:
            return self.cleaned_data["server_file"]
        h = hashlib.sha256()
        for chunk in upload.chunks():
            h.update(chunk)
        target = import_dir() / f"{h.hexdigest()[:16]}-{Path(upload.name).name}"
        if not target.exists():
            with target.open("wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
        return target


@admin.register(ImportJob)
class ImportJobAdmin(PatientDataAdmin):
    """Import files hold patient data: the page shows counts, line numbers and the parser's
    reasons, never a line's content (ImportErrorRow.excerpt)."""

    editable = True  # the add form starts a job; every field of a job is read-only
    list_display = (
        "id",
        "source",
        "source_system",
        "short_file",
        "status",
        "progress",
        "created_count",
        "skipped_count",
        "error_count",
        "dry_run",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "source", "dry_run")
    search_fields = ("file_name", "source_system")
    actions = ["run_selected"]
    readonly_fields = (
        "source",
        "source_system",
        "file_name",
        "file_sha256",
        "dry_run",
        "status",
        "lines_total",
        "lines_done",
        "batches_done",
        "records_seen",
        "created_count",
        "updated_count",
        "skipped_count",
        "error_count",
        "counts",
        "seconds",
        "notes_per_s",
        "last_error",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
        "error_report",
    )
    shown_fields = readonly_fields

    @admin.display(description=_("fil"))
    def short_file(self, obj: ImportJob) -> str:
        return obj.file_name.rsplit("/", 1)[-1]

    @admin.display(description=_("rader"))
    def progress(self, obj: ImportJob) -> str:
        return f"{obj.lines_done}/{obj.lines_total}"

    @admin.display(description=_("felrapport"))
    def error_report(self, obj: ImportJob) -> str:
        rows = obj.errors.all()[:MAX_ERRORS_SHOWN]
        if not rows:
            return "–"
        body = format_html_join("", "<li>rad {}: {}</li>", ((e.line, e.reason) for e in rows))
        more = f" (visar {MAX_ERRORS_SHOWN} av {obj.error_count})" if obj.error_count > MAX_ERRORS_SHOWN else ""
        return format_html("<ol>{}</ol>{}", body, more)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin.ModelAdmin.has_add_permission(self, request)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = ImportJobAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("source", "source_system", "dry_run", "upload", "server_path")
        return self.shown_fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: ImportJob, form: Any, change: bool) -> None:
        if change:
            return
        # The form checked the file; the service finds an interrupted job of the same file to resume.
        job = services.import_job_create(
            source=obj.source,
            path=form.stored_path(),
            source_system=obj.source_system,
            dry_run=obj.dry_run,
            created_by=request.user,  # type: ignore[arg-type]
        )
        obj.__dict__.update({k: v for k, v in job.__dict__.items() if not k.startswith("_")})
        services.import_job_start(job=job)
        messages.info(request, _("Importen körs av en bakgrundsprocess; ladda om sidan för att följa den."))

    @admin.action(description=_("Kör eller återuppta valda jobb"))
    def run_selected(self, request: HttpRequest, queryset: QuerySet[ImportJob]) -> None:
        started = 0
        for job in queryset.exclude(status=ImportJob.Status.DONE):
            services.import_job_start(job=job)
            started += 1
        messages.info(request, _("%(n)d jobb startade.") % {"n": started})


@admin.register(RegistryTransfer)
class RegistryTransferAdmin(PayloadSupportMixin):
    """Status, times and ids; the payload (personnummer, diagnoses) and the receipt only on
    the support page, which asks for a reason and is logged in the patient's extract."""

    list_display = ("id", "registry", "patient_id", "status", "outbox_status", "created_at", "delivered_at")
    list_filter = ("registry", "status")
    shown_fields = (
        "id",
        "registry",
        "patient_id",
        "payload_sha256",
        "status",
        "outbox_status",
        "created_at",
        "delivered_at",
        "payload_link",
    )

    @admin.display(description=_("utkorg"))
    def outbox_status(self, obj: RegistryTransfer) -> str:
        if obj.outbox is None:
            return "–"
        return f"{obj.outbox.get_status_display()} ({obj.outbox.attempts} försök) {obj.outbox.last_error[:80]}"

    def get_queryset(self, request: HttpRequest) -> QuerySet[RegistryTransfer]:
        return super().get_queryset(request).select_related("outbox")
