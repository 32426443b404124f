"""Which claims are comparable: the key a claim is looked up under, and its scope."""

from __future__ import annotations

from records import Claim

# Stable facts about a named entity hold across stories: where a place lies, who holds a role.
# Everything else (tolls, counts, times, what was done or said) is an event fact: two
# articles can only disagree on it when they report the same event.
STABLE_VALUE_TYPES = frozenset({"direction", "entity"})

Key = tuple[str, str, str | None]
# a count of whatever plural noun follows a number ('count of passes', 'count of users')
# names no question two reports answer: 'his last 6 passes' and '1 of 13 passes' count
# different sets. Only the lexicon's attributes (force size, death toll, ...) are compared.
GENERIC_COUNT = "count of "


def is_stable(claim: Claim) -> bool:
    """Whether a claim states a stable fact about a named entity (compared across stories)."""
    return claim.value_type in STABLE_VALUE_TYPES


def comparison_key(claim: Claim) -> Key | None:
    """The (subject, attribute, story) a claim is compared under; None = never compared.

    A stable fact's story is None (any story); an event fact without a story has nothing to
    pin it to and is not compared.
    """
    if not claim.subject_id or claim.attribute.startswith(GENERIC_COUNT):
        return None
    if is_stable(claim):
        return (claim.subject_id, claim.attribute, None)
    if not claim.story_id:
        return None
    return (claim.subject_id, claim.attribute, claim.story_id)


def comparable(a: Claim, b: Claim) -> bool:
    """Whether two claims may be compared at all: same key, and one story for event facts."""
    ka, kb = comparison_key(a), comparison_key(b)
    return ka is not None and ka == kb
