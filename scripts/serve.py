"""`make run`: start the action server, the Rasa server, the demo web page and the
front-desk console; print the URLs; stop all on exit.

    python -m scripts.serve --model models/clinic-assistant.tar.gz [--port rasa=5105 ...] [--var-dir DIR]
        [--scale N]

With ``--scale N`` (N >= 2; `make run-scaled`, `make run SCALE=N`) it starts the
scaled profile of scripts/scaled.py: N Rasa servers behind nginx on the Rasa port,
sharing PostgreSQL and Redis.

Runs in the foreground. Ctrl-C or SIGTERM stops everything it started; a
second signal while stopping is ignored (SIGTERM to make run's process group
arrives twice, directly and forwarded by make).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

from scripts.scaled import ScaleOut, ScaleOutError
from scripts.services import DEFAULT_PORTS, REPO
from scripts.sms_stand_ins import LOCAL_TWILIO_AUTH_TOKEN
from scripts.supervisor import Assistant, StartupError, start

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _port_setting(text: str) -> tuple[str, int]:
    name, _, port = text.partition("=")
    if name not in DEFAULT_PORTS or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(
            f"expected SERVICE=PORT with SERVICE one of {', '.join(DEFAULT_PORTS)}"
        )
    return name, int(port)


def _ignore_stop_signals() -> None:
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)


def _request_stop(_signum: int, _frame: object) -> None:
    """The first stop signal ends the run; any later one must not interrupt the stopping."""
    _ignore_stop_signals()
    raise KeyboardInterrupt


def _print_urls(assistant: Assistant) -> None:
    sms_token = (
        ""
        if os.environ.get("TWILIO_AUTH_TOKEN")
        else (
            f"  (SMS signatures are checked with the local-only token {LOCAL_TWILIO_AUTH_TOKEN!r};\n"
            "   set TWILIO_AUTH_TOKEN to your Twilio auth token for a real number)\n"
        )
    )
    api = (
        f"{assistant.rasa_url}/status?token=$RASA_API_TOKEN"
        if os.environ.get("RASA_API_TOKEN")
        else "off (set RASA_API_TOKEN to turn it on, token required)"
    )
    print(
        "\nThe clinic assistant is running:\n"
        f"  Website chat   {assistant.web_url}/\n"
        f"  Front desk     {assistant.console_url} (create a login: make staff-user)\n"
        "  Staff logins   python -m console.staff_accounts add|set-password|disable|enable NAME\n"
        "  Retention      make purge (daily: conversations and closed requests older than\n"
        "                 $CLINIC_RETENTION_DAYS days, default 90)\n"
        f"  SMS (Twilio)   POST {assistant.rasa_url}/webhooks/twilio/webhook\n"
        f"{sms_token}"
        f"  REST channel   POST {assistant.rasa_url}/webhooks/rest/webhook\n"
        f"  HTTP API       {api}\n"
        f"  Action server  {assistant.action_url}/health (loopback only; Rasa's calls carry a token)\n"
        "Press Ctrl-C to stop.\n",
        flush=True,
    )


def _print_scale(assistant: Assistant, scale: ScaleOut) -> None:
    backends = ", ".join(assistant.urls[name] for name in scale.backends)
    print(
        f"Scaled: {scale.servers} Rasa servers ({backends}) behind nginx at {assistant.rasa_url};\n"
        f"  conversations in {ScaleOut.shown(scale.tracker_db_url)}, requests in "
        f"{ScaleOut.shown(scale.request_db_url)},\n"
        f"  locks in Redis (lifetime {scale.lock_lifetime_s} s).\n",
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description="Run the clinic assistant in the foreground.")
    parser.add_argument("--model", type=Path, default=REPO / "models" / "clinic-assistant.tar.gz")
    parser.add_argument(
        "--port",
        type=_port_setting,
        action="append",
        default=[],
        metavar="SERVICE=PORT",
        help=f"a port other than the default, e.g. rasa=5105 (defaults: {DEFAULT_PORTS})",
    )
    parser.add_argument("--var-dir", type=Path, default=REPO / "var", help="tracker database, console key")
    parser.add_argument(
        "--scale",
        type=int,
        default=1,
        metavar="N",
        help="N >= 2: N Rasa servers behind nginx, on PostgreSQL and Redis (docs/scaling.md)",
    )
    args = parser.parse_args()
    scale = ScaleOut.from_environment(args.scale) if args.scale > 1 else None

    for signum in STOP_SIGNALS:
        signal.signal(signum, _request_stop)
    print("Starting the servers (about 30 s)...", flush=True)
    assistant = None
    try:
        assistant = start(args.model, dict(args.port), args.var_dir, scale=scale)
        _print_urls(assistant)
        if scale:
            _print_scale(assistant, scale)
        while all(p.poll() is None for p in assistant.processes):
            time.sleep(0.5)
        print("error: a server exited; stopping the others", file=sys.stderr)
        return 1
    except (StartupError, ScaleOutError) as exc:  # start() has stopped what it started
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0 if assistant is not None else 130
    finally:
        _ignore_stop_signals()
        if assistant is not None:
            print("Stopping...", flush=True)
            assistant.stop()


if __name__ == "__main__":
    sys.exit(main())
