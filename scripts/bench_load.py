"""Closed-loop load over Rasa's REST channel: N concurrent conversations, each a multi-turn script."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator, Sequence

import aiohttp

from scripts.bench_report import LevelResult

# A patient's session: exercise steps and follow-ups (action server), a clinic
# search (action server, ZIP lookup), the first turns of a booking request
# (form validation on the action server), then cancel and thanks.
CONVERSATION = (
    "how do I do the hamstring stretch?",
    "one step at a time pls",
    "next",
    "how long do I hold it",
    "and the hip one?",
    "next",
    "what's the closest clinic to 20770",
    "I'd like to book an appointment",
    "my lower back",
    "about two weeks",
    "cancel",
    "thanks",
)
REQUEST_TIMEOUT_S = 60.0


async def _say(
    session: aiohttp.ClientSession, url: str, sender: str | None, text: str
) -> tuple[float, str | None]:
    """Send one message; return the round trip in ms and the conversation id (the server
    issues one to a message without ``sender``); raise on a failed request."""
    started = time.perf_counter()
    body = {"message": text} if sender is None else {"sender": sender, "message": text}
    async with session.post(url, json=body) as response:
        response.raise_for_status()
        replies = await response.json()
    return (time.perf_counter() - started) * 1000, next((r["recipient_id"] for r in replies), sender)


async def run_level(
    rasa_url: str,
    concurrency: int,
    conversations: int,
    time_limit_s: float,
    script: Sequence[str] = CONVERSATION,
) -> LevelResult:
    """Keep ``concurrency`` conversations going until ``conversations`` have been started or the time is up.

    Each worker plays whole conversations one after another, a message only
    after the reply to the previous one, under a sender id of its own.
    """
    url = f"{rasa_url}/webhooks/rest/webhook"
    numbers: Iterator[int] = iter(range(conversations))
    latencies: list[float] = []
    errors = started_conversations = 0
    deadline = time.monotonic() + time_limit_s

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal errors, started_conversations
        for _ in numbers:
            started_conversations += 1
            sender: str | None = None  # the first reply carries the id the server issued
            for text in script:
                if time.monotonic() > deadline:
                    return
                try:
                    latency, sender = await _say(session, url, sender, text)
                    latencies.append(latency)
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    errors += 1

    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        began = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    return LevelResult(concurrency, latencies, elapsed, errors, started_conversations)


async def wait_for_parse(rasa_url: str, timeout_s: float, token: str, text: str = "hello") -> None:
    """Poll /model/parse until the model answers; raise TimeoutError if it does not in time.

    Rasa's HTTP API is on only with $RASA_API_TOKEN (scripts/rasa_server.py): start the
    servers with ``RASA_API_TOKEN=token`` in their environment."""
    deadline = time.monotonic() + timeout_s
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)) as session:
        while True:
            try:
                async with session.post(
                    f"{rasa_url}/model/parse", json={"text": text}, params={"token": token}
                ) as response:
                    if response.status == 200:
                        await response.json()
                        return
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{rasa_url}/model/parse did not answer within {timeout_s:.0f} s")
            await asyncio.sleep(0.1)
