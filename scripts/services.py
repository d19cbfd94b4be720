"""What `make run` starts: each server's command line, port and readiness check.

scripts/supervisor.py starts and stops them; scripts/serve.py is `make run`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from console.transcripts import tracker_db_url_from_endpoints
from scripts.endpoints import runtime_endpoints

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
DEFAULT_PORTS = {"actions": 5055, "rasa": 5005, "web": 8080, "console": 5006}


@dataclass(frozen=True)
class Service:
    name: str
    argv: list[str]
    ready_path: str  # answers 200 once the server is ready


def services(model: Path, ports: dict[str, int], var_dir: Path) -> list[Service]:
    """Every server, in start order. Each service gets its port from ``ports``."""
    endpoints = runtime_endpoints(var_dir, ports["actions"])
    python = str(BIN / "python")
    rasa_url = f"http://{HOST}:{ports['rasa']}"
    return [
        # The actions need rasa_sdk alone; `rasa run actions` would import all of Rasa.
        Service(
            "actions",
            [python, "-m", "rasa_sdk", "--actions", "actions", "--port", str(ports["actions"])],
            "/health",
        ),
        Service(
            "rasa",
            # `rasa` with two measured workarounds (see scripts/rasa_server.py).
            [
                python,
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
            [python, "-m", "scripts.web_server", "--port", str(ports["web"]), "--rasa-url", rasa_url],
            "/config.js",
        ),
        Service("console", _console_argv(ports["console"], var_dir, endpoints, rasa_url), "/console/login"),
    ]


def _console_argv(port: int, var_dir: Path, endpoints: Path, rasa_url: str) -> list[str]:
    """The front-desk console, reading transcripts from the tracker database Rasa uses."""
    argv = [
        str(BIN / "python"),
        "-m",
        "console",
        "--port",
        str(port),
        "--var-dir",
        str(var_dir),
        "--rasa-url",
        rasa_url,
    ]
    tracker_db_url = tracker_db_url_from_endpoints(endpoints, base_dir=REPO)
    return argv + ["--tracker-db-url", tracker_db_url] if tracker_db_url else argv
