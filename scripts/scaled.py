"""The scaled profile (`make run-scaled`, `make run SCALE=N`): N Rasa servers behind nginx.

The Rasa servers keep conversations in one PostgreSQL tracker database and lock
them in Redis, so any server can take any turn (docs/scaling.md); one action
server, one request database, the web page and the console serve them all.

Before anything starts, :func:`prepare` creates the tracker and request
databases if they are missing, migrates the request database, and makes sure
the tracker database takes a write and Redis answers. Rasa itself starts on a
tracker store it cannot use and keeps conversations in memory instead, so each
server would forget the turns the others took.
"""

from __future__ import annotations

import getpass
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import redis
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from clinic.migrate import upgrade
from scripts.endpoints import runtime_endpoints
from scripts.services import HOST, REPO, Service, rasa_service, services, site_origin

DEFAULT_TRACKER_DB_URL = "postgresql://postgres@127.0.0.1:5432/clinic_tracker"
DEFAULT_REQUEST_DB_URL = "postgresql://postgres@127.0.0.1:5432/clinic"
DEFAULT_LOCK_STORE_URL = "redis://127.0.0.1:6379/1"
# Rasa's ticket lock lifetime ($TICKET_LOCK_LIFETIME; Rasa's default is 60 s) is how
# long a conversation waits when the server holding its lock dies. It must stay
# longer than a turn takes under load, or two turns of one conversation could run
# at once.
DEFAULT_LOCK_LIFETIME_S = 5
# The load balancer listens where the single Rasa server would; the servers behind it here.
FIRST_BACKEND_PORT = 5011
NGINX = "/usr/sbin/nginx"
NGINX_TEMPLATE = REPO / "scripts" / "nginx.conf.template"
# Rasa reads the stores' passwords from the environment (endpoints.yml's ${...}).
_PASSWORD_ENV = {"tracker_store": "CLINIC_TRACKER_DB_PASSWORD", "lock_store": "CLINIC_LOCK_STORE_PASSWORD"}


class ScaleOutError(RuntimeError):
    """Something the scaled profile needs (a database, Redis, nginx) cannot be used."""


@dataclass(frozen=True)
class ScaleOut:
    """How many Rasa servers, and the stores they share."""

    servers: int = 2
    tracker_db_url: str = DEFAULT_TRACKER_DB_URL
    request_db_url: str = DEFAULT_REQUEST_DB_URL
    lock_store_url: str = DEFAULT_LOCK_STORE_URL
    lock_key_prefix: str = ""  # letters and digits; keeps several deployments apart in one Redis db
    lock_lifetime_s: int = DEFAULT_LOCK_LIFETIME_S

    @classmethod
    def from_environment(cls, servers: int, environ: Mapping[str, str] = os.environ) -> ScaleOut:
        """$TRACKER_DB_URL, $CLINIC_DB_URL, $LOCK_STORE_URL and $TICKET_LOCK_LIFETIME, else the defaults."""
        return cls(
            servers=servers,
            tracker_db_url=environ.get("TRACKER_DB_URL") or DEFAULT_TRACKER_DB_URL,
            request_db_url=environ.get("CLINIC_DB_URL") or DEFAULT_REQUEST_DB_URL,
            lock_store_url=environ.get("LOCK_STORE_URL") or DEFAULT_LOCK_STORE_URL,
            lock_lifetime_s=int(environ.get("TICKET_LOCK_LIFETIME") or DEFAULT_LOCK_LIFETIME_S),
        )

    @staticmethod
    def shown(url: str) -> str:
        """A database or Redis URL without its password, for messages."""
        return re.sub(r"(//[^:/@]*:)[^@/]*@", r"\1***@", url)

    @property
    def backends(self) -> list[str]:
        """The Rasa servers' service names."""
        return [f"rasa-{number}" for number in range(1, self.servers + 1)]

    def default_ports(self) -> dict[str, int]:
        return {name: FIRST_BACKEND_PORT + i for i, name in enumerate(self.backends)}

    def endpoints(self) -> dict[str, Any]:
        """endpoints.yml's tracker_store and lock_store for these stores."""
        tracker = _postgres_url(self.tracker_db_url)
        tracker_store: dict[str, Any] = {
            "type": "SQL",
            "dialect": "postgresql",
            "url": tracker.host or "",
            "port": tracker.port or 5432,
            "username": tracker.username or "",
            "db": tracker.database,
        }
        if tracker.query:
            tracker_store["query"] = dict(tracker.query)
        lock = redis.connection.parse_url(self.lock_store_url)
        lock_store: dict[str, Any] = {
            "type": "redis",
            "url": lock.get("host", "localhost"),
            "port": lock.get("port", 6379),
            "db": lock.get("db", 0),
        }
        if self.lock_key_prefix:
            lock_store["key_prefix"] = self.lock_key_prefix
        for name, store, password in (
            ("tracker_store", tracker_store, tracker.password),
            ("lock_store", lock_store, lock.get("password")),
        ):
            if password:
                store["password"] = "${" + _PASSWORD_ENV[name] + "}"
        return {"tracker_store": tracker_store, "lock_store": lock_store}

    def environment(self) -> dict[str, str]:
        """What every server's environment needs: the request and tracker databases
        (action server, SMS channel, console), the lock lifetime, the stores' passwords."""
        env = {
            "CLINIC_DB_URL": self.request_db_url,
            "TRACKER_DB_URL": self.tracker_db_url,
            "TICKET_LOCK_LIFETIME": str(self.lock_lifetime_s),
        }
        tracker_password = _postgres_url(self.tracker_db_url).password
        lock_password = redis.connection.parse_url(self.lock_store_url).get("password")
        if tracker_password:
            env[_PASSWORD_ENV["tracker_store"]] = str(tracker_password)
        if lock_password:
            env[_PASSWORD_ENV["lock_store"]] = str(lock_password)
        return env


