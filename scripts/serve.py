"""Start the action server and the Rasa server, print the URLs, stop both on exit.

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterator, List, Optional

import yaml

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


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
    rasa_url: str
    action_url: str
    processes: List[subprocess.Popen] = field(default_factory=list)

    def stop(self, timeout: float = 20.0) -> None:
        for proc in self.processes:
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
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        time.sleep(0.3)
    raise StartupError(f"{name} was not ready at {url} after {timeout:.0f} s")


def start(
    model: Path,
    rasa_port: int = 5005,
    action_port: int = 5055,
    var_dir: Path = REPO / "var",
    log: Optional[IO] = None,
    timeout: float = 180.0,
    extra_env: Optional[dict] = None,
) -> Assistant:
    """Start both servers and wait until the model is loaded; raise StartupError if not."""
    var_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **(extra_env or {})}
    endpoints = _runtime_endpoints(var_dir, action_port)
    host = "127.0.0.1"
    assistant = Assistant(f"http://{host}:{rasa_port}", f"http://{host}:{action_port}")
    commands = [
        ("action server", [str(BIN / "rasa"), "run", "actions", "--port", str(action_port)],
         f"{assistant.action_url}/health"),
        ("Rasa server", [str(BIN / "rasa"), "run", "--model", str(model), "--enable-api",
                         "--port", str(rasa_port), "--interface", host, "--cors", "*",
                         "--endpoints", str(endpoints), "--credentials", str(REPO / "credentials.yml")],
         f"{assistant.rasa_url}/status"),
    ]
    try:
        for name, argv, ready_url in commands:
            proc = subprocess.Popen(argv, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT if log else None,
                                    start_new_session=True)
            assistant.processes.append(proc)
            _wait_ready(ready_url, proc, name, timeout)
    except BaseException:
        assistant.stop()
        raise
    return assistant


@contextlib.contextmanager
def running_assistant(model: Path, var_dir: Path, log: IO, **kwargs) -> Iterator[Assistant]:
    """Both servers on free ports for the duration of a ``with`` block."""
    assistant = start(model, free_port(), free_port(), var_dir, log, **kwargs)
    try:
        yield assistant
    finally:
        assistant.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description="Run the clinic assistant in the foreground.")
    parser.add_argument("--model", type=Path, default=REPO / "models" / "clinic-assistant.tar.gz")
    parser.add_argument("--port", type=int, default=int(os.environ.get("RASA_PORT", 5005)))
    parser.add_argument("--action-port", type=int, default=int(os.environ.get("ACTION_PORT", 5055)))
    args = parser.parse_args()

    stopping = False

    def request_stop(signum, _frame):
        nonlocal stopping
        stopping = True
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, request_stop)
    print("Starting the action server and the Rasa server (about 20 s)...", flush=True)
    try:
        assistant = start(args.model, args.port, args.action_port)
    except StartupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    print(
        "\nThe clinic assistant is running:\n"
        f"  REST channel   POST {assistant.rasa_url}/webhooks/rest/webhook\n"
        f"  HTTP API       {assistant.rasa_url}/status, {assistant.rasa_url}/model/parse\n"
        f"  Action server  {assistant.action_url}/health\n"
        "Press Ctrl-C to stop.\n",
        flush=True,
    )
    try:
        while all(p.poll() is None for p in assistant.processes):
            time.sleep(0.5)
        print("error: a server exited; stopping the other one", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        print("Stopping...", flush=True)
        assistant.stop()


if __name__ == "__main__":
    sys.exit(main())
