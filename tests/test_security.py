"""Issue 12, security items: redirects (7), input hygiene (8), identifiers (12)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.test import Client

from tests.conftest import World

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]
APPS = ("vardmiljo", "journal", "lakemedel", "remisser", "tidbok", "integrations")

OFF_SITE = [
    "https://evil.example/",
    "//evil.example/",
    "javascript:alert(1)",
    "http:evil.example",
    "/\\evil.example",
    " //evil.example",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_12_7_open_redirect_after_choosing_an_assignment_get(client: Client, world: World, target: str) -> None:
    client.force_login(world.physician.staff)
    response = client.get("/uppdrag/", {"next": target})
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.parametrize("target", OFF_SITE)
def test_12_7_open_redirect_after_choosing_an_assignment_post(client: Client, world: World, target: str) -> None:
    client.force_login(world.physician.staff)
    response = client.post("/uppdrag/", {"assignment": world.physician.assignment.pk, "next": target})
    assert response.status_code == 302 and response["Location"] == "/"


def test_12_7_same_host_path_is_followed(client: Client, world: World) -> None:
    client.force_login(world.physician.staff)
    response = client.get("/uppdrag/", {"next": "/journal/osignerat/?a=1"})
    assert response.status_code == 302 and response["Location"] == "/journal/osignerat/?a=1"


def test_12_7_journal_error_redirect_stays_on_site(client: Client, world: World) -> None:
    from journal.models import Allergy
    from tests.conftest import login

    allergy = Allergy.objects.create(
        patient=world.patient, unit=world.vc, substance="Penicillin", atc_code="J01C", recorded_by=world.physician.staff
    )
    login(client, world.physician)
    # No reason given: the service refuses, and the page goes back to `next`, never off-site.
    response = client.post(f"/journal/signal/{allergy.pk}/inaktuell/", {"next": "https://evil.example/", "reason": ""})
    assert response.status_code == 302 and response["Location"] == "/"
    response = client.post(f"/journal/signal/{allergy.pk}/inaktuell/", {"next": "/journal/osignerade/", "reason": ""})
    assert response["Location"] == "/journal/osignerade/"


def _next_reads(tree: ast.AST) -> list[int]:
    """Lines that read a request's `next` outside safe_next(...)."""
    guarded: set[int] = set()
    reads: list[int] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "safe_next":
            guarded |= {id(n) for arg in node.args for n in ast.walk(arg)}
    for node in ast.walk(tree):
        is_get = (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", "") in {"get", "getlist", "pop"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and node.args[0].value in {"next", "redirect_to", "return_to"}
        )
        is_item = isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and node.slice.value == "next"
        if (is_get or is_item) and id(node) not in guarded:
            reads.append(node.lineno)
    return reads


def test_12_7_every_next_is_read_through_safe_next() -> None:
    offenders = []
    for app in APPS:
        for file in sorted((ROOT / app).rglob("*.py")):
            rel = file.relative_to(ROOT).as_posix()
            if "/migrations/" in rel:
                continue
            offenders += [f"{rel}:{n}" for n in _next_reads(ast.parse(file.read_text(), rel))]
    assert offenders == []
    assert _next_reads(ast.parse("redirect(request.POST.get('next') or 'home')")) == [1]
    assert _next_reads(ast.parse("redirect(safe_next(request, request.POST.get('next'), 'home'))")) == []


# --- Item 8: control characters in input --------------------------------------------------

PAGE_PROBES = [
    "/?q=a%00b",
    "/journal/koder/?q=E1%00",
    "/journal/koder/?system=icd10&q=%01",
    "/lakemedel/produkter/sok/?q=Wa%00ran",
    "/journal/patient/{pid}/journal/?q=a%00b",
    "/journal/patient/{pid}/journal/?nyckelord=%1b",
    "/?q%00=x",
]
API_PROBES = [
    "/api/v1/patients/?q=a%00b",
    "/api/v1/lakemedel/products/?q=Wa%00ran",
    "/api/v1/journal/codes/icd10/?q=%00",
    "/api/v1/journal/patients/{pid}/notes/?q=%7f",
]


@pytest.mark.parametrize("url", PAGE_PROBES)
def test_12_8_control_character_in_a_query_parameter_is_a_clear_400_page(client: Client, world: World, url: str) -> None:
    from tests.conftest import login

    login(client, world.physician)
    response = client.get(url.format(pid=world.patient.pk))
    assert response.status_code == 400
    assert "otillåtet styrtecken" in response.content.decode()


