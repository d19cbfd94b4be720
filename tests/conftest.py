"""Shared pytest fixtures. Each feature keeps its fixtures in its own section."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
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
        skip_or_fail(
            f"PostgreSQL not reachable at {POSTGRES_URL}: {detail[0] if detail else exc!r}"
        )
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
