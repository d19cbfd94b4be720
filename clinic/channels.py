"""The names the channels give a conversation, as Rasa reports them in the tracker.

Requests store the channel they came in on, so these names are also data in
the request database: renaming one orphans what was saved under the old name.
"""

from __future__ import annotations

SMS_CHANNEL = "twilio"
