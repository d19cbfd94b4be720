"""Storing requests: committed before confirming, and honest when the database fails."""

from __future__ import annotations

import pytest

from actions.handoff_actions import ActionRequestCallback
from actions.intake_form import ActionAskConfirmed, ActionCancelRequest, ActionSubmitIntake
from actions.triage_actions import ActionHandleRedFlag, ActionRetractRedFlag
from clinic.request_store import RequestStore
from tests.action_harness import entity, make_tracker, run_action, slot_events

ANSWERS = {
    "body_area": "back",
    "pain_duration": "3 weeks",
    "pain_level": 6.0,
    "red_flag_screen": False,
    "contact_name": "Ana Lopez",
    "contact_phone": "+13015550142",
    "contact_email": "none",
    "preferred_clinic": "greenbelt",
    "preferred_times": "weekday mornings",
    "consent": True,
    "confirmed": True,
}
BROKEN_DB = "sqlite:////nonexistent-dir/never/requests.db"


@pytest.fixture
def db_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'requests.db'}"
    monkeypatch.setenv("CLINIC_DB_URL", url)
    return url


def test_submit_commits_then_confirms_with_the_reference(db_url):
    messages, events = run_action(ActionSubmitIntake(), make_tracker("yes", "affirm", slots=ANSWERS))
    text = messages[0]["text"]
    reference = text.split("reference ")[1].split(".")[0]
    stored = RequestStore(db_url).get(reference)
    assert stored.contact_name == "Ana Lopez" and stored.clinic_id == "greenbelt"
    assert "(301) 555-0142" in text and "Greenbelt Physical Therapy" in text
    assert all(value is None for value in slot_events(events).values())


def test_database_failure_gives_no_confirmation_and_clears_the_form(db_url, monkeypatch):
    earlier = RequestStore(db_url).save_request(kind="booking", channel="rest", sender_id="earlier")
    monkeypatch.setenv("CLINIC_DB_URL", BROKEN_DB)
    messages, events = run_action(ActionSubmitIntake(), make_tracker("yes", "affirm", slots=ANSWERS))
    text = messages[0]["text"]
    assert "reference" not in text and "couldn't save" in text
    assert "(301) 555-0142" in text  # the Greenbelt clinic's phone, to book directly
    # The next request starts clean (left filled, they skipped the summary and crashed a validator).
    assert "cleared this form" in text
    assert set(slot_events(events)) >= set(ANSWERS) and not any(slot_events(events).values())
    assert RequestStore(db_url).get(earlier.reference) is not None


@pytest.mark.parametrize("refusal", [{"consent": False}, {"confirmed": False}])
def test_no_consent_or_no_confirmation_saves_nothing(db_url, refusal):
    messages, _ = run_action(ActionSubmitIntake(), make_tracker("no", "deny", slots={**ANSWERS, **refusal}))
    assert "haven't saved anything" in messages[0]["text"]
    assert RequestStore(db_url).list_requests() == []


def test_summary_lists_every_answer_before_confirming():
    messages, _ = run_action(ActionAskConfirmed(), make_tracker("yes", "affirm", slots=ANSWERS))
    text = messages[0]["text"]
    for shown in (
        "back",
        "3 weeks",
        "6 out of 10",
        "Ana Lopez",
        "(301) 555-0142",
        "not given",
        "Greenbelt Physical Therapy",
        "weekday mornings",
    ):
        assert shown in text


def test_cancel_clears_the_form(db_url):
    messages, events = run_action(ActionCancelRequest(), make_tracker("cancel", "cancel", slots=ANSWERS))
    assert messages[0]["response"] == "utter_request_cancelled"
    assert any(e["event"] == "active_loop" and e["name"] is None for e in events)
    assert all(value is None for value in slot_events(events).values())
    assert RequestStore(db_url).list_requests() == []


def test_screening_yes_escalates_instead_of_booking(db_url):
    slots = {**ANSWERS, "red_flag_screen": True}
    messages, events = run_action(ActionSubmitIntake(), make_tracker("yes", "affirm", slots=slots))
    assert "911" in messages[0]["text"]
    [stored] = RequestStore(db_url).list_requests()
    assert stored.urgency == "emergency" and stored.kind == "urgent"  # 911 advice: the top of the queue
    assert slot_events(events)["red_flag"] is True


def test_red_flag_advice_is_given_even_when_the_database_is_down(monkeypatch):
    monkeypatch.setenv("CLINIC_DB_URL", BROKEN_DB)
    tracker = make_tracker(
        "I lost control of my bladder", "report_red_flag", [entity("red_flag", "bladder_bowel")]
    )
    messages, events = run_action(ActionHandleRedFlag(), tracker)
    assert "911" in messages[0]["text"] and "(301) 555-0100" in messages[0]["text"]
    assert slot_events(events)["red_flag"] is True


def test_red_flag_record_names_the_category_for_staff(db_url):
    tracker = make_tracker("numb in my groin", "report_red_flag", [entity("red_flag", "saddle_numbness")])
    run_action(ActionHandleRedFlag(), tracker)
    [stored] = RequestStore(db_url).list_requests()
    assert stored.answers["red_flags"] and stored.answers["message"] == "numb in my groin"


def test_retracting_lifts_the_exercise_block():
    messages, events = run_action(
        ActionRetractRedFlag(), make_tracker("mistake", "retract_red_flag", slots={"red_flag": True})
    )
    assert slot_events(events) == {"red_flag": False}


def test_callback_is_queued_for_the_nearest_clinic(db_url):
    slots = {"contact_name": "Sam Rivera", "contact_phone": "+12405550199", "nearest_clinic": "bowie"}
    messages, _ = run_action(ActionRequestCallback(), make_tracker("240 555 0199", "inform", slots=slots))
    [stored] = RequestStore(db_url).list_requests()
    assert (stored.kind, stored.clinic_id, stored.contact_phone) == ("callback", "bowie", "+12405550199")
    assert stored.reference in messages[0]["text"] and "Bowie" in messages[0]["text"]
