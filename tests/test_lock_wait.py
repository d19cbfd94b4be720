"""A message waiting for its conversation's lock is served once the holder's ticket
lapses, even if the wait outlasts its own ticket's lifetime (scripts/lock_wait.py).

Found by tests/test_scale_out.py: after a Rasa server was killed mid-turn, a message
retried on the other server sometimes got an empty reply 62 s later."""

from __future__ import annotations

import asyncio

from rasa.core import lock_store
from rasa.core.lock_store import InMemoryLockStore

from scripts import lock_wait

LIFETIME = 1.2  # seconds; the dead holder's ticket and the waiter's have it
POLL = 0.5  # the waiter looks every POLL seconds: it misses the 50 ms when only its ticket is alive


async def _wait_behind_a_dead_holder(store: InMemoryLockStore) -> None:
    store.issue_ticket("conversation", LIFETIME)  # a server that died holding the lock
    await asyncio.sleep(0.05)
    async with store.lock("conversation", LIFETIME, wait_time_in_seconds=POLL):
        pass


def test_a_waiting_message_is_served_after_the_dead_holders_ticket_lapses(monkeypatch):
    monkeypatch.setattr(lock_store, "LOCK_LIFETIME", LIFETIME)
    monkeypatch.setattr(lock_store.LockStore, "_acquire_lock", lock_store.LockStore._acquire_lock)
    lock_wait.install()
    # Without the fix the waiter polls forever (here: asyncio.TimeoutError after 10 s).
    asyncio.run(asyncio.wait_for(_wait_behind_a_dead_holder(InMemoryLockStore()), timeout=10))
