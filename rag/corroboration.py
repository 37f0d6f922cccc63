"""How many independent stories state a claim, among the passages retrieved for the question."""

from __future__ import annotations

from collections.abc import Iterable

from newsdesk.text.overlap import SAME_CLAIM, same_claim_overlap
from rag.evidence import ScoredSentence
from rag.stories import StoryMap


def corroboration(claim: str, own_docs: Iterable[str], scored: list[ScoredSentence], stories: StoryMap) -> int:
    """Story groups whose retrieved sentences state ``claim``, plus the stories of its own quotes.

    Copies of one story count once: a syndicated or translated copy is not a second source.
    """
    supporting = {stories.story(d) for d in own_docs}
    for s in scored:
        if same_claim_overlap(claim, s.text) >= SAME_CLAIM:
            supporting.add(stories.story(s.passage.doc_id))
    return len(supporting)
