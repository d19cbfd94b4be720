"""Triage rules: phrasing suites (recall, false positives), context, levels and the loader.

The suites are data: every line of tests/triage/red_flags.txt must be judged
emergency or urgent, and at most 5% of tests/triage/near_misses.txt may be.
The figures go to reports/triage.txt and to the terminal. No model is needed:
the rules are plain Python (clinic/triage.py).
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from clinic.content import REPO_ROOT, ContentError, all_exercise_texts, load_content
from clinic.message_limits import MAX_MESSAGE_CHARS
from clinic.red_flags import EMERGENCY, ROUTINE, URGENT, RedFlags, load_red_flags
from clinic.text_scan import MAX_SENTENCE_WORDS, sentences
from clinic.triage import Triage, assess, default_triage

SUITES = Path(__file__).parent / "triage"
REPORT = REPO_ROOT / "reports" / "triage.txt"
MAX_FALSE_POSITIVE_RATE = 0.05


def read_suite(name: str) -> list[str]:
    lines = (SUITES / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


@pytest.fixture(scope="session")
def red_flags() -> RedFlags:
    return load_red_flags()


# ---------------------------------------------------------------- suites


@dataclass(frozen=True)
class SuiteResults:
    misses: list[str]
    red_flag_count: int
    false_positives: list[tuple[str, tuple[str, ...]]]
    near_miss_count: int

    @property
    def recall(self) -> float:
        return 1 - len(self.misses) / self.red_flag_count

    @property
    def false_positive_rate(self) -> float:
        return len(self.false_positives) / self.near_miss_count

    def summary(self) -> str:
        return (
            f"red-flag triage: recall {self.recall:.1%} "
            f"({self.red_flag_count - len(self.misses)}/{self.red_flag_count}), "
            f"false positives {self.false_positive_rate:.1%} "
            f"({len(self.false_positives)}/{self.near_miss_count})"
        )


@pytest.fixture(scope="module")
def suite_results(request: pytest.FixtureRequest) -> SuiteResults:
    """Runs both suites once, writes reports/triage.txt and prints the summary."""
    red_flag_lines = read_suite("red_flags.txt")
    near_misses = read_suite("near_misses.txt")
    false_positives = []
    for line in near_misses:
        result = assess(line)
        if result.level != ROUTINE:
            false_positives.append((line, result.reasons))
    results = SuiteResults(
        misses=[line for line in red_flag_lines if assess(line).level == ROUTINE],
        red_flag_count=len(red_flag_lines),
        false_positives=false_positives,
        near_miss_count=len(near_misses),
    )
    missed = [f"  {m}" for m in results.misses] or ["  (none)"]
    lines = [results.summary(), "", "missed red flags:", *missed]
    flagged = [f"  {t}  <- {', '.join(h)}" for t, h in false_positives] or ["  (none)"]
    lines += ["", "flagged near misses:", *flagged]
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    capture = request.config.pluginmanager.getplugin("capturemanager")
    reporter = request.config.pluginmanager.getplugin("terminalreporter")
    if reporter is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\n{results.summary()} (details: {REPORT.relative_to(REPO_ROOT)})")
    return results


def test_suites_are_large_and_distinct() -> None:
    for name in ("red_flags.txt", "near_misses.txt"):
        lines = read_suite(name)
        assert len(lines) >= 45, f"{name} has only {len(lines)} phrasings"
        duplicates = {line for line in lines if lines.count(line) > 1}
        assert not duplicates, f"{name} repeats {sorted(duplicates)}"


def test_every_red_flag_phrasing_is_detected(suite_results: SuiteResults) -> None:
    assert not suite_results.misses, f"{suite_results.summary()}; missed:\n" + "\n".join(suite_results.misses)


def test_near_misses_are_rarely_flagged(suite_results: SuiteResults) -> None:
    assert suite_results.false_positive_rate <= MAX_FALSE_POSITIVE_RATE, (
        f"{suite_results.summary()}; flagged:\n"
        + "\n".join(f"{t}  <- {h}" for t, h in suite_results.false_positives)
    )


# ---------------------------------------------------------------- levels


@pytest.mark.parametrize(
    "text, level",
    [
        ("i've lost control of my bowels", EMERGENCY),
        ("my inner thighs are numb and my back hurts", EMERGENCY),
        ("My legs keep giving way", EMERGENCY),
        ("chest pain and my left arm feels heavy", EMERGENCY),
        ("i want to kill myself", EMERGENCY),
        ("back pain with a fever and chills", URGENT),
        ("history of breast cancer and new back pain", URGENT),
        ("unexplained weight loss", URGENT),
        ("the pain wakes me up every night", URGENT),
        ("my grandma fell and her ankle is huge and swollen", URGENT),
        ("I have a fever", ROUTINE),
        ("my dad had cancer and my back is stiff", ROUTINE),
        ("i'm 52 and overweight, is it safe for me to do the hip kick thing?", ROUTINE),
        ("back feels worse after the stretch, should I keep doing it?", ROUTINE),
        ("pregnant (28 weeks), my lower back is killing me", ROUTINE),
        ("I passed out at work today", URGENT),
        ("a fever every day for a week now", URGENT),
        ("the numbness in my groin started three days ago", EMERGENCY),
        ("my mom had a bad fall yesterday", URGENT),
        ("my wife had a hysterectomy 2 weeks ago and she can't walk", URGENT),
        ("Why is Whiplash rated R?", ROUTINE),
        ("I suddenly lost the vision in my right eye", EMERGENCY),
        ("a gradual loss of vision over the years", URGENT),
        ("went to the er yesterday with numbness in my groin", URGENT),
        ("went to the er yesterday with numbness in my groin and it is getting worse", EMERGENCY),
        ("the er said it was a kidney stone and sent me home, now i have chills and a fever", EMERGENCY),
        ("the er said it was a kidney stone and sent me home, the pain comes and goes", ROUTINE),
        ("my legs have gone weak since this morning", EMERGENCY),  # "has gone" denies nothing here
        ("the numbness in my groin has gone", ROUTINE),
    ],
)
def test_levels_as_clinicians_use_them(text: str, level: str) -> None:
    assert assess(text).level == level


@pytest.mark.parametrize(
    "text, kind",
    [
        ("she denies any bladder or bowel problems", "negated"),
        ("negative for fever, back is sore", "negated"),
        ("I have no numbness in my groin", "negated"),
        ("without any numbness or tingling down there", "negated"),
        ("I fell off a ladder three years ago", "historical"),
        ("I used to have chest pain", "historical"),
        ("I broke my ankle back in 2009", "historical"),
        ("my shoulder was dislocated before six months", "historical"),
        ("I fainted once as a teenager", "historical"),
        ("my dad had a heart attack with chest pain", "other_person"),
        ("what if I lose control of my bladder?", "hypothetical"),
        ("Is foot drop an emergency?", "general_question"),
        ("How long does drop foot go on?", "general_question"),
        ("What can bring on double vision all of a sudden?", "general_question"),
        ("Can a dislocated shoulder go back in by itself?", "general_question"),
    ],
)
def test_context_discounts_a_sign(text: str, kind: str) -> None:
    result = assess(text)
    assert result.level == ROUTINE
    assert kind in {f.discounted_as for f in result.discounted}


@pytest.mark.parametrize(
    "text",
    [
        "How long does foot drop take to get better? Mine started yesterday",
        "how long will my legs keep giving way",
        "Can a 4 year old have chest pain?",
        "how do i stop vomiting blood",
    ],
)
def test_a_question_that_names_someone_is_not_a_general_one(text: str) -> None:
    assert assess(text).level == EMERGENCY


def test_a_carer_reporting_symptoms_now_counts() -> None:
    assert assess("my husband has chest pain and can hardly talk").level == EMERGENCY


def test_denial_stops_at_the_end_of_its_clause() -> None:
    result = assess("No fever, but I can't hold my pee")
    assert result.level == EMERGENCY
    assert [f.sign for f in result.findings] == ["bladder_bowel"]
    assert "fever" in {f.sign for f in result.discounted}


@pytest.mark.parametrize(
    "text, level",
    [
        ("the MRI showed no mass, midline shift or hemorrhage", ROUTINE),
        ("no numbness, tingling or bladder problems", ROUTINE),
        ("no fever, legs weak or numb", EMERGENCY),
        ("no fever, I wet myself", EMERGENCY),
    ],
)
def test_a_denial_reaches_the_end_of_a_list_but_not_a_new_clause(text: str, level: str) -> None:
    assert assess(text).level == level


def test_a_long_story_is_judged_sentence_by_sentence() -> None:
    story = (
        "I have had lower back pain for three years. It started after moving house. "
        "Some days it is better, some days worse. No numbness, no fever, no bladder problems. Just stiff."
    )
    result = assess(story * 3)
    assert result.level == ROUTINE and not result.medical_other and result.physical_therapy


def test_a_message_is_judged_on_its_first_characters_only() -> None:
    """Work is bounded however long the message: the rules read up to the channel limit."""
    filler = "my back hurts and my knee is stiff when I walk the dog. " * 60
    assert len(filler) > MAX_MESSAGE_CHARS
    assert assess("I lost control of my bladder. " + filler).level == EMERGENCY
    assert assess(filler + "I lost control of my bladder.").level == ROUTINE


def test_a_run_on_message_is_judged_in_pieces() -> None:
    """Without punctuation a denial at the start cannot reach a symptom far later."""
    words = "no fever " + "and it is sore when i bend " * 8 + "and i cant control my bladder"
    assert max(len(s.words) for s in sentences(words)) <= MAX_SENTENCE_WORDS
    assert assess(words).level == EMERGENCY


def test_medical_problems_outside_physical_therapy_are_recognised() -> None:
    assert assess("I have a rash and a sore throat, could it be an infection?").medical_other
    assert not assess("my knee aches after running, which stretch helps?").medical_other


def test_the_exercise_articles_own_words_never_flag() -> None:
    content = load_content()
    texts = all_exercise_texts(content) + [t.text for t in content.topics.values()]
    assert {t: assess(t).reasons for t in texts if assess(t).level != ROUTINE} == {}


def test_advice_is_plain_text_at_each_level(red_flags: RedFlags) -> None:
    assert "911" in red_flags.advice[EMERGENCY] and "emergency room" in red_flags.advice[EMERGENCY]
    assert "today or tomorrow" in red_flags.advice[URGENT] and "911" in red_flags.advice[URGENT]
    assert "doctor" in red_flags.medical_advice
    assert all(s.label for s in red_flags.signs)
    assert red_flags.screened_signs


# ---------------------------------------------------------------- loader


def write_flags(tmp_path: Path, signs: str, extra: str = "") -> Path:
    path = tmp_path / "red_flags.yml"
    header = """\
        version: 2
        advice: {emergency: Call 911., urgent: See a doctor today., medical: See a doctor.}
        screening_question: Any of these?
        context:
          window: 4
          negated: {before: ["no"]}
          historical: {after: [years ago]}
          other_person: {before: [my dad]}
          hypothetical: {before: [what if]}
        scope: {medical: [rash], physical_therapy: [knee]}
    """
    path.write_text(textwrap.dedent(header) + extra + "signs:\n" + textwrap.dedent(signs), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "signs, message",
    [
        ("  - {key: fever, level: urgent, phrases: [fever]}\n", "signs[0] (fever): field 'label'"),
        ("  - {key: fever, label: Fever, phrases: [fever]}\n", "signs[0] (fever): field 'level'"),
        (
            "  - {key: fever, label: Fever, level: soon, phrases: [fever]}\n",
            "signs[0] (fever): field 'level'",
        ),
        ("  - {key: fever, label: Fever, level: urgent}\n", "signs[0] (fever): needs at least one of"),
        (
            "  - {key: fever, label: Fever, level: urgent, phrases: [fever, 3]}\n",
            "signs[0] (fever): field 'phrases'",
        ),
        ("  - {key: fever, label: Fever, level: urgent, regex: ['(']}\n", "signs[0] (fever): regex[0]"),
        (
            "  - {key: fever, label: Fever, level: urgent, near: [{within: 2, words: [[hot]]}]}\n",
            "signs[0] (fever): near[0]: field 'words'",
        ),
        (
            "  - {key: fever, label: Fever, level: urgent, phrases: [fever]}\n"
            "  - {key: fever, label: F, level: urgent, phrases: [hot]}\n",
            "signs[1] repeats key 'fever'",
        ),
        ("  - {key: Fever, label: Fever, level: urgent, phrases: [fever]}\n", "signs[0]: key 'Fever'"),
    ],
)
def test_load_red_flags_names_the_bad_entry(tmp_path: Path, signs: str, message: str) -> None:
    with pytest.raises(ContentError, match=re.escape(message)):
        load_red_flags(write_flags(tmp_path, signs))


def test_a_combination_must_name_known_signs(tmp_path: Path) -> None:
    combos = "combinations:\n  - {key: both, label: Both, level: urgent, signs: [fever, nothing]}\n"
    with pytest.raises(ContentError, match=re.escape("combinations[0] (both): field 'signs'")):
        load_red_flags(
            write_flags(
                tmp_path, "  - {key: fever, label: Fever, level: context, phrases: [fever]}\n", combos
            )
        )


def test_worse_since_checked_must_name_known_signs(tmp_path: Path) -> None:
    path = write_flags(tmp_path, "  - {key: fever, label: Fever, level: urgent, phrases: [fever]}\n")
    text = path.read_text(encoding="utf-8").replace(
        "  window: 4\n", "  window: 4\n  worse_since_checked: [worse]\n"
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(
        ContentError, match=re.escape("worse_since_checked names no sign or combination 'worse'")
    ):
        load_red_flags(path)


def test_a_clinic_edit_changes_the_triage(tmp_path: Path) -> None:
    signs = (
        "  - {key: fever, label: Fever, level: context, phrases: [fever]}\n"
        "  - {key: knee, label: Knee pain, level: context, phrases: [knee pain]}\n"
    )
    combos = (
        "combinations:\n  - {key: both, label: Fever with knee pain, level: urgent, signs: [fever, knee]}\n"
    )
    triage = Triage(load_red_flags(write_flags(tmp_path, signs, combos)))
    assert triage.assess("Fevers and knee pain").reasons == ("Fever with knee pain",)
    assert triage.assess("no fever, knee pain").level == ROUTINE
    assert triage.assess("what if I get a fever with knee pain").level == ROUTINE


def test_the_default_rules_are_loaded_once() -> None:
    assert default_triage() is default_triage()
