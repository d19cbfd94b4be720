"""Start the action server, the Rasa server, the demo web page and the front-desk console;
print the URLs; stop all on exit.

    python -m scripts.serve --model models/clinic-assistant.tar.gz

Runs in the foreground; Ctrl-C or SIGTERM stops everything it started. The
test suite uses ``running_assistant`` to start the same processes on free ports.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import yaml

from console.transcripts import tracker_db_url_from_endpoints

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"


class StartupError(RuntimeError):
    """A server exited or did not become ready in time."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _runtime_endpoints(var_dir: Path, action_port: int) -> Path:
    """endpoints.yml with the action URL and tracker database under ``var_dir``."""
    endpoints = yaml.safe_load((REPO / "endpoints.yml").read_text())
    endpoints["action_endpoint"]["url"] = f"http://127.0.0.1:{action_port}/webhook"
    store = endpoints.get("tracker_store") or {}
    if store.get("type") == "SQL" and store.get("dialect") == "sqlite":
        store["db"] = str(var_dir / Path(store["db"]).name)
    path = var_dir / "endpoints.runtime.yml"
    path.write_text(yaml.safe_dump(endpoints, sort_keys=False))
    return path


@dataclass
class Assistant:
    """The running servers. ``urls`` maps a service name to its base URL,
    ``started`` to the ``time.monotonic()`` at which its process was started."""

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

    def stop(self, timeout: float = 20.0) -> None:
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


@dataclass(frozen=True)
class Service:
    name: str
    argv: list[str]
    ready_path: str


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


def services(model: Path, ports: dict[str, int], var_dir: Path) -> list[Service]:
    """What `make run` starts, in start order. Each service gets its port from ``ports``."""
    endpoints = _runtime_endpoints(var_dir, ports["actions"])
    return [
        Service("actions", [str(BIN / "rasa"), "run", "actions", "--port", str(ports["actions"])], "/health"),
        Service(
            "rasa",
            # `rasa` with two measured workarounds (see scripts/rasa_server.py).
            [
                str(BIN / "python"),
                "-m",
                "scripts.rasa_server",
                "run",
                "--model",
                str(model),
                "--enable-api",
                "--port",
                str(ports["rasa"]),
                "--interface",
                HOST,
                "--cors",
                "*",
                "--endpoints",
                str(endpoints),
                "--credentials",
                str(REPO / "credentials.yml"),
            ],
            "/status",
        ),
        Service(
            "web",
            [
                str(BIN / "python"),
                "-m",
                "scripts.web_server",
                "--port",
                str(ports["web"]),
                "--rasa-url",
                f"http://{HOST}:{ports['rasa']}",
            ],
            "/config.js",
        ),
        Service("console", _console_argv(ports, var_dir, endpoints), "/console/login"),
    ]


def _console_argv(ports: dict[str, int], var_dir: Path, endpoints: Path) -> list[str]:
    """The front-desk console, reading transcripts from the tracker database Rasa uses."""
    argv = [
        str(BIN / "python"),
        "-m",
        "console",
        "--port",
        str(ports["console"]),
        "--var-dir",
        str(var_dir),
        "--rasa-url",
        f"http://{HOST}:{ports['rasa']}",
    ]
    tracker_db_url = tracker_db_url_from_endpoints(endpoints, base_dir=REPO)
    return argv + ["--tracker-db-url", tracker_db_url] if tracker_db_url else argv


DEFAULT_PORTS = {"actions": 5055, "rasa": 5005, "web": 8080, "console": 5006}

# credentials.yml reads the SMS channel's settings from these variables, and Rasa
# refuses to start when one is unset. These stand-ins let `make run` work with
# nothing set; the token only signs local test requests and is no Twilio secret.
LOCAL_TWILIO_AUTH_TOKEN = "local-dev-only-twilio-token"
SMS_ENV_DEFAULTS = {
    "TWILIO_ACCOUNT_SID": "",
    "TWILIO_AUTH_TOKEN": LOCAL_TWILIO_AUTH_TOKEN,
    "TWILIO_NUMBER": "",
    "TWILIO_PUBLIC_URL": "",
}


def start(
    model: Path,
    ports: dict[str, int] | None = None,
    var_dir: Path = REPO / "var",
    log: IO | None = None,
    timeout: float = 180.0,
    extra_env: dict | None = None,
    only: Collection[str] | None = None,
) -> Assistant:
    """Start every service (or those named in ``only``) and wait until each
    answers; raise StartupError if one does not."""
    ports = {**DEFAULT_PORTS, **(ports or {})}
    var_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **SMS_ENV_DEFAULTS,
        **os.environ,
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "RASA_TELEMETRY_ENABLED": "false",
        **(extra_env or {}),
    }
    plan = [s for s in services(model, ports, var_dir) if only is None or s.name in only]
    assistant = Assistant({s.name: f"http://{HOST}:{ports[s.name]}" for s in plan})
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
            )
            assistant.processes.append(proc)
            _wait_ready(assistant.urls[service.name] + service.ready_path, proc, service.name, timeout)
    except BaseException:
        assistant.stop()
        raise
    return assistant


@contextlib.contextmanager
def running_assistant(model: Path, var_dir: Path, log: IO, **kwargs) -> Iterator[Assistant]:
    """Every service on free ports for the duration of a ``with`` block."""
    ports = {name: free_port() for name in DEFAULT_PORTS}
    assistant = start(model, ports, var_dir, log, **kwargs)
    try:
        yield assistant
    finally:
        assistant.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description="Run the clinic assistant in the foreground.")
    parser.add_argument("--model", type=Path, default=REPO / "models" / "clinic-assistant.tar.gz")
    args = parser.parse_args()

    def request_stop(signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, request_stop)
    print("Starting the servers (about 30 s)...", flush=True)
    try:
        assistant = start(args.model)
    except StartupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    sms_token = (
        ""
        if os.environ.get("TWILIO_AUTH_TOKEN")
        else (
            f"  (SMS signatures are checked with the local-only token {LOCAL_TWILIO_AUTH_TOKEN!r};\n"
            "   set TWILIO_AUTH_TOKEN to your Twilio auth token for a real number)\n"
        )
    )
    print(
        "\nThe clinic assistant is running:\n"
        f"  Website chat   {assistant.web_url}/\n"
        f"  Front desk     {assistant.console_url} (create a login: make staff-user)\n"
        f"  SMS (Twilio)   POST {assistant.rasa_url}/webhooks/twilio/webhook\n"
        f"{sms_token}"
        f"  REST channel   POST {assistant.rasa_url}/webhooks/rest/webhook\n"
        f"  HTTP API       {assistant.rasa_url}/status, {assistant.rasa_url}/model/parse\n"
        f"  Action server  {assistant.action_url}/health\n"
        "Press Ctrl-C to stop.\n",
        flush=True,
    )
    try:
        while all(p.poll() is None for p in assistant.processes):
            time.sleep(0.5)
        print("error: a server exited; stopping the others", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        print("Stopping...", flush=True)
        assistant.stop()


if __name__ == "__main__":
    sys.exit(main())
