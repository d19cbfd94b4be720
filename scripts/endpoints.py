"""endpoints.yml as the servers started by scripts/services.py need it.

Rasa reads its action server's URL and its tracker store from endpoints.yml.
The servers run on ports chosen at start-up (free ones in the tests) and keep
their SQLite files in a var directory of their own, so each start writes a
copy with those two settings filled in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from clinic.local_secrets import ACTION_SERVER_TOKEN, ACTION_TOKEN_HEADER

PROJECT_ENDPOINTS = Path(__file__).resolve().parent.parent / "endpoints.yml"


def runtime_endpoints(var_dir: Path, action_port: int, stores: dict[str, Any] | None = None) -> Path:
    """Write ``var_dir/endpoints.runtime.yml``: the project's endpoints.yml with the
    action server on ``action_port`` and a SQLite tracker database under ``var_dir``,
    or with the sections in ``stores`` (the scaled profile's tracker and lock stores)."""
    endpoints = yaml.safe_load(PROJECT_ENDPOINTS.read_text())
    endpoints["action_endpoint"]["url"] = f"http://127.0.0.1:{action_port}/webhook"
    # Rasa sends the action server's shared secret (scripts/action_server.py requires it),
    # substituted from Rasa's environment, so it is never written to disk here.
    endpoints["action_endpoint"]["headers"] = {ACTION_TOKEN_HEADER: f"${{{ACTION_SERVER_TOKEN}}}"}
    stores = dict(stores or {})
    consent_store = endpoints.get("tracker_store") or {}
    if "inner" in consent_store and "tracker_store" in stores:
        # The consent store (tracker_store/) stays the outer one, around the store asked for.
        consent_store["inner"] = stores.pop("tracker_store")
    endpoints.update(stores)
    store = endpoints.get("tracker_store") or {}
    store = store.get("inner") or store
    if store.get("type") == "SQL" and store.get("dialect") == "sqlite":
        store["db"] = str(var_dir / Path(store["db"]).name)
    path = var_dir / "endpoints.runtime.yml"
    path.write_text(yaml.safe_dump(endpoints, sort_keys=False))
    return path
