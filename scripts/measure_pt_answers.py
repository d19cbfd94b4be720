"""Count what the assistant does with the physical-therapy messages of the dev set.

    python -m scripts.measure_pt_answers --model /tmp/m.tar.gz [--eval-file FILE]

Starts the action and Rasa servers on free ports, sends every ``scope: pt``
message of ``../shared/eval/patient_messages_dev.jsonl`` (or $PATIENT_EVAL_FILE)
as a new conversation over REST and prints counts only: fallback, PT help
(exercise, back-pain answer, an offer to be seen, a clinic or the booking),
911 and other, per triage level. No message text is printed or stored: the
messages' licences do not allow copying them into the project.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import urllib.request
from collections import Counter
from pathlib import Path

from clinic.content import get_content
from scripts.supervisor import free_port, start

REPO = Path(__file__).resolve().parent.parent
DEFAULT_EVAL = REPO.parent / "shared" / "eval" / "patient_messages_dev.jsonl"
FALLBACK_MARKERS = ("didn't quite catch", "not sure I understood")
PT_HELP_PAYLOADS = ("/request_appointment", "/find_clinic", "/ask_exercise")
PT_HELP_MARKERS = (
    "nearest clinic",
    "clinics nearest",
    "Let's book",
    "What brings you in",
    "physical therapists assess",
)
DOCTOR_SOON_MARKERS = ("today or tomorrow",)


def outcome(replies: list[dict]) -> str:
    """fallback, emergency, doctor_soon, pt_help or other, judged from what the person would see."""
    text = "\n".join(r.get("text") or "" for r in replies)
    payloads = [b.get("payload", "") for r in replies for b in r.get("buttons") or []]
    content = get_content()
    if any(m in text for m in FALLBACK_MARKERS):
        return "fallback"
    if any(m in text for m in DOCTOR_SOON_MARKERS):
        return "doctor_soon"
    if "911" in text or "emergency room" in text:
        return "emergency"
    if (
        content.disclaimer in text
        or content.visit_offer in text
        or any(m in text for m in PT_HELP_MARKERS)
        or any(p.startswith(PT_HELP_PAYLOADS) for p in payloads)
    ):
        return "pt_help"
    return "other"


def ask(rasa_url: str, message: str) -> list[dict]:
    request = urllib.request.Request(
        f"{rasa_url}/webhooks/rest/webhook",
        data=json.dumps({"message": message}).encode(),  # no sender: a new conversation each time
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument(
        "--eval-file", type=Path, default=Path(os.environ.get("PATIENT_EVAL_FILE", DEFAULT_EVAL))
    )
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.eval_file.read_text().splitlines() if line.strip()]
    pt_rows = [r for r in rows if r["scope"] == "pt"]
    counts: Counter[tuple[str, str]] = Counter()
    with tempfile.TemporaryDirectory() as tmp, open(Path(tmp) / "servers.log", "w") as log:
        ports = {"actions": free_port(), "rasa": free_port()}
        assistant = start(
            args.model,
            ports,
            Path(tmp),
            log,
            extra_env={"CLINIC_DB_URL": f"sqlite:///{tmp}/requests.db"},
            only=("actions", "rasa"),
        )
        try:
            for row in pt_rows:
                counts[(row["triage"], outcome(ask(assistant.rasa_url, row["text"])))] += 1
        finally:
            assistant.stop()
    kinds = ("pt_help", "fallback", "emergency", "doctor_soon", "other")
    print(f"{len(pt_rows)} pt-scope messages")
    print(f"{'triage':<10}" + "".join(f"{k:>12}" for k in kinds))
    for level in ("routine", "urgent", "emergency"):
        if any(counts[(level, k)] for k in kinds):
            print(f"{level:<10}" + "".join(f"{counts[(level, k)]:>12}" for k in kinds))
    totals = [sum(counts[(t, k)] for t in ("routine", "urgent", "emergency")) for k in kinds]
    print(f"{'all':<10}" + "".join(f"{n:>12}" for n in totals))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
