"""Carrier keywords (STOP, START, HELP) and the replies to them.

Only a message that is exactly one keyword counts, in any letter case, so
"cancel my booking" still reaches the dialogue while a bare "cancel" opts the
number out, as carriers themselves treat it.
"""

from __future__ import annotations

from enum import Enum

from clinic.directory import Directory


class Keyword(Enum):
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"


_KEYWORDS = {
    **dict.fromkeys(("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"), Keyword.OPT_OUT),
    **dict.fromkeys(("START", "UNSTOP"), Keyword.OPT_IN),
    "HELP": Keyword.HELP,
}

OPTED_OUT_REPLY = (
    "You're unsubscribed and won't get any more messages from this number. Reply START to subscribe again."
)
OPTED_IN_REPLY = (
    "You're subscribed again. Ask me about the clinic's exercises any time. "
    "Reply HELP for help, STOP to unsubscribe."
)


def carrier_keyword(text: str) -> Keyword | None:
    return _KEYWORDS.get(text.strip().upper())


def help_reply(directory: Directory) -> str:
    """Names the clinic and its main line, as carriers require of a HELP reply."""
    main_line = directory.main_line
    return (
        f"{directory.name}: this is our automated assistant. For help, call "
        f"{main_line.name} at {main_line.phone_display}. "
        "Reply STOP to unsubscribe. Msg & data rates may apply."
    )