def prepare(scale: ScaleOut) -> None:
    """Check that nginx is installed, create the databases if missing, migrate the request
    database, and check that the tracker database takes a write and Redis answers; raise
    ScaleOutError if one of these fails."""
    if scale.servers < 2:
        raise ScaleOutError("the scaled profile runs at least 2 Rasa servers")
    if not Path(NGINX).exists():
        raise ScaleOutError(f"{NGINX} is missing: `make nginx` installs Debian's nginx")
    if scale.lock_key_prefix and not scale.lock_key_prefix.isalnum():
        raise ScaleOutError("the lock key prefix must be letters and digits (Rasa ignores any other)")
    tracker = _postgres_url(scale.tracker_db_url)
    _create_database(tracker, "tracker")
    _check_tracker_writable(tracker)
    request_url = _url(scale.request_db_url, "request")
    if request_url.get_backend_name() == "postgresql":
        _create_database(request_url, "request")
    try:
        upgrade(scale.request_db_url)
    except (SQLAlchemyError, RuntimeError) as exc:
        raise ScaleOutError(f"cannot migrate the request database {_shown(request_url)}: {exc}") from exc
    _check_lock_store(scale)


def scaled_services(model: Path, ports: dict[str, int], var_dir: Path, scale: ScaleOut) -> list[Service]:
    """The servers of `make run`, with the one Rasa server replaced by ``scale.servers``
    Rasa servers (started side by side) and nginx in front of them at the Rasa port."""
    stores = scale.endpoints()
    endpoints = runtime_endpoints(var_dir, ports["actions"], stores)
    plan: list[Service] = []
    for service in services(model, ports, var_dir, stores):
        if service.name != "rasa":
            plan.append(service)
            continue
        origin = site_origin(ports["web"])
        backends = [rasa_service(name, model, ports[name], endpoints, origin) for name in scale.backends]
        plan += [replace(backend, ready_before_next=False) for backend in backends[:-1]] + backends[-1:]
        nginx_conf = write_nginx_conf(var_dir, ports["rasa"], [ports[name] for name in scale.backends])
        argv = [NGINX, "-p", str(var_dir), "-e", str(var_dir / "nginx-error.log"), "-c", str(nginx_conf)]
        plan.append(Service("rasa", [*argv, "-g", "daemon off;"], service.ready_path))
    return plan


