from __future__ import annotations

import re
from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import mark_safe

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


SHORTCUT_ATTR = re.compile(r'data-shortcut="([^"]+)"')


class PageFirstNode(template.Node):
    """Renders the page's own content first, so that the shell around it (the top bar and
    the patient header, which come before it in the document) knows which shortcuts the
    page binds and leaves them to the page: the page's own action wins."""

    child_nodelists = ("nodelist",)  # so that {% block %}s inside are found by {% extends %}

    def __init__(self, nodelist: template.NodeList, var: str) -> None:
        self.nodelist = nodelist
        self.var = var

    def render(self, context: template.Context) -> str:
        html = self.nodelist.render(context)
        context[self.var] = mark_safe(html)  # noqa: S308 - our own rendered template output
        context["page_shortcuts"] = frozenset(SHORTCUT_ATTR.findall(html))
        return ""


@register.tag
def render_page_first(parser: template.base.Parser, token: template.base.Token) -> PageFirstNode:
    """{% render_page_first as page %}…{% end_render_page_first %}: `NAME` is the HTML,
    `page_shortcuts` the shortcut keys it binds."""
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("{% render_page_first as NAME %}")
    nodelist = parser.parse(("end_render_page_first",))
    parser.delete_first_token()
    return PageFirstNode(nodelist, bits[2])


@register.filter
def free_shortcut(key: str, taken: Any) -> str:
    """The shell's shortcut, or "" when the page binds the same key itself."""
    return "" if not key or (taken and key in taken) else key
