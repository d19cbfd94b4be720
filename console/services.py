"""What the views work with, built once per app and reached through ``services()``."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from clinic.directory import Directory
from clinic.request_store import RequestStore
from clinic.staff_accounts import StaffAccounts
from console.transcripts import TranscriptReader


@dataclass(frozen=True)
class ConsoleServices:
    store: RequestStore
    accounts: StaffAccounts
    transcripts: TranscriptReader | None  # None: no SQL tracker store configured
    directory: Directory
    rasa_url: str
    conversation_id_secret: str


def services() -> ConsoleServices:
    return current_app.extensions["console"]
