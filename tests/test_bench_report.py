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
    shape_problems,
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


def entry(**scalars) -> dict:
    base = {"train_s": 12.0, "load_s": 9.5, "rss_mb": 700.0, "actions_rss_mb": 600.0, "macro_f1": 0.93}
    return config_entry({**base, **scalars}, levels())


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
    assert met["p95 <= 50 ms at 10 concurrent"] and met[">= 100 msg/s at 50 concurrent"]


def test_table_has_a_column_per_configuration():
    table = format_table({"project": entry(), "rasa_default": entry()})
    assert table.splitlines()[0].split() == ["project", "rasa_default"]
    assert "p50/p95/p99 ms @10" in table


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
