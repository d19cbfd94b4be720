"""Red-flag triage: phrasing suites (recall, false positives) and unit tests.

The suites are data: tests/triage/red_flags.txt must all be flagged and at
most 5% of tests/triage/near_misses.txt may be. The figures go to
reports/triage.txt and to the terminal.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
import spacy
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from spacy.language import Language

from clinic.content import REPO_ROOT, ContentError, all_exercise_texts, load_content
from clinic.red_flags import RedFlags, load_red_flags
from clinic_nlp.build_pipeline import DEFAULT_OUT, build
from clinic_nlp.red_flag_component import RedFlagClassifier
from clinic_nlp.red_flag_matcher import RedFlagDetector

SUITES = Path(__file__).parent / "triage"
REPORT = REPO_ROOT / "reports" / "triage.txt"
MAX_FALSE_POSITIVE_RATE = 0.05


def read_suite(name: str) -> list[str]:
    lines = (SUITES / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


@pytest.fixture(scope="session")
def clinic_pipeline_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built pipeline, or a fresh build in a temp dir when it is missing."""
    if (DEFAULT_OUT / "meta.json").exists():
        return DEFAULT_OUT
    out = tmp_path_factory.mktemp("spacy") / "clinic_en"
    build(load_content()).to_disk(out)
    return out


@pytest.fixture(scope="session")
def nlp(clinic_pipeline_path: Path) -> Language:
    return spacy.load(clinic_pipeline_path)


@pytest.fixture(scope="session")
def red_flags() -> RedFlags:
    return load_red_flags()


@pytest.fixture(scope="session")
def detector(nlp: Language, red_flags: RedFlags) -> RedFlagDetector:
    return RedFlagDetector(nlp, red_flags)


# ---------------------------------------------------------------- suites


