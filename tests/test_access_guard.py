"""Issue 12 item 4: the guard against bypassing the access module reads the syntax tree.

Every module of every app is parsed with `ast`. A query of a patient-linked model (one
with a foreign-key path to Patient, or holding patient ids, decided from the models
themselves) through `.objects`, `._default_manager`, `._base_manager`, or
`getattr(Model, "objects")`, is allowed only in the access module (vardmiljo/access.py),
the audit module, the modules' `queries.py`/`services.py`, models and migrations. Anywhere
else it must be on ALLOWED below, with a one-line reason; a manager reached through a name
the guard cannot resolve to a model counts as a query of a patient-linked model.
"""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.db import models

ROOT = Path(__file__).resolve().parent.parent
APPS = ["vardmiljo", "journal", "lakemedel", "remisser", "tidbok", "slutenvard", "integrations", "driftstopp", "invanare"]
MANAGERS = {"objects", "_default_manager", "_base_manager"}
# Where queries of patient data belong (each checks access or is called by code that does).
SANCTIONED_FILES = {"vardmiljo/access.py", "vardmiljo/audit.py"}
# sql.py: a module's hand-written SQL beside the ORM query it replaces (STYLE.md), called by
# its queries.py after the access decision.
SANCTIONED_NAMES = {"queries.py", "services.py", "models.py", "sql.py"}

