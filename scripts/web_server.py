"""Serve the demo clinic page in web/, with its chat widget, on 127.0.0.1.

    python -m scripts.web_server --port 8080 --rasa-url http://127.0.0.1:5005

``/config.js`` is generated at start-up: it tells the page where the
Rasa server is (the tests run it on free ports), the clinic's main line
from data/clinics.yml and the branding from web/brand.json, which
``/brand.css`` also turns into CSS variables (the one place for the clinic's
name, logo and colours). ``/exercises/<key>`` is each exercise's printable page
and ``/exercises/<key>/<picture>`` its step pictures (clinic/exercise_pages.py,
from data/content/). Everything else is a static file under web/, including
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
from urllib.parse import unquote

from clinic import exercise_pages
from clinic.content import DEFAULT_CONTENT_DIR, get_content
from clinic.directory import load_directory

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
BRAND_FILE = WEB_DIR / "brand.json"
HOST = "127.0.0.1"
EXERCISES = "/exercises"  # clinic.site.exercise_page_url's path
PICTURE_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


def load_brand() -> dict[str, Any]:
    brand: dict[str, Any] = json.loads(BRAND_FILE.read_text(encoding="utf-8"))
    return brand


def config_script(rasa_url: str) -> bytes:
    main_line = load_directory().main_line
    config = {
        "socketUrl": rasa_url,
        "mainLine": {"name": main_line.name, "phone": main_line.phone, "display": main_line.phone_display},
        "brand": load_brand(),
        # The widget sets this line apart in a reply (web/reply_markdown.js).
        "safetyLine": get_content().disclaimer,
    }
    return f"window.CLINIC_CONFIG = {json.dumps(config)};\n".encode()


def brand_css() -> bytes:
    """web/brand.json's colours as CSS variables (--brand, --brand-dark, ...) for the site and the widget."""
    colours = load_brand()["colours"]
    names = {key: "".join(f"-{c.lower()}" if c.isupper() else c for c in key) for key in colours}
    lines = "".join(f"  --{names[key]}: {value};\n" for key, value in colours.items())
    return f":root {{\n{lines}}}\n".encode()


def exercise_site() -> exercise_pages.Site:
    main_line = load_directory().main_line
    return exercise_pages.Site(load_brand()["name"], main_line.phone, main_line.phone_display)


class PageHandler(SimpleHTTPRequestHandler):
    """Static files from web/ without directory listings, plus /config.js, /brand.css and the exercise pages."""

    def __init__(self, *args: Any, config: bytes, **kwargs: Any) -> None:
        self.config = config
        super().__init__(*args, directory=str(WEB_DIR), **kwargs)

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if "\x00" in unquote(path):  # http.server's file lookup raises on it and drops the connection
            return self.send_error(400)
        if path == "/config.js":
            return self._send(self.config, "text/javascript; charset=utf-8")
        if path == "/brand.css":
            return self._send(brand_css(), "text/css; charset=utf-8")
        if path.startswith(EXERCISES + "/"):
            return self._exercise(path[len(EXERCISES) + 1 :].split("/"))
        return super().do_GET()

    def _exercise(self, parts: list[str]) -> None:
        """``<key>``: the printable page; ``<key>/<name>``: one of its step pictures."""
        content = get_content()
        exercise = content.exercises.get(parts[0])
        if exercise is None or len(parts) > 2:
            return self.send_error(404)
        if len(parts) == 1 or not parts[1]:
            page = exercise_pages.render_page(content, exercise, exercise_site())
            return self._send(page.encode(), "text/html; charset=utf-8")
        picture = exercise_pages.picture_file(exercise, parts[1])
        content_dir = Path(os.environ.get("CLINIC_CONTENT_DIR") or DEFAULT_CONTENT_DIR)
        kind = PICTURE_TYPES.get(Path(parts[1]).suffix.lower())
        if picture is None or kind is None:
            return self.send_error(404)
        return self._send((content_dir / picture).read_bytes(), kind, cache="public, max-age=3600")

    def _send(self, body: bytes, content_type: str, cache: str = "no-store") -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        self.end_headers()
        self.wfile.write(body)

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
