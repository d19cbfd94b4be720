"""`rasa data validate`, failing on any warning that is not explained.

Rasa's validator only sees responses used in stories and rules, so it warns
about form prompts (``utter_ask_<slot>``) and about responses that custom
actions send by name. Those warnings are checked here instead: each such
response must really be a form prompt or be named in the actions' source.
Every other warning, and any error, fails the run.

    python -m scripts.validate_data
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
UNUSED_UTTERANCE = re.compile(r"The utterance '(utter_\w+)' is not used in any story or rule\.")
WARNING = re.compile(r"UserWarning: (.*)")


def form_prompts(domain: dict) -> set[str]:
    prompts = set()
    for form, spec in (domain.get("forms") or {}).items():
        for slot in spec.get("required_slots") or []:
            prompts |= {f"utter_ask_{slot}", f"utter_ask_{form}_{slot}"}
    return prompts


def named_in_actions(response: str) -> bool:
    """The response name, or its family prefix built with an f-string, appears in actions/."""
    source = "\n".join(p.read_text() for p in (REPO / "actions").glob("*.py"))
    if f'"{response}"' in source:
        return True
    return any(f'f"{prefix}{{' in source for prefix in re.findall(r"^(utter_[a-z]+_)", response))


def unexplained(output: str, domain: dict) -> list[str]:
    prompts = form_prompts(domain)
    problems = []
    for warning in WARNING.findall(output):
        unused = UNUSED_UTTERANCE.search(warning)
        if unused and (unused.group(1) in prompts or named_in_actions(unused.group(1))):
            continue
        problems.append(warning.strip())
    return problems


def main() -> int:
    rasa = Path(sys.executable).parent / "rasa"
    run = subprocess.run([str(rasa), "data", "validate"], cwd=REPO, capture_output=True, text=True)
    output = run.stdout + run.stderr
    domain = yaml.safe_load((REPO / "domain.yml").read_text())
    problems = unexplained(output, domain)
    explained = len(UNUSED_UTTERANCE.findall(output))
    if run.returncode != 0 or problems:
        print(output[-8000:])
        print(f"rasa data validate: exit code {run.returncode}, unexplained warnings:")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print(f"rasa data validate: OK ({explained} responses sent by forms or actions, checked)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