@pytest.mark.parametrize("url", API_PROBES)
def test_12_8_control_character_in_an_api_query_is_a_400_error_body(client: Client, world: World, url: str) -> None:
    from tests.conftest import login

    login(client, world.physician)
    response = client.get(url.format(pid=world.patient.pk))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "control_character" and "styrtecken" in body["detail"] and body["field"]


def test_12_8_control_character_in_a_posted_form_changes_nothing(client: Client, world: World) -> None:
    from tests.conftest import login
    from vardmiljo.models import EmergencyAccess

    login(client, world.outsider)
    url = f"/patient/{world.patient.pk}/nodatkomst/"
    response = client.post(url, {"reason": "medvetslös\x00 patient"})
    assert response.status_code == 400 and "”reason”" in response.content.decode()
    assert not EmergencyAccess.objects.exists()
    # Tab and line breaks are text: the same form with them is accepted.
    response = client.post(url, {"reason": "medvetslös\r\n\tpatient"})
    assert response.status_code == 302 and EmergencyAccess.objects.count() == 1


def test_12_8_control_character_in_a_json_body_is_refused(client: Client, world: World) -> None:
    from tests.conftest import login

    login(client, world.physician)
    response = client.post(
        f"/api/v1/journal/patients/{world.patient.pk}/notes/",
        data='{"title": "a\\u0000b", "sections": {}}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": response.json()["detail"],
        "code": "control_character",
        "field": "title",
    }


def test_12_8_login_with_a_nul_in_the_username_is_a_400(client: Client, world: World) -> None:
    response = client.post("/login/", {"username": "bo\x00", "password": "x"})
    assert response.status_code == 400


# --- Item 12: identifier-shaped input that is not a valid identifier ---------------------

ARABIC_INDIC = "١٩٦٠٠٣٠٣-٩٨٠٤"  # 19600303-9804 in Arabic-Indic digits


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("19600303-98O4", "Menade du siffran 0?"),
        ("19600303-98o4", "Menade du siffran 0?"),
        ("19600303-9BO4", "Menade du siffran 8?"),
        (ARABIC_INDIC, "inte är en av siffrorna 0–9"),
        ("１９６００３０３－９８０４", "inte är en av siffrorna 0–9"),  # full-width
        ("19600303-980", "10 eller 12 siffror"),
        ("19601303-9804", "giltigt datum"),
    ],
)
def test_12_12_identifier_shaped_input_says_why_it_is_not_valid(text: str, says: str) -> None:
    from django.core.exceptions import ValidationError

    from vardmiljo.identifiers import search_identifier

    with pytest.raises(ValidationError) as exc:
        search_identifier(text)
    assert says in exc.value.messages[0]


@pytest.mark.parametrize("text", ["Karlsson", "Karin Karlsson", "Anna 1960", "O'Brien", "Åsa-Lena"])
def test_12_12_names_stay_name_searches(text: str) -> None:
    from vardmiljo.identifiers import search_identifier

    assert search_identifier(text) is None


def test_12_12_valid_identifiers_are_read_as_identifiers() -> None:
    import datetime as dt

    from vardmiljo.identifiers import make_personnummer, search_identifier

    pnr = make_personnummer(dt.date(1960, 3, 3), 980)
    assert search_identifier(f"{pnr[:8]}-{pnr[8:]}").value == pnr  # type: ignore[union-attr]
    assert search_identifier(f"{pnr[2:8]} {pnr[8:]}").value == pnr  # type: ignore[union-attr]
    assert search_identifier("19900101-AB12").kind == "reservnummer"  # type: ignore[union-attr]


def test_12_12_page_search_explains_an_invalid_identifier(client: Client, world: World) -> None:
    from tests.conftest import login

    login(client, world.physician)
    for text, says in [("19600303-98O4", "Menade du siffran 0?"), (ARABIC_INDIC, "siffrorna 0–9")]:
        page = client.get("/", {"q": text}).content.decode()
        assert says in page


def test_12_12_api_search_explains_an_invalid_identifier(client: Client, world: World) -> None:
    from tests.conftest import login

    login(client, world.physician)
    response = client.get("/api/v1/patients/", {"q": ARABIC_INDIC})
    assert response.status_code == 400
    assert response.json()["field"] == "q" and "siffrorna 0–9" in response.json()["detail"]
    response = client.get("/api/v1/patients/", {"q": "19600303-98O4"})
    assert response.status_code == 400 and "Menade du siffran 0?" in response.json()["detail"]
