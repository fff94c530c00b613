"""Who and what a turn names: research facts, the persona on the line, and the caller themselves.

Research facts and names are matched fuzzily ("leads" for "Leeds", "bright line" for "Brightline"). A
fact mentioned under a negation ("I haven't looked at the Leeds hub") is kept, marked negated, so no one
credits research the caller says they did not do.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from simulator.language.matching import EXACT_WORD_CHARS, best_match, keyword_threshold, keyword_tokens
from simulator.language.text import Words, normalize
from simulator.scenario.model import ResearchFact


@dataclass(frozen=True)
class ResearchMention:
    fact: str  # the research fact's id
    keyword: str  # what was heard for it
    negated: bool = False


def research_mentions(heard: Words, facts: Iterable[ResearchFact]) -> list[ResearchMention]:
    """Each research fact whose keywords the turn mentions (its first mention)."""
    if not heard.words:
        return []
    found: list[ResearchMention] = []
    for fact in facts:
        hit: ResearchMention | None = None
        for keyword in fact.keywords:
            tokens = keyword_tokens(keyword)
            if not tokens:
                continue
            score, start = best_match(heard.words, tokens, compounds=True)
            if score >= keyword_threshold(tokens):
                negated = heard.negated_near(start, start + len(tokens), reach=6)
                mention = ResearchMention(fact.id, " ".join(heard.words[start : start + len(tokens)]), negated)
                if hit is None or (hit.negated and not negated):
                    hit = mention
        if hit is not None:
            found.append(hit)
    return found


def mentions_name(heard: Words, name: str) -> bool:
    """Whether the turn names someone by their first name (fuzzily: "Margret" counts for "Margaret")."""
    first = normalize(name).split()[:1]
    if not first:
        return False
    score, _ = best_match(heard.words, first)
    return score >= keyword_threshold(first)


SHORT_NAME_CHARS = 4


@dataclass(frozen=True)
class Identity:
    """Who the caller is on this call: from the scenario's brief, or the user's own settings."""

    name: str
    company: str

    @classmethod
    def from_brief(cls, caller: str) -> Identity:
        """ "Sam Carter, account director at Brightline Analytics." -> Sam Carter / Brightline Analytics."""
        name, _, rest = caller.partition(",")
        company = ""
        for joiner in (" at ", " with ", " of ", " from "):
            if joiner in rest:
                company = rest.rsplit(joiner, 1)[1]
                break
        return cls(name.strip(), company.strip().rstrip("."))

    def heard_in(self, heard: Words) -> list[str]:
        """The parts of the caller's name and company heard in the turn ("sam", "brightline")."""
        found: list[str] = []
        parts = [normalize(part) for part in self.name.split()]
        company = normalize(self.company).split()
        candidates = [[p] for p in parts if len(p) > EXACT_WORD_CHARS - 1]
        if company:
            candidates.append(company)
            candidates += [[word] for word in company[:1] if len(word) > EXACT_WORD_CHARS]
        for tokens in candidates:
            score, start = best_match(heard.words, tokens, compounds=True)
            # a short name is heard exactly or not at all: "keep" is not "Keel"
            needed = 100.0 if len(" ".join(tokens)) <= SHORT_NAME_CHARS else keyword_threshold(tokens)
            if score >= needed:
                found.append(" ".join(heard.words[start : start + len(tokens)]))
        return list(dict.fromkeys(found))
