"""What one message costs the Rasa server as one conversation grows.

    python -m scripts.bench_turns [--model models/clinic-assistant.tar.gz] [--turns 108]

Plays the benchmark's conversation script over and over under one sender id,
one message at a time, and reads the Rasa server's CPU time (all its threads,
from /proc) before and after each message. `make bench` (scripts/bench.py)
calls ``play_long_conversation``; run alone, this starts the action and Rasa
servers on free ports with temp databases and prints the cost at turns 1, 50
and 100.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from scripts.bench_load import CONVERSATION, REQUEST_TIMEOUT_S, wait_for_parse
from scripts.bench_memory import _tree
from scripts.bench_report import turn_summary
from scripts.rasa_server import API_TOKEN_ENV
from scripts.services import REPO
from scripts.supervisor import running_assistant

TURNS = 108  # nine passes of the 12-message script: turns 97-108 are the window "at turn 100"
_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """CPU time used so far by ``pid``'s process tree, every thread (nanoseconds from schedstat)."""
    total = 0.0
    for process in _tree(pid):
        tasks = list(Path(f"/proc/{process}/task").glob("*/schedstat"))
        if tasks:
            for task in tasks:
                with contextlib.suppress(OSError, ValueError):
                    total += int(task.read_text().split()[0]) / 1e9
            continue
        with contextlib.suppress(OSError, ValueError):  # no schedstat: clock ticks, 10 ms steps
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / _TICKS
    return total


@dataclass(frozen=True)
class TurnCosts:
    """Per message of one conversation, in order: the Rasa server's CPU ms and the round trip ms."""

    cpu_ms: list[float]
    latency_ms: list[float]


async def play_long_conversation(
    rasa_url: str, rasa_pid: int, turns: int = TURNS, script: Sequence[str] = CONVERSATION
) -> TurnCosts:
    """Send ``turns`` messages of ``script`` (repeated) under one new sender id, one after another."""
    url = f"{rasa_url}/webhooks/rest/webhook"
    sender: str | None = None  # the server issues the id with its first reply
    cpu_ms, latency_ms = [], []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)) as session:
        for turn in range(turns):
            cpu_before, started = cpu_seconds(rasa_pid), time.perf_counter()
            body = {"message": script[turn % len(script)], **({"sender": sender} if sender else {})}
            async with session.post(url, json=body) as r:
                r.raise_for_status()
                sender = next((reply["recipient_id"] for reply in await r.json()), sender)
            latency_ms.append((time.perf_counter() - started) * 1000)
            cpu_ms.append((cpu_seconds(rasa_pid) - cpu_before) * 1000)
    return TurnCosts(cpu_ms, latency_ms)


@contextlib.contextmanager
def _log_shown_on_failure(log_path: Path) -> Iterator[None]:
    try:
        yield
    except BaseException:
        print("\n".join(log_path.read_text(errors="replace").splitlines()[-30:]), file=sys.stderr)
        raise


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=REPO / "models" / "clinic-assistant.tar.gz")
    parser.add_argument("--turns", type=int, default=TURNS)
    parser.add_argument("--conversations", type=int, default=1, help="long conversations, one after another")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-turns-") as tmp:
        var_dir = Path(tmp)
        token = secrets.token_hex(16)
        env = {
            "CLINIC_DB_URL": f"sqlite:///{var_dir / 'requests.db'}",
            "PYTHONPATH": str(REPO),
            API_TOKEN_ENV: token,
        }
        log_path = var_dir / "servers.log"
        with (
            log_path.open("w") as log,
            _log_shown_on_failure(log_path),
            running_assistant(args.model, var_dir, log, extra_env=env, only=("actions", "rasa")) as assistant,
        ):
            asyncio.run(wait_for_parse(assistant.rasa_url, timeout_s=120, token=token))
            rasa_pid = assistant.processes[list(assistant.started).index("rasa")].pid
            print(f"rasa pid {rasa_pid}", file=sys.stderr, flush=True)
            asyncio.run(play_long_conversation(assistant.rasa_url, rasa_pid, turns=len(CONVERSATION)))
            for _ in range(args.conversations):
                costs = asyncio.run(play_long_conversation(assistant.rasa_url, rasa_pid, args.turns))
                print(turn_summary(costs.cpu_ms, costs.latency_ms))
    return 0


if __name__ == "__main__":
    sys.exit(main())
