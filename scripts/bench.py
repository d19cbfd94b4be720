"""Benchmark the project's configuration against Rasa's default one, on this machine, in one run.

    python -m scripts.bench [--configs project,rasa_default] [--quick] [--out reports]

For each configuration: train on domain.yml and data/ into a temp dir (forced,
with a cache of its own), start the action and Rasa servers on free ports with
a temp tracker store and request database, time the model load, play one
conversation of 108 turns (the Rasa server's CPU time per message,
scripts/bench_turns.py), then multi-turn REST conversations at 1, 10 and 50
concurrent users while sampling memory, and score intents on
tests/nlu/holdout.yml. The project's model is also served by 2 Rasa servers
behind nginx (scripts/scaled.py) at 10 and 50 concurrent users. Prints a table and writes
bench.json, bench_latency.png (latency against concurrency) and
bench_latency_turns.png (latency and Rasa-server CPU against the turn of one
long conversation); progress goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import yaml

from scripts.bench_load import CONVERSATION, run_level, wait_for_parse
from scripts.bench_memory import PeakRss, tree_rss_kb
from scripts.bench_report import (
    LevelResult,
    check_targets,
    config_entry,
    format_scaled,
    format_table,
    latency_summary,
    per_intent_f1,
    plot_latency,
    plot_latency_by_turn,
    shape_problems,
    turn_summary,
)
from scripts.bench_turns import TURNS, TurnCosts, play_long_conversation
from scripts.scaled import NGINX, ScaleOut, ScaleOutError
from scripts.services import BIN, REPO
from scripts.supervisor import StartupError, running_assistant

HOLDOUT = REPO / "tests" / "nlu" / "holdout.yml"
CONFIG_NAMES = ("project", "rasa_default")
HEARTBEAT_S = 30.0
SCALED_SERVERS = 2
# Where the scaled run makes its throwaway databases (PostgreSQL on this machine, as `make run-scaled`).
BENCH_POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")
METHOD = (
    "Closed loop over /webhooks/rest/webhook: at each level N workers play the conversation script back to "
    "back, each conversation under a new sender id, each message sent once the previous reply arrived; one "
    "unmeasured warm-up conversation first. Latency is per message; throughput is messages over the level's "
    "wall time. The load generator runs on the same machine. rss_mb and actions_rss_mb: peak VmRSS of each "
    "server's process tree (sampled every 0.2 s, and the process's VmHWM); rest_rss_mb and actions_rest_rss_mb: "
    "the same trees after the warm-up conversation, before any load. load_s: from starting the Rasa "
    "server process to its first /model/parse answer. turns: one conversation of 108 messages (the script "
    "nine times over, one sender) after the warm-up; per message the Rasa server's CPU time (all threads, "
    "/proc schedstat) and latency; cpu_ms_per_message[t] is the mean over the script pass holding turn t."
)


class BenchError(RuntimeError):
    """A step of the benchmark failed; the message says which and shows its log."""


@dataclass(frozen=True)
class LoadPlan:
    """Conversations to play per concurrency level, and a time cap per level."""

    conversations: dict[int, int]
    time_limit_s: float


FULL = LoadPlan({1: 10, 10: 40, 50: 150}, time_limit_s=120.0)
QUICK = LoadPlan({1: 2, 10: 10, 50: 50}, time_limit_s=30.0)


class Progress:
    """Progress lines on stderr, stamped with the time since the benchmark started."""

    def __init__(self) -> None:
        self._started = time.monotonic()

    def __call__(self, message: str) -> None:
        print(f"[{time.monotonic() - self._started:7.1f} s] {message}", file=sys.stderr, flush=True)


def rasa_env(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "PYTHONPATH": str(REPO),
        "TF_CPP_MIN_LOG_LEVEL": "2",
        **extra,
    }


def rasa_default_config(project_config: Path) -> dict[str, Any]:
    """Rasa's default pipeline and policies (what `rasa init` writes, uncommented),
    with the project's language and assistant id."""
    rasa_dir = Path(find_spec("rasa").submodule_search_locations[0])  # no `import rasa`: it takes seconds
    config = yaml.safe_load(
        (rasa_dir / "engine" / "recipes" / "config_files" / "default_config.yml").read_text()
    )
    project = yaml.safe_load(project_config.read_text())
    return {**config, "language": project["language"], "assistant_id": project["assistant_id"]}


