from __future__ import annotations

from django.urls import path, re_path

from integrations.fhir import oauth, views

_TYPE = r"(?P<resource_type>[A-Z][A-Za-z]+)"
_ID = r"(?P<resource_id>[A-Za-z0-9\-.]{1,64})"

urlpatterns = [
    path("metadata", views.metadata, name="fhir_metadata"),
    path(".well-known/smart-configuration", oauth.smart_configuration, name="fhir_smart_configuration"),
    re_path(rf"^{_TYPE}/_search$", views.search_post, name="fhir_search_post"),
    re_path(rf"^{_TYPE}/{_ID}/_history/(?P<version_id>[A-Za-z0-9\-.]{{1,64}})$", views.version, name="fhir_vread"),
    re_path(rf"^{_TYPE}/{_ID}$", views.instance, name="fhir_instance"),
    re_path(rf"^{_TYPE}$", views.type_level, name="fhir_type"),
    re_path(r"^(?P<path>.*)$", views.unknown, name="fhir_unknown"),
]
