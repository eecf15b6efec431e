"""The FHIR REST endpoints: parse, authenticate, call one handler, render. Every
error is an OperationOutcome in Swedish."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from pydantic import ValidationError

from integrations.fhir import auth, search
from integrations.fhir.oauth import authorize_url, fhir_base, token_url
from integrations.fhir.outcome import FHIR_JSON, FhirError, not_found, outcome
from integrations.fhir.registry import FhirRequest, Found, Handler, Page, capability_statement, handler_for, load
from vardmiljo.errors import Conflict, DomainError, NotFound, PermissionDenied

load()

_ACCEPTED = ("application/fhir+json", "application/json", "application/json+fhir", "application/*", "*/*")
_FORMATS = ("json", "application/fhir+json", "application/json", "application/json+fhir")


def render(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, default=str), status=status, content_type=f"{FHIR_JSON}; charset=utf-8"
    )
    for k, v in (headers or {}).items():
        response[k] = v
    return response


def _negotiate(request: HttpRequest) -> None:
    fmt = request.GET.get("_format")
    if fmt is not None and fmt not in _FORMATS:
        raise FhirError(406, "not-supported", "Endast JSON stöds (_format=json eller application/fhir+json).")
    accept = request.META.get("HTTP_ACCEPT", "")
    if accept and not any(a in accept for a in _ACCEPTED):
        raise FhirError(406, "not-supported", "Endast application/fhir+json kan levereras (Accept).")


def _body(request: HttpRequest, resource_type: str) -> dict[str, Any]:
    ctype = request.META.get("CONTENT_TYPE", "").split(";")[0].strip()
    if ctype not in ("application/fhir+json", "application/json", "application/json+fhir"):
        raise FhirError(415, "not-supported", "Innehållstypen ska vara application/fhir+json.")
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FhirError(400, "structure", f"Ogiltig JSON: {exc}.") from None
    if not isinstance(body, dict) or body.get("resourceType") != resource_type:
        raise FhirError(400, "invalid", f"Innehållet ska vara en resurs av typen {resource_type}.")
    return body


def validate(handler: Handler, body: dict[str, Any]) -> Any:
    """Parse a written resource with the R4 model; a resource that does not validate is refused."""
    try:
        return handler.model().model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise FhirError(
            400, "structure", f"Resursen är inte giltig FHIR ({where}: {first.get('msg')}).", expression=where
        ) from None


def fhir_view(func: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Authentication, content negotiation and the one mapping of errors to OperationOutcome."""

    @csrf_exempt
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            _negotiate(request)
            req = auth.authenticate(request, fhir_base(request))
            req.lenient = "handling=lenient" in request.META.get("HTTP_PREFER", "")
            return func(request, req, *args, **kwargs)
        except auth.Unauthorized as exc:
            return render(exc.outcome(), 401, {"WWW-Authenticate": 'Bearer realm="fhir", error="invalid_token"'})
        except FhirError as exc:
            return render(exc.outcome(), exc.status)
        except NotFound:
            return render(outcome("Resursen finns inte.", code="not-found"), 404)
        except PermissionDenied as exc:
            return render(outcome(str(exc) or "Åtkomst nekad.", code="forbidden"), 403)
        except Conflict as exc:
            return render(outcome(exc.message, code="conflict"), 409)
        except DomainError as exc:
            return render(outcome(exc.message, code="business-rule"), 422)

    return wrapper


def metadata(request: HttpRequest) -> HttpResponse:
    """The CapabilityStatement is public (clients read it before they have a token)."""
    try:
        _negotiate(request)
    except FhirError as exc:
        return render(exc.outcome(), exc.status)
    return render(capability_statement(fhir_base(request), token_url(request), authorize_url(request)))


def _check_patient(req: FhirRequest, found: Found, resource_type: str, resource_id: str) -> Found:
    if req.patient_only and found.patient_id is not None and found.patient_id != req.patient_id:
        raise not_found(resource_type, resource_id)
    return found


def _with_version(found: Found) -> HttpResponse:
    meta = found.resource.get("meta") or {}
    headers = {"ETag": f'W/"{meta["versionId"]}"'} if meta.get("versionId") else {}
    return render(found.resource, headers=headers)


@fhir_view
def instance(request: HttpRequest, req: FhirRequest, resource_type: str, resource_id: str) -> HttpResponse:
    handler = handler_for(resource_type)
    if request.method == "GET":
        auth.require_scope(req, resource_type, "r")
        if "read" not in handler.interactions():
            raise FhirError(405, "not-supported", f"{resource_type} kan inte läsas här.")
        return _with_version(_check_patient(req, handler.read(req, resource_id), resource_type, resource_id))
    if request.method == "PUT":
        auth.require_scope(req, resource_type, "u")
        if "update" not in handler.interactions():
            raise FhirError(405, "not-supported", f"{resource_type} kan inte ändras genom detta API.")
        body = _body(request, resource_type)
        if body.get("id") != resource_id:
            raise FhirError(400, "invalid", "Resursens id ska vara detsamma som i adressen.")
        validate(handler, body)
        return _with_version(handler.update(req, resource_id, body))
    raise FhirError(405, "not-supported", f"Metoden {request.method} stöds inte här.")


@fhir_view
def version(request: HttpRequest, req: FhirRequest, resource_type: str, resource_id: str, version_id: str) -> HttpResponse:
    handler = handler_for(resource_type)
    auth.require_scope(req, resource_type, "r")
    if request.method != "GET" or "vread" not in handler.interactions():
        raise FhirError(405, "not-supported", f"{resource_type} har ingen versionshistorik här.")
    return _with_version(_check_patient(req, handler.vread(req, resource_id, version_id), resource_type, resource_id))


