"""Reading a caller's words the same way whether they were typed or came out of speech-to-text.

Everything here works on normalised text (lower case, no punctuation, apostrophes dropped: "I'll" and
"ill" are the same word), so a transcript scores the same with or without capitals and punctuation.
Questions are found from their wording (a question word or an inverted auxiliary at the start of a
clause), never from a "?" that speech-to-text does not write.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

_APOSTROPHES = re.compile(r"['\u2019\u2018`]")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    """Lower case, apostrophes dropped ("don't" → "dont"), every other mark a space, spaces collapsed."""
    lowered = _APOSTROPHES.sub("", text.lower())
    return " ".join(_NOT_WORD.sub(" ", lowered).split())


def words(text: str) -> list[str]:
    """The normalised words of a text."""
    return normalise(text).split()


def contains_phrase(tokens: Sequence[str], phrase: str) -> int:
    """Index of the first occurrence of `phrase` (normalised words) in `tokens`, or -1."""
    target = phrase.split()
    width = len(target)
    for index in range(len(tokens) - width + 1):
        if list(tokens[index : index + width]) == target:
            return index
    return -1


def find_phrases(tokens: Sequence[str], phrases: Iterable[str]) -> list[str]:
    """The phrases (normalised, space-separated words) that occur in `tokens`, in the order given."""
    return [phrase for phrase in phrases if contains_phrase(tokens, phrase) >= 0]


# --- questions -------------------------------------------------------------------------------------

OPEN_WORDS = frozenset({"what", "how", "why", "whats", "hows"})
OTHER_WH_WORDS = frozenset({"when", "where", "who", "which", "whos", "whose", "whom", "wheres", "whens"})
AUXILIARIES = frozenset(
    {
        "do", "does", "did", "is", "are", "was", "were", "can", "could", "would", "will", "should",
        "shall", "have", "has", "had", "may", "might", "isnt", "arent", "dont", "doesnt", "didnt",
        "wouldnt", "couldnt", "cant", "wont", "shouldnt", "havent", "hasnt", "am",
    }
)  # fmt: skip
SUBJECTS = frozenset(
    {"you", "i", "we", "she", "he", "it", "they", "that", "this", "there", "your", "her", "his", "their", "anyone"}
)
# Words after which a new clause may begin in unpunctuated speech.
CLAUSE_OPENERS = frozenset(
    {
        "and", "so", "but", "or", "then", "okay", "ok", "right", "well", "great", "thanks", "thank",
        "sure", "now", "also", "yes", "yeah", "no", "perfect", "curious", "wondering", "question",
        "quick", "anyway", "actually", "honestly", "understood", "fair", "course", "got", "totally",
    }
)  # fmt: skip
# Requests phrased as commands that work as open questions.
OPEN_PROMPTS = ("tell me", "walk me through", "help me understand", "talk me through", "describe")
# Wh-words also used in statements ("that's what we do", "I know how busy she is"): they only open a
# question when an auxiliary or a verb follows, or when they stand at a clause start.
TAG_QUESTIONS = ("is that right", "does that make sense", "is that fair", "would that help", "right or")


@dataclass(frozen=True)
class Question:
    """A question the caller asked: where it starts (word index) and whether it invites a long answer."""

    start: int
    open: bool
    words: tuple[str, ...]


def _clause_start(tokens: Sequence[str], index: int) -> bool:
    return index == 0 or tokens[index - 1] in CLAUSE_OPENERS


def _question_at(tokens: Sequence[str], index: int) -> bool | None:
    """True (open) / False (closed) if a question starts at `index`, else None."""
    word = tokens[index]
    after = tokens[index + 1] if index + 1 < len(tokens) else ""
    after2 = tokens[index + 2] if index + 2 < len(tokens) else ""
    for prompt in OPEN_PROMPTS:
        if contains_phrase(tokens[index : index + len(prompt.split())], prompt) == 0 and _clause_start(tokens, index):
            return True
    if word in OPEN_WORDS or word in OTHER_WH_WORDS:
        is_open = word in OPEN_WORDS
        if after in AUXILIARIES and (after2 in SUBJECTS or _clause_start(tokens, index)):
            return is_open  # "how do you", "what would it", "when is she"
        if word in {"whats", "hows", "whos", "wheres", "whens"} and _clause_start(tokens, index):
            return is_open
        if word in {"who", "which"} and _clause_start(tokens, index) and after not in SUBJECTS:
            return is_open  # "who handles your freight", "which team owns this"
        if word in {"what", "how"} and _clause_start(tokens, index) and after in {"about", "if", "else"}:
            return True
        return None
    if word in AUXILIARIES and after in SUBJECTS and _clause_start(tokens, index):
        if word in {"have", "has", "had"} and after2 in {"to", "got"}:
            return None
        return False  # "do you", "would it", "is she", "can i"
    return None


def find_questions(text: str) -> list[Question]:
    """The questions in a turn, each counted once even if it runs on for many words."""
    tokens = words(text)
    found: list[Question] = []
    index = 0
    while index < len(tokens):
        kind = _question_at(tokens, index)
        if kind is None:
            for tag in TAG_QUESTIONS:
                if contains_phrase(tokens[index:], tag) == 0:
                    kind = False
                    break
        if kind is None:
            index += 1
            continue
        end = index + 1
        while end < len(tokens) and not (end > index + 2 and _question_at(tokens, end) is not None):
            end += 1
        found.append(Question(start=index, open=kind, words=tuple(tokens[index:end])))
        index = end
    return found


# --- content words, research ----------------------------------------------------------------------

STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before being
    below between both but by can cant could couldnt did didnt do does doesnt doing dont down during
    each few for from further had has have having he her here hers herself him himself his how i id ill
    im ive if in into is isnt it its itself just let lets me more most my myself no nor not now of off
    on once only or other our ours ourselves out over own same she shes should so some such than that
    thats the their theirs them themselves then there theres these they theyre this those through to
    too under until up very was we were weve what whats when where which while who whom why will with
    would you youre your yours yourself yourselves yes yeah okay ok um uh like really well right sure
    thanks thank hi hello get got going go one two three new last year years month months week weeks
    company team said says saw see seen read noticed recently back way lot lots much many per
    """.split()  # noqa: SIM905
)