def config_file(name: str, workdir: Path) -> Path:
    if name == "project":
        return REPO / "config.yml"
    path = workdir / f"config.{name}.yml"
    path.write_text(yaml.safe_dump(rasa_default_config(REPO / "config.yml"), sort_keys=False))
    return path


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def run_rasa(args: Sequence[str], log_path: Path, progress: Progress, label: str, **env: str) -> float:
    """Run a rasa command from the project directory; return its wall-clock seconds."""
    started = time.monotonic()
    with log_path.open("a") as log:
        proc = subprocess.Popen(
            [str(BIN / "rasa"), *args], cwd=REPO, env=rasa_env(**env), stdout=log, stderr=subprocess.STDOUT
        )
        while True:
            try:
                proc.wait(timeout=HEARTBEAT_S)
                break
            except subprocess.TimeoutExpired:
                progress(f"{label}: still running after {time.monotonic() - started:.0f} s")
    if proc.returncode != 0:
        raise BenchError(f"{label} failed (exit {proc.returncode}):\n{_tail(log_path)}")
    return time.monotonic() - started


def train(name: str, config: Path, workdir: Path, progress: Progress) -> tuple[Path, float]:
    """Forced training with a fresh cache directory, so no earlier run's work is reused."""
    out = workdir / "models"
    seconds = run_rasa(
        [
            "train",
            "--config",
            str(config),
            "--domain",
            "domain.yml",
            "--data",
            "data",
            "--out",
            str(out),
            "--fixed-model-name",
            name,
            "--force",
        ],
        workdir / f"train.{name}.log",
        progress,
        f"{name}: rasa train",
        RASA_CACHE_DIRECTORY=str(workdir / f"cache.{name}"),
    )
    return out / f"{name}.tar.gz", seconds


def intent_report(name: str, model: Path, workdir: Path, progress: Progress) -> dict[str, Any]:
    """`rasa test nlu` on the held-out split: its intent_report.json."""
    out = workdir / f"results.{name}"
    run_rasa(
        ["test", "nlu", "--model", str(model), "--nlu", str(HOLDOUT), "--out", str(out), "--no-plot"],
        workdir / f"test.{name}.log",
        progress,
        f"{name}: rasa test nlu",
        RASA_CACHE_DIRECTORY=str(workdir / f"cache.{name}"),
    )
    return json.loads((out / "intent_report.json").read_text())


@dataclass(frozen=True)
class Served:
    load_s: float
    levels: list[LevelResult]
    rss_mb: float
    actions_rss_mb: float
    rest_rss_mb: dict[str, float]  # each server's process tree after the warm-up conversation
    turns: TurnCosts


def serve_and_measure(name: str, model: Path, workdir: Path, plan: LoadPlan, progress: Progress) -> Served:
    """Start the action and Rasa servers, time the load, then play the conversations at each level."""
    var_dir = workdir / f"var.{name}"
    log_path = workdir / f"servers.{name}.log"
    api_token = secrets.token_hex(16)  # the load time is measured through Rasa's HTTP API
    env = rasa_env(CLINIC_DB_URL=f"sqlite:///{var_dir / 'requests.db'}", RASA_API_TOKEN=api_token)
    try:
        with (
            log_path.open("w") as log,
            running_assistant(
                model, var_dir, log, extra_env=env, only=("actions", "rasa"), timeout=600
            ) as assistant,
        ):
            asyncio.run(wait_for_parse(assistant.rasa_url, timeout_s=60, token=api_token))
            load_s = time.monotonic() - assistant.started["rasa"]
            progress(f"{name}: model loaded and parsing {load_s:.1f} s after the Rasa server started")
            # ``started`` and ``processes`` are both in start order.
            pids = {
                service: proc.pid
                for service, proc in zip(assistant.started, assistant.processes, strict=False)
            }
            memory = PeakRss(pids).start()
            # One unmeasured conversation first: lazy loading (ZIP database, content) is not latency.
            asyncio.run(run_level(assistant.rasa_url, 1, 1, plan.time_limit_s))
            rest_rss_mb = {service: tree_rss_kb(pid) / 1024 for service, pid in pids.items()}
            turns = asyncio.run(play_long_conversation(assistant.rasa_url, pids["rasa"]))
            progress(f"{name}: one conversation of {len(turns.cpu_ms)} turns played")
            levels = []
            for concurrency, conversations in plan.conversations.items():
                level = asyncio.run(
                    run_level(assistant.rasa_url, concurrency, conversations, plan.time_limit_s)
                )
                levels.append(level)
                progress(
                    f"{name}: {concurrency:>2} concurrent: {len(level.latencies_ms)} messages "
                    f"in {level.elapsed_s:.1f} s, {level.errors} errors"
                )
            peaks = memory.stop()
    except (StartupError, TimeoutError) as exc:
        raise BenchError(f"{name}: {exc}\n{_tail(log_path)}") from exc
    return Served(load_s, levels, peaks["rasa"], peaks["actions"], rest_rss_mb, turns)