# (module path, model name or "?" for a manager the guard cannot resolve): why it is not a bypass.
ALLOWED: dict[tuple[str, str], str] = {
    (
        "integrations/legacy_import/hl7adt.py",
        "?",
    ): "A40 merge moves every row pointing at the merged identity to the survivor (system import, logged per batch)",
    (
        "integrations/legacy_import/hl7adt.py",
        "Patient",
    ): "ADT import registers and merges identities (system import, logged per batch)",
    (
        "integrations/legacy_import/records.py",
        "CareRelationship",
    ): "the import's bulk insert of care relationships (system import, logged per batch)",
    (
        "integrations/legacy_import/records.py",
        "Patient",
    ): "the import's bulk lookup/insert of identities (system import, logged per batch)",
    ("integrations/legacy_import/targets.py", "Diagnosis"): "the import's bulk insert (system import, logged per batch)",
    ("integrations/legacy_import/targets.py", "MedicationOrder"): "the import's bulk insert (system import, logged per batch)",
    (
        "integrations/legacy_import/targets.py",
        "MedicationOrderVersion",
    ): "the import's bulk insert (system import, logged per batch)",
    ("integrations/legacy_import/targets.py", "Note"): "the import's COPY of old notes (system import, logged per batch)",
    ("integrations/legacy_import/targets.py", "Observation"): "the import's bulk insert (system import, logged per batch)",
    (
        "integrations/registries/record.py",
        "Diagnosis",
    ): "registry payloads built by the system for a legal transfer (each transfer logged per patient)",
    (
        "integrations/registries/record.py",
        "MedicationOrder",
    ): "registry payloads built by the system for a legal transfer (each transfer logged per patient)",
    (
        "integrations/registries/record.py",
        "Observation",
    ): "registry payloads built by the system for a legal transfer (each transfer logged per patient)",
    (
        "integrations/registries/record.py",
        "Patient",
    ): "the registry's qualifying patients, objections excluded (system transfer, logged per patient)",
    (
        "integrations/registries/transfer.py",
        "RegistryTransfer",
    ): "the transfer's own bookkeeping rows (status, hash), delivered through the outbox",
    ("journal/bench.py", "Diagnosis"): "the benchmark's own database (manage.py bench): seeding and picking rows to time",
    ("journal/bench.py", "Note"): "the benchmark's own database (manage.py bench): seeding and picking rows to time",
    ("journal/bench.py", "Observation"): "the benchmark's own database (manage.py bench): seeding and picking rows to time",
    ("journal/bench.py", "Patient"): "the benchmark's own database (manage.py bench): seeding and picking rows to time",
    ("journal/codes.py", "?"): "the code tables (ICD-10-SE/KVÅ) passed in as a model: no patient data",
    (
        "journal/demo.py",
        "VitalSigns",
    ): "demo data written by seed_demo (an operator's command); nobody reads patient data through it",
    ("journal/demo.py", "Note"): "demo data written by seed_demo (an operator's command); nobody reads patient data through it",
    ("lakemedel/bench.py", "MedicationOrder"): "the benchmark's own database (manage.py bench): seeding and picking rows to time",
    (
        "lakemedel/bench.py",
        "MedicationOrderVersion",
    ): "the benchmark's own database (manage.py bench): seeding and picking rows to time",
    ("lakemedel/bench.py", "Prescription"): "the benchmark's own database (manage.py bench): seeding and picking rows to time",
    (
        "lakemedel/demo.py",
        "MedicationOrder",
    ): "demo data written by seed_demo (an operator's command); nobody reads patient data through it",
    (
        "lakemedel/safety.py",
        "MedicationOrder",
    ): "the safety check's current orders, narrowed by the caller's PatientAccess.filter()",
    (
        "integrations/legacy_import/hl7adt.py",
        "Stay",
    ): "ADT A02–A13 find the stay by visit number to hand it to slutenvard's services (system import, logged per batch)",
    (
        "slutenvard/bench.py",
        "CareRelationship",
    ): "the benchmark's own database (manage.py bench): seeding and picking rows to time",
    ("slutenvard/bench.py", "Stay"): "the benchmark's own database (manage.py bench): seeding and picking rows to time",
    ("slutenvard/bench.py", "StayEvent"): "the benchmark's own database (manage.py bench): seeding and picking rows to time",
    (
        "slutenvard/demo.py",
        "Stay",
    ): "demo data written by seed_demo (an operator's command); nobody reads patient data through it",
    ("remisser/bench.py", "Referral"): "the benchmark's own database (manage.py bench): seeding and picking rows to time",
    (
        "remisser/demo.py",
        "Outbox",
    ): "demo data written by seed_demo (an operator's command); nobody reads patient data through it",
    (
        "remisser/demo.py",
        "Referral",
    ): "demo data written by seed_demo (an operator's command); nobody reads patient data through it",
    (
        "remisser/handlers.py",
        "Referral",
    ): "outbox delivery to another system of a referral already sent by a service (system, receipted)",
    ("tidbok/bench.py", "Booking"): "the benchmark's own database (manage.py bench): seeding and picking rows to time",
    (
        "tidbok/demo.py",
        "WaitlistEntry",
    ): "demo data written by seed_demo (an operator's command); nobody reads patient data through it",
    ("tidbok/reminders.py", "Booking"): "outbox delivery of a reminder the booking service queued: status and time only",
    (
        "vardmiljo/demo.py",
        "Block",
    ): "demo data written by seed_demo (an operator's command); nobody reads patient data through it",
    (
        "vardmiljo/demo.py",
        "CareRelationship",
    ): "demo data written by seed_demo (an operator's command); nobody reads patient data through it",
    (
        "vardmiljo/demo.py",
        "Consent",
    ): "demo data written by seed_demo (an operator's command); nobody reads patient data through it",
    (
        "vardmiljo/demo.py",
        "Patient",
    ): "demo data written by seed_demo (an operator's command); nobody reads patient data through it",
    ("vardmiljo/admin.py", "?"): "PatientDataAdmin reads the patient ids of the rows its page showed, to log them",
    ("vardmiljo/followup.py", "AccessLog"): "log extract and review: require_follow_up() decides and every read is itself logged",
    (
        "vardmiljo/followup.py",
        "Patient",
    ): "log extract finds the patient by personnummer after require_follow_up(); logged as log.extract",
    (
        "vardmiljo/management/commands/outbox.py",
        "Outbox",
    ): "the operator's delivery status: channel, ids, status and errors, never a payload",
    ("vardmiljo/management/commands/rotate_keys.py", "Patient"): "re-encrypts encrypted fields in place; nothing is shown",
    ("vardmiljo/outbox.py", "Outbox"): "the outbox machinery itself (queue, lock, deliver, retry)",
    (
        "integrations/fhir/oauth.py",
        "GrantContext",
    ): "OAuth bookkeeping: the assignment (and SMART launch patient id) a grant acts in; no patient data",
    (
        "integrations/fhir/oauth.py",
        "TokenContext",
    ): "OAuth bookkeeping: the assignment (and SMART launch patient id) a token acts in; no patient data",
    (
        "integrations/fhir/auth.py",
        "TokenContext",
    ): "authenticating a bearer token to its assignment; no patient data (the access module decides each read)",
    ("integrations/bench.py", "TokenContext"): "the benchmark's own database (manage.py bench): a token for the timed FHIR reads",
    ("invanare/bench.py", "Patient"): "the benchmark's own database (manage.py bench): seeding and picking rows to time",
    ("invanare/bench.py", "CareRelationship"): "the benchmark's own database (manage.py bench): seeding and picking rows to time",
    (
        "invanare/bench.py",
        "AccessLog",
    ): "the benchmark's own database (manage.py bench): five years of log rows for the timed extract",
    (
        "invanare/demo.py",
        "Patient",
    ): "demo data written by seed_demo (an operator's command); nobody reads patient data through it",
    (
        "invanare/demo.py",
        "CareRelationship",
    ): "demo data written by seed_demo (an operator's command); nobody reads patient data through it",
    (
        "invanare/demo.py",
        "Guardianship",
    ): "demo data written by seed_demo (an operator's command); nobody reads patient data through it",
    ("invanare/demo.py", "Note"): "demo data written by seed_demo (an operator's command); nobody reads patient data through it",
    (
        "invanare/demo.py",
        "NoteVersion",
    ): "demo data written by seed_demo (an operator's command); nobody reads patient data through it",
    (
        "invanare/idp.py",
        "DemoIdentity",
    ): "the demo identity provider's picker: which demo person a tester may log in as (demo mode only), no record data",
    ("vardmiljo/outbox.py", "OutboxAttempt"): "the outbox machinery's record of each delivery attempt (ids, lease, result)",
    (
        "remisser/management/commands/delivery_latency.py",
        "Referral",
    ): "the delivery benchmark times referrals it created itself on its own database",
}


