"""A message waiting for its conversation's lock keeps its place in the queue.

Rasa 3.6's lock store hands each message of a conversation a numbered ticket that
expires ``TICKET_LOCK_LIFETIME`` seconds after it was issued, and serves the lowest
ticket still alive. A message that is still *waiting* when its own ticket expires is
never served: its number is gone from the queue, so it polls until Sanic's 60 s
response timeout and the person gets an empty reply. The scaled profile sets a short
lifetime (scripts/scaled.py), so that a Rasa server killed mid-turn blocks its
conversations for seconds; there a message retried on the other server after the kill
expired this way in about one test run out of five (tests/test_scale_out.py, a 62 s
empty reply). Here a waiting message renews its own ticket on every poll; a dead
server's tickets are not renewed, so they still expire after the lifetime.
"""

from __future__ import annotations

import asyncio
import bisect
import time

from rasa.core import lock_store
from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LockStore


def _renew(store: LockStore, lock: TicketLock, number: int) -> None:
    expires = time.time() + lock_store.LOCK_LIFETIME
    own = next((ticket for ticket in lock.tickets if ticket.number == number), None)
    if own is not None:
        own.expires = expires
    else:  # expired before this poll: back in its place, by number
        numbers = [ticket.number for ticket in lock.tickets]
        lock.tickets.insert(bisect.bisect(numbers, number), Ticket(number, expires))
    store.save_lock(lock)


async def _acquire_lock(
    self: LockStore, conversation_id: str, ticket: int, wait_time_in_seconds: float
) -> TicketLock:
    """Rasa's ``LockStore._acquire_lock``, renewing the waiting message's own ticket."""
    while True:
        # Gone when every other ticket was cleaned up while this one had lapsed.
        lock = self.get_lock(conversation_id) or TicketLock(conversation_id)
        if not lock.is_locked(ticket):
            return lock
        _renew(self, lock, ticket)
        await asyncio.sleep(wait_time_in_seconds)
        self.update_lock(conversation_id)


def install() -> None:
    LockStore._acquire_lock = _acquire_lock  # type: ignore[method-assign]
