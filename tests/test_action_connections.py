"""scripts/rasa_server.py workaround 13: Rasa's calls to the action server share kept-alive
connections, and still reach a restarted server and keep their headers and auth."""

from __future__ import annotations

import asyncio
import socket

import pytest
from aiohttp import web
from rasa.utils.endpoints import EndpointConfig

from scripts import action_connections


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _serve(port: int, seen: list[tuple[int, str, str]]) -> web.AppRunner:
    async def webhook(request: web.Request) -> web.Response:
        peer_port = request.transport.get_extra_info("peername")[1]
        seen.append(
            (peer_port, request.headers.get("X-Action-Token", ""), request.headers.get("Authorization", ""))
        )
        return web.json_response({"events": [], "responses": []})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


@pytest.fixture
def kept_alive(monkeypatch):
    import rasa.core.run

    monkeypatch.setattr(EndpointConfig, "session", EndpointConfig.session)
    monkeypatch.setattr(rasa.core.run, "close_resources", rasa.core.run.close_resources)
    action_connections.install()


def test_calls_share_one_connection_and_keep_their_headers(kept_alive) -> None:
    async def scenario() -> list[tuple[int, str, str]]:
        port, seen = _free_port(), []
        runner = await _serve(port, seen)
        endpoint = EndpointConfig(
            f"http://127.0.0.1:{port}/webhook",
            headers={"X-Action-Token": "secret"},
            basic_auth={"username": "rasa", "password": "pw"},
        )
        for _ in range(3):
            assert await endpoint.request(json={"next_action": "action_x"}, method="post") == {
                "events": [],
                "responses": [],
            }
        await runner.cleanup()
        await action_connections.close()
        return seen

    seen = asyncio.run(scenario())
    assert len(seen) == 3 and len({peer for peer, _, _ in seen}) == 1
    assert {(token, auth.split()[0]) for _, token, auth in seen} == {("secret", "Basic")}


def test_a_restarted_action_server_and_an_idle_connection_get_new_connections(kept_alive) -> None:
    async def scenario() -> list[tuple[int, str, str]]:
        port, seen = _free_port(), []
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
        runner = await _serve(port, seen)
        await endpoint.request(json={}, method="post")
        await runner.cleanup()  # the action server stops and starts again
        runner = await _serve(port, seen)
        await endpoint.request(json={}, method="post")
        await asyncio.sleep(action_connections.IDLE_S + 1)
        await endpoint.request(json={}, method="post")
        await runner.cleanup()
        await action_connections.close()
        return seen

    seen = asyncio.run(scenario())
    assert len(seen) == 3 and len({peer for peer, _, _ in seen}) == 3


def test_stopping_the_server_closes_the_pool(kept_alive) -> None:
    import types

    import rasa.core.run

    async def scenario() -> bool:
        port, seen = _free_port(), []
        runner = await _serve(port, seen)
        await EndpointConfig(f"http://127.0.0.1:{port}/webhook").request(json={}, method="post")
        pool = action_connections._pool()
        app = types.SimpleNamespace(ctx=types.SimpleNamespace(agent=None))
        await rasa.core.run.close_resources(app, asyncio.get_running_loop())
        await runner.cleanup()
        return pool.closed

    assert asyncio.run(scenario())