def serve_scaled(model: Path, workdir: Path, plan: LoadPlan, progress: Progress) -> dict[str, Any]:
    """The project's model on SCALED_SERVERS Rasa servers behind nginx (scripts/scaled.py) at 10
    and 50 concurrent conversations, on throwaway PostgreSQL databases (dropped afterwards) and
    a Redis lock key prefix of its own; ``{"skipped": why}`` when PostgreSQL, Redis or nginx is
    not there."""
    run_id = secrets.token_hex(4)
    scale = ScaleOut(
        servers=SCALED_SERVERS,
        tracker_db_url=f"{BENCH_POSTGRES}/bench_tracker_{run_id}",
        request_db_url=f"{BENCH_POSTGRES}/bench_requests_{run_id}",
        lock_key_prefix=f"bench{run_id}",
    )
    if not Path(NGINX).exists():
        return {"skipped": f"no nginx at {NGINX} (make nginx installs it)"}
    log_path = workdir / "servers.scaled.log"
    progress(f"project: starting {SCALED_SERVERS} Rasa servers behind nginx")
    try:
        with (
            log_path.open("w") as log,
            running_assistant(
                model,
                workdir / "var.scaled",
                log,
                extra_env={"PYTHONPATH": str(REPO)},
                only=("actions", *scale.backends, "rasa"),
                scale=scale,
                timeout=600,
            ) as assistant,
        ):
            asyncio.run(run_level(assistant.rasa_url, 1, 1, plan.time_limit_s))  # warm-up
            levels = []
            for concurrency in (10, 50):
                conversations = plan.conversations[concurrency]
                levels.append(
                    asyncio.run(run_level(assistant.rasa_url, concurrency, conversations, plan.time_limit_s))
                )
                progress(
                    f"project, {SCALED_SERVERS} servers: {concurrency:>2} concurrent: "
                    f"{len(levels[-1].latencies_ms)} messages in {levels[-1].elapsed_s:.1f} s, "
                    f"{levels[-1].errors} errors"
                )
    except ScaleOutError as exc:
        return {"skipped": str(exc)}
    except (StartupError, TimeoutError) as exc:
        raise BenchError(f"project, {SCALED_SERVERS} servers: {exc}\n{_tail(log_path)}") from exc
    finally:
        _drop_databases(scale.tracker_db_url, scale.request_db_url)
    return {
        "servers": SCALED_SERVERS,
        "latency_ms": {str(lv.concurrency): latency_summary(lv.latencies_ms) for lv in levels},
        "throughput_msg_s": {str(lv.concurrency): round(lv.throughput_msg_s, 1) for lv in levels},
        "errors": {str(lv.concurrency): lv.errors for lv in levels},
    }


