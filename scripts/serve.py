"""`make run`: start the action server, the Rasa server, the demo web page and the
front-desk console; print the URLs; stop all on exit.

    python -m scripts.serve --model models/clinic-assistant.tar.gz [--port rasa=5105 ...] [--var-dir DIR]

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
    args = parser.parse_args()

    for signum in STOP_SIGNALS:
        signal.signal(signum, _request_stop)
    print("Starting the servers (about 30 s)...", flush=True)
    assistant = None
    try:
        assistant = start(args.model, dict(args.port), args.var_dir)
        _print_urls(assistant)
        while all(p.poll() is None for p in assistant.processes):
            time.sleep(0.5)
        print("error: a server exited; stopping the others", file=sys.stderr)
        return 1
    except StartupError as exc:  # start() has stopped what it started
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
