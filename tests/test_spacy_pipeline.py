"""The project's spaCy pipeline: built from the content files, no downloads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import spacy
import yaml

from clinic.content import REPO_ROOT, load_content
from clinic.directory import DEFAULT_PATH
from clinic_nlp.build_pipeline import build


@pytest.fixture(scope="module")
def nlp():
    return build(load_content())


def entities(nlp, text):
    return [(ent.text, ent.label_, ent.ent_id_) for ent in nlp(text).ents]


def test_pipeline_is_blank_english_lemmatizer_and_ruler(nlp):
    assert nlp.lang == "en" and nlp.pipe_names == ["lemmatizer", "entity_ruler"]
    assert [t.lemma_ for t in nlp("my legs hurt")] == ["my", "leg", "hurt"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("caller is asking how to do the 3-way hip kicks", ("3-way hip kicks", "exercise", "hip_kick_3way")),
        ("hamstring strech pls", ("hamstring strech", "exercise", "seated_hamstring_stretch")),
        ("what is the mckenzie method", ("mckenzie method", "condition", "mckenzie_method")),
        ("my lower back hurts", ("lower back", "body_part", "back")),
        ("anything near College Park", ("College Park", "clinic", "college-park")),
        ("clinic near 20770", ("20770", "zip_code", "")),
    ],
)
def test_entities_come_from_the_content_and_clinic_files(nlp, text, expected):
    assert expected in entities(nlp, text)


def test_a_new_alias_in_the_content_file_is_recognised_after_a_rebuild(tmp_path):
    content_dir = tmp_path / "content"
    shutil.copytree(REPO_ROOT / "data" / "content", content_dir)
    exercises = yaml.safe_load((content_dir / "exercises.yml").read_text())
    exercises["exercises"]["hip_kick_3way"]["aliases"].append("counter kicks")
    (content_dir / "exercises.yml").write_text(yaml.safe_dump(exercises))
    rebuilt = build(load_content(content_dir))
    assert ("counter kicks", "exercise", "hip_kick_3way") in entities(rebuilt, "how do i do counter kicks")


def test_the_pipeline_reads_the_directory_the_actions_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """$CLINIC_DIRECTORY names the clinics, and their states the towns, for NER too."""
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    data["clinics"].append(
        {
            **data["clinics"][-1],
            "id": "alexandria",
            "name": "Alexandria Physical Therapy",
            "city": "Alexandria",
            "state": "VA",
            "aliases": ["old town office"],
        }
    )
    (tmp_path / "clinics.yml").write_text(yaml.safe_dump(data), encoding="utf-8")
    monkeypatch.setenv("CLINIC_DIRECTORY", str(tmp_path / "clinics.yml"))
    rebuilt = build(load_content())
    assert ("old town office", "clinic", "alexandria") in entities(rebuilt, "is the old town office open")
    assert ("Herndon", "town", "") in entities(rebuilt, "I live in Herndon")


def test_towns_come_from_the_states_the_clinics_are_in(nlp):
    """Not every US town: Virginia's would make "hurt" and "check" places."""
    assert ("Laurel", "town", "") in entities(nlp, "I live in Laurel")
    assert [e for e in entities(nlp, "the stretch makes my back hurt, check it") if e[1] == "town"] == []


def test_saved_pipeline_loads_by_path_as_rasa_does(nlp, tmp_path: Path):
    nlp.to_disk(tmp_path / "clinic_en")
    loaded = spacy.load(tmp_path / "clinic_en", disable=["parser"])
    assert ("hip kick", "exercise", "hip_kick_3way") in entities(loaded, "the hip kick")
