"""Triage: emergency or urgent advice at the level the rules found, the screening
question when only the classifier suspects a red flag, and the medical safety net."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.request_keys import red_flag_episode_key
from actions.tracker_reading import latest_intent, latest_text, screened_words
from clinic.directory import load_directory
from clinic.red_flags import EMERGENCY, URGENT, RedFlags
from clinic.request_store import SavedRequest, StoreError, shared_store
from clinic.triage import assess, default_triage

SCREENING_SLOT = "red_flag_screening"


def rules() -> RedFlags:
    return default_triage().rules


def record_red_flag(tracker: Tracker, source: str, level: str, reasons: list[str]) -> SavedRequest:
    """The urgent record of this red-flag episode: made by its first red flag, added to by the rest."""
    store = shared_store()
    message = screened_words(tracker) if tracker.get_slot(SCREENING_SLOT) else latest_text(tracker)
    saved = store.save_request(
        kind="urgent",
        urgency=level,
        channel=tracker.get_latest_input_channel() or "unknown",
        sender_id=tracker.sender_id,
        answers={"source": source, "level": level, "red_flags": reasons, "message": message},
        idempotency_key=red_flag_episode_key(tracker),
    )
    if saved.repeated:
        store.add_to_urgent(saved.reference, urgency=level, red_flags=reasons, message=message)
    return saved


async def escalate_red_flag(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    source: str,
    level: str = EMERGENCY,
    reasons: Sequence[str] = (),
) -> list[EventType]:
    """Advice first; then the record for staff, whose failure never hides the advice.

    ``reasons`` are the labels of what the rules found; none when the person
    answered yes to a screening question. The store works in a thread, so a
    slow database holds up this conversation only.
    """
    reasons = list(reasons) or ["reported in screening"]
    main_line = load_directory().main_line
    try:
        saved = await asyncio.to_thread(record_red_flag, tracker, source, level, reasons)
        status = f"I've also let our clinic team know (reference {saved.reference})."
        reference: str | None = saved.reference
    except StoreError:  # unavailable, or the sender's limit of new requests reached
        status = f"You can also call our {main_line.name.lower()} line on {main_line.phone_display}."
        reference = None
    why = "" if source == "screening" else f"You mentioned: {'; '.join(r.lower() for r in reasons)}.\n"
    dispatcher.utter_message(
        text=f"{rules().advice[level]}\n{why}\n{status}\nIf I misunderstood, just tell me it was a mistake."
    )
    return [
        SlotSet("red_flag", True),
        SlotSet("red_flag_reference", reference),
        SlotSet(SCREENING_SLOT, False),
        ActiveLoop(None),
        SlotSet("requested_slot", None),
    ]


def ask_screening_question(dispatcher: CollectingDispatcher) -> list[EventType]:
    flags = rules()
    signs = "\n".join(f"- {sign.screening}" for sign in flags.screened_signs)
    dispatcher.utter_message(
        text=f"{flags.screening_question}\n{signs}",
        buttons=[
            {"title": "Yes, one of these", "payload": "/affirm"},
            {"title": "No, none of these", "payload": "/deny"},
        ],
    )
    return [SlotSet(SCREENING_SLOT, True)]


class ActionHandleRedFlag(Action):
    """Answers at the level the rules found in the message; with no evidence, screens."""

    def name(self) -> str:
        return "action_handle_red_flag"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if tracker.get_slot(SCREENING_SLOT) and latest_intent(tracker) == "affirm":
            return await escalate_red_flag(dispatcher, tracker, "screening")
        assessment = assess(latest_text(tracker))
        if assessment.level not in (EMERGENCY, URGENT):
            return ask_screening_question(dispatcher)
        return await escalate_red_flag(dispatcher, tracker, "message", assessment.level, assessment.reasons)


class ActionClearScreening(Action):
    """None of the screened signs: say so, and offer what the assistant can do."""

    def name(self) -> str:
        return "action_clear_red_flag_screening"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_screening_cleared")
        return [SlotSet(SCREENING_SLOT, False)]


class ActionMedicalSafetyNet(Action):
    """A health problem outside physical therapy: which care fits, never exercises."""

    def name(self) -> str:
        return "action_medical_safety_net"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        main_line = load_directory().main_line
        dispatcher.utter_message(
            text=f"{rules().medical_advice}\n"
            f"For muscle, joint or back problems our physical therapists can help: "
            f"call {main_line.phone_display} or book a visit here.",
            buttons=[{"title": "Book a visit", "payload": "/request_appointment"}],
        )
        return []


class ActionRetractRedFlag(Action):
    """The person says the red flag was a mistake: exercise advice is allowed again.

    The record stays in the staff queue; the transcript shows the retraction.
    """

    def name(self) -> str:
        return "action_retract_red_flag"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if not tracker.get_slot("red_flag"):
            dispatcher.utter_message(response="utter_default")
            return []
        dispatcher.utter_message(response="utter_red_flag_retracted")
        return [SlotSet("red_flag", False)]
