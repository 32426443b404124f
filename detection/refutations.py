"""A refutation against the stored claims of its story: which report it refutes, and how.

A refutation claim ('the army denied that it bombed the camp') is keyed by its story alone:
the claim it refutes can have any subject and verb. It is set against the story's stated
sentences, and refutes the one of each article whose words cover most of its content
(compare.py's tokens: lemmas, numbers and names, function words and negators left out).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence

import duckdb

from detection.compare import _content, _tokens
from detection.explanations import refutation_conflict
from detection.keys import Key
from extractors.refutations import REFUTATION, REFUTATION_SUBJECT, find_refutations
from records import Claim, ClaimLink, Contradiction, stable_id
from warehouse.lookups import claims_by_key, claims_of_stories

# A stated sentence is what a refutation refutes when it holds this share of the refuted
# content's words, and at least MIN_SHARED of them (all of them when there are fewer).
MIN_COVERAGE = 0.6
MIN_SHARED = 2
MAX_SHARED_NEEDED = 3
# the stated words a refutation matches must sit together: within this many tokens per token
# of the refuted content (plus SPAN_SLACK), not scattered over a long sentence
SPAN_PER_TOKEN = 2
SPAN_SLACK = 2
_PRONOUN_START = re.compile(r"^(?:he|she|they|we|i|it|his|her|their)\b", re.I)
_IMPLICIT_START = re.compile(r"^(?:any|ever|\w+ing)\b", re.I)
_NEGATORS = {"not", "n't", "never", "no", "nobody", "none", "nothing", "neither", "nor"}
# a sentence that itself calls its content a rumour or a guess ('was among those rumored to
# be Deep Throat', 'was occasionally identified as') asserts nothing a denial could
# contradict: both agree the rumour existed
_RUMOURED = re.compile(
    r"\b(?:rumou?r\w*|speculat\w*|suggest\w*|could have been|might have been|may have been"
    r"|candidates?|guess\w*|conjectur\w*|theor(?:y|ies|ised|ized)|identified as|believed to"
    r"|thought to|said to be)\b",
    re.I,
)

# a sentence that asks whether something happened ('a probe that could determine whether
# militants had used the school') asserts it no more than it denies it
_OPEN_QUESTION = re.compile(r"\bwhether\b", re.I)


def refutation_key(story_id: str) -> Key:
    """The key every refutation of a story is stored and looked up under."""
    return (REFUTATION_SUBJECT, REFUTATION, story_id)


def is_refutation(claim: Claim) -> bool:
    """Whether a claim is a refutation."""
    return claim.value_type == REFUTATION


def candidates(
    con: duckdb.DuckDBPyConnection, new_claims: Sequence[Claim]
) -> tuple[list[tuple[Claim, Key]], dict[Key, list[tuple[Claim, str]]]]:
    """The extra pairs refutations need: new sentences against the story's stored
    refutations (keyed here), and new refutations against the story's stored sentences."""
    sentences: dict[tuple[str, str], Claim] = {}
    stories: set[str] = set()
    for claim in sorted(new_claims, key=lambda c: (c.value_type != "statement", c.claim_id)):
        if not claim.story_id:
            continue
        if is_refutation(claim):
            stories.add(claim.story_id)
        else:  # one claim stands for its sentence
            sentences.setdefault((claim.article_id, claim.sentence), claim)
    # each stored refutation meets, in each new article, the one sentence it covers best
    keys = {refutation_key(c.story_id) for c in sentences.values() if c.story_id}
    refs = [c for c, _ in claims_by_key(con, keys) if is_refutation(c)] if keys else []
    chosen: dict[str, Claim] = {}
    for ref in refs:
        in_story = [(c, "") for c in sentences.values() if c.story_id == ref.story_id]
        for stated, _ in refuted(ref, in_story):
            chosen[stated.claim_id] = stated
    keyed = [(c, refutation_key(c.story_id)) for c in chosen.values() if c.story_id]
    by_key: dict[Key, list[tuple[Claim, str]]] = defaultdict(list)
    for claim, url in claims_of_stories(con, stories) if stories else []:
        if claim.story_id:
            by_key[refutation_key(claim.story_id)].append((claim, url))
    return keyed, dict(by_key)


def _words(text: str) -> set[str]:
    return {w.lower() for w in _content(_tokens(text))}


def _plain_words(text: str, sentence: str = "") -> set[str]:
    """Content words that are not names: what is said of the named ('bombed', 'camp').

    A name is read in its sentence: the refuted words may begin with one ('Deep Throat" was
    gravely ill', cut from 'reports that "Deep Throat" was gravely ill').
    """
    names = {t.lemma.lower() for t in _tokens(sentence) if t.kind == "name"} if sentence else set()
    return {t.lemma.lower() for t in _tokens(text) if t.kind not in {"stop", "neg", "name"}} - names


def _span(words: set[str], text: str) -> int:
    """The fewest tokens of a text that hold every one of the words (0 when some are missing)."""
    toks = [t.lemma.lower() for t in _tokens(text)]
    best, last = 0, {}
    for i, w in enumerate(toks):
        if w in words:
            last[w] = i
            if len(last) == len(words):
                width = i - min(last.values()) + 1
                best = width if not best else min(best, width)
    return best


