"""Website conversation ids for the live tests, signed as the running servers sign them.

The REST channel accepts only ids it issued (channels/website.py); the tests
make them with the run's secret, as the front-desk console does.
"""

from __future__ import annotations

from clinic.conversation_ids import issue
from clinic.local_secrets import CONVERSATION_ID_SECRET, local_secret


def new_rest_sender(assistant) -> str:
    return issue(local_secret(CONVERSATION_ID_SECRET, assistant.var_dir), "rest")
