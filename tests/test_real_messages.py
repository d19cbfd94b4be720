"""Real patients' messages through the running assistant: triage and help, measured.

Replays the labelled development set (``../shared/eval/patient_messages_dev.jsonl``,
or ``$PATIENT_MESSAGES``; read at run time, never copied into the project)
over the REST channel, one new conversation per message, and judges what a
patient would see: 911, a doctor soon, the medical safety net, exercise or
clinic help, or the fallback. The level the assistant chose is also read back
from the staff record it stored. Prints the confusion table and fails below
the thresholds of issue 9. Missing file: skipped locally, a failure on CI.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from clinic.content import get_content
from clinic.red_flags import EMERGENCY, LEVELS, URGENT
from clinic.request_store import RequestStore
from clinic.triage import default_triage
from tests.conftest import REPO, skip_or_fail
from tests.live_ids import new_rest_sender
from tests.test_live_rest import say

pytestmark = pytest.mark.live

MESSAGES = Path(
    os.environ.get("PATIENT_MESSAGES") or REPO.parent / "shared" / "eval" / "patient_messages_dev.jsonl"
)
# Labels we dispute (at most 5), with the reason.
DISPUTED: Mapping[str, str] = {
    "dev-0016": "chest pain 'like someone is sitting on my chest' since last night: cardiac features, "
    "an emergency doctor would want to see this today; labelled routine",
}
OUTCOMES = ("emergency", "urgent", "medical", "screening", "pt_help", "fallback", "other")


def first_sentence(text: str) -> str:
    return text.split(". ")[0]


def outcome(replies: list[dict[str, Any]]) -> str:
    """What the patient was told, most serious first."""
    rules = default_triage().rules
    text = "\n".join(r.get("text") or "" for r in replies)
    payloads = {b.get("payload", "") for r in replies for b in r.get("buttons") or []}
    content = get_content()
    if first_sentence(rules.advice[EMERGENCY]) in text:
        return "emergency"
    if first_sentence(rules.advice[URGENT]) in text:
        return "urgent"
    if first_sentence(rules.medical_advice) in text:
        return "medical"
    if rules.screening_question in text:
        return "screening"
    if (
        content.disclaimer in text
        or content.visit_offer in text
        or payloads & {"/request_appointment", "/find_clinic"}
        or "book" in text.lower()
    ):
        return "pt_help"
    if "didn't quite catch that" in text or not text:
        return "fallback"
    return "other"


@pytest.fixture(scope="module")
def replayed(live_assistant) -> list[dict[str, Any]]:
    if not MESSAGES.exists():
        skip_or_fail(f"{MESSAGES} not found (set PATIENT_MESSAGES)")
    rows = [json.loads(line) for line in MESSAGES.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if r["id"] not in DISPUTED]

    def run(row: dict[str, Any]) -> dict[str, Any]:
        sender = new_rest_sender(live_assistant)
        replies = say(live_assistant, sender, row["text"])
        return {**row, "sender": sender, "replies": replies, "outcome": outcome(replies)}

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(run, rows))
    table = Counter((r["triage"], r["outcome"]) for r in results)
    lines = ["labelled \\ told  " + " ".join(f"{o:>9}" for o in OUTCOMES)]
    lines += [f"{lv:>15}  " + " ".join(f"{table[(lv, o)]:>9}" for o in OUTCOMES) for lv in LEVELS]
    pt = Counter(r["outcome"] for r in results if r["triage"] == "routine" and r["scope"] == "pt")
    lines.append(f"{'routine, pt':>15}  " + " ".join(f"{pt[o]:>9}" for o in OUTCOMES))
    report = "\n".join(lines)
    (REPO / "reports").mkdir(exist_ok=True)
    (REPO / "reports" / "real_messages.txt").write_text(report + "\n")
    print("\n" + report)
    return results


def share(results: list[dict[str, Any]], triage: str, good: set[str], scope: str | None = None) -> float:
    group = [r for r in results if r["triage"] == triage and (scope is None or r["scope"] == scope)]
    return sum(r["outcome"] in good for r in group) / len(group)


def gives_exercise(row: dict[str, Any]) -> bool:
    return any(get_content().disclaimer in (r.get("text") or "") for r in row["replies"])


def test_every_emergency_gets_care_advice_and_no_exercise(replayed) -> None:
    emergencies = [r for r in replayed if r["triage"] == "emergency"]
    missed = [r["id"] for r in emergencies if r["outcome"] not in {"emergency", "urgent", "medical"}]
    assert missed == []
    assert [r["id"] for r in emergencies if gives_exercise(r)] == []


def test_most_emergencies_are_told_to_call_911(replayed) -> None:
    assert share(replayed, "emergency", {"emergency"}) >= 0.80


def test_routine_messages_are_almost_never_told_to_call_911(replayed) -> None:
    assert share(replayed, "routine", {"emergency"}) <= 0.02


def test_urgent_messages_are_told_to_see_a_doctor_soon_without_exercise(replayed) -> None:
    told = [
        r for r in replayed if r["triage"] == "urgent" and r["outcome"] in {"emergency", "urgent", "medical"}
    ]
    assert not any(gives_exercise(r) for r in told)
    assert share(replayed, "urgent", {"emergency", "urgent", "medical"}) >= 0.85


def test_routine_physical_therapy_messages_get_help(replayed) -> None:
    assert share(replayed, "routine", {"pt_help"}, scope="pt") >= 0.85


def test_the_staff_record_holds_the_level_the_patient_was_told(replayed, live_assistant) -> None:
    store = RequestStore(live_assistant.db_url)
    stored = {r.sender_id: r for r in store.list_requests(limit=1000)}
    for row in replayed:
        if row["outcome"] in {"emergency", "urgent"}:
            record = stored[row["sender"]]
            assert (record.urgency, record.answers.get("level")) == (row["outcome"], row["outcome"]), row[
                "id"
            ]
