"""Sentence boundaries from punctuation and line breaks, set before the parser runs.

The compact shipped parser sometimes splits inside a name ("Ali Maisam | Nazary told")
and never splits a headline from the first paragraph. Setting every token's boundary
here keeps sentences where a reader sees them; the parser then parses within them.
"""

from __future__ import annotations

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

_ENDERS = {".", "!", "?", "…"}
_CLOSERS = {'"', "”", "’", "'", ")", "]"}


@Language.component("claimwatch_sentences")
def set_sentence_starts(doc: Doc) -> Doc:
    """Mark sentence starts after . ! ? (and closing quotes) and after line breaks."""
    starts = numpy.full(len(doc), -1, dtype="int32")  # -1: not a start, 1: a start
    start_next = True
    for i, token in enumerate(doc):
        if token.is_space:
            starts[i] = 1 if start_next else -1
            if "\n" in token.text:
                start_next = True
            continue
        starts[i] = 1 if start_next else -1
        start_next = False
        if token.text in _ENDERS or (
            token.text in _CLOSERS and i > 0 and doc[i - 1].text in _ENDERS
        ):
            nxt = doc[i + 1] if i + 1 < len(doc) else None
            # "Mr. Okoro", "U.S. forces", "p.m. in": no new sentence before a lowercase word
            if nxt is None or nxt.text in _CLOSERS or not (nxt.text[:1].islower() or nxt.like_num):
                start_next = nxt is None or nxt.text not in _CLOSERS
        if "\n" in token.whitespace_:
            start_next = True
    if len(doc):
        # one array write: the per-token is_sent_start setter re-checks the whole document
        # each time, which made this step quadratic in article length
        doc.from_array([SENT_START], starts.reshape(-1, 1).astype("uint64"))  # type: ignore[arg-type]
    return doc