@fhir_view
def type_level(request: HttpRequest, req: FhirRequest, resource_type: str) -> HttpResponse:
    handler = handler_for(resource_type)
    if request.method == "GET":
        return _search(request, req, handler, request.GET.lists())
    if request.method == "POST":
        auth.require_scope(req, resource_type, "c")
        if "create" not in handler.interactions():
            raise FhirError(405, "not-supported", f"{resource_type} kan inte skapas genom detta API.")
        body = _body(request, resource_type)
        validate(handler, body)
        found = handler.create(req, body)
        location = f"{req.base}/{resource_type}/{found.resource['id']}"
        return render(found.resource, 201, {"Location": location})
    raise FhirError(405, "not-supported", f"Metoden {request.method} stöds inte här.")


@fhir_view
def search_post(request: HttpRequest, req: FhirRequest, resource_type: str) -> HttpResponse:
    return _search(request, req, handler_for(resource_type), request.POST.lists())


@fhir_view
def unknown(request: HttpRequest, req: FhirRequest, path: str) -> HttpResponse:
    raise FhirError(404, "not-supported", f"Adressen {path!r} finns inte i detta FHIR-API.")


def _search(request: HttpRequest, req: FhirRequest, handler: Handler, lists: Any) -> HttpResponse:
    auth.require_scope(req, handler.type, "s")
    params = {k: v for k, v in lists if v}
    known = search.COMMON | set(handler.search_params)
    unknown_params = sorted(p for p in params if p not in known)
    if unknown_params and not req.lenient:
        raise FhirError(
            400,
            "not-supported",
            f"Sökparametern {', '.join(unknown_params)} stöds inte för {handler.type}. "
            f"Tillåtna: {', '.join(sorted(handler.search_params))}.",
        )
    for p in unknown_params:
        params.pop(p)
        req.warnings.append(f"Sökparametern {p} stöds inte och användes inte.")
    query = search.Query(params=params)
    if "_count" in params:
        query.count = search.positive_int(params["_count"][0], "_count", search.MAX_COUNT)
    if "_offset" in params:
        query.offset = search.positive_int(params["_offset"][0], "_offset", 10**9)
    sort = query.first("_sort")
    if sort:
        if sort.lstrip("-") not in handler.sort_params:
            raise FhirError(400, "not-supported", f"Sortering på {sort!r} stöds inte för {handler.type}.", expression="_sort")
        query.newest_first = sort.startswith("-")
    summary = query.first("_summary") or "false"
    if summary not in ("true", "false", "count", "data"):
        raise FhirError(400, "not-supported", f"_summary={summary} stöds inte (true, false, count, data).")
    query.summary = summary
    if summary == "count":
        query.count = 0
    if "date" in params:
        query.since, query.until = search.date_range(params["date"])
    if "_id" in params:
        query.ids = [i for _s, i in query.tokens("_id")]
    if handler.patient_search:
        refs = params.get("patient") or params.get("subject")
        if refs:
            params["patient"] = [search.reference_id(refs[0], "Patient", "patient")]
        elif req.patient_only and req.patient_id is not None:
            params["patient"] = [str(req.patient_id)]
        elif not query.ids:
            raise FhirError(400, "not-supported", f"Sök {handler.type} per patient: ange patient=Patient/<id> (eller _id).")
        if req.patient_only and params.get("patient") != [str(req.patient_id)]:
            return _bundle(req, handler, query, Page([], 0))
    page = handler.search(req, query)
    return _bundle(req, handler, query, page)


def _summarise(handler: Handler, resource: dict[str, Any], summary: str) -> dict[str, Any]:
    if summary == "true":
        keep = handler.summary_elements()
        resource = {k: v for k, v in resource.items() if k in keep}
    elif summary == "data":
        resource = {k: v for k, v in resource.items() if k != "text"}
    else:
        return resource
    meta = dict(resource.get("meta") or {})
    meta["tag"] = [{"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "SUBSETTED"}]
    resource["meta"] = meta
    return resource


def _bundle(req: FhirRequest, handler: Handler, query: search.Query, page: Page) -> HttpResponse:
    def link(offset: int) -> str:
        params = [(k, v) for k, values in query.params.items() if k not in ("_offset", "_count") for v in values]
        params += [("_count", str(query.count)), ("_offset", str(offset))]
        return f"{req.base}/{handler.type}?{urlencode(params)}"

    links = [{"relation": "self", "url": link(query.offset)}]
    if query.count and query.offset + query.count < page.total:
        links.append({"relation": "next", "url": link(query.offset + query.count)})
    if query.offset > 0 and query.count:
        links.append({"relation": "previous", "url": link(max(0, query.offset - query.count))})
    entries = [
        {
            "fullUrl": f"{req.base}/{r['resourceType']}/{r['id']}",
            "resource": _summarise(handler, r, query.summary),
            "search": {"mode": "match"},
        }
        for r in page.resources
    ]
    entries += [
        {"fullUrl": f"{req.base}/{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": "include"}}
        for r in page.included
    ]
    if req.warnings:
        issue = outcome(" ".join(req.warnings), code="not-supported", severity="warning")
        entries.append({"resource": {**issue, "id": "varningar"}, "search": {"mode": "outcome"}})
    return render({"resourceType": "Bundle", "type": "searchset", "total": page.total, "link": links, "entry": entries})
