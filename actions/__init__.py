"""The action server's actions (``python -m rasa_sdk --actions actions``).

rasa_sdk imports this package before it serves a call, so the log filter is
installed here: a failing action logs no slot value, message or tracker.
"""

from clinic import log_redaction

log_redaction.install()
