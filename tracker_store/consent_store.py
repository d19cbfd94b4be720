"""A tracker store that keeps only what the patient agreed to (clinic/consent_redaction.py).

Configured in endpoints.yml as the outer store, with the real one nested::

    tracker_store:
      type: tracker_store.consent_store.ConsentTrackerStore
      inner:
        type: SQL
        ...

Everything is delegated to the inner store, except two turns: the one where the
patient says "no" to storing their answers (that form run's answers and the
messages that gave them are redacted, including the rows stored in earlier
turns), and the one where "delete my data" was confirmed (the conversation is
removed). The inner store must be SQL or in-memory: those are the stores whose
stored events this module can rewrite or remove.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Reversible
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import (
    InMemoryTrackerStore,
    SerializedTrackerAsText,
    SQLTrackerStore,
    TrackerStore,
    create_tracker_store,
)
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy import update

from clinic import consent_redaction, tracker_events


def _since_latest_user_message(events: Reversible[Event]) -> list[Event]:
    """The events of this turn, without serialising the whole conversation on every save."""
    turn: list[Event] = []
    for event in reversed(events):
        if isinstance(event, UserUttered):
            break
        turn.append(event)
    return turn[::-1]


class ConsentTrackerStore(TrackerStore, SerializedTrackerAsText):
    def __init__(
        self,
        domain: Domain | None = None,
        host: str | None = None,
        event_broker: EventBroker | None = None,
        inner: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        if not inner:
            raise ValueError("ConsentTrackerStore needs the real tracker store's settings under 'inner'")
        self._inner = create_tracker_store(EndpointConfig.from_dict(dict(inner)), domain, event_broker)
        if not isinstance(self._inner, (SQLTrackerStore, InMemoryTrackerStore)):
            raise ValueError(
                f"ConsentTrackerStore cannot redact events kept by {type(self._inner).__name__}: "
                "use a SQL or in-memory inner store"
            )
        super().__init__(domain, None, **kwargs)

    @property
    def domain(self) -> Domain:
        return self._inner.domain

    @domain.setter
    def domain(self, domain: Domain | None) -> None:
        self._inner.domain = domain  # type: ignore[assignment]

    async def keys(self) -> Iterable[str]:
        return await self._inner.keys()

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        return await self._inner.retrieve(sender_id)

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        return await self._inner.retrieve_full_tracker(conversation_id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        this_turn = [event.as_dict() for event in _since_latest_user_message(tracker.events)]
        if consent_redaction.erasure_requested_this_turn(this_turn):
            self._remove(tracker.sender_id)
            return
        if consent_redaction.consent_refused_this_turn(this_turn):
            events = [event.as_dict() for event in tracker.events]
            redacted = consent_redaction.redact_form_run(events)
            self._rewrite_stored(tracker.sender_id, events, redacted)
            tracker = DialogueStateTracker.from_events(
                tracker.sender_id,
                [Event.from_parameters(event) for event in redacted],
                slots=self.domain.slots,
                max_event_history=tracker._max_event_history,
            )
        await self._inner.save(tracker)

    def _remove(self, sender_id: str) -> None:
        if isinstance(self._inner, SQLTrackerStore):
            tracker_events.delete_conversation(self._inner.engine, sender_id)
        else:
            self._inner.store.pop(sender_id, None)

    def _rewrite_stored(self, sender_id: str, events: list[dict], redacted: list[dict]) -> None:
        """Rewrite the rows that earlier turns stored; the in-memory store is replaced whole on save."""
        if not isinstance(self._inner, SQLTrackerStore):
            return
        table = self._inner.SQLEvent.__table__
        with self._inner.engine.begin() as conn:
            for before, after in zip(events, redacted, strict=True):
                if before != after:
                    conn.execute(
                        update(table)
                        .where(
                            table.c.sender_id == sender_id,
                            table.c.type_name == before["event"],
                            table.c.timestamp == before.get("timestamp"),
                            table.c.action_name == before.get("name"),  # a slot event's slot
                        )
                        .values(data=json.dumps(after))
                    )
