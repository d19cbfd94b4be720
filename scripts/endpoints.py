"""endpoints.yml as the servers started by scripts/services.py need it.

Rasa reads its action server's URL and its tracker store from endpoints.yml.
The servers run on ports chosen at start-up (free ones in the tests) and keep
their SQLite files in a var directory of their own, so each start writes a
copy with those two settings filled in.
"""

from __future__ import annotations

from pathlib import Path

import yaml

PROJECT_ENDPOINTS = Path(__file__).resolve().parent.parent / "endpoints.yml"


def runtime_endpoints(var_dir: Path, action_port: int) -> Path:
    """Write ``var_dir/endpoints.runtime.yml``: the project's endpoints.yml with the
    action server on ``action_port`` and a SQLite tracker database under ``var_dir``."""
    endpoints = yaml.safe_load(PROJECT_ENDPOINTS.read_text())
    endpoints["action_endpoint"]["url"] = f"http://127.0.0.1:{action_port}/webhook"
    store = endpoints.get("tracker_store") or {}
    if store.get("type") == "SQL" and store.get("dialect") == "sqlite":
        store["db"] = str(var_dir / Path(store["db"]).name)
    path = var_dir / "endpoints.runtime.yml"
    path.write_text(yaml.safe_dump(endpoints, sort_keys=False))
    return path
