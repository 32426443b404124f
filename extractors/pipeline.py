"""Loading the NLP backend: an installed en_core_web_* pipeline, else claimwatch's own.

Order: an installed en_core_web_{trf,lg,md,sm} (a real user's machine), then the pipeline
shipped in extractors/models/claimwatch_en (tagger, morphologizer, parser, PER/ORG/LOC NER,
trained by training/ner), then a blank English pipeline with a sentencizer. Every backend
gets the rule layer from extractors.gazetteer after its NER.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import spacy

import extractors.sentences  # noqa: F401  (registers claimwatch_sentences)
from spacy.language import Language

from extractors import gazetteer  # noqa: F401  (registers the "claimwatch_rules" factory)

MODEL_DIR = Path(__file__).resolve().parent / "models" / "claimwatch_en"
INSTALLED_MODELS = ("en_core_web_trf", "en_core_web_lg", "en_core_web_md", "en_core_web_sm")

# Model entity labels -> claimwatch entity types, for both the shipped model (PER/ORG/LOC)
# and en_core_web's OntoNotes labels. Labels not listed here are not entities for us.
LABEL_TO_TYPE: dict[str, str] = {
    "PER": "PERSON",
    "PERSON": "PERSON",
    "ORG": "ORG",
    "LOC": "LOC",
    "GPE": "GPE",
    "FAC": "LOC",
    "NORP": "NORP",
}


def _add_rules(nlp: Language) -> Language:
    # sentence boundaries from punctuation and line breaks constrain the parser's own
    if "claimwatch_sentences" not in nlp.pipe_names:
        if "parser" in nlp.pipe_names:
            nlp.add_pipe("claimwatch_sentences", before="parser")
        else:
            nlp.add_pipe("claimwatch_sentences", first=True)
    if "claimwatch_rules" not in nlp.pipe_names:
        if "ner" in nlp.pipe_names:
            nlp.add_pipe("claimwatch_rules", after="ner")
        else:
            nlp.add_pipe("claimwatch_rules", last=True)
    return nlp


def backend_name() -> str:
    """Return the name load_nlp's backend has, without loading the model."""
    for name in INSTALLED_MODELS:
        if spacy.util.is_package(name):
            return name
    meta = MODEL_DIR / "meta.json"
    if meta.exists():
        version = json.loads(meta.read_text(encoding="utf-8")).get("version", "0")
        return f"claimwatch_en-{version}"
    return "blank-en"


@functools.lru_cache(maxsize=1)
def load_nlp() -> tuple[Language, str]:
    """Return the spaCy pipeline and the name of the backend that was loaded."""
    for name in INSTALLED_MODELS:
        if spacy.util.is_package(name):
            return _add_rules(spacy.load(name)), name
    if (MODEL_DIR / "meta.json").exists():
        nlp = spacy.load(MODEL_DIR)
        return _add_rules(nlp), f"claimwatch_en-{nlp.meta.get('version', '0')}"
    return _add_rules(spacy.blank("en")), "blank-en"
