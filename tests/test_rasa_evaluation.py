"""Rasa's own evaluation of the trained model: test stories and held-out NLU."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
RASA = str(Path(sys.executable).parent / "rasa")
MIN_INTENT_MACRO_F1 = 0.95
HOLDOUT = REPO / "tests" / "nlu" / "holdout.yml"

pytestmark = pytest.mark.rasa_eval


def rasa(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
    return subprocess.run([RASA, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=900)


def test_conversation_stories_pass(trained_model, tmp_path):
    run = rasa(
        "test",
        "core",
        "--model",
        str(trained_model),
        "--stories",
        "tests/test_stories.yml",
        "--fail-on-prediction-errors",
        "--out",
        str(tmp_path),
        "--no-plot",
    )
    failed = tmp_path / "failed_test_stories.yml"
    detail = failed.read_text() if failed.exists() else run.stdout[-4000:] + run.stderr[-4000:]
    assert run.returncode == 0, f"test stories failed:\n{detail}"


def test_holdout_split_is_never_trained_on():
    import yaml

    def examples(path: Path) -> set:
        data = yaml.safe_load(path.read_text()) or {}
        return {
            " ".join(line.lstrip("- ").lower().split())
            for item in data.get("nlu", [])
            if "intent" in item
            for line in item["examples"].splitlines()
            if line.strip()
        }

    trained = set().union(*(examples(p) for p in (REPO / "data" / "nlu").glob("*.yml")))
    assert not examples(HOLDOUT) & trained


def test_intent_macro_f1_on_the_held_out_split(trained_model, tmp_path):
    run = rasa(
        "test",
        "nlu",
        "--model",
        str(trained_model),
        "--nlu",
        str(HOLDOUT),
        "--out",
        str(tmp_path),
        "--no-plot",
    )
    assert run.returncode == 0, run.stderr[-4000:]
    report = json.loads((tmp_path / "intent_report.json").read_text())
    macro_f1 = report["macro avg"]["f1-score"]
    weak = {
        k: round(v["f1-score"], 2)
        for k, v in report.items()
        if isinstance(v, dict) and "f1-score" in v and v["f1-score"] < MIN_INTENT_MACRO_F1
    }
    reports = REPO / "reports"
    reports.mkdir(exist_ok=True)
    (reports / "nlu_holdout.json").write_text(
        json.dumps({"macro_f1": macro_f1, "below_target": weak}, indent=2)
    )
    print(f"\nheld-out intent macro-F1 = {macro_f1:.3f} (target {MIN_INTENT_MACRO_F1})")
    assert macro_f1 >= MIN_INTENT_MACRO_F1, f"macro-F1 {macro_f1:.3f}; weakest intents: {weak}"
