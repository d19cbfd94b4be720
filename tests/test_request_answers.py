"""Stored answers in the words staff read, named from the content files."""

from __future__ import annotations

from pathlib import Path

import pytest

from clinic.directory import load_directory
from clinic.red_flags import load_red_flags
from clinic.request_answers import AnswerWording


@pytest.fixture(scope="module")
def wording() -> AnswerWording:
    return AnswerWording(load_red_flags(), load_directory())


def read(wording: AnswerWording, answers: dict) -> dict[str, str]:
    return {answer.label: answer.text for answer in wording.answers(answers)}


def test_raw_values_read_as_plain_words(wording):
    assert read(wording, {"pain_level": 5.0, "confirmed": True, "consent": False, "pain_duration": None}) == {
        "For how long": "not given",
        "Pain": "5 out of 10",
        "May store answers and call": "no",
        "Confirmed the request": "yes",
    }
    assert read(wording, {"pain_level": 7.5})["Pain"] == "7.5 out of 10"


def test_red_flags_are_named_by_their_label_in_the_content_file(wording):
    assert read(wording, {"red_flags": ["Loss of bladder or bowel control"]}) == {
        "Red flags": "loss of bladder or bowel control"
    }
    assert read(wording, {"red_flags": ["bladder_bowel", "reported in screening"]}) == {
        "Red flags": "loss of bladder or bowel control; reported in screening"
    }


def test_a_label_edited_in_the_content_file_is_the_one_shown(tmp_path: Path):
    source = Path(__file__).resolve().parent.parent / "data" / "content" / "red_flags.yml"
    edited = tmp_path / "red_flags.yml"
    edited.write_text(
        source.read_text().replace("Loss of bladder or bowel control", "Bladder or bowel trouble")
    )
    wording = AnswerWording(load_red_flags(edited), load_directory())
    assert read(wording, {"red_flags": ["bladder_bowel"]}) == {"Red flags": "bladder or bowel trouble"}


def test_clinics_by_name_and_unknown_answers_still_readable(wording):
    assert read(wording, {"preferred_clinic": "college-park", "best_day": ["Monday", "Friday"]}) == {
        "Clinic": "College Park Physical Therapy",
        "Best day": "Monday; Friday",
    }


def test_answers_come_in_reading_order(wording):
    stored = {"confirmed": True, "pain_level": 3, "body_area": "knee", "zz_extra": "x", "message": "it hurts"}
    assert [answer.key for answer in wording.answers(stored)] == [
        "message",
        "body_area",
        "pain_level",
        "confirmed",
        "zz_extra",
    ]
