"""Build the project's spaCy pipeline into ``models/spacy/clinic_en``.

No model is downloaded: the pipeline is blank English (spaCy's rule-based
tokenizer), the lookup lemmatizer from ``spacy-lookups-data``, and an
EntityRuler whose patterns come from the content files. Rasa's ``SpacyNLP``
loads the result by path.

    python -m clinic_nlp.build_pipeline [--out DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import spacy
from spacy.language import Language

from clinic.content import REPO_ROOT, Content, load_content
from clinic_nlp.patterns import entity_patterns

DEFAULT_OUT = REPO_ROOT / "models" / "spacy" / "clinic_en"
CLINICS_FILE = REPO_ROOT / "data" / "clinics.yml"


def build(content: Content, clinics_file: Path = CLINICS_FILE) -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    nlp.initialize()
    ruler.add_patterns(entity_patterns(content, clinics_file))
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
    nlp = build(load_content())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(args.out)
    print(f"spaCy pipeline written to {args.out} ({len(nlp.get_pipe('entity_ruler'))} patterns)")


if __name__ == "__main__":
    main()
