"""Loading the NLP backend: an installed en_core_web_* pipeline, else a blank English one."""

from __future__ import annotations

import functools

import spacy
from spacy.language import Language


@functools.lru_cache(maxsize=1)
def load_nlp() -> tuple[Language, str]:
    """Return the spaCy pipeline and the name of the backend that was loaded."""
    for name in ("en_core_web_trf", "en_core_web_lg", "en_core_web_md", "en_core_web_sm"):
        if spacy.util.is_package(name):
            return spacy.load(name), name
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp, "blank-en"
