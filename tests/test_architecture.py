"""Dependencies point inward: the adapters import the clinic package, never each other.

``clinic/`` is the clinic's own logic and imports no framework; ``actions/``
(Rasa SDK), ``clinic_nlp/`` (spaCy and Rasa NLU), ``channels/`` (Rasa input
channels), ``tracker_store/`` (Rasa's tracker store) and ``console/`` (Flask) each translate between one framework and
``clinic``. ``scripts/`` starts everything and may import anything.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ADAPTERS = ("actions", "clinic_nlp", "channels", "console", "tracker_store")
FRAMEWORKS = (
    "rasa",
    "rasa_sdk",
    "sanic",
    "flask",
    "flask_wtf",
    "flask_limiter",
    "werkzeug",
    "waitress",
    "twilio",
    "spacy",
    "tensorflow",
)
# The action server runs on rasa_sdk alone: nothing it imports may pull in
# Rasa's NLU stack.
ACTION_SERVER_FORBIDDEN = ("rasa", "spacy", "tensorflow", "sklearn")


def imported_packages(package: str) -> dict[str, set[str]]:
    """Module path -> the top-level packages it imports (absolute imports)."""
    found: dict[str, set[str]] = {}
    for path in sorted((REPO / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(REPO))] = names
    return found


def test_the_clinic_package_imports_no_framework_and_no_adapter() -> None:
    offenders = {
        module: sorted(names & {*FRAMEWORKS, *ADAPTERS, "scripts"})
        for module, names in imported_packages("clinic").items()
    }
    assert {m: n for m, n in offenders.items() if n} == {}


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_an_adapter_imports_no_other_adapter(adapter: str) -> None:
    others = {*ADAPTERS, "scripts"} - {adapter}
    offenders = {module: sorted(names & others) for module, names in imported_packages(adapter).items()}
    assert {m: n for m, n in offenders.items() if n} == {}


def test_the_action_server_needs_only_rasa_sdk() -> None:
    offenders = {
        module: sorted(names & set(ACTION_SERVER_FORBIDDEN))
        for module, names in imported_packages("actions").items()
    }
    assert {m: n for m, n in offenders.items() if n} == {}


def test_the_rule_sees_every_package() -> None:
    """A renamed package must not silently drop out of the checks above."""
    for package in ("clinic", *ADAPTERS):
        assert imported_packages(package), f"{package}/ has no Python modules"
