"""What `make run` starts: each server's command line, port and readiness check.

scripts/supervisor.py starts and stops them; scripts/serve.py is `make run`.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from console.transcripts import tracker_db_url_from_endpoints
from scripts.endpoints import runtime_endpoints

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
DEFAULT_PORTS = {"actions": 5055, "rasa": 5005, "web": 8080, "console": 5006}
# The one website origin whose pages may call Rasa from a browser (CORS).
SITE_ORIGIN_ENV = "CLINIC_SITE_ORIGIN"


@dataclass(frozen=True)
class Service:
    name: str
    argv: list[str]
    ready_path: str  # answers 200 once the server is ready
    # False: start the next service at once; this one must be ready by the time that one is.
    ready_before_next: bool = True


def services(
    model: Path, ports: dict[str, int], var_dir: Path, stores: dict[str, Any] | None = None
) -> list[Service]:
    """Every server, in start order. Each service gets its port from ``ports``;
    ``stores`` replaces endpoints.yml's tracker and lock stores (scripts/scaled.py)."""
    endpoints = runtime_endpoints(var_dir, ports["actions"], stores)
    python = str(BIN / "python")
    rasa_url = f"http://{HOST}:{ports['rasa']}"
    return [
        # The actions need rasa_sdk alone; `rasa run actions` would import all of Rasa.
        # scripts/action_server.py: rasa_sdk on loopback, answering only calls with Rasa's token.
        Service(
            "actions",
            [python, "-m", "scripts.action_server", "--actions", "actions", "--port", str(ports["actions"])],
            "/health",
        ),
        rasa_service("rasa", model, ports["rasa"], endpoints, site_origin(ports["web"])),
        Service(
            "web",
            [python, "-m", "scripts.web_server", "--port", str(ports["web"]), "--rasa-url", rasa_url],
            "/config.js",
        ),
        Service("console", _console_argv(ports["console"], var_dir, endpoints, rasa_url), "/console/login"),
    ]


def site_origin(web_port: int) -> str:
    """$CLINIC_SITE_ORIGIN (e.g. https://www.example-clinic.com), else the demo page's origin."""
    return os.environ.get(SITE_ORIGIN_ENV) or f"http://{HOST}:{web_port}"


def rasa_service(name: str, model: Path, port: int, endpoints: Path, origin: str | None = None) -> Service:
    """A Rasa server; the scaled profile starts several, each with these flags.

    Rasa's HTTP API is off (scripts/rasa_server.py turns it on, token required,
    only when $RASA_API_TOKEN is set); browsers may call it only from ``origin``.
    """
    return Service(
        name,
        # `rasa` with measured workarounds (see scripts/rasa_server.py).
        [
            str(BIN / "python"),
            "-m",
            "scripts.rasa_server",
            "run",
            "--model",
            str(model),
            "--port",
            str(port),
            "--interface",
            HOST,
            "--cors",
            origin or site_origin(DEFAULT_PORTS["web"]),
            "--endpoints",
            str(endpoints),
            "--credentials",
            str(REPO / "credentials.yml"),
        ],
        "/",  # Rasa listens only once the model is loaded
    )


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
