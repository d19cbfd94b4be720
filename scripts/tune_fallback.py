"""Choose the FallbackClassifier threshold from data, not by feel.

Parses the held-out split (in-scope messages with their true intents) and
tests/nlu/fallback_probe.txt (messages that must never get clinic content)
with the trained model's NLU, before its fallback, and prints, per threshold,
how many in-scope messages would be wrongly turned away and how many probe
messages would slip through as a clinic intent.

    python -m scripts.tune_fallback [--model models/clinic-assistant.tar.gz]
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
CONTENT_PREFIXES = (
    "ask_exercise",
    "ask_next_step",
    "ask_why_info",
    "ask_back_pain_help",
    "ask_condition_info",
    "ask_pt_concern",
    "report_exercise_pain",
)
THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6)


def holdout_examples(path: Path) -> list[tuple[str, str]]:
    data = yaml.safe_load(path.read_text())
    return [
        (line.strip()[2:], item["intent"])
        for item in data["nlu"]
        if "intent" in item
        for line in item["examples"].splitlines()
        if line.strip().startswith("- ")
    ]


def probe_messages(path: Path) -> list[str]:
    return [
        line.strip() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")
    ]


async def top_intents(model: Path, texts: list[str]) -> list[tuple[str, float]]:
    """The best intent other than the fallback, with its confidence."""
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    agent = Agent.load(str(model))
    results = []
    for text in texts:
        parsed = await agent.parse_message(text)
        ranking = [r for r in parsed.get("intent_ranking", []) if r["name"] != "nlu_fallback"]
        best = ranking[0] if ranking else {"name": "nlu_fallback", "confidence": 0.0}
        results.append((best["name"], best["confidence"]))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=REPO / "models" / "clinic-assistant.tar.gz")
    args = parser.parse_args()
    in_scope = holdout_examples(REPO / "tests" / "nlu" / "holdout.yml")
    probe = probe_messages(REPO / "tests" / "nlu" / "fallback_probe.txt")
    predicted = asyncio.run(top_intents(args.model, [t for t, _ in in_scope] + probe))
    scope_pred, probe_pred = predicted[: len(in_scope)], predicted[len(in_scope) :]
    print(f"{len(in_scope)} held-out messages, {len(probe)} probe messages")
    print(
        "threshold  in-scope turned away  in-scope wrong intent  probe taken as any intent  as a content intent"
    )
    for threshold in THRESHOLDS:
        turned_away = sum(conf < threshold for _, conf in scope_pred)
        wrong = sum(
            conf >= threshold and name != gold
            for (name, conf), (_, gold) in zip(scope_pred, in_scope, strict=False)
        )
        taken = sum(conf >= threshold and name != "out_of_scope" for name, conf in probe_pred)
        content = sum(conf >= threshold and name.startswith(CONTENT_PREFIXES) for name, conf in probe_pred)
        print(
            f"{threshold:9.2f}  {turned_away / len(in_scope):20.1%}  {wrong / len(in_scope):21.1%}"
            f"  {taken / len(probe):25.1%}  {content / len(probe):19.1%}"
        )


if __name__ == "__main__":
    main()