def _negated(text: str) -> bool:
    return any(
        t.kind == "neg" or t.lower in _NEGATORS or t.lower.endswith(("n't", "n’t"))
        for t in _tokens(text)
    )


def _required_name(ref: Claim) -> str | None:
    """Whose claim a content with no subject of its own is: 'denied having sex' is the
    refuter's; the stated sentence must name them."""
    content = ref.value_text.strip(' "“')
    if _PRONOUN_START.match(content) or _IMPLICIT_START.match(content):
        words = re.findall(r"[\w'’-]+", ref.speaker or "")
        return words[-1].lower() if words else ""
    return None


def coverage(ref: Claim, stated: Claim) -> float:
    """Share of the refuted content's words the stated sentence holds (0 when too few)."""
    refuted = _words(ref.value_text)
    name = _required_name(ref)
    said = _words(stated.sentence or stated.value_text)
    if name is not None and (not name or name not in said):
        return 0.0
    refuted.discard(name or "")
    plain = _plain_words(ref.value_text, ref.sentence) & refuted
    if len(plain & said) < MIN_SHARED:
        # names alone ('South Sudan') do not make two sentences say one thing, nor one word
        # said of a name ('the revolutionary MacBook Pro' / 'its revolutionary battery')
        return 0.0
    shared = len(refuted & said)
    need = min(MAX_SHARED_NEEDED, max(MIN_SHARED, math.ceil(MIN_COVERAGE * len(refuted))))
    if not refuted or shared < min(need, len(refuted)) or shared < MIN_SHARED:
        return 0.0
    # 'denied militants were at the school' is not 'came to the school ... because one son
    # was a Hamas militant': the shared words must say one thing together
    width = len(_tokens(ref.value_text)) * SPAN_PER_TOKEN + SPAN_SLACK
    if _span(plain & said, stated.sentence or stated.value_text) > width:
        return 0.0
    return shared / len(refuted)


def refutable(stated: Claim) -> bool:
    """Whether a stated sentence asserts something a refutation can contradict: it reports no
    denial, rumour or open question itself."""
    sentence = stated.sentence or stated.value_text
    return not (
        find_refutations(sentence) or _RUMOURED.search(sentence) or _OPEN_QUESTION.search(sentence)
    )


def refuted(ref: Claim, others: list[tuple[Claim, str]]) -> list[tuple[Claim, str]]:
    """The stated sentence each other article gives that the refutation covers best."""
    best: dict[str, tuple[tuple[float, float], Claim, str]] = {}
    refuted_words = _words(ref.value_text)
    for other, url in others:
        if is_refutation(other) or other.article_id == ref.article_id:
            continue
        score = coverage(ref, other)
        if score >= MIN_COVERAGE and not refutable(other):
            continue  # the article's best match may be its own report of the denial
        if score < MIN_COVERAGE:
            continue
        # of two sentences that cover it alike, the one that says least else is its report
        said = _words(other.sentence or other.value_text)
        rank = (score, len(refuted_words & said) / max(len(said), 1))
        held = best.get(other.article_id)
        if held is None or rank > held[0]:
            best[other.article_id] = (rank, other, url)
    return [(c, u) for _, c, u in best.values()]


def refuting(stated: Claim, others: list[tuple[Claim, str]]) -> list[tuple[Claim, str]]:
    """The stored refutations of a new stated sentence's story that cover it."""
    return [
        (c, u)
        for c, u in others
        if is_refutation(c) and c.article_id != stated.article_id
        and coverage(c, stated) >= MIN_COVERAGE
    ]  # fmt: skip


def decide(a: Claim, b: Claim, same_url: bool = False) -> Contradiction | ClaimLink | None:
    """Whether a refutation and a stated sentence of its story conflict, or why not."""
    ref, stated = (a, b) if is_refutation(a) else (b, a)
    if not is_refutation(ref) or is_refutation(stated) or ref.article_id == stated.article_id:
        return None
    sentence = stated.sentence or stated.value_text
    if not refutable(stated):
        return None  # the stated sentence reports a denial or a rumour itself
    score = coverage(ref, stated)
    if score < MIN_COVERAGE:
        return None
    # 'denied that P' makes P false; 'contrary to reports, P' makes P true
    truth_negated = _negated(ref.value_text) != (ref.polarity < 0)
    first, second = sorted((ref.claim_id, stated.claim_id))
    if _negated(sentence) == truth_negated:
        why = f"{sentence} agrees with the refutation"
        return ClaimLink(stable_id("link", first, second), first, second, "agreement", why)
    if same_url:
        return ClaimLink(
            stable_id("link", first, second), first, second, "revision",
            "the outlet revised its own article",
        )  # fmt: skip
    if ref.source_key and ref.source_key == stated.source_key and ref.outlet != stated.outlet:
        return ClaimLink(
            stable_id("link", first, second), first, second, "syndicated",
            "copies of one wire story: one source, not two",
        )  # fmt: skip
    return refutation_conflict(ref, stated, 0.6 + 0.3 * score)
