"""The Rasa server runs without jax (scripts/rasa_server.py, workaround 14): TensorFlow
imports it only for TFLite conversion, which Rasa never does; it cost 64 MB at rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.live_ids import new_rest_sender
from tests.test_live_rest import say

pytestmark = pytest.mark.live


def mapped_files(pid: int) -> set[str]:
    return {line.split()[-1] for line in Path(f"/proc/{pid}/maps").read_text().splitlines()}


def test_the_rasa_server_answers_without_jax_loaded(live_assistant):
    replies = say(live_assistant, new_rest_sender(live_assistant), "how do I do the hip kick?")
    assert any("Stand facing something sturdy" in (r.get("text") or "") for r in replies)
    rasa = live_assistant.process("rasa").pid
    files = mapped_files(rasa)
    assert any(Path(f).name.startswith("libtensorflow") for f in files)  # the right process
    assert not [f for f in files if "/jaxlib/" in f or "/jax/" in f]
