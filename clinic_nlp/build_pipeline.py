"""Build the project's spaCy pipeline into ``models/spacy/clinic_en``.

No model is downloaded: the pipeline is blank English (spaCy's rule-based
tokenizer), the lookup lemmatizer from ``spacy-lookups-data``, and an
EntityRuler whose patterns come from the content files and the clinic
directory (``$CLINIC_DIRECTORY``, else ``data/clinics.yml``, as the actions
read it). Rasa's ``SpacyNLP`` loads the result by path.

    python -m clinic_nlp.build_pipeline [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import spacy
from spacy.language import Language

from clinic.content import REPO_ROOT, Content, load_content
from clinic.directory import Directory, DirectoryError, load_directory
from clinic_nlp.patterns import entity_patterns

DEFAULT_OUT = REPO_ROOT / "models" / "spacy" / "clinic_en"


def build(content: Content, directory: Directory | None = None) -> Language:
    """The pipeline for ``content`` and ``directory`` (default: the one ``load_directory`` finds)."""
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    nlp.initialize()
    ruler.add_patterns(entity_patterns(content, directory or load_directory()))
    nlp.meta.update(
        name="clinic_en",
        version="1.0.0",
        description="Clinic assistant pipeline: tokenizer, lookup lemmatizer, content entity ruler",
    )
    return nlp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    try:
        nlp = build(load_content())
    except DirectoryError as exc:
        sys.exit(f"Cannot build the spaCy pipeline: {exc}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(args.out)
    print(f"spaCy pipeline written to {args.out} ({len(nlp.get_pipe('entity_ruler'))} patterns)")


if __name__ == "__main__":
    main()