@dataclass(frozen=True)
class Hit:
    path: str
    line: int
    model: str  # the model's name, or "?" when the target could not be resolved
    how: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.how} on {self.model}"


def patient_linked_models() -> set[type[models.Model]]:
    """Models with a foreign-key path to Patient, or that store patient ids themselves
    (the access log, partitioned and so without a foreign key)."""
    from vardmiljo.models import Patient

    ours = [m for m in apps.get_models() if m._meta.app_label in APPS]
    linked: set[type[models.Model]] = {Patient}
    linked |= {m for m in ours if {f.attname for f in m._meta.concrete_fields} & {"patient_id", "patient_ids"}}
    changed = True
    while changed:
        changed = False
        for m in ours:
            if m in linked:
                continue
            for fld in m._meta.concrete_fields:
                target = getattr(fld, "related_model", None)
                if fld.is_relation and target in linked:
                    linked.add(m)
                    changed = True
                    break
    return linked


def _is_sanctioned(rel: str) -> bool:
    p = Path(rel)
    return rel in SANCTIONED_FILES or p.name in SANCTIONED_NAMES or "migrations" in p.parts


def _module_name(rel: str) -> str:
    parts = list(Path(rel).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


class _Scanner(ast.NodeVisitor):
    """Finds manager access in one module, resolving names through the module's imports."""

    def __init__(self, rel: str, linked: set[type[models.Model]]) -> None:
        self.rel = rel
        self.module = _module_name(rel) if rel else ""
        self.linked = linked
        self.linked_names = {m.__name__ for m in linked}
        self.all_model_names = {m.__name__ for m in apps.get_models()}
        self.aliases: dict[str, object] = {}  # name in this module -> imported object
        self.hits: list[Hit] = []

    # --- imports ---------------------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for a in node.names:
            try:
                mod = importlib.import_module(a.name)
            except ImportError:
                continue
            if a.asname:
                self.aliases[a.asname] = mod
            else:
                self.aliases[a.name.split(".")[0]] = importlib.import_module(a.name.split(".")[0])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            pkg = self.module.split(".")
            pkg = pkg[: len(pkg) - node.level] if not self.rel.endswith("__init__.py") else pkg[: len(pkg) - node.level + 1]
            base = ".".join([*pkg, base] if base else pkg)
        try:
            mod = importlib.import_module(base)
        except ImportError:
            return
        for a in node.names:
            obj = getattr(mod, a.name, None)
            if obj is None:
                try:
                    obj = importlib.import_module(f"{base}.{a.name}")
                except ImportError:
                    continue
            self.aliases[a.asname or a.name] = obj

    # --- resolution --------------------------------------------------------------------
    def _resolve(self, node: ast.expr) -> object | None:
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id)
        if isinstance(node, ast.Attribute):
            owner = self._resolve(node.value)
            return getattr(owner, node.attr, None) if owner is not None else None
        return None

    def _classify(self, target: ast.expr) -> str | None:
        """The model's name when it is patient-linked, "?" when unknown, None when harmless."""
        obj = self._resolve(target)
        if isinstance(obj, type) and issubclass(obj, models.Model):
            return obj.__name__ if obj in self.linked else None
        # Not resolved through the imports: judge by the name it goes by.
        name = target.id if isinstance(target, ast.Name) else target.attr if isinstance(target, ast.Attribute) else ""
        if name in self.all_model_names:
            return name if name in self.linked_names else None
        return "?"

    def _hit(self, node: ast.AST, target: ast.expr, how: str) -> None:
        model = self._classify(target)
        if model is not None:
            self.hits.append(Hit(self.rel, getattr(node, "lineno", 0), model, how))

    # --- manager access, and the table name for raw SQL ----------------------------------
    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in MANAGERS:
            self._hit(node, node.value, f".{node.attr}")
        elif (
            node.attr == "db_table"
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "_meta"
            and self._classify(node.value.value) not in (None, "?")
        ):
            self._hit(node, node.value.value, "._meta.db_table (raw SQL)")
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            for m in _sql_tables(node.value, self.linked):
                self.hits.append(Hit(self.rel, node.lineno, m, "raw SQL"))

    def visit_Call(self, node: ast.Call) -> None:
        f = node.func
        if (
            isinstance(f, ast.Name)
            and f.id == "getattr"
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value in MANAGERS
        ):
            self._hit(node, node.args[0], f'getattr(…, "{node.args[1].value}")')
        self.generic_visit(node)