def content_words(text: str) -> list[str]:
    """Words that carry the topic of a line (no function words, no fillers), in order, de-duplicated."""
    seen: dict[str, None] = {}
    for word in words(text):
        if word not in STOPWORDS and (len(word) > 2 or word.isdigit()):
            seen.setdefault(word, None)
    return list(seen)


def _fuzzy_hit(keyword: str, tokens: Sequence[str], cutoff: float) -> bool:
    """True if `keyword` is among the tokens, allowing for a misheard spelling or a word split in two."""
    if len(keyword) <= 3 or keyword.isdigit():
        return keyword in tokens
    candidates = list(tokens) + [a + b for a, b in zip(tokens, tokens[1:], strict=False)]
    return any(fuzz.ratio(keyword, candidate) >= cutoff for candidate in candidates)


@dataclass(frozen=True)
class ResearchMention:
    """How much of one research fact a caller's turn refers to (share of its keywords heard, 0–1)."""

    fact: str
    keywords: tuple[str, ...]
    matched: tuple[str, ...]

    @property
    def strength(self) -> float:
        """1.0 for a clear mention (two keywords, or the only one), 0.5 for a single telling keyword."""
        needed = min(2, len(self.keywords))
        if needed == 0 or not self.matched:
            return 0.0
        if len(self.matched) >= needed:
            return 1.0
        return 0.5 if max(len(word) for word in self.matched) >= 5 else 0.0


def research_mentions(text: str, facts: Sequence[str], cutoff: float = 80) -> list[ResearchMention]:
    """The research facts a line refers to, recognised fuzzily from the facts' own content words."""
    tokens = words(text)
    mentions = []
    for fact in facts:
        keywords = tuple(content_words(fact))
        matched = tuple(word for word in keywords if _fuzzy_hit(word, tokens, cutoff))
        mention = ResearchMention(fact=fact, keywords=keywords, matched=matched)
        if mention.strength > 0:
            mentions.append(mention)
    return mentions


def shares_topic(line: str, other: str, cutoff: float = 85) -> list[str]:
    """Content words of `other` that `line` takes up (fuzzily), e.g. an answer picking up a question."""
    tokens = words(line)
    return [word for word in content_words(other) if _fuzzy_hit(word, tokens, cutoff)]