def _drop_databases(*urls: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    admin = create_engine(f"{BENCH_POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            for url in urls:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}"'))
    except SQLAlchemyError:
        pass  # the databases were never made, or PostgreSQL is gone
    finally:
        admin.dispose()


def bench_config(name: str, workdir: Path, plan: LoadPlan, progress: Progress) -> dict[str, Any]:
    load_before = os.getloadavg()
    progress(f"{name}: training (forced, fresh cache)")
    model, train_s = train(name, config_file(name, workdir), workdir, progress)
    progress(f"{name}: trained in {train_s:.1f} s; starting the action and Rasa servers")
    served = serve_and_measure(name, model, workdir, plan, progress)
    progress(f"{name}: scoring intents on {HOLDOUT.relative_to(REPO)}")
    intents = intent_report(name, model, workdir, progress)
    scalars = {
        "train_s": train_s,
        "load_s": served.load_s,
        "rss_mb": served.rss_mb,
        "actions_rss_mb": served.actions_rss_mb,
        "rest_rss_mb": served.rest_rss_mb["rasa"],
        "actions_rest_rss_mb": served.rest_rss_mb["actions"],
        "macro_f1": intents["macro avg"]["f1-score"],
    }
    entry = config_entry(scalars, served.levels)
    entry["turns"] = turn_summary(served.turns.cpu_ms, served.turns.latency_ms, window=len(CONVERSATION))
    entry["intent_f1"] = per_intent_f1(intents)
    entry["load_avg"] = {
        "before": [round(x, 2) for x in load_before],
        "after": [round(x, 2) for x in os.getloadavg()],
    }
    return entry


def machine_description() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem_kb / 2**20:.1f} GB RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}; load average {load} at start"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--configs", default=",".join(CONFIG_NAMES), help=f"comma-separated, from {', '.join(CONFIG_NAMES)}"
    )
    parser.add_argument("--quick", action="store_true", help="fewer conversations, for development")
    parser.add_argument("--out", type=Path, default=REPO / "reports", help="where bench.json and the plot go")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.configs.split(",") if n.strip()]
    unknown = sorted(set(names) - set(CONFIG_NAMES))
    if unknown or not names:
        parser.error(f"unknown configuration(s) {unknown}; choose from {', '.join(CONFIG_NAMES)}")

    progress = Progress()
    report: dict[str, Any] = {
        "machine": machine_description(),
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "quick": args.quick,
        "method": METHOD,
        "conversation": list(CONVERSATION),
        "configs": {},
    }
    progress(f"machine: {report['machine']}")
    try:
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            for name in names:
                report["configs"][name] = bench_config(
                    name, Path(tmp), QUICK if args.quick else FULL, progress
                )
            if "project" in names:
                model = Path(tmp) / "models" / "project.tar.gz"
                report["scaled"] = serve_scaled(model, Path(tmp), QUICK if args.quick else FULL, progress)
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    configs = report["configs"]
    if "project" in configs:
        report["targets"] = check_targets(configs["project"], configs.get("rasa_default"))
    publish(report, args.out)
    return 0


def publish(report: dict[str, Any], out: Path) -> None:
    """Write bench.json and the plot, and print the table, the targets and the machine's load."""
    problems = shape_problems(report)
    if problems:
        raise AssertionError(f"bench.json would be malformed: {problems}")
    configs = report["configs"]
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(report, indent=2) + "\n")
    load = os.getloadavg()[0]
    plot_latency(
        configs,
        out / "bench_latency.png",
        subtitle=f"{report['when']}, {os.cpu_count()} cores shared (1-min load avg {load:.1f} at the end)",
    )
    plot_latency_by_turn(
        configs,
        out / "bench_latency_turns.png",
        window=len(CONVERSATION),
        subtitle=f"{report['when']}, one conversation of {TURNS} turns, one message at a time",
    )
    print(format_table(configs))
    if "scaled" in report:
        print(format_scaled(report["scaled"]))
    for label, met in report.get("targets", {}).items():
        print(f"{'met   ' if met else 'MISSED'} {label}")
    print(f"\nMachine: {report['machine']}")
    for name, entry in configs.items():
        before, after = entry["load_avg"]["before"][0], entry["load_avg"]["after"][0]
        print(f"  1-min load average while benchmarking {name}: {before:.2f} before, {after:.2f} after")
    print(f"Wrote {out / 'bench.json'}, {out / 'bench_latency.png'} and {out / 'bench_latency_turns.png'}")


if __name__ == "__main__":
    sys.exit(main())
