"""The triage rules alone on the labelled real-message set: a quick loop for rule editing.

    .venv/bin/python -m scripts.eval_triage [--show urgent] [--file PATH]

Reads ``$PATIENT_MESSAGES`` (default ``../shared/eval/patient_messages_dev.jsonl``)
at run time and prints counts only, plus the ids of misjudged messages with the
signs found; the messages themselves are never copied into the project. The
end-to-end gate through the running assistant is tests/test_real_messages.py.
"""

from __future__ import annotations

import argparse
import json
import os
from collections import Counter
from pathlib import Path

from clinic.red_flags import LEVELS
from clinic.triage import assess

REPO = Path(__file__).resolve().parent.parent
DEFAULT_FILE = REPO.parent / "shared" / "eval" / "patient_messages_dev.jsonl"


def messages_file() -> Path:
    return Path(os.environ.get("PATIENT_MESSAGES") or DEFAULT_FILE)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=None)
    parser.add_argument("--show", choices=[*LEVELS, "medical"], action="append", default=[])
    args = parser.parse_args()
    rows = [
        json.loads(line) for line in (args.file or messages_file()).read_text().splitlines() if line.strip()
    ]
    table: Counter[tuple[str, str]] = Counter()
    medical: Counter[tuple[str, bool]] = Counter()
    for row in rows:
        result = assess(row["text"])
        table[(row["triage"], result.level)] += 1
        medical[(row["scope"], result.medical_other)] += 1
        wrong = result.level != row["triage"]
        if wrong and (row["triage"] in args.show or result.level in args.show):
            print(f"{row['id']} {row['triage']:>9} -> {result.level:<9} {row['scope']:<13} {result.reasons}")
        if (
            "medical" in args.show
            and result.level == "routine"
            and result.medical_other != (row["scope"] != "pt")
        ):
            print(f"{row['id']} scope {row['scope']} -> medical_other={result.medical_other}")
    print("labelled \\ assessed " + " ".join(f"{level:>9}" for level in LEVELS))
    for labelled in LEVELS:
        print(f"{labelled:>19} " + " ".join(f"{table[(labelled, level)]:>9}" for level in LEVELS))
    print("scope -> medical_other:", dict(sorted(medical.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
