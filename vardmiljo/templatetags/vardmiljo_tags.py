from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

from vardmiljo import registry

register = template.Library()


@register.simple_tag
def patient_signals(pa: Any) -> list[dict[str, str]]:
    """The attention signal (uppmärksamhetssignal) from every module that provides one."""
    from vardmiljo.access import PatientAccess

    if not isinstance(pa, PatientAccess):
        return []
    out: list[dict[str, str]] = []
    for func in registry.HEADER_SIGNALS.values():
        out.extend(func(pa))
    return out


@register.simple_tag
def patient_links(patient: Any) -> list[dict[str, str]]:
    links = []
    for link in sorted(registry.PATIENT_LINKS.values(), key=lambda x: (x.order, x.key)):
        try:
            url = reverse(link.url_name, kwargs={"patient_id": patient.pk})
        except NoReverseMatch:
            continue
        links.append({"title": link.title, "url": url, "shortcut": link.shortcut})
    return links
