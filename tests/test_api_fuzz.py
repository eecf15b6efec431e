"""Item 11: the OpenAPI schema is fuzzed with schemathesis against the live WSGI app, with a
token and an assignment, on the persona world: no server error, every answer's status,
content type and body as the schema says, schema-invalid input refused. Bounded
(few examples per operation, derandomized) so that it runs in the normal suite."""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.conftest import World

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 8


def _schema() -> schemathesis.schemas.BaseSchema:
    """The schema as /api/v1/schema/ serves it, called on Django's own WSGI handler."""
    from drf_spectacular.generators import SchemaGenerator

    raw = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(json.dumps(raw, default=str)))
    loaded.app = get_wsgi_application()
    return loaded


schema = _schema()


@pytest.fixture(autouse=True)
def _live_app(settings):  # type: ignore[no-untyped-def]
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    settings.SECURE_SSL_REDIRECT = False
    settings.API_THROTTLE_RATE = None  # fuzzing sends far more than a client may
    # As Django's test client does: a request must not close the test's database
    # connection (its transaction holds the persona world).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


TOKEN = "f" * 40


@pytest.fixture
def physician_token(world: World) -> None:
    # The physician has one assignment: the API acts in it without an X-Assignment header.
    Token.objects.create(user=world.physician.staff, key=TOKEN)


@schema.auth()
class PhysicianToken:
    """Explicit authentication, so that schemathesis also checks that requests without it,
    or with a wrong token, are refused."""

    def get(self, case, ctx):  # type: ignore[no-untyped-def]
        return TOKEN

    def set(self, case, data, ctx):  # type: ignore[no-untyped-def]
        case.headers = {**(case.headers or {}), "Authorization": f"Token {data}"}


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_12_11_api_schema_fuzz(case, physician_token) -> None:  # type: ignore[no-untyped-def]
    # Every check but "a schema-valid request is accepted": the domain refuses schema-valid
    # requests by its rules (no such patient for this actor, a referral needs a question,
    # a personnummer must be one), with a documented Swedish 400/404/409.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
