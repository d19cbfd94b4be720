"""Removing conversations from Rasa's SQL tracker store (its ``events`` table).

Rasa keeps one row per event with the conversation's ``sender_id`` and the
event's ``timestamp`` (seconds since the epoch). Deleting a conversation's rows
is all it takes to forget it: the next message starts a new one.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, delete, func, inspect, select
from sqlalchemy.engine import Connection, Engine

events_table = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("timestamp", Float),
)


def _has_events_table(conn: Connection) -> bool:
    return bool(inspect(conn).has_table("events"))


def delete_conversation(engine: Engine, sender_id: str) -> int:
    """Delete every event of ``sender_id``; the number of rows removed."""
    with engine.begin() as conn:
        if not _has_events_table(conn):
            return 0
        return int(conn.execute(delete(events_table).where(events_table.c.sender_id == sender_id)).rowcount)


def delete_idle_conversations(engine: Engine, idle_since: datetime, keep: Collection[str] = ()) -> int:
    """Delete the conversations whose latest event is older than ``idle_since``, except those in
    ``keep``; the number of conversations removed."""
    with engine.begin() as conn:
        if not _has_events_table(conn):
            return 0
        idle = [
            sender_id
            for (sender_id,) in conn.execute(
                select(events_table.c.sender_id)
                .group_by(events_table.c.sender_id)
                .having(func.max(events_table.c.timestamp) < idle_since.timestamp())
            )
            if sender_id not in keep
        ]
        for start in range(0, len(idle), 500):
            conn.execute(delete(events_table).where(events_table.c.sender_id.in_(idle[start : start + 500])))
        return len(idle)
