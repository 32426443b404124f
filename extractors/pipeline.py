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
from spacy.attrs import LEMMA, MORPH, ORTH, POS
from spacy.language import Language
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc

import extractors.sentences  # noqa: F401  (registers claimwatch_sentences)

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


# distinct (word, POS, morphology) keys kept; past it the memo starts again (memory stays flat)
MAX_LEMMA_KEYS = 200_000


class MemoLemmatizer:
    """The model's rule lemmatizer, run once per distinct (word, POS, morphology) of the text.

    spaCy's rule_lemmatize is a function of exactly that key (its own cache uses it), but it
    caches only the words that reach its suffix rules and builds a Token per word: it took
    16 ms an article, 11 % of extraction. Lemmas read and written as arrays, with every
    key's lemma computed once by the model's own lemmatizer, are the same lemmas.
    """

    def __init__(self, lemmatizer: Lemmatizer) -> None:
        self.lemmatizer = lemmatizer
        self.memo: dict[tuple[int, int, int], int] = {}
        self.checked = False

    def __call__(self, doc: Doc) -> Doc:
        """Set each token's lemma as the wrapped lemmatizer would."""
        if not self.checked or not len(doc):
            self.checked = True  # the lemmatizer's own first call checks its tables
            return self.lemmatizer(doc)
        rows = doc.to_array([ORTH, POS, MORPH, LEMMA])
        lemmas = rows[:, 3].copy()
        overwrite = self.lemmatizer.overwrite
        if len(self.memo) > MAX_LEMMA_KEYS:
            self.memo.clear()
        strings = doc.vocab.strings
        for i, (orth, pos, morph, lemma) in enumerate(rows.tolist()):
            if lemma and not overwrite:
                continue
            key = (orth, pos, morph)
            found = self.memo.get(key)
            if found is None:
                found = self.memo[key] = strings.add(self.lemmatizer.lemmatize(doc[i])[0])
            lemmas[i] = found
        doc.from_array([LEMMA], lemmas.reshape(-1, 1))  # type: ignore[arg-type]
        return doc


@Language.factory("claimwatch_lemmatizer")
def make_memo_lemmatizer(nlp: Language, name: str) -> MemoLemmatizer:
    """spaCy factory wrapping the pipeline's "lemmatizer" (which it then stands in for)."""
    lemmatizer = nlp.get_pipe("lemmatizer")
    assert isinstance(lemmatizer, Lemmatizer)
    return MemoLemmatizer(lemmatizer)


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
    lemmatizer = nlp.get_pipe("lemmatizer") if "lemmatizer" in nlp.pipe_names else None
    if isinstance(lemmatizer, Lemmatizer) and lemmatizer.mode == "rule":
        # rule_lemmatize asks `form in index` of a list of every word of a part of speech
        # (330 us a new word); a set answers the same. The lookups are never saved back.
        index = lemmatizer.lookups.get_table("lemma_index", {})
        for key, words in list(index.items()):
            index[key] = frozenset(words)
        nlp.add_pipe("claimwatch_lemmatizer", after="lemmatizer")
        nlp.disable_pipe("lemmatizer")
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
