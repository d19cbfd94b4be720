"""The benchmark's pure helpers (scripts/bench_report.py): statistics and the bench.json shape."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from scripts.bench_report import (
    CONCURRENCIES,
    LevelResult,
    check_targets,
    config_entry,
    format_table,
    latency_summary,
    per_intent_f1,
    percentile,
    plot_latency_by_turn,
    rolling_mean,
    shape_problems,
    turn_summary,
)


@pytest.mark.parametrize("q", [0, 25, 50, 90, 95, 99, 100])
def test_percentile_matches_numpy(q):
    values = [12.0, 3.5, 7.25, 100.0, 41.0, 8.0, 8.0, 19.5]
    assert percentile(values, q) == pytest.approx(np.percentile(values, q))


def test_percentile_edge_cases():
    assert percentile([5.0], 99) == 5.0
    assert math.isnan(percentile([], 50))


def test_latency_summary_has_the_three_percentiles():
    summary = latency_summary([float(v) for v in range(1, 101)])
    assert summary == {"p50": 50.5, "p95": 95.0, "p99": 99.0}


def levels(latency_ms: float = 20.0) -> list:
    return [
        LevelResult(c, [latency_ms] * (10 * c), elapsed_s=2.0, errors=0, conversations=c)
        for c in CONCURRENCIES
    ]


def long_conversation(turn1_ms: float = 12.0, growth_ms: float = 0.0) -> dict:
    """108 turns whose CPU per message starts at ``turn1_ms`` and grows by ``growth_ms`` a turn."""
    cpu = [turn1_ms + growth_ms * turn for turn in range(108)]
    return turn_summary(cpu, [2 * ms for ms in cpu])


def entry(turns: dict | None = None, **scalars) -> dict:
    base = {
        "train_s": 12.0,
        "load_s": 9.5,
        "rss_mb": 700.0,
        "actions_rss_mb": 600.0,
        "rest_rss_mb": 650.0,
        "actions_rest_rss_mb": 60.0,
        "macro_f1": 0.93,
    }
    result = config_entry({**base, **scalars}, levels())
    result["turns"] = turns or long_conversation()
    return result


def report(**configs) -> dict:
    return {"machine": "2 cores", "when": "2026-01-01T00:00:00+00:00", "configs": configs}


def test_a_complete_report_has_the_documented_shape_and_is_json():
    complete = report(project=entry(), rasa_default=entry(macro_f1=0.9))
    assert shape_problems(complete) == []
    project = json.loads(json.dumps(complete))["configs"]["project"]
    assert set(project["latency_ms"]) == set(project["throughput_msg_s"]) == {"1", "10", "50"}
    assert set(project["latency_ms"]["10"]) == {"p50", "p95", "p99"}
    assert project["throughput_msg_s"]["50"] == 250.0  # 500 messages in 2 s


def test_shape_problems_name_what_is_missing():
    broken = entry()
    del broken["rss_mb"]
    del broken["latency_ms"]["50"]
    broken["throughput_msg_s"]["1"] = "fast"
    problems = shape_problems({"when": "now", "configs": {"project": broken}})
    assert "missing 'machine'" in problems
    assert "project: rss_mb is not a number" in problems
    assert "project: latency_ms[50].p95 is not a number" in problems
    assert "project: throughput_msg_s[1] is not a number" in problems


def test_targets_compare_macro_f1_with_the_default_configuration():
    met = check_targets(entry(load_s=14.0, rss_mb=500.0), entry(macro_f1=0.95))
    assert met["load <= 15 s"] and met["Rasa server RSS <= 600 MB"]
    assert not met["macro-F1 >= default config's"]
    assert met["p95 <= 150 ms at 10 concurrent"] and met[">= 100 msg/s at 50 concurrent"]


def test_without_the_default_configuration_no_comparison_with_it_is_claimed():
    met = check_targets(entry(macro_f1=0.1), None)
    assert "macro-F1 >= default config's" not in met
    assert "load <= 15 s" in met


def test_the_action_server_target_is_its_memory_at_rest():
    assert check_targets(entry(actions_rest_rss_mb=126.0), None)["action server RSS at rest <= 200 MB"]
    assert not check_targets(entry(actions_rest_rss_mb=223.0), None)["action server RSS at rest <= 200 MB"]


def test_turn_targets_compare_turn_100_with_turn_1():
    flat = check_targets(entry(turns=long_conversation(turn1_ms=12.0, growth_ms=0.02)), None)
    assert flat["Rasa CPU per message at turn 1 <= 15 ms"]
    assert flat["Rasa CPU per message at turn 100 <= 1.3x turn 1"]
    growing = check_targets(entry(turns=long_conversation(turn1_ms=20.0, growth_ms=0.5)), None)
    assert not growing["Rasa CPU per message at turn 1 <= 15 ms"]
    assert not growing["Rasa CPU per message at turn 100 <= 1.3x turn 1"]


def test_turn_summary_averages_the_script_pass_holding_each_turn():
    cpu = [float(turn) for turn in range(1, 109)]  # turn t costs t ms
    summary = turn_summary(cpu, [10 * ms for ms in cpu], window=12)
    assert summary["cpu_ms_per_message"] == {"1": 6.5, "50": 54.5, "100": 102.5}  # turns 1-12, 49-60, 97-108
    assert summary["latency_ms_per_message"]["100"] == 1025.0
    assert len(summary["turn_cpu_ms"]) == len(summary["turn_latency_ms"]) == 108


def test_turn_summary_leaves_out_turns_the_conversation_did_not_reach():
    summary = turn_summary([5.0] * 30, [9.0] * 30, window=12)
    assert summary["cpu_ms_per_message"] == {"1": 5.0}
    problems = shape_problems(report(project=entry(turns=summary)))
    assert problems == [
        "project: turns.cpu_ms_per_message[50] is not a number",
        "project: turns.cpu_ms_per_message[100] is not a number",
    ]


def test_rolling_mean_uses_fewer_values_at_the_start():
    assert rolling_mean([2.0, 4.0, 6.0, 8.0], window=2) == [2.0, 3.0, 5.0, 7.0]


def test_the_turn_plot_is_written(tmp_path):
    path = tmp_path / "turns.png"
    plot_latency_by_turn(
        {"project": entry(), "rasa_default": entry(turns=long_conversation(20.0, 0.5))}, path
    )
    assert path.read_bytes().startswith(b"\x89PNG")


def test_table_has_a_column_per_configuration():
    table = format_table({"project": entry(), "rasa_default": entry()})
    assert table.splitlines()[0].split() == ["project", "rasa_default"]
    assert "p50/p95/p99 ms @10" in table
    assert "Rasa CPU ms/msg @turn 1/50/100" in table


def test_per_intent_f1_leaves_out_averages_and_accuracy():
    report = {
        "greet": {"f1-score": 1.0, "support": 3},
        "thank": {"f1-score": 0.83333, "support": 2},
        "accuracy": 0.9,
        "macro avg": {"f1-score": 0.9},
        "weighted avg": {"f1-score": 0.91},
        "micro avg": {"f1-score": 0.9},
    }
    assert per_intent_f1(report) == {"greet": 1.0, "thank": 0.833}
