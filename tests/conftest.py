"""Shared pytest fixtures. Each feature keeps its fixtures in its own section."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

# ---------------------------------------------------------------------------
# External services: skip locally, fail on CI
# ---------------------------------------------------------------------------


def skip_or_fail(reason: str) -> NoReturn:
    """Skip when a service is missing locally, but fail when CI=true, so a
    broken CI service can never turn into silently skipped tests."""
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"{reason} (CI=true: required service missing)", pytrace=False)
    pytest.skip(reason)


# ---------------------------------------------------------------------------
# PostgreSQL (tests/test_request_store.py)
# ---------------------------------------------------------------------------

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    """An engine for the test PostgreSQL server ($TEST_POSTGRES_URL)."""
    engine = create_engine(POSTGRES_URL, future=True, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            pass
    except SQLAlchemyError as exc:
        engine.dispose()
        detail = str(getattr(exc, "orig", exc)).strip().splitlines()
        skip_or_fail(f"PostgreSQL not reachable at {POSTGRES_URL}: {detail[0] if detail else exc!r}")
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_schema_url(postgres_engine: Engine) -> Iterator[str]:
    """URL whose search_path is a fresh, uniquely named schema, dropped afterwards."""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    with postgres_engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with postgres_engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same tests run on a SQLite file and on a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'clinic.db'}"
    url: str = request.getfixturevalue("postgres_schema_url")
    return url


# ---------------------------------------------------------------------------
# The trained assistant (built by `make test` before pytest runs)
# ---------------------------------------------------------------------------

REPO = Path(__file__).resolve().parent.parent
# $CLINIC_TEST_MODEL points the live tests at a model trained elsewhere.
TRAINED_MODEL = Path(os.environ.get("CLINIC_TEST_MODEL", REPO / "models" / "clinic-assistant.tar.gz"))


@pytest.fixture(scope="session")
def trained_model() -> Path:
    if not TRAINED_MODEL.exists():
        pytest.fail(f"{TRAINED_MODEL} is missing: run the suite with `make test`", pytrace=False)
    return TRAINED_MODEL


@pytest.fixture(scope="session")
def live_assistant(trained_model: Path, tmp_path_factory: pytest.TempPathFactory):
    """Every service of `make run` (actions, Rasa, web page, console) on free ports, shared by the live tests."""
    from clinic.migrate import upgrade
    from scripts.sms_stand_ins import TEST_SMS_ENV
    from scripts.supervisor import running_assistant

    var_dir = tmp_path_factory.mktemp("live-var")
    log_path = var_dir / "servers.log"
    db_url = f"sqlite:///{var_dir / 'requests.db'}"
    upgrade(db_url)  # as `make run` migrates before it starts the servers
    with log_path.open("w") as log:
        try:
            with running_assistant(
                trained_model, var_dir, log, extra_env={"CLINIC_DB_URL": db_url, **TEST_SMS_ENV}
            ) as assistant:
                assistant.var_dir = var_dir
                assistant.db_url = db_url
                assistant.twilio_env = TEST_SMS_ENV
                yield assistant
        except Exception:
            print(log_path.read_text()[-5000:])
            raise


# ---------------------------------------------------------------------------
# Headless Chromium (Debian's package, driven by Playwright; no browser download)
# ---------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = REPO / "reports" / "artifacts"


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module: Playwright's sync API keeps an event loop running in the
    main thread while it is open, which would break every later test that calls asyncio.run()."""
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"{CHROMIUM} not installed (`make browser` installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


# ---------------------------------------------------------------------------
# Front-desk console (tests/test_console_*.py; helpers in tests/console_harness.py)
# ---------------------------------------------------------------------------


@pytest.fixture
def console_tracker_db_url(tmp_path: Path) -> str:
    """Where ``console_app`` reads transcripts (tests/console_harness.py writes them)."""
    return f"sqlite:///{tmp_path / 'tracker.db'}"


@pytest.fixture
def console_app(tmp_path: Path, console_tracker_db_url: str):
    """The console app on temporary databases, with one staff login (alice)."""
    from clinic.migrate import upgrade
    from clinic.staff_accounts import StaffAccounts
    from console.app import create_app
    from console.settings import Settings
    from tests.console_harness import STAFF_PASSWORD, STAFF_USER

    db_url = f"sqlite:///{tmp_path / 'clinic.db'}"
    upgrade(db_url)
    StaffAccounts(db_url).add(STAFF_USER, STAFF_PASSWORD)
    settings = Settings(
        secret_key="test-only-secret",
        db_url=db_url,
        tracker_db_url=console_tracker_db_url,
        rasa_url="http://127.0.0.1:9",  # nothing listens there
        conversation_id_secret="test-only-id-secret",
    )
    app = create_app(settings)
    app.config["TESTING"] = True
    yield app
    app.extensions["console"].store.dispose()


@pytest.fixture
def staff_client(console_app):
    """A test client logged in as alice."""
    from tests.console_harness import log_in

    client = console_app.test_client()
    assert log_in(client).status_code == 302
    return client