def _sql_tables(text: str, linked: set[type[models.Model]]) -> list[str]:
    """Patient-linked tables a string of SQL reads or writes (FROM/JOIN/INTO/UPDATE/COPY)."""
    found = re.findall(r"\b(?:FROM|JOIN|INTO|UPDATE|COPY)\s+([a-z_][a-z0-9_]*)", text, re.I)
    tables = {m._meta.db_table: m.__name__ for m in linked}
    return [tables[t] for t in found if t in tables]


def scan_source(source: str, rel: str = "", linked: set[type[models.Model]] | None = None) -> list[Hit]:
    scanner = _Scanner(rel, linked if linked is not None else patient_linked_models())
    scanner.visit(ast.parse(source))
    return scanner.hits


def app_modules() -> Iterator[tuple[str, Path]]:
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            yield rel, path


def scan_all() -> list[Hit]:
    linked = patient_linked_models()
    hits: list[Hit] = []
    for rel, path in app_modules():
        if _is_sanctioned(rel):
            continue
        hits += scan_source(path.read_text(encoding="utf-8"), rel, linked)
    return hits


# --- The tests ------------------------------------------------------------------------


def test_12_4_patient_linked_models_are_found_from_the_models() -> None:
    names = {m.__name__ for m in patient_linked_models()}
    # A few that must be there (direct, two steps away, and without a foreign key) ...
    assert {"Patient", "Note", "NoteVersion", "Referral", "ReferralEvent", "Booking", "Outbox", "AccessLog"} <= names
    # ... and a few that must not (no patient data).
    assert not {"CareUnit", "CareProvider", "NoteTemplate", "Product", "DiagnosisCode"} & names


def test_12_4_every_module_of_every_app_is_scanned() -> None:
    scanned = {rel for rel, _ in app_modules() if not _is_sanctioned(rel)}
    for expected in (
        "journal/admin.py",
        "remisser/handlers.py",
        "journal/panels.py",
        "lakemedel/forms.py",
        "remisser/templatetags",
        "vardmiljo/management/commands/log_extract.py",
        "integrations/legacy_import/runner.py",
        "vardmiljo/views_consent.py",
    ):
        assert any(s.startswith(expected) for s in scanned), expected


def test_12_4_the_guard_catches_what_the_grep_missed() -> None:
    """A synthetic module: each way of reaching a patient-linked model's manager is found."""
    source = """
from journal.models import Note
from journal import models as jm
import remisser.models
from vardmiljo.models import CareUnit, Patient as P

def f(pk, model):
    Note._default_manager.get(pk=pk)
    getattr(Note, "objects").all()
    getattr(P, "_base_manager").filter(pk=pk)
    jm.NoteVersion.objects.first()
    remisser.models.Referral.objects.count()
    model._default_manager.all()
    CareUnit.objects.all()
"""
    hits = scan_source(source, "journal/synthetic.py")
    assert [(h.line, h.model) for h in hits] == [
        (8, "Note"),
        (9, "Note"),
        (10, "Patient"),
        (11, "NoteVersion"),
        (12, "Referral"),
        (13, "?"),
    ]


def test_12_4_no_query_of_patient_data_bypasses_the_access_module() -> None:
    hits = scan_all()
    unexplained = [str(h) for h in hits if (h.path, h.model) not in ALLOWED]
    assert not unexplained, (
        "patient data queried outside the access module and queries.py/services.py; move the query there, "
        "or add it to ALLOWED in tests/test_access_guard.py with a reason:\n" + "\n".join(unexplained)
    )
    used = {(h.path, h.model) for h in hits}
    stale = [k for k in ALLOWED if k not in used]
    assert not stale, f"ALLOWED entries that no longer match anything: {stale}"
    assert all(reason.strip() for reason in ALLOWED.values())
