"""The benchmark's pure parts: statistics, the report's shape, the targets, the table and the plot."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CONCURRENCIES = (1, 10, 50)
SCALARS = ("train_s", "load_s", "rss_mb", "actions_rss_mb", "rest_rss_mb", "actions_rest_rss_mb", "macro_f1")
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


TURNS_REPORTED = (1, 50, 100)


def turn_window(turn: int, window: int) -> slice:
    """The messages (0-based) of the pass through the script that holds ``turn`` (1-based)."""
    start = (turn - 1) // window * window
    return slice(start, start + window)


def turn_summary(cpu_ms: Sequence[float], latency_ms: Sequence[float], window: int = 12) -> dict[str, Any]:
    """One long conversation: mean Rasa-server CPU ms and latency ms per message in the script's pass
    holding each of turns 1, 50 and 100 (so each figure covers the same messages), and every turn."""
    summary: dict[str, Any] = {"cpu_ms_per_message": {}, "latency_ms_per_message": {}}
    for turn in TURNS_REPORTED:
        cpu, latency = cpu_ms[turn_window(turn, window)], latency_ms[turn_window(turn, window)]
        if len(cpu) == window:
            summary["cpu_ms_per_message"][str(turn)] = round(sum(cpu) / window, 1)
            summary["latency_ms_per_message"][str(turn)] = round(sum(latency) / window, 1)
    summary["turn_cpu_ms"] = [round(v, 1) for v in cpu_ms]
    summary["turn_latency_ms"] = [round(v, 1) for v in latency_ms]
    return summary


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
        cpu = ((entry.get("turns") or {}).get("cpu_ms_per_message")) or {}
        problems += [
            f"{name}: turns.cpu_ms_per_message[{turn}] is not a number"
            for turn in map(str, TURNS_REPORTED)
            if not _is_number(cpu.get(turn))
        ]
    return problems


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass(frozen=True)
class Target:
    label: str
    met: Callable[[Mapping[str, Any], Mapping[str, Any] | None], bool]
    needs_default: bool = False  # judged only in a run that also measured Rasa's default config


P95_TARGET_MS = 150.0
TURN1_CPU_TARGET_MS = 15.0
GROWTH_TARGET = 1.3  # CPU per message at turn 100 over turn 1
ACTIONS_REST_TARGET_MB = 200.0


def _cpu_at(entry: Mapping[str, Any], turn: int) -> float:
    return float(entry["turns"]["cpu_ms_per_message"][str(turn)])


# The goals for the project's configuration on a 2-core machine.
TARGETS = (
    Target("load <= 15 s", lambda p, d: p["load_s"] <= 15),
    Target("p95 <= 150 ms at 10 concurrent", lambda p, d: p["latency_ms"]["10"]["p95"] <= P95_TARGET_MS),
    Target(
        "Rasa CPU per message at turn 1 <= 15 ms",
        lambda p, d: _cpu_at(p, 1) <= TURN1_CPU_TARGET_MS,
    ),
    Target(
        "Rasa CPU per message at turn 100 <= 1.3x turn 1",
        lambda p, d: _cpu_at(p, 100) <= GROWTH_TARGET * _cpu_at(p, 1),
    ),
    Target(">= 100 msg/s at 50 concurrent", lambda p, d: p["throughput_msg_s"]["50"] >= 100),
    Target("macro-F1 >= default config's", lambda p, d: p["macro_f1"] >= d["macro_f1"], needs_default=True),
    Target("Rasa server RSS <= 600 MB", lambda p, d: p["rss_mb"] <= 600),
    Target(
        "action server RSS at rest <= 200 MB",
        lambda p, d: p["actions_rest_rss_mb"] <= ACTIONS_REST_TARGET_MB,
    ),
)


def check_targets(project: Mapping[str, Any], default: Mapping[str, Any] | None) -> dict[str, bool]:
    """Each target's label mapped to whether the project's configuration meets it; a
    comparison with Rasa's default configuration only when the run measured it."""
    return {
        target.label: target.met(project, default)
        for target in TARGETS
        if default is not None or not target.needs_default
    }


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
    rows.append(
        (
            "Rasa CPU ms/msg @turn " + "/".join(map(str, TURNS_REPORTED)),
            ["/".join(f"{_cpu_at(configs[n], t):.0f}" for t in TURNS_REPORTED) for n in names],
        )
    )
    width = max(len(label) for label, _ in rows)
    cell = max(len(v) for _, values in rows for v in values) + 2
    return "\n".join(label.ljust(width) + "".join(v.rjust(cell) for v in values) for label, values in rows)


def format_scaled(scaled: Mapping[str, Any]) -> str:
    """The scaled run's lines under the table, or why it was skipped."""
    if "skipped" in scaled:
        return f"{scaled.get('servers', 2)} servers behind nginx: skipped ({scaled['skipped']})"
    return "\n".join(
        f"project, {scaled['servers']} servers behind nginx @{c}: p50/p95/p99 "
        + "/".join(f"{scaled['latency_ms'][c][p]:.0f}" for p in PERCENTILES)
        + f" ms, {scaled['throughput_msg_s'][c]:.1f} msg/s"
        for c in scaled["latency_ms"]
    )


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


def rolling_mean(values: Sequence[float], window: int) -> list[float]:
    """Mean of each value and the ``window - 1`` before it (fewer at the start)."""
    out, total = [], 0.0
    for i, value in enumerate(values):
        total += value - (values[i - window] if i >= window else 0.0)
        out.append(total / min(i + 1, window))
    return out


def plot_latency_by_turn(
    configs: Mapping[str, Mapping[str, Any]], path: Path, window: int = 12, subtitle: str = ""
) -> None:
    """Latency (left) and the Rasa server's CPU time (right) per message against the turn number of
    one long conversation, one colour per configuration: each message (dots) and the mean of the
    last ``window`` (line, one pass through the script)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), sharex=True)
    panels = (
        ("turn_latency_ms", "latency per message (ms)"),
        ("turn_cpu_ms", "Rasa server CPU per message (ms)"),
    )
    for ax, (key, ylabel) in zip(axes, panels, strict=True):
        for (name, entry), colour in zip(
            configs.items(), ("tab:blue", "tab:orange", "tab:green"), strict=False
        ):
            values = entry["turns"][key]
            turns = range(1, len(values) + 1)
            ax.plot(turns, values, ".", color=colour, alpha=0.35, markersize=4)
            ax.plot(
                turns, rolling_mean(values, window), "-", color=colour, label=f"{name} ({window}-turn mean)"
            )
        ax.set_xlabel("turn of one conversation")
        ax.set_ylabel(ylabel)
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
        ax.legend()
    fig.suptitle(
        "Cost per message as one conversation grows" + (f"\n{subtitle}" if subtitle else ""), fontsize=10
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
