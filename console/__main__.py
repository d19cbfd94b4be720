"""Serve the console with waitress: ``python -m console --port 5006``.

Settings come from the environment (see ``console.settings``); the options
override them. Waitress writes no access log, so no URL or request body, and
with them no phone number or email, ends up in the server log.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
from pathlib import Path

from waitress import serve

from console.app import create_app
from console.settings import DEFAULT_VAR_DIR, settings_from_env


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m console", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5006)
    parser.add_argument(
        "--var-dir", type=Path, default=DEFAULT_VAR_DIR, help="where the generated session key is kept"
    )
    parser.add_argument("--rasa-url", help="the Rasa server (default $RASA_URL)")
    parser.add_argument("--tracker-db-url", help="Rasa's tracker database (default $TRACKER_DB_URL)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = settings_from_env(args.var_dir)
    overrides = {"rasa_url": args.rasa_url, "tracker_db_url": args.tracker_db_url}
    settings = dataclasses.replace(settings, **{k: v for k, v in overrides.items() if v})
    serve(create_app(settings), host=args.host, port=args.port, threads=4)


if __name__ == "__main__":
    main()
