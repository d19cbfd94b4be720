"""Rasa's SQL tracker store, keeping each conversation's tracker in memory between its messages.

Rasa's ``SQLTrackerStore`` rebuilds the tracker for every message: it fetches
every row of the conversation's session, decodes each row's JSON, makes an
event object of it and replays them all. That grows with the conversation:
at turn 100 it was about half of the Rasa server's CPU per message
(reports/bench_profile.md). This store hands back the tracker it last saved or
read instead, while the database still holds exactly what it held then: every
``retrieve`` reads the conversation's row count and highest row id (one
indexed query) and reads the rows again only when they differ (another Rasa
server answered in between, or erasure or retention removed the rows) or when
the kept tracker has events that were never saved (a turn that failed half-way).
Rasa handles one conversation's turns one at a time under its lock store, so no
two turns share a tracker object.

Saving a kept tracker inserts the events after the ones already stored, which
the store knows, instead of Rasa's way of counting the stored rows of the
latest session: that count is wrong for a tracker that has lived through a
session start, whose events go back to the earlier session, and it re-inserted
that session's events on every later turn. The rows are the ones Rasa writes.

scripts/rasa_server.py makes Rasa's ``type: SQL`` use this class, so
endpoints.yml and every tool reading it keep Rasa's own settings.
"""

from __future__ import annotations

import itertools
import json
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

MAX_CONVERSATIONS = 500  # trackers kept; the least recently used one goes first


@dataclass(frozen=True)
class _Kept:
    tracker: DialogueStateTracker | None  # None: the conversation has no rows yet
    events: int  # len(tracker.events) when kept: the events the database holds
    rows: tuple[int, int | None]  # the conversation's row count and highest row id then


def _row(sender_id: str, event: Event) -> dict[str, Any]:
    """The row Rasa's ``SQLTrackerStore.save`` stores for ``event``."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


class CachedSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, max_conversations: int = MAX_CONVERSATIONS, **kwargs: Any) -> None:
        self._kept: OrderedDict[str, _Kept] = OrderedDict()
        self._max_conversations = max_conversations
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            self._reuse_sqlite_connections()
        table = self.SQLEvent.__table__
        self._rows_query = sa.select(sa.func.count(table.c.id), sa.func.max(table.c.id)).where(
            table.c.sender_id == sa.bindparam("sender_id")
        )
        self._insert = table.insert()

    def _reuse_sqlite_connections(self) -> None:
        """SQLAlchemy 1.4 opens a new SQLite connection for every session of a file database
        (its ``NullPool``); a pool of them, as SQLAlchemy 2 does, saves that on every message.

        The file is put in write-ahead-log mode, kept with the database: each turn's commit
        appends to the log instead of copying pages to a rollback journal (0.39 to 0.12 ms of
        CPU per commit, measured), still synced to disk on every commit, and the console
        reading a transcript no longer blocks the server's writes."""
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(
            url, poolclass=sa.pool.QueuePool, connect_args={"check_same_thread": False}
        )
        with self.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)

    @property
    def domain(self) -> Domain:
        return self._domain

    @domain.setter
    def domain(self, domain: Domain | None) -> None:
        """A new model's domain may have other slots: trackers made with the old one are dropped."""
        self._domain = domain or Domain.empty()
        self._kept.clear()

    def _rows(self, sender_id: str) -> tuple[int, int | None]:
        with self.engine.connect() as conn:
            count, last_id = conn.execute(self._rows_query, {"sender_id": sender_id}).one()
        return int(count), last_id

    def _keep(
        self, sender_id: str, tracker: DialogueStateTracker | None, rows: tuple[int, int | None]
    ) -> None:
        self._kept[sender_id] = _Kept(tracker, len(tracker.events) if tracker else 0, rows)
        self._kept.move_to_end(sender_id)
        while len(self._kept) > self._max_conversations:
            self._kept.popitem(last=False)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        rows = self._rows(sender_id)
        kept = self._kept.get(sender_id)
        if kept and kept.tracker and kept.rows == rows and len(kept.tracker.events) == kept.events:
            self._kept.move_to_end(sender_id)
            return kept.tracker
        self._kept.pop(sender_id, None)
        tracker = None if rows[0] == 0 else await super().retrieve(sender_id)
        if tracker is not None or rows[0] == 0:
            self._keep(sender_id, tracker, rows)
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Stores the events after the kept ones; a tracker this store did not hand out, Rasa's way.

        A tracker with as many events as the kept one or more continues it: the
        kept one itself, or the consent store's redacted copy of it, whose
        stored rows it has already rewritten. A conversation found to have no
        rows keeps no tracker but is known to have nothing stored."""
        kept = self._kept.get(tracker.sender_id)
        if kept is None or len(tracker.events) < kept.events:
            await super().save(tracker)
            self._keep(tracker.sender_id, tracker, self._rows(tracker.sender_id))
            return
        new = list(itertools.islice(tracker.events, kept.events, None))
        if self.event_broker:
            await self._stream_new_events(self.event_broker, new, tracker.sender_id)
        ids = self._store(tracker.sender_id, new)
        count, last_id = kept.rows
        self._keep(tracker.sender_id, tracker, (count + len(ids), ids[-1] if ids else last_id))

    def _store(self, sender_id: str, events: Sequence[Event]) -> list[int]:
        """Inserts one row per event, in order, in one transaction; their ids."""
        with self.engine.begin() as conn:
            return [
                conn.execute(self._insert, _row(sender_id, event)).inserted_primary_key[0] for event in events
            ]
