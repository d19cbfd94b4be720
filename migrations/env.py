"""Alembic's entry for the clinic database (see clinic/migrate.py).

``clinic.migrate`` passes in a connection that already holds the migration
lock inside one transaction; the ``alembic`` command line gets the same from
``migration_transaction``, for $CLINIC_DB_URL or var/clinic_requests.db.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from clinic.migrate import migration_transaction
from clinic.schema import metadata


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        transactional_ddl=True,  # true of both: migration_transaction makes it so for SQLite
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported: run `python -m clinic.migrate`")
given = context.config.attributes.get("connection")
if given is None:
    with migration_transaction() as connection:
        run_migrations(connection)
else:
    run_migrations(given)
