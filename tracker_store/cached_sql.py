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

scripts/rasa_server.py makes Rasa's ``type: SQL`` use this class, so
endpoints.yml and every tool reading it keep Rasa's own settings.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

MAX_CONVERSATIONS = 500  # trackers kept; the least recently used one goes first


@dataclass(frozen=True)
class _Kept:
    tracker: DialogueStateTracker
    events: int  # len(tracker.events) when kept
    rows: tuple[int, int | None]  # the conversation's row count and highest row id then


class CachedSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, max_conversations: int = MAX_CONVERSATIONS, **kwargs: Any) -> None:
        self._kept: OrderedDict[str, _Kept] = OrderedDict()
        self._max_conversations = max_conversations
        super().__init__(*args, **kwargs)

    @property
    def domain(self) -> Domain:
        return self._domain

    @domain.setter
    def domain(self, domain: Domain | None) -> None:
        """A new model's domain may have other slots: trackers made with the old one are dropped."""
        self._domain = domain or Domain.empty()
        self._kept.clear()

    def _rows(self, sender_id: str) -> tuple[int, int | None]:
        with self.session_scope() as session:
            count, last_id = (
                session.query(sa.func.count(self.SQLEvent.id), sa.func.max(self.SQLEvent.id))
                .filter(self.SQLEvent.sender_id == sender_id)
                .one()
            )
        return int(count), last_id

    def _keep(self, sender_id: str, tracker: DialogueStateTracker, rows: tuple[int, int | None]) -> None:
        self._kept[sender_id] = _Kept(tracker, len(tracker.events), rows)
        self._kept.move_to_end(sender_id)
        while len(self._kept) > self._max_conversations:
            self._kept.popitem(last=False)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        rows = self._rows(sender_id)
        kept = self._kept.get(sender_id)
        if kept and kept.rows == rows and len(kept.tracker.events) == kept.events:
            self._kept.move_to_end(sender_id)
            return kept.tracker
        self._kept.pop(sender_id, None)
        tracker = await super().retrieve(sender_id)
        if tracker is not None:
            self._keep(sender_id, tracker, rows)
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        self._keep(tracker.sender_id, tracker, self._rows(tracker.sender_id))