@dataclass(frozen=True)
class SuiteResults:
    misses: list[str]
    red_flag_count: int
    false_positives: list[tuple[str, list[str]]]
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
def suite_results(detector: RedFlagDetector, request: pytest.FixtureRequest) -> SuiteResults:
    """Runs both suites once, writes reports/triage.txt and prints the summary."""
    red_flag_lines = read_suite("red_flags.txt")
    near_misses = read_suite("near_misses.txt")
    false_positives = []
    for line in near_misses:
        hits = detector.detect(line)
        if hits:
            false_positives.append((line, [f"{h.category}: {h.text!r}" for h in hits]))
    results = SuiteResults(
        misses=[line for line in red_flag_lines if not detector.detect(line)],
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


# ---------------------------------------------------------------- detector


@pytest.mark.parametrize(
    "text, category",
    [
        ("no bladder problems", "bladder_bowel"),
        ("I have no numbness", "saddle_numbness"),
        ("I haven't fallen", "trauma"),
        ("never had cancer", "cancer_history"),
        ("she denies any bladder or bowel problems", "bladder_bowel"),
        ("I don't have any numbness in my groin", "saddle_numbness"),
        ("my legs are not weak, just tight", "leg_weakness"),
        ("the pain doesn't wake me up at night", "night_pain"),
        ("I haven't had a fever", "fever"),
        ("no history of cancer", "cancer_history"),
        ("I've never been in a car accident", "trauma"),
    ],
)
def test_negated_mentions_are_not_red_flags(detector: RedFlagDetector, text: str, category: str) -> None:
    detection = detector.detect_all(text)
    assert detection.hits == ()
    assert category in {h.category for h in detection.negated}


@pytest.mark.parametrize(
    "text, category",
    [
        ("No I can't feel my legs", "leg_weakness"),
        ("I'm not sure but I think I wet myself", "bladder_bowel"),
        ("I have no bladder control", "bladder_bowel"),
        ("I haven't been able to feel my legs", "leg_weakness"),
        ("I can't believe I wet myself", "bladder_bowel"),
        ("lost 15 pounds for no reason", "weight_loss"),
        ("the pain never lets up at night", "night_pain"),
    ],
)
def test_wording_with_a_negator_that_reports_a_symptom(
    detector: RedFlagDetector, text: str, category: str
) -> None:
    assert category in {h.category for h in detector.detect(text)}


def test_negation_stops_at_the_end_of_its_clause(detector: RedFlagDetector) -> None:
    detection = detector.detect_all("No fever, but I can't hold my pee")
    assert [h.category for h in detection.hits] == ["bladder_bowel"]
    assert [h.category for h in detection.negated] == ["fever"]


@pytest.mark.parametrize(
    "text, categories",
    [
        ("i've lost control of my bowels", {"bladder_bowel"}),
        ("my inner thighs are numb", {"saddle_numbness"}),
        ("My legs keep giving way", {"leg_weakness"}),
        ("I think I have foot drop", {"leg_weakness"}),
        ("back pain with a fever and chills", {"fever"}),
        ("I fell off a ladder", {"trauma"}),
        ("history of breast cancer and new back pain", {"cancer_history"}),
        ("unexplained weight loss", {"weight_loss"}),
        ("the pain wakes me up every night", {"night_pain"}),
        ("caller says she cant feel her legs since the fall", {"leg_weakness", "trauma"}),
    ],
)
def test_category_assignment(detector: RedFlagDetector, text: str, categories: set) -> None:
    assert {h.category for h in detector.detect(text)} == categories


def test_hits_carry_label_text_and_character_span(detector: RedFlagDetector, red_flags: RedFlags) -> None:
    text = "Caller says she CAN’T feel her legs."
    [hit] = detector.detect(text)
    assert hit.label == red_flags.category("leg_weakness").label
    assert hit.text == text[hit.start : hit.end] == "CAN’T feel her legs"


def test_a_doc_from_spacy_nlp_gives_the_same_hits(
    detector: RedFlagDetector, clinic_pipeline_path: Path
) -> None:
    rasa_nlp = spacy.load(clinic_pipeline_path)  # SpacyNLP loads its own copy
    text = "I fell on the ice and now I can't control my bladder"
    assert detector.detect(rasa_nlp(text.lower())) == detector.detect(text.lower())
    assert {h.category for h in detector.detect(rasa_nlp(text))} == {"trauma", "bladder_bowel"}


def test_the_exercise_articles_own_words_never_flag(detector: RedFlagDetector) -> None:
    content = load_content()
    texts = all_exercise_texts(content) + [t.text for t in content.topics.values()]
    flagged = {t: detector.detect(t) for t in texts}
    assert not {t: h for t, h in flagged.items() if h}


def test_advice_and_labels_are_plain_text(red_flags: RedFlags) -> None:
    assert "911" in red_flags.advice and "emergency room" in red_flags.advice
    assert all(c.label for c in red_flags.categories)


# ---------------------------------------------------------------- loader


def write_flags(tmp_path: Path, categories: str) -> Path:
    path = tmp_path / "red_flags.yml"
    header = """\
        version: 1
        advice: Call 911.
        negation: {cues: ["no"], window: 4}
        categories:
    """
    path.write_text(textwrap.dedent(header) + textwrap.dedent(categories), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "categories, message",
    [
        ("  - {key: fever, phrases: [fever]}\n", "categories[0] (fever): field 'label'"),
        ("  - {key: fever, label: Fever}\n", "categories[0] (fever): needs at least one of"),
        (
            "  - {key: fever, label: Fever, phrases: [fever, 3]}\n",
            "categories[0] (fever): field 'phrases'",
        ),
        (
            "  - {key: fever, label: Fever, near: [{within: 2, words: [[hot]]}]}\n",
            "categories[0] (fever): near[0]: field 'words'",
        ),
        (
            "  - {key: fever, label: Fever, near: [{within: -1, words: [[hot], [back]]}]}\n",
            "categories[0] (fever): near[0]: field 'within'",
        ),
        (
            "  - {key: fever, label: Fever, phrases: [fever]}\n  - {key: fever, label: F, phrases: [hot]}\n",
            "categories[1] repeats key 'fever'",
        ),
        ("  - {key: Fever, label: Fever, phrases: [fever]}\n", "categories[0]: key 'Fever'"),
    ],
)
def test_load_red_flags_names_the_bad_entry(tmp_path: Path, categories: str, message: str) -> None:
    with pytest.raises(ContentError, match=re.escape(message)):
        load_red_flags(write_flags(tmp_path, categories))


def test_an_invalid_spacy_pattern_names_the_bad_entry(tmp_path: Path, nlp: Language) -> None:
    path = write_flags(tmp_path, "  - {key: fever, label: Fever, patterns: [[{LOWER: {IN: [down, off]}}]]}\n")
    with pytest.raises(
        ContentError, match=re.escape("categories[0] (fever): patterns[0] is not a valid spaCy pattern")
    ):
        RedFlagDetector(nlp, load_red_flags(path))


def test_load_red_flags_reads_a_valid_file(tmp_path: Path) -> None:
    path = write_flags(tmp_path, "  - {key: fever, label: Fever, phrases: [Fever]}\n")
    flags = load_red_flags(path)
    assert flags.category("fever").phrases == ("fever",)


# ---------------------------------------------------------------- Rasa component


@pytest.fixture
def component(tmp_path: Path, clinic_pipeline_path: Path) -> RedFlagClassifier:
    config = {**RedFlagClassifier.get_default_config(), "spacy_model": str(clinic_pipeline_path)}
    return RedFlagClassifier.create(
        config,
        LocalModelStorage(tmp_path),
        Resource("red_flags"),
        ExecutionContext(GraphSchema({}), "test"),
    )


def classified(text: str, ranking: dict[str, float]) -> Message:
    """A message as the intent classifier leaves it."""
    ordered = sorted(ranking.items(), key=lambda item: -item[1])
    intents = [{"name": name, "confidence": confidence} for name, confidence in ordered]
    return Message(data={TEXT: text, INTENT: intents[0], INTENT_RANKING_KEY: intents, ENTITIES: []})


def test_component_overrides_the_classifier_on_a_red_flag(component: RedFlagClassifier) -> None:
    ranking = {"ask_exercise_steps": 0.7, "report_red_flag": 0.2, "greet": 0.1}
    [message] = component.process([classified("i cant feel my legs", ranking)])
    assert message.get(INTENT) == {"name": "report_red_flag", "confidence": 1.0}
    assert [i["name"] for i in message.get(INTENT_RANKING_KEY)] == [
        "report_red_flag",
        "ask_exercise_steps",
        "greet",
    ]
    [entity] = message.get(ENTITIES)
    assert entity == {
        "entity": "red_flag",
        "value": "leg_weakness",
        "start": 2,
        "end": 19,
        "extractor": "RedFlagClassifier",
    }


def test_component_uses_the_spacy_doc_from_spacy_nlp(component: RedFlagClassifier, nlp: Language) -> None:
    message = classified("Fell off my bike", {"greet": 0.9, "report_red_flag": 0.1})
    message.set(SPACY_DOCS[TEXT], nlp("fell off my bike"))
    [message] = component.process([message])
    assert message.get(INTENT)["name"] == "report_red_flag"
    assert [e["value"] for e in message.get(ENTITIES)] == ["trauma"]


def test_component_demotes_a_red_flag_the_person_denied(component: RedFlagClassifier) -> None:
    ranking = {"report_red_flag": 0.6, "deny": 0.3, "greet": 0.1}
    [message] = component.process([classified("no numbness and no bladder problems", ranking)])
    assert message.get(INTENT) == {"name": "deny", "confidence": 0.3}
    assert [i["name"] for i in message.get(INTENT_RANKING_KEY)] == ["deny", "greet"]
    assert message.get(ENTITIES) == []


@pytest.mark.parametrize(
    "text, intent",
    [
        ("my back feels strange lately", "report_red_flag"),  # NLU may know what rules miss
        ("no numbness", "deny"),  # denied, but not predicted as a red flag
        ("what exercises help lower back pain", "ask_back_pain_help"),
    ],
)
def test_component_otherwise_keeps_the_prediction(
    component: RedFlagClassifier, text: str, intent: str
) -> None:
    message = classified(text, {intent: 0.8, "greet": 0.2})
    before = (dict(message.get(INTENT)), list(message.get(INTENT_RANKING_KEY)))
    [message] = component.process([message])
    assert (message.get(INTENT), message.get(INTENT_RANKING_KEY)) == before
    assert message.get(ENTITIES) == []
