"""The benchmark's pure parts: statistics, the report's shape, the targets, the table and the plot."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CONCURRENCIES = (1, 10, 50)
SCALARS = ("train_s", "load_s", "rss_mb", "actions_rss_mb", "macro_f1")
PERCENTILES = {"p50": 50.0, "p95": 95.0, "p99": 99.0}


@dataclass(frozen=True)
class LevelResult:
    """What one concurrency level of the load test measured."""

    concurrency: int
    latencies_ms: Sequence[float]
    elapsed_s: float
    errors: int
    conversations: int

    @property
    def throughput_msg_s(self) -> float:
        return len(self.latencies_ms) / self.elapsed_s if self.elapsed_s > 0 else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), interpolating linearly between ranks as numpy does by default."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def latency_summary(latencies_ms: Sequence[float]) -> dict[str, float]:
    return {name: round(percentile(latencies_ms, q), 1) for name, q in PERCENTILES.items()}


def config_entry(scalars: Mapping[str, float], levels: Sequence[LevelResult]) -> dict[str, Any]:
    """One configuration's section of bench.json; ``requests`` is extra detail per level."""
    return {
        **{key: round(scalars[key], 3) for key in SCALARS},
        "latency_ms": {str(lv.concurrency): latency_summary(lv.latencies_ms) for lv in levels},
        "throughput_msg_s": {str(lv.concurrency): round(lv.throughput_msg_s, 1) for lv in levels},
        "requests": {
            str(lv.concurrency): {
                "messages": len(lv.latencies_ms),
                "errors": lv.errors,
                "conversations": lv.conversations,
                "elapsed_s": round(lv.elapsed_s, 2),
            }
            for lv in levels
        },
    }


def per_intent_f1(intent_report: Mapping[str, Any]) -> dict[str, float]:
    """Each intent's F1 from Rasa's intent_report.json, without its averages and accuracy."""
    return {
        intent: round(scores["f1-score"], 3)
        for intent, scores in sorted(intent_report.items())
        if isinstance(scores, dict) and not intent.endswith(" avg")
    }


def shape_problems(report: Mapping[str, Any]) -> list[str]:
    """Where ``report`` departs from the documented bench.json shape (extra keys are fine)."""
    problems = [f"missing {key!r}" for key in ("machine", "when", "configs") if key not in report]
    for name, entry in (report.get("configs") or {}).items():
        problems += [f"{name}: {key} is not a number" for key in SCALARS if not _is_number(entry.get(key))]
        for concurrency in map(str, CONCURRENCIES):
            latency = (entry.get("latency_ms") or {}).get(concurrency) or {}
            problems += [
                f"{name}: latency_ms[{concurrency}].{p} is not a number"
                for p in PERCENTILES
                if not _is_number(latency.get(p))
            ]
            if not _is_number((entry.get("throughput_msg_s") or {}).get(concurrency)):
                problems.append(f"{name}: throughput_msg_s[{concurrency}] is not a number")
    return problems


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass(frozen=True)
class Target:
    label: str
    met: Callable[[Mapping[str, Any], Mapping[str, Any] | None], bool]


P95_TARGET_MS = 50.0

# The goals for the project's configuration on a 2-core machine.
TARGETS = (
    Target("load <= 15 s", lambda p, d: p["load_s"] <= 15),
    Target("p95 <= 50 ms at 10 concurrent", lambda p, d: p["latency_ms"]["10"]["p95"] <= P95_TARGET_MS),
    Target(">= 100 msg/s at 50 concurrent", lambda p, d: p["throughput_msg_s"]["50"] >= 100),
    Target("macro-F1 >= default config's", lambda p, d: d is None or p["macro_f1"] >= d["macro_f1"]),
    Target("Rasa server RSS <= 600 MB", lambda p, d: p["rss_mb"] <= 600),
)


def check_targets(project: Mapping[str, Any], default: Mapping[str, Any] | None) -> dict[str, bool]:
    """Each target's label mapped to whether the project's configuration meets it."""
    return {target.label: target.met(project, default) for target in TARGETS}


def format_table(configs: Mapping[str, Mapping[str, Any]]) -> str:
    names = list(configs)
    rows = [("", names)]
    rows += [
        (key, [f"{configs[n][key]:.3f}" if key == "macro_f1" else f"{configs[n][key]:.1f}" for n in names])
        for key in SCALARS
    ]
    for c in map(str, CONCURRENCIES):
        rows.append(
            (
                f"p50/p95/p99 ms @{c}",
                ["/".join(f"{configs[n]['latency_ms'][c][p]:.0f}" for p in PERCENTILES) for n in names],
            )
        )
    rows += [
        (f"msg/s @{c}", [f"{configs[n]['throughput_msg_s'][c]:.1f}" for n in names])
        for c in map(str, CONCURRENCIES)
    ]
    width = max(len(label) for label, _ in rows)
    cell = max(len(v) for _, values in rows for v in values) + 2
    return "\n".join(label.ljust(width) + "".join(v.rjust(cell) for v in values) for label, values in rows)


def plot_latency(configs: Mapping[str, Mapping[str, Any]], path: Path, subtitle: str = "") -> None:
    """p50 (solid) and p95 (dashed) latency against concurrency, one colour per configuration."""
    import matplotlib
    import matplotlib.ticker

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for (name, entry), colour in zip(configs.items(), ("tab:blue", "tab:orange", "tab:green"), strict=False):
        levels = sorted(entry["latency_ms"], key=int)
        xs = [int(c) for c in levels]
        for p, style in (("p50", "-"), ("p95", "--")):
            ax.plot(
                xs,
                [entry["latency_ms"][c][p] for c in levels],
                style,
                marker="o",
                color=colour,
                label=f"{name} {p}",
            )
    ax.plot([10], [P95_TARGET_MS], "kx", markersize=9, label=f"target: p95 <= {P95_TARGET_MS:.0f} ms at 10")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
    ax.set_xticks(list(CONCURRENCIES))
    ax.set_xticklabels([str(c) for c in CONCURRENCIES])
    ax.set_xlabel("concurrent conversations")
    ax.set_ylabel("latency per message (ms)")
    ax.set_title("REST latency per message" + (f"\n{subtitle}" if subtitle else ""), fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
