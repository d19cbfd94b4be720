"""Stopping `make run`, however it is asked: every server stops and frees its port.

A supervisor, a CI job or ``kill -- -PGID`` sends SIGTERM to make run's whole
process group, which reaches the runner twice (directly and forwarded by make);
the runner can also die without stopping anything (SIGKILL, out of memory).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from scripts.services import DEFAULT_PORTS
from scripts.supervisor import free_port

pytestmark = pytest.mark.live

REPO = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT_S = 240.0
STOP_WITHIN_S = 20.0
# The shape of the Makefile's `run` recipe: make starts a shell that execs the runner.
MAKE_RUN = "SHELL := /bin/bash\nrun:\n\t@exec $(PY) -m scripts.serve --model $(MODEL) $(ARGS)\n"


@dataclass
class Run:
    leader: subprocess.Popen  # the process group's leader: make, or the runner itself
    ports: dict[str, int]
    log: Path

    def runner_pid(self) -> int:
        """The scripts.serve process: the leader, or make's child."""
        if self.leader.args[0] != "make":
            return self.leader.pid
        return _children(self.leader.pid)[0]

    def server_pids(self) -> list[int]:
        return _children(self.runner_pid())


def _children(pid: int) -> list[int]:
    return [
        int(child)
        for children in Path(f"/proc/{pid}/task").glob("*/children")
        for child in children.read_text().split()
    ]


def _alive(pid: int) -> bool:
    """Running, not exited (an orphan's zombie may wait for a reaper that never comes)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@contextlib.contextmanager
def started(model: Path, tmp_path: Path, through_make: bool) -> Iterator[Run]:
    """make run's servers on free ports, in a process group of their own, ready.

    Afterwards, SIGKILL to whatever it started that is still running, so a
    failing test leaves nothing behind."""
    ports = {name: free_port() for name in DEFAULT_PORTS}
    args = [*(f"--port={name}={port}" for name, port in ports.items()), f"--var-dir={tmp_path / 'var'}"]
    if through_make:
        (tmp_path / "Makefile").write_text(MAKE_RUN)
        argv = ["make", "-s", "-f", str(tmp_path / "Makefile"), f"PY={sys.executable}", f"MODEL={model}"]
        argv.append("ARGS=" + " ".join(args))
    else:
        argv = [sys.executable, "-m", "scripts.serve", f"--model={model}", *args]
    log = tmp_path / "serve.log"
    env = {**os.environ, "CLINIC_DB_URL": f"sqlite:///{tmp_path / 'requests.db'}"}
    with log.open("w") as out:
        leader = subprocess.Popen(
            argv, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    run = Run(leader, ports, log)
    servers: list[int] = []
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while "The clinic assistant is running" not in log.read_text():
            assert leader.poll() is None, f"the runner exited while starting:\n{log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"not ready after {STARTUP_TIMEOUT_S:.0f} s"
            time.sleep(0.5)
        servers = run.server_pids()
        assert len(servers) == len(DEFAULT_PORTS)
        yield run
    finally:
        for pid in servers:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(leader.pid, signal.SIGKILL)
        leader.wait()


def assert_everything_stops(run: Run, servers: list[int]) -> None:
    deadline = time.monotonic() + STOP_WITHIN_S
    while time.monotonic() < deadline:
        busy = {name: port for name, port in run.ports.items() if _listening(port)}
        running = [pid for pid in servers if _alive(pid)]
        if not busy and not running:
            return
        time.sleep(0.5)
    pytest.fail(
        f"{STOP_WITHIN_S:.0f} s after the stop: ports still served {busy}, server processes still "
        f"running {running}\n{run.log.read_text()[-3000:]}",
        pytrace=False,
    )


def test_sigterm_to_make_runs_process_group_stops_every_server(trained_model, tmp_path):
    with started(trained_model, tmp_path, through_make=True) as run:
        servers = run.server_pids()
        os.killpg(run.leader.pid, signal.SIGTERM)
        assert_everything_stops(run, servers)
        run.leader.wait(STOP_WITHIN_S)


def test_a_second_sigterm_while_stopping_does_not_interrupt_the_stop(trained_model, tmp_path):
    with started(trained_model, tmp_path, through_make=True) as run:
        servers = run.server_pids()
        os.killpg(run.leader.pid, signal.SIGTERM)
        time.sleep(0.2)
        os.killpg(run.leader.pid, signal.SIGTERM)
        assert_everything_stops(run, servers)
        run.leader.wait(STOP_WITHIN_S)


def test_the_servers_stop_when_the_runner_is_killed(trained_model, tmp_path):
    with started(trained_model, tmp_path, through_make=False) as run:
        servers = run.server_pids()
        run.leader.kill()
        run.leader.wait()
        assert_everything_stops(run, servers)
