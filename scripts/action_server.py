"""The action server: rasa_sdk's app, answering Rasa alone.

    python -m scripts.action_server --actions actions --port 5055

Takes rasa_sdk's arguments (``python -m rasa_sdk``), with three differences:

- it listens on 127.0.0.1 unless $SANIC_HOST says otherwise (rasa_sdk's own
  default is every interface);
- every request but ``GET /health`` must carry $ACTION_SERVER_TOKEN in the
  ``X-Action-Token`` header, which Rasa sends (scripts/endpoints.py writes it
  into Rasa's endpoints as ``${ACTION_SERVER_TOKEN}``); a forged call gets 403.
  Without the variable the server does not start;
- no CORS headers (``--cors`` is ignored): no browser ever calls it.
"""

from __future__ import annotations

import hmac
import logging
import os
import sys

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
from rasa_sdk.endpoint import create_app, create_argument_parser, create_ssl_context
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from clinic.local_secrets import ACTION_SERVER_TOKEN, ACTION_TOKEN_HEADER

DEFAULT_HOST = "127.0.0.1"
OPEN_PATHS = ("/health",)


def require_token(app: Sanic, token: str) -> None:
    expected = token.encode()

    async def only_with_token(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        given = request.headers.get(ACTION_TOKEN_HEADER, "").encode()
        if hmac.compare_digest(given, expected):
            return None
        return response.json({"error": f"missing or wrong {ACTION_TOKEN_HEADER}"}, status=403)

    app.register_middleware(only_with_token, "request")


def main() -> int:
    args = create_argument_parser().parse_args()
    token = os.environ.get(ACTION_SERVER_TOKEN, "").strip()
    if not token:
        print(f"error: set {ACTION_SERVER_TOKEN} (the secret Rasa sends the action server)", file=sys.stderr)
        return 2
    # As rasa_sdk's own entry point (rasa_sdk/__main__.py) sets up logging.
    logging.getLogger("matplotlib").setLevel(logging.WARN)
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME),
        args.log_file,
        args.loglevel,
        args.logging_config_file,
    )
    utils.update_sanic_log_level()

    app = create_app(args.actions, cors_origins=None, auto_reload=args.auto_reload)
    require_token(app, token)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    host = os.environ.get("SANIC_HOST", DEFAULT_HOST)
    logging.getLogger(__name__).info("Action server on http://%s:%s", host, args.port)
    ssl_context = create_ssl_context(args.ssl_certificate, args.ssl_keyfile, args.ssl_password)
    app.run(host, args.port, ssl=ssl_context, workers=utils.number_of_sanic_workers())
    return 0


if __name__ == "__main__":
    sys.exit(main())
