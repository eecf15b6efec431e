"""Registrations in the shell: the patient's quality-registry page in the patient nav bar."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from vardmiljo.registry import patient_link

patient_link("kvalitetsregister", title=str(_("Kvalitetsregister")), url_name="integrations:patient_registries", order=90)