def write_nginx_conf(var_dir: Path, port: int, backend_ports: list[int]) -> Path:
    """Fill in scripts/nginx.conf.template and write it to ``var_dir/nginx.conf``."""
    (var_dir / "nginx-temp").mkdir(parents=True, exist_ok=True)
    # As root, nginx's workers would run as nobody, who cannot write the var directory.
    user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
    values = {
        "user": user,
        "var_dir": str(var_dir.resolve()),
        "host": HOST,
        "port": str(port),
        # Fails over at the first refused connection and tries the server again 5 s later.
        "servers": "\n".join(
            f"        server {HOST}:{p} max_fails=1 fail_timeout=5s;" for p in backend_ports
        ),
    }
    conf = re.sub(r"\{\{(\w+)\}\}", lambda match: values[match.group(1)], NGINX_TEMPLATE.read_text())
    path = var_dir / "nginx.conf"
    path.write_text(conf)
    return path


def _url(text_url: str, what: str) -> URL:
    try:
        return make_url(text_url)
    except ArgumentError as exc:
        raise ScaleOutError(f"the {what} database URL is not a database URL: {exc}") from exc


def _postgres_url(text_url: str) -> URL:
    url = _url(text_url, "tracker")
    if url.get_backend_name() != "postgresql" or not url.database:
        raise ScaleOutError(
            f"the scaled profile keeps conversations in PostgreSQL: TRACKER_DB_URL {_shown(url)} "
            "must be a postgresql:// URL with a database name"
        )
    return url


def _shown(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _create_database(url: URL, what: str) -> None:
    """Create the PostgreSQL database of ``url`` if it does not exist, through the
    server's maintenance database ``postgres``."""
    engine = create_engine(url, connect_args={"connect_timeout": 5})
    try:
        with engine.connect():
            return
    except SQLAlchemyError as exc:
        if "does not exist" not in str(exc):
            raise ScaleOutError(f"cannot reach the {what} database {_shown(url)}: {_reason(exc)}") from exc
    finally:
        engine.dispose()
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            name = url.database.replace('"', '""') if url.database else ""
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except SQLAlchemyError as exc:
        if "already exists" not in str(exc):  # another start created it meanwhile
            raise ScaleOutError(f"cannot create the {what} database {_shown(url)}: {_reason(exc)}") from exc
    finally:
        admin.dispose()


def _check_tracker_writable(url: URL) -> None:
    """Rasa's events table must take rows (or, on a first start, Rasa must be able to
    create it). Checked inside a transaction that is rolled back."""
    engine = create_engine(url, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn, conn.begin() as transaction:
            if inspect(conn).has_table("events"):
                query = "SELECT has_table_privilege('events', 'INSERT') AND has_table_privilege('events', 'SELECT')"
                if not conn.execute(text(query)).scalar():
                    raise ScaleOutError(
                        f"cannot write to the tracker database {_shown(url)}: "
                        "no INSERT or SELECT privilege on its events table"
                    )
            else:
                conn.execute(text("CREATE TABLE clinic_write_check (id integer)"))
                conn.execute(text("INSERT INTO clinic_write_check VALUES (1)"))
            transaction.rollback()
    except SQLAlchemyError as exc:
        raise ScaleOutError(f"cannot write to the tracker database {_shown(url)}: {_reason(exc)}") from exc
    finally:
        engine.dispose()


def _check_lock_store(scale: ScaleOut) -> None:
    client = redis.Redis.from_url(scale.lock_store_url, socket_timeout=5, socket_connect_timeout=5)
    try:
        client.set(f"{scale.lock_key_prefix}:clinic_write_check", "1", ex=10)
    except redis.RedisError as exc:
        raise ScaleOutError(
            f"cannot write to the Redis lock store {ScaleOut.shown(scale.lock_store_url)}: {exc}"
        ) from exc
    finally:
        client.close()


def _reason(exc: SQLAlchemyError) -> str:
    lines = str(getattr(exc, "orig", exc)).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
