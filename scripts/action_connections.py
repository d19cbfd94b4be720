"""Calls to the action server over kept-alive connections.

Rasa's ``EndpointConfig.request`` opens a new aiohttp session for every custom
action and form validation, and with it a new TCP connection that it closes
after the answer: connecting and tearing down took about 5 % of the Rasa
server's CPU per message. Each session here borrows its event loop's one
connection pool, which closing the session leaves open. A connection idle for
``IDLE_S`` is closed by the pool, before the action server (Sanic, 5 s) could
close it under a request.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

import aiohttp
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

IDLE_S = 2.0

_pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aiohttp.TCPConnector] = (
    weakref.WeakKeyDictionary()
)


def _pool() -> aiohttp.TCPConnector:
    loop = asyncio.get_running_loop()
    pool = _pools.get(loop)
    if pool is None or pool.closed:
        pool = _pools[loop] = aiohttp.TCPConnector(keepalive_timeout=IDLE_S)
    return pool


def session(self: EndpointConfig) -> aiohttp.ClientSession:
    """Rasa's session for this endpoint, on the loop's shared connection pool."""
    auth = (
        aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
        if self.basic_auth
        else None
    )
    return aiohttp.ClientSession(
        headers=self.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        connector=_pool(),
        connector_owner=False,
    )


async def close() -> None:
    """Closes the running loop's pool and its connections."""
    pool = _pools.pop(asyncio.get_running_loop(), None)
    if pool is not None:
        await pool.close()


def install() -> None:
    """Sessions on the pool; the pool closed with Rasa's other resources when the server stops."""
    import rasa.core.run

    EndpointConfig.session = session  # type: ignore[method-assign]
    close_resources = rasa.core.run.close_resources

    async def close_resources_and_pool(app: Any, loop: asyncio.AbstractEventLoop) -> None:
        await close_resources(app, loop)
        await close()

    rasa.core.run.close_resources = close_resources_and_pool
