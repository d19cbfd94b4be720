"""Start the servers of scripts/services.py, wait until each answers, stop them all.

``start`` is what `make run` uses; ``running_assistant`` starts the same
servers on free ports for the length of a ``with`` block (the live tests,
`make bench`).

Each server runs in a session of its own, so stopping one stops whatever it
started, and Ctrl-C in the terminal reaches only the runner, which then stops
the servers in order. The servers also stop if the runner dies without
stopping them (SIGKILL, a crash): each asks Linux for SIGTERM when its parent
goes (``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from clinic.local_secrets import shared_secrets
from scripts.scaled import ScaleOut, prepare, scaled_services
from scripts.services import DEFAULT_PORTS, HOST, REPO, SITE_ORIGIN_ENV, Service, services, site_origin
from scripts.sms_stand_ins import LOCAL_SMS_ENV

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


class StartupError(RuntimeError):
    """A server exited or did not become ready in time."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass
class Assistant:
    """The running servers. ``urls`` maps a service name to its base URL,
    ``started`` to the ``time.monotonic()`` at which its process was started;
    ``processes`` are in start order."""

    urls: dict[str, str]
    processes: list[subprocess.Popen] = field(default_factory=list)
    started: dict[str, float] = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        return self.urls["rasa"]

    @property
    def action_url(self) -> str:
        return self.urls["actions"]

    @property
    def web_url(self) -> str:
        return self.urls["web"]

    @property
    def console_url(self) -> str:
        return self.urls["console"] + "/console/"

    def process(self, name: str) -> subprocess.Popen:
        """The process of the service called ``name``."""
        return self.processes[list(self.urls).index(name)]

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM to every server (last started first), SIGKILL to any still
        running after ``timeout`` seconds; returns once all have exited."""
        for proc in reversed(self.processes):
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for proc in self.processes:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _wait_ready(url: str, proc: subprocess.Popen, name: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise StartupError(f"{name} exited with code {proc.returncode} while starting")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                return
        time.sleep(0.3)
    raise StartupError(f"{name} was not ready at {url} after {timeout:.0f} s")


def _stop_when_parent_dies() -> Callable[[], None]:
    """A ``preexec_fn`` that has the child sent SIGTERM when this process dies.

    libc is looked up here, in the parent: the child runs the function between
    fork and exec, where it should do as little as possible. Linux sends the
    signal when the thread that started the child exits, so start the servers
    from a thread that lives as long as they should (the main thread does).
    """
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return preexec


def start(
    model: Path,
    ports: dict[str, int] | None = None,
    var_dir: Path = REPO / "var",
    log: IO | None = None,
    timeout: float = 180.0,
    extra_env: dict | None = None,
    only: Collection[str] | None = None,
    scale: ScaleOut | None = None,
) -> Assistant:
    """Start every service (or those named in ``only``) and wait until each
    answers; raise StartupError if one does not. With ``scale``, the scaled
    profile (scripts/scaled.py): its stores are prepared first, and
    ScaleOutError is raised, before any server starts, if one cannot be used."""
    ports = {**DEFAULT_PORTS, **(scale.default_ports() if scale else {}), **(ports or {})}
    var_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **LOCAL_SMS_ENV,
        **os.environ,
        **shared_secrets(var_dir),  # conversation id signing, Rasa -> action server token
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "RASA_TELEMETRY_ENABLED": "false",
        SITE_ORIGIN_ENV: site_origin(ports["web"]),  # links the assistant sends to the site's pages
        **(scale.environment() if scale else {}),
        **(extra_env or {}),
    }
    if scale:
        prepare(scale)
    everything = scaled_services(model, ports, var_dir, scale) if scale else services(model, ports, var_dir)
    plan = [s for s in everything if only is None or s.name in only]
    assistant = Assistant({s.name: f"http://{HOST}:{ports[s.name]}" for s in plan})
    preexec = _stop_when_parent_dies()
    starting: list[Service] = []
    try:
        for service in plan:
            assistant.started[service.name] = time.monotonic()
            proc = subprocess.Popen(
                service.argv,
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT if log else None,
                start_new_session=True,
                preexec_fn=preexec,
            )
            assistant.processes.append(proc)
            starting.append(service)
            if service.ready_before_next or service is plan[-1]:
                for waiting in starting:
                    url = assistant.urls[waiting.name] + waiting.ready_path
                    _wait_ready(url, assistant.process(waiting.name), waiting.name, timeout)
                starting.clear()
    except BaseException:
        assistant.stop()
        raise
    return assistant


@contextlib.contextmanager
def running_assistant(model: Path, var_dir: Path, log: IO, **kwargs) -> Iterator[Assistant]:
    """Every service on free ports for the duration of a ``with`` block (the scaled
    profile with ``scale=ScaleOut(...)``)."""
    scale = kwargs.get("scale")
    ports = {name: free_port() for name in [*DEFAULT_PORTS, *(scale.backends if scale else [])]}
    assistant = start(model, ports, var_dir, log, **kwargs)
    try:
        yield assistant
    finally:
        assistant.stop()
