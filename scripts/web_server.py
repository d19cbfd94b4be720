"""Serve the demo clinic page in web/, with its chat widget, on 127.0.0.1.

    python -m scripts.web_server --port 8080 --rasa-url http://127.0.0.1:5005

``/config.js`` is generated at start-up: it tells the page where the
Rasa server is (the tests run it on free ports) and the clinic's main line
from data/clinics.yml. Everything else is a static file under web/, including
the widget bundle from web/node_modules (installed by ``make webchat``).
"""

from __future__ import annotations

import argparse
import json
import os
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from clinic.directory import load_directory

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
HOST = "127.0.0.1"


def config_script(rasa_url: str) -> bytes:
    main_line = load_directory().main_line
    config = {
        "socketUrl": rasa_url,
        "mainLine": {"name": main_line.name, "phone": main_line.phone, "display": main_line.phone_display},
    }
    return f"window.CLINIC_CONFIG = {json.dumps(config)};\n".encode()


class PageHandler(SimpleHTTPRequestHandler):
    """Static files from web/ without directory listings, plus /config.js."""

    def __init__(self, *args: Any, config: bytes, **kwargs: Any) -> None:
        self.config = config
        super().__init__(*args, directory=str(WEB_DIR), **kwargs)

    def do_GET(self) -> None:
        if self.path.split("?")[0] != "/config.js":
            return super().do_GET()
        self.send_response(200)
        self.send_header("Content-Type", "text/javascript; charset=utf-8")
        self.send_header("Content-Length", str(len(self.config)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(self.config)

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        self.send_error(404)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--rasa-url", default="http://127.0.0.1:5005")
    args = parser.parse_args()
    handler = partial(PageHandler, config=config_script(args.rasa_url))
    with ThreadingHTTPServer((HOST, args.port), handler) as server:
        server.serve_forever()


if __name__ == "__main__":
    main()
