"""The clinic database is made and changed only by the Alembic migrations."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from clinic import migrate
from clinic.request_store import RequestStore
from clinic.schema import metadata
from clinic.sms_state import SmsState
from clinic.staff_accounts import StaffAccounts

REPO = Path(__file__).resolve().parent.parent
TABLES = {
    "requests",
    "status_history",
    "sms_opt_outs",
    "sms_offered_options",
    "sms_processed_messages",
    "staff_users",
    "erasure_log",
}
# The last revision whose tables are still exactly the ones the code before Alembic made.
LEGACY_EQUIVALENT = "0003"
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)

# What the code before Alembic created on first use (each store its own tables,
# with metadata.create_all), frozen here to build such databases.
legacy = MetaData()
Table("schema_info", legacy, Column("schema_version", Integer, nullable=False))
legacy_requests = Table(
    "requests",
    legacy,
    Column("id", Integer, primary_key=True),
    Column("reference", String(16), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("channel", String(64), nullable=False),
    Column("sender_id", String(255), nullable=False),
    Column("clinic_id", String(64)),
    Column("urgency", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("status_changed_by", String(255)),
    Column("status_changed_at", DateTime(timezone=True)),
    Column("answers", Text, nullable=False),
    Column("contact_name", String(255)),
    Column("contact_phone", String(64)),
    Column("contact_email", String(320)),
    CheckConstraint("kind IN ('intake', 'booking', 'callback', 'urgent')", name="ck_requests_kind"),
    CheckConstraint("urgency IN ('normal', 'urgent')", name="ck_requests_urgency"),
    CheckConstraint("status IN ('new', 'contacted', 'booked', 'closed')", name="ck_requests_status"),
    Index("ix_requests_clinic_status", "clinic_id", "status"),
)
legacy_history = Table(
    "status_history",
    legacy,
    Column("id", Integer, primary_key=True),
    Column("request_id", Integer, ForeignKey("requests.id"), nullable=False, index=True),
    Column("old", String(16), nullable=False),
    Column("new", String(16), nullable=False),
    Column("changed_by", String(255), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)
legacy_opt_outs = Table(
    "sms_opt_outs",
    legacy,
    Column("phone_number", String(32), primary_key=True),
    Column("opted_out", Boolean, nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)
Table(
    "sms_offered_options",
    legacy,
    Column("phone_number", String(32), primary_key=True),
    Column("options", Text, nullable=False),
    Column("offered_at", DateTime(timezone=True), nullable=False),
)
legacy_staff = Table(
    "staff_users",
    legacy,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_engine(database_url, future=True)
    yield engine
    engine.dispose()


def differences(engine: Engine, target: MetaData) -> list:
    with engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn), target))


def revision(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(migrate.current_revisions(conn))


def heads() -> set[str]:
    return set(migrate._revisions()[0])


def legacy_metadata_without(*names: str) -> MetaData:
    kept = MetaData()
    for table in legacy.sorted_tables:
        if table.name not in names:
            table.to_metadata(kept)
    return kept


def test_an_empty_database_is_migrated_to_exactly_the_schema(database_url: str, engine: Engine) -> None:
    # Up to 0003: the same tables the code before Alembic created, constraint for constraint.
    migrate.upgrade(database_url, LEGACY_EQUIVALENT)
    assert differences(engine, legacy_metadata_without("schema_info")) == []
    migrate.upgrade(database_url)
    assert revision(engine) == heads()
    assert set(inspect(engine).get_table_names()) == TABLES | {"alembic_version"}
    assert differences(engine, metadata) == []


def test_idempotency_keys_are_unique_and_rows_without_one_are_kept(database_url: str, engine: Engine) -> None:
    migrate.upgrade(database_url, LEGACY_EQUIVALENT)
    row = {
        "created_at": NOW,
        "updated_at": NOW,
        "kind": "booking",
        "channel": "rest",
        "sender_id": "visitor",
        "urgency": "normal",
        "status": "new",
        "answers": "{}",
    }
    with engine.begin() as conn:
        conn.execute(insert(legacy_requests).values(reference="PT-OLD234", **row))
    migrate.upgrade(database_url)
    keyed = Table("requests", MetaData(), autoload_with=engine)
    with engine.begin() as conn:
        conn.execute(insert(keyed).values(reference="PT-NEW234", idempotency_key="visitor:run-1", **row))
        conn.execute(insert(keyed).values(reference="PT-NUL234", **row))  # no key: never collides
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert(keyed).values(reference="PT-TWO234", idempotency_key="visitor:run-1", **row))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM requests")).scalar() == 3
    migrate.downgrade(database_url, LEGACY_EQUIVALENT)
    assert "sms_processed_messages" not in inspect(engine).get_table_names()
    assert differences(engine, legacy_metadata_without("schema_info")) == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM requests")).scalar() == 3


def test_a_database_made_by_the_old_code_keeps_every_row(database_url: str, engine: Engine) -> None:
    answers = {
        "body_area": "back",
        "pain_level": 6,
        "contact_name": "Ana Lopez",
        "contact_phone": "+13015550142",
        "contact_email": "none",
    }
    with engine.begin() as conn:
        legacy.create_all(conn)
        conn.execute(text("INSERT INTO schema_info (schema_version) VALUES (1)"))
        request_id = conn.execute(
            insert(legacy_requests).values(
                reference="PT-ABC234",
                created_at=NOW,
                updated_at=NOW,
                kind="booking",
                channel="twilio",
                sender_id="+13015550142",
                clinic_id="greenbelt",
                urgency="normal",
                status="contacted",
                status_changed_by="alice",
                status_changed_at=NOW,
                answers=json.dumps(answers, sort_keys=True),
                contact_name="Ana Lopez",
                contact_phone="+13015550142",
            )
        ).inserted_primary_key[0]
        conn.execute(
            insert(legacy_history).values(
                request_id=request_id, old="new", new="contacted", changed_by="alice", changed_at=NOW
            )
        )
        conn.execute(
            insert(legacy_opt_outs).values(phone_number="+13015550177", opted_out=True, changed_at=NOW)
        )
    StaffAccounts(database_url).add("alice", "a long enough password")  # on the old table, before migrating

    assert migrate.main([database_url]) == 0

    assert revision(engine) == heads()
    assert "schema_info" not in inspect(engine).get_table_names()
    assert differences(engine, metadata) == []
    store = RequestStore(database_url)
    try:
        stored = store.get("PT-ABC234")
        history = store.status_history("PT-ABC234")
    finally:
        store.dispose()
    assert stored is not None and (stored.status, stored.status_changed_by) == ("contacted", "alice")
    assert (stored.contact_name, stored.contact_phone, stored.contact_email) == (
        "Ana Lopez",
        "+13015550142",
        None,
    )
    # One place for contact details: the columns. The rest of the answers stay.
    assert stored.answers == {"body_area": "back", "pain_level": 6}
    assert [(h.old, h.new, h.changed_by) for h in history] == [("new", "contacted", "alice")]
    assert SmsState(database_url).is_opted_out("+13015550177")
    assert StaffAccounts(database_url).verify("alice", "a long enough password") == "alice"


def test_contact_details_only_in_the_answers_move_to_the_columns(database_url: str, engine: Engine) -> None:
    migrate.upgrade(database_url, "0001")
    with engine.begin() as conn:
        conn.execute(
            insert(legacy_requests).values(
                reference="PT-XYZ789",
                created_at=NOW,
                updated_at=NOW,
                kind="booking",
                channel="rest",
                sender_id="visitor",
                urgency="normal",
                status="new",
                answers=json.dumps({"contact_email": "ana@example.org", "notes": "mornings"}),
                contact_name="Ana Lopez",
            )
        )
        conn.execute(
            insert(legacy_requests).values(
                reference="PT-BAD234",
                created_at=NOW,
                updated_at=NOW,
                kind="intake",
                channel="rest",
                sender_id="visitor",
                urgency="normal",
                status="new",
                answers='{"contact_name": broken json',
            )
        )
        conn.execute(
            insert(legacy_requests).values(
                reference="PT-LNG234",
                created_at=NOW,
                updated_at=NOW,
                kind="intake",
                channel="rest",
                sender_id="visitor",
                urgency="normal",
                status="new",
                answers=json.dumps({"contact_name": "A" * 300, "contact_phone": "+13015550142"}),
            )
        )
    migrate.upgrade(database_url)
    with engine.connect() as conn:
        rows = {row.reference: row for row in conn.execute(select(legacy_requests))}
    moved = rows["PT-XYZ789"]
    assert (moved.contact_name, moved.contact_email) == ("Ana Lopez", "ana@example.org")
    assert json.loads(moved.answers) == {"notes": "mornings"}
    assert rows["PT-BAD234"].answers == '{"contact_name": broken json'  # left as it was, not lost
    too_long = rows["PT-LNG234"]
    assert (too_long.contact_name, too_long.contact_phone) == (None, "+13015550142")
    assert json.loads(too_long.answers) == {"contact_name": "A" * 300}  # does not fit the column


def test_only_some_old_tables_are_adopted_and_the_rest_created(database_url: str, engine: Engine) -> None:
    with engine.begin() as conn:
        legacy_staff.create(conn)  # what `make staff-user` alone made
    StaffAccounts(database_url).add("bob", "a long enough password")
    migrate.upgrade(database_url)
    assert differences(engine, metadata) == []
    assert StaffAccounts(database_url).verify("bob", "a long enough password") == "bob"


def test_downgrade_and_upgrade_again(database_url: str, engine: Engine) -> None:
    migrate.upgrade(database_url)
    migrate.downgrade(database_url, "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    assert revision(engine) == set()
    migrate.upgrade(database_url)
    assert revision(engine) == heads()
    assert differences(engine, metadata) == []


def test_every_store_migrates_a_fresh_database_on_first_use(database_url: str, engine: Engine) -> None:
    SmsState(database_url).set_opted_out("+13015550123", True)
    assert revision(engine) == heads()
    assert differences(engine, metadata) == []


def test_an_in_memory_database_is_migrated_on_the_store_engine() -> None:
    store = RequestStore("sqlite://")
    try:
        reference = store.save_request(kind="callback", channel="rest", sender_id="visitor")
        assert store.get(reference.reference) is not None
    finally:
        store.dispose()


def test_servers_starting_together_on_a_fresh_database(database_url: str, engine: Engine) -> None:
    """Several processes' stores may be first at once: they take turns, none fails."""
    start = threading.Barrier(4)
    failures: list[BaseException] = []

    def first_use() -> None:
        store = RequestStore(database_url)
        start.wait()
        try:
            store.save_request(
                kind="callback", channel="rest", sender_id="visitor", contact_phone="+13015550142"
            )
        except BaseException as exc:
            failures.append(exc)
        finally:
            store.dispose()

    threads = [threading.Thread(target=first_use) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert revision(engine) == heads()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM requests")).scalar() == 4


def test_a_database_migrated_by_newer_code_is_left_alone(database_url: str, engine: Engine) -> None:
    migrate.upgrade(database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    result = subprocess.run(
        [sys.executable, "-m", "clinic.migrate", database_url],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "schema revision 0099" in result.stderr and "upgrade the code" in result.stderr
    assert revision(engine) == {"0099"}


def test_migrate_command_reads_the_url_like_the_stores(tmp_path: Path) -> None:
    db = tmp_path / "from-env.db"
    env = {**os.environ, "CLINIC_DB_URL": f"sqlite:///{db}"}
    result = subprocess.run(
        [sys.executable, "-m", "clinic.migrate"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert f"{db}: schema at revision {max(heads())}" in result.stdout
    engine = create_engine(f"sqlite:///{db}", future=True)
    try:
        assert differences(engine, metadata) == []
    finally:
        engine.dispose()


def test_migrate_command_explains_an_unreachable_database(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "clinic.migrate", f"sqlite:///{blocker / 'clinic.db'}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "could not migrate" in result.stderr and "unable to open database file" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("url", ["not a url", "nosuchdialect://somewhere/db"])
def test_migrate_command_explains_a_bad_url(url: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "clinic.migrate", url], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "as a database URL" in result.stderr and "Traceback" not in result.stderr


def test_a_failed_migration_leaves_no_half_made_tables(tmp_path: Path) -> None:
    """SQLite runs the migration's DDL in one transaction too (pysqlite would commit each CREATE)."""
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    with pytest.raises(RuntimeError), migrate.migration_transaction(url) as conn:
        conn.execute(text("CREATE TABLE half_made (id INTEGER)"))
        raise RuntimeError("the next step failed")
    engine = create_engine(url, future=True)
    try:
        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()
